-- Message-IDs (RFC 5322 msg-id, without the angle brackets) that belong to a ticket: mails
-- received into it and mails sent about it. A reply names one of them in In-Reply-To or
-- References and so joins its ticket (email threading, issue #11).
CREATE TABLE mail_message_ids (
    message_id  TEXT    NOT NULL PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    direction   TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    created_at  INTEGER NOT NULL
);
CREATE INDEX mail_message_ids_ticket_idx ON mail_message_ids (ticket_id);
