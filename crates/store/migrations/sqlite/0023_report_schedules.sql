-- Scheduled reports (issue 14, item 4): the KPIs of a slice mailed daily, weekly or monthly
-- to chosen staff (user ids, a JSON array: each must still hold reports.read when a run
-- goes out). `next_run_at` is moved by compare-and-set in the run's transaction, with the
-- mails it queues, so one node sends each run.
CREATE TABLE report_schedules (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL,
    cadence          TEXT    NOT NULL CHECK (cadence IN ('daily', 'weekly', 'monthly')),
    group_id         INTEGER REFERENCES support_groups (id),
    organisation_id  INTEGER REFERENCES organisations (id),
    category_id      INTEGER REFERENCES categories (id),
    separator        TEXT    NOT NULL DEFAULT 'comma' CHECK (separator IN ('comma', 'semicolon')),
    recipients       TEXT    NOT NULL,
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL,
    next_run_at      INTEGER NOT NULL,
    last_run_at      INTEGER,
    last_period      TEXT
);
CREATE INDEX report_schedules_due_idx ON report_schedules (next_run_at, id);
