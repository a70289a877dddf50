-- Tickets (SPEC C1–C5, C9): categories, desk settings, number counters, tickets, their
-- timeline, attachments, idempotency keys and the outbox of side effects.

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    parent_id   INTEGER REFERENCES categories (id),
    name_es     TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX categories_parent_idx ON categories (parent_id);

-- Desk-wide settings as JSON documents (priority matrix, close requirements, timeouts).
CREATE TABLE settings (
    key         TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Ticket numbers per kind; a number handed out is never handed out again.
CREATE TABLE ticket_counters (
    kind        TEXT    PRIMARY KEY CHECK (kind IN ('incident', 'service_request')),
    last_value  INTEGER NOT NULL
);
INSERT INTO ticket_counters (kind, last_value) VALUES ('incident', 0), ('service_request', 0);

CREATE TABLE tickets (
    id                        INTEGER PRIMARY KEY,
    number                    TEXT    NOT NULL UNIQUE,
    kind                      TEXT    NOT NULL CHECK (kind IN ('incident', 'service_request')),
    subject                   TEXT    NOT NULL,
    description               TEXT    NOT NULL,
    requester_id              INTEGER NOT NULL REFERENCES users (id),
    organisation_id           INTEGER REFERENCES organisations (id),
    channel                   TEXT    NOT NULL CHECK (channel IN ('portal', 'email', 'phone', 'chat', 'api', 'event')),
    ci_ref                    TEXT,
    category_id               INTEGER REFERENCES categories (id),
    impact                    TEXT    NOT NULL CHECK (impact IN ('high', 'medium', 'low')),
    urgency                   TEXT    NOT NULL CHECK (urgency IN ('high', 'medium', 'low')),
    priority                  TEXT    NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low', 'informational')),
    priority_rank             INTEGER NOT NULL,
    priority_override_reason  TEXT,
    group_id                  INTEGER REFERENCES support_groups (id),
    assignee_id               INTEGER REFERENCES users (id),
    tier                      TEXT    CHECK (tier IN ('L1', 'L2', 'L3')),
    escalated                 INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1)),
    status                    TEXT    NOT NULL CHECK (status IN ('new', 'analysis', 'solution', 'validation', 'survey', 'review', 'closed', 'pending', 'cancelled')),
    resume_to                 TEXT,
    pending_reason            TEXT,
    reopen_count              INTEGER NOT NULL DEFAULT 0,
    resolution_code           TEXT,
    resolution                TEXT,
    started_at                INTEGER,
    impact_scope              TEXT,
    error_codes               TEXT,
    tried                     TEXT,
    major                     INTEGER NOT NULL DEFAULT 0 CHECK (major IN (0, 1)),
    major_reason              TEXT,
    parent_id                 INTEGER REFERENCES tickets (id),
    rating                    INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment            TEXT,
    version                   INTEGER NOT NULL DEFAULT 1,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL,
    status_changed_at         INTEGER NOT NULL,
    first_response_at         INTEGER,
    resolved_at               INTEGER,
    closed_at                 INTEGER
);
-- Queues: by group or assignee and status, in priority then age order; "my tickets".
CREATE INDEX tickets_group_queue_idx ON tickets (group_id, status, priority_rank, id);
CREATE INDEX tickets_assignee_queue_idx ON tickets (assignee_id, status, priority_rank, id);
CREATE INDEX tickets_status_idx ON tickets (status, priority_rank, id);
CREATE INDEX tickets_requester_idx ON tickets (requester_id, id);
CREATE INDEX tickets_organisation_idx ON tickets (organisation_id, id);
CREATE INDEX tickets_parent_idx ON tickets (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX tickets_survey_idx ON tickets (status, status_changed_at);

-- The timeline: every action and every change, who and when, old and new value.
CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    at         INTEGER NOT NULL,
    actor_id   INTEGER REFERENCES users (id),
    kind       TEXT    NOT NULL,
    public     INTEGER NOT NULL CHECK (public IN (0, 1)),
    body       TEXT,
    field      TEXT,
    old_value  TEXT,
    new_value  TEXT,
    minutes    INTEGER,
    data       TEXT
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets (id),
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    public        INTEGER NOT NULL CHECK (public IN (0, 1)),
    uploaded_by   INTEGER REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    data          BLOB    NOT NULL
);
CREATE INDEX attachments_ticket_idx ON attachments (ticket_id, id);

-- A retried create with the same Idempotency-Key returns the first ticket.
CREATE TABLE idempotency_keys (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    key         TEXT    NOT NULL,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Side effects (notifications, mail, webhooks) written in the transaction of the change
-- and delivered later by a job.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    created_at    INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    ticket_id     INTEGER REFERENCES tickets (id),
    recipient_id  INTEGER REFERENCES users (id),
    payload       TEXT    NOT NULL,
    delivered_at  INTEGER
);
CREATE INDEX outbox_pending_idx ON outbox (delivered_at, id);
