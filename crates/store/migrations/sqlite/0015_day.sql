-- The agent's working day (issue #16): groups that escalated a ticket and keep following it,
-- what each agent last saw of a ticket (the queue's "changed since you looked" marker), and
-- each agent's saved queue views.

-- A group that escalated a ticket to a higher tier keeps read access and follows it
-- (SPEC C5: the service desk stays the single point of contact). Written by the ticket
-- write whenever the tier rises, so by hand and by the SLA job alike. `open` turns false
-- when the ticket closes or is cancelled: lists read only a group's open followed tickets
-- (a bounded set), while the ticket itself stays readable by the group.
CREATE TABLE ticket_followers (
    group_id    INTEGER NOT NULL REFERENCES support_groups (id),
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    since       INTEGER NOT NULL,
    open        INTEGER NOT NULL DEFAULT TRUE,
    PRIMARY KEY (group_id, ticket_id)
);
CREATE INDEX ticket_followers_ticket_idx ON ticket_followers (ticket_id);
CREATE INDEX ticket_followers_open_idx ON ticket_followers (group_id, open, ticket_id);

-- The version of a ticket an agent last opened: the queue marks rows whose version is newer.
CREATE TABLE ticket_seen (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    version     INTEGER NOT NULL,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, ticket_id)
);

-- A personal queue view: a name and the queue's query string (filters, sort, columns).
CREATE TABLE saved_views (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX saved_views_user_name_idx ON saved_views (user_id, name);
