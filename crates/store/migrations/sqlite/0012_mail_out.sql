-- Notifications grouped per ticket and burst, per-user notification preferences, and the
-- outbox's delivery state for outbound mail (issues #16 and #11): attempts with backoff, a
-- lease so one node sends each mail, dead letters kept for admins, the Message-ID sent.

-- A burst of changes to one ticket is one unread entry: `repeats` counts the changes folded
-- into it and `updated_at` is the newest (the grouping window is measured from it).
ALTER TABLE notifications ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
UPDATE notifications SET updated_at = created_at;
CREATE INDEX notifications_burst_idx ON notifications (user_id, ticket_id, updated_at) WHERE read_at IS NULL;

-- A user's choice per notification kind and channel; no row = the kind's default (on).
CREATE TABLE notification_prefs (
    user_id  INTEGER NOT NULL REFERENCES users (id),
    kind     TEXT    NOT NULL,
    in_app   BOOLEAN NOT NULL,
    email    BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Delivery of outbox rows (mail): pending until sent, skipped (no address, the user turned
-- the mail off, over the acknowledgement cap), or dead after the last attempt.
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'sent', 'skipped', 'dead'));
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN address TEXT;
UPDATE outbox SET state = 'sent' WHERE delivered_at IS NOT NULL;
CREATE INDEX outbox_due_idx ON outbox (state, next_attempt_at, id);
-- The acknowledgement cap counts one recipient's mails of one kind in the last hour.
CREATE INDEX outbox_recipient_idx ON outbox (recipient_id, kind, delivered_at);
