-- Inbound mail (issue #11): every message is stored raw here before anything else is done
-- with it, deduplicated on its Message-ID (or on a hash of its bytes when it has none), and
-- then processed into a ticket or a reply. The state says how far it got; admins see the
-- failed ones, read the raw message and retry.
CREATE TABLE mail_inbound (
    id            INTEGER PRIMARY KEY,
    dedupe_key    TEXT    NOT NULL UNIQUE,
    message_id    TEXT,
    mailbox       TEXT    NOT NULL,
    source        TEXT    NOT NULL CHECK (source IN ('pipe', 'smtp', 'imap')),
    received_at   INTEGER NOT NULL,
    size_bytes    INTEGER NOT NULL,
    raw           BLOB    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'received'
                  CHECK (state IN ('received', 'ticket', 'reply', 'auto', 'rejected', 'failed')),
    reason        TEXT,
    sender        TEXT,
    subject       TEXT,
    ticket_id     INTEGER REFERENCES tickets (id),
    attempts      INTEGER NOT NULL DEFAULT 0,
    processed_at  INTEGER
);
-- The mail log lists newest first, optionally by state (keyset on id).
CREATE INDEX mail_inbound_state_idx ON mail_inbound (state, id);
-- The per-sender acknowledgement cap counts a sender's recent tickets.
CREATE INDEX mail_inbound_sender_idx ON mail_inbound (sender, received_at);
