-- Agent productivity (issue 17): canned responses and macros, watchers and CC requesters,
-- merged tickets, the list of resolution codes, and the index time totals read.

-- A text snippet in one language; `owner_id` NULL is shared with every agent.
CREATE TABLE canned_responses (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER REFERENCES users (id),
    language    TEXT    NOT NULL CHECK (language IN ('es', 'en')),
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX canned_responses_owner_idx ON canned_responses (owner_id, language, id);

-- Several changes in one action: a public reply and/or an internal note (texts may hold
-- variables), a category, then a move of the state machine (with its resolution).
CREATE TABLE macros (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL,
    reply            TEXT,
    note             TEXT,
    category_id      INTEGER REFERENCES categories (id),
    to_status        TEXT    CHECK (to_status IN ('analysis', 'solution', 'validation', 'pending', 'closed', 'cancelled')),
    reason           TEXT,
    resolution_code  TEXT,
    resolution       TEXT,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX macros_name_key ON macros (lower(name));

-- Agents who follow a ticket (notified of its changes).
CREATE TABLE ticket_watchers (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    since      INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_watchers_user_idx ON ticket_watchers (user_id, ticket_id);

-- Other people kept informed of a ticket's public replies.
CREATE TABLE ticket_cc (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    since      INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_cc_user_idx ON ticket_cc (user_id, ticket_id);

-- A duplicate merged into another ticket (the merged one is closed with this link).
CREATE TABLE ticket_merges (
    from_id   INTEGER PRIMARY KEY REFERENCES tickets (id),
    into_id   INTEGER NOT NULL REFERENCES tickets (id),
    actor_id  INTEGER REFERENCES users (id),
    at        INTEGER NOT NULL
);
CREATE INDEX ticket_merges_into_idx ON ticket_merges (into_id);

-- Resolution codes from an editable list, so reports do not fragment. Seeded with the
-- codes the desk, its demo and monitoring already use.
CREATE TABLE resolution_codes (
    code        TEXT    PRIMARY KEY,
    name_es     TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position    INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);
INSERT INTO resolution_codes (code, name_es, name_en, position, updated_at) VALUES
    ('fixed', 'Resuelto', 'Fixed', 10, 0),
    ('workaround', 'Solución provisional', 'Workaround', 20, 0),
    ('config_fixed', 'Configuración corregida', 'Configuration fixed', 30, 0),
    ('hardware_replaced', 'Hardware sustituido', 'Hardware replaced', 40, 0),
    ('driver', 'Controlador reinstalado', 'Driver reinstalled', 50, 0),
    ('user_guidance', 'Orientación al usuario', 'User guidance', 60, 0),
    ('no_fault_found', 'Sin fallo encontrado', 'No fault found', 70, 0),
    ('duplicate', 'Duplicado', 'Duplicate', 80, 0),
    ('monitoring_resolved', 'Resuelto en la monitorización', 'Resolved in monitoring', 90, 0);

-- Time totals per agent per day read the timeline's time entries by actor and instant.
CREATE INDEX ticket_events_actor_minutes_idx ON ticket_events (actor_id, at) WHERE minutes IS NOT NULL;
