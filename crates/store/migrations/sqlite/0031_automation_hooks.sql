-- Automation hooks (issue 13, seed 003: "utilice scripts para crear cuentas de usuario o
-- restablecer contraseñas automáticamente"): a category's tickets call a webhook, at
-- registration or once a supervisor approves, and the automation reports back on the ticket.
-- `hook_calls` was reserved in 0014 and never written; it is made again with approval and
-- rejection, the person on whose behalf the call runs, and one call per ticket and category.
DROP TABLE hook_calls;
CREATE TABLE hook_calls (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets (id),
    category_id   INTEGER NOT NULL REFERENCES categories (id),
    webhook_id    INTEGER NOT NULL REFERENCES webhooks (id),
    status        TEXT    NOT NULL CHECK (status IN ('awaiting_approval', 'rejected', 'queued', 'pending', 'unreachable', 'succeeded', 'failed')),
    -- The callback token, set when the call is made: its SHA-256 to find the call by, and
    -- the token sealed (identity::sealing, owner `hook_call:<id>`) to put into the request
    -- at each attempt, so it is never stored in clear in the delivery log.
    token_hash    TEXT    UNIQUE,
    token_sealed  TEXT,
    -- Copied from the hook when the call opens: a later change of the hook does not
    -- change what a call already under way does.
    resolve_on_success INTEGER NOT NULL CHECK (resolve_on_success IN (0, 1)),
    -- Who started it (registration) or decided it (approval): the call acts for them.
    acted_by      INTEGER NOT NULL REFERENCES users (id),
    result        TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX hook_calls_ticket_idx ON hook_calls (ticket_id, category_id);

-- A successful automation may resolve the request (to validation, code `automated`).
ALTER TABLE category_hooks ADD COLUMN resolve_on_success INTEGER NOT NULL DEFAULT 1 CHECK (resolve_on_success IN (0, 1));
ALTER TABLE category_hooks ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

INSERT INTO resolution_codes (code, name_es, name_en, position, updated_at) VALUES
    ('automated', 'Resuelto por una automatización', 'Done by an automation', 100, 0)
ON CONFLICT (code) DO NOTHING;
