-- Reports (SPEC C14, issue 14): the daily rollup the KPIs and dashboards read, kept current in
-- the transaction of every ticket change (store/src/reports.rs), so a dashboard over a million
-- tickets sums a few hundred rows. Each ticket contributes to the desk-local day (yyyymmdd) of
-- each of its instants (docs/REPORTS.md); day 0 holds the open tickets now (the backlog).
-- Dimensions hold an id, -1 for "not set", or 0 for "any": every contribution is written
-- under the eight combinations of its group, organisation and category and of "any", so
-- every filter the API takes is one index range.

CREATE TABLE report_daily (
    group_id               INTEGER NOT NULL,
    organisation_id        INTEGER NOT NULL,
    category_id            INTEGER NOT NULL,
    day                    INTEGER NOT NULL,
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
    open_created_seconds   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, organisation_id, category_id, day)
) WITHOUT ROWID;

-- The same sums broken down by a dimension the filters do not take (channel, agent).
CREATE TABLE report_daily_by (
    dim                    TEXT    NOT NULL CHECK (dim IN ('channel', 'agent')),
    value                  TEXT    NOT NULL,
    day                    INTEGER NOT NULL,
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
    open_created_seconds   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, value, day)
) WITHOUT ROWID;

-- What the rollup needs of a ticket beyond its row: the minutes logged on it.
CREATE TABLE report_ticket_facts (
    ticket_id       INTEGER PRIMARY KEY REFERENCES tickets (id),
    logged_minutes  INTEGER NOT NULL DEFAULT 0
);

-- Knowledge contributions (revisions written) per period, read live from a small table.
CREATE INDEX article_revisions_at_idx ON article_revisions (at);

-- Exports and staffing read tickets by registration instant, in pages (keyset on the pair).
CREATE INDEX tickets_created_idx ON tickets (created_at, id);

-- Charging reads the time logged in a month.
CREATE INDEX ticket_events_minutes_idx ON ticket_events (at) WHERE minutes IS NOT NULL;
