-- Reports (SPEC C14, issue 14): the daily rollup the KPIs and dashboards read, kept current in
-- the transaction of every ticket change (store/src/reports.rs), so a dashboard over a million
-- tickets sums a few hundred rows. Each ticket contributes to the desk-local day (yyyymmdd) of
-- each of its instants (docs/REPORTS.md); day 0 holds the open tickets now (the backlog).
-- Dimensions hold an id, -1 for "not set", or 0 for "any": every contribution is written
-- under the eight combinations of its group, organisation and category and of "any", so
-- every filter the API takes is one index range.

CREATE TABLE report_daily (
    group_id               BIGINT NOT NULL,
    organisation_id        BIGINT NOT NULL,
    category_id            BIGINT NOT NULL,
    day                    INTEGER NOT NULL,
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
    open_created_seconds   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, organisation_id, category_id, day)
);

-- The same sums broken down by a dimension the filters do not take (channel, agent).
CREATE TABLE report_daily_by (
    dim                    TEXT    NOT NULL CHECK (dim IN ('channel', 'agent')),
    value                  TEXT    NOT NULL,
    day                    INTEGER NOT NULL,
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
    open_created_seconds   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, value, day)
);

-- What the rollup needs of a ticket beyond its row: the minutes logged on it.
CREATE TABLE report_ticket_facts (
    ticket_id       BIGINT PRIMARY KEY REFERENCES tickets (id),
    logged_minutes  BIGINT NOT NULL DEFAULT 0
);

-- Knowledge contributions (revisions written) per period, read live from a small table.
CREATE INDEX article_revisions_at_idx ON article_revisions (at);

-- Exports and staffing read tickets by registration instant, in pages (keyset on the pair).
CREATE INDEX tickets_created_idx ON tickets (created_at, id);

-- Charging reads the time logged in a month.
CREATE INDEX ticket_events_minutes_idx ON ticket_events (at) WHERE minutes IS NOT NULL;
