-- Service levels (SPEC C6), durable jobs and in-app notifications.

CREATE TABLE calendars (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    spec        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX calendars_name_key ON calendars (lower(name));

CREATE TABLE sla_policies (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    spec         TEXT    NOT NULL,
    actions      TEXT    NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX sla_policies_name_key ON sla_policies (lower(name));

-- Each ticket keeps its SLA stopwatches (JSON: runs, elapsed, paused, warned and breached
-- instants) and denormalised instants for the queues and the due scan.
ALTER TABLE tickets ADD COLUMN sla_policy_id INTEGER REFERENCES sla_policies (id);
ALTER TABLE tickets ADD COLUMN sla_response TEXT;
ALTER TABLE tickets ADD COLUMN sla_resolution TEXT;
ALTER TABLE tickets ADD COLUMN sla_response_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_resolution_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_next_check_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_state TEXT CHECK (sla_state IN ('ok', 'at_risk', 'breached'));
CREATE INDEX tickets_sla_check_idx ON tickets (sla_next_check_at) WHERE sla_next_check_at IS NOT NULL;
CREATE INDEX tickets_sla_due_idx ON tickets (sla_due_at, id) WHERE sla_due_at IS NOT NULL;
CREATE INDEX tickets_sla_state_idx ON tickets (sla_state, id) WHERE sla_state IS NOT NULL;

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    dedupe_key    TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    run_at        INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    locked_by     TEXT,
    lease_until   INTEGER,
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX jobs_dedupe_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX jobs_ready_idx ON jobs (status, run_at);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    ticket_id   INTEGER REFERENCES tickets (id),
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
