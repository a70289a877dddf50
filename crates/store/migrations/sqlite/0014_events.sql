-- Monitoring events, rules, the learned classifier, automation hooks and outbound webhooks
-- (issue 13, SPEC C8/C10).

-- A monitoring system allowed to post events: its own account (the requester of the
-- incidents it opens) and token; `settings` is a JSON document (grouping, labels, mapping).
CREATE TABLE integrations (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('alertmanager', 'generic')),
    name        TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    token_id    INTEGER NOT NULL UNIQUE REFERENCES api_tokens (id),
    settings    TEXT    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Every body an integration posted, as received.
CREATE TABLE event_payloads (
    id              INTEGER PRIMARY KEY,
    integration_id  INTEGER NOT NULL REFERENCES integrations (id),
    received_at     INTEGER NOT NULL,
    payload         TEXT    NOT NULL
);
CREATE INDEX event_payloads_integration_idx ON event_payloads (integration_id, id);

-- One row per alert (fingerprint, group key or dedupe key) of an integration: the incident
-- it opened, so repeats annotate it instead of opening another.
CREATE TABLE event_alerts (
    id               INTEGER PRIMARY KEY,
    integration_id   INTEGER NOT NULL REFERENCES integrations (id),
    dedupe_key       TEXT    NOT NULL,
    ticket_id        INTEGER REFERENCES tickets (id),
    status           TEXT    NOT NULL CHECK (status IN ('firing', 'resolved')),
    occurrences      INTEGER NOT NULL,
    first_at         INTEGER NOT NULL,
    last_at          INTEGER NOT NULL,
    last_payload_id  INTEGER REFERENCES event_payloads (id),
    UNIQUE (integration_id, dedupe_key)
);
CREATE INDEX event_alerts_ticket_idx ON event_alerts (ticket_id);

-- Classification and automation rules, applied in `position` order.
CREATE TABLE rules (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    on_create   INTEGER NOT NULL CHECK (on_create IN (0, 1)),
    on_update   INTEGER NOT NULL CHECK (on_update IN (0, 1)),
    stop        INTEGER NOT NULL CHECK (stop IN (0, 1)),
    conditions  TEXT    NOT NULL,
    actions     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX rules_position_idx ON rules (position, id);

-- Labels rules (and later people) put on tickets.
CREATE TABLE ticket_tags (
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    tag         TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag_idx ON ticket_tags (tag, ticket_id);

-- Outbound webhooks: subscriptions to ticket events, signed with `secret` (HMAC-SHA256).
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    events      TEXT    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The delivery log: every call made or refused, its attempts and the last answer.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    webhook_id       INTEGER NOT NULL REFERENCES webhooks (id),
    ticket_id        INTEGER REFERENCES tickets (id),
    event            TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'refused')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    response_status  INTEGER,
    error            TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_ticket_idx ON webhook_deliveries (ticket_id);

-- Automation hooks: a category whose tickets call a webhook when registered or approved,
-- and the calls awaiting the automation's callback.
CREATE TABLE category_hooks (
    category_id  INTEGER PRIMARY KEY REFERENCES categories (id),
    webhook_id   INTEGER NOT NULL REFERENCES webhooks (id),
    trigger_on   TEXT    NOT NULL CHECK (trigger_on IN ('registration', 'approval')),
    created_at   INTEGER NOT NULL
);
CREATE TABLE hook_calls (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets (id),
    webhook_id    INTEGER NOT NULL REFERENCES webhooks (id),
    token_hash    TEXT    NOT NULL UNIQUE,
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    result        TEXT,
    created_at    INTEGER NOT NULL,
    completed_at  INTEGER
);
CREATE INDEX hook_calls_ticket_idx ON hook_calls (ticket_id);

-- The suggestion model learned from closed tickets, with its held-out accuracy
-- (per ten thousand); the newest row is in force.
CREATE TABLE classifier_models (
    id                 INTEGER PRIMARY KEY,
    trained_at         INTEGER NOT NULL,
    samples            INTEGER NOT NULL,
    held_out           INTEGER NOT NULL,
    category_accuracy  INTEGER NOT NULL,
    group_accuracy     INTEGER NOT NULL,
    training_ms        INTEGER NOT NULL,
    model              TEXT    NOT NULL
);
