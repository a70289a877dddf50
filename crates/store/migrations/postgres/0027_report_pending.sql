-- Reports (issue 14): the rollup is taken off the commit path. A ticket change appends what it
-- adds (its contribution's delta, a row per day and slice, usually one or two) here instead
-- of upserting the sixteen-odd rollup rows it spreads over; a job, and every report read
-- first, folds these rows into report_daily and report_daily_by in one transaction
-- (DELETE ... RETURNING, so several nodes folding at once never count a row twice).
-- Appending is cheap because the table has no key: rows land at its end.

CREATE TABLE report_pending (
    day                    INTEGER NOT NULL,
    group_id               BIGINT NOT NULL,
    organisation_id        BIGINT NOT NULL,
    category_id            BIGINT NOT NULL,
    channel                TEXT NOT NULL,
    agent_id               BIGINT NOT NULL,
    created                BIGINT NOT NULL DEFAULT 0,
    resolved               BIGINT NOT NULL DEFAULT 0,
    first_contact          BIGINT NOT NULL DEFAULT 0,
    reopened               BIGINT NOT NULL DEFAULT 0,
    escalated              BIGINT NOT NULL DEFAULT 0,
    responded              BIGINT NOT NULL DEFAULT 0,
    response_minutes       BIGINT NOT NULL DEFAULT 0,
    resolve_minutes        BIGINT NOT NULL DEFAULT 0,
    handling_minutes       BIGINT NOT NULL DEFAULT 0,
    sla_response_total     BIGINT NOT NULL DEFAULT 0,
    sla_response_met       BIGINT NOT NULL DEFAULT 0,
    sla_resolution_total   BIGINT NOT NULL DEFAULT 0,
    sla_resolution_met     BIGINT NOT NULL DEFAULT 0,
    csat_sum               BIGINT NOT NULL DEFAULT 0,
    csat_count             BIGINT NOT NULL DEFAULT 0,
    open                   BIGINT NOT NULL DEFAULT 0,
    open_created_seconds   BIGINT NOT NULL DEFAULT 0
);
