-- Reports (issue 14): the rollup is taken off the commit path. A ticket change appends what it
-- adds (its contribution's delta, a row per day and slice, usually one or two) here instead
-- of upserting the sixteen-odd rollup rows it spreads over; a job, and every report read
-- first, folds these rows into report_daily and report_daily_by in one transaction
-- (DELETE ... RETURNING, so several nodes folding at once never count a row twice).
-- Appending is cheap because the table has no key: rows land at its end.

CREATE TABLE report_pending (
    day                    INTEGER NOT NULL,
    group_id               INTEGER NOT NULL,
    organisation_id        INTEGER NOT NULL,
    category_id            INTEGER NOT NULL,
    channel                TEXT NOT NULL,
    agent_id               INTEGER NOT NULL,
    created                INTEGER NOT NULL DEFAULT 0,
    resolved               INTEGER NOT NULL DEFAULT 0,
    first_contact          INTEGER NOT NULL DEFAULT 0,
    reopened               INTEGER NOT NULL DEFAULT 0,
    escalated              INTEGER NOT NULL DEFAULT 0,
    responded              INTEGER NOT NULL DEFAULT 0,
    response_minutes       INTEGER NOT NULL DEFAULT 0,
    resolve_minutes        INTEGER NOT NULL DEFAULT 0,
    handling_minutes       INTEGER NOT NULL DEFAULT 0,
    sla_response_total     INTEGER NOT NULL DEFAULT 0,
    sla_response_met       INTEGER NOT NULL DEFAULT 0,
    sla_resolution_total   INTEGER NOT NULL DEFAULT 0,
    sla_resolution_met     INTEGER NOT NULL DEFAULT 0,
    csat_sum               INTEGER NOT NULL DEFAULT 0,
    csat_count             INTEGER NOT NULL DEFAULT 0,
    open                   INTEGER NOT NULL DEFAULT 0,
    open_created_seconds   INTEGER NOT NULL DEFAULT 0
);
