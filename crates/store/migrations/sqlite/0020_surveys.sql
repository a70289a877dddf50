-- Satisfaction surveys (SPEC C11, seed 003's "encuesta de satisfacción"): one row per answer,
-- written in the transaction that records the rating on the ticket. The slice of the ticket
-- when answered is kept with it (group, organisation, category, agent) so results per slice
-- are one indexed range. A poor rating opens a follow-up for the supervisors, closed by hand.

CREATE TABLE survey_responses (
    id               INTEGER PRIMARY KEY,
    ticket_id        INTEGER NOT NULL REFERENCES tickets (id),
    answered_at      INTEGER NOT NULL,
    answered_by      INTEGER REFERENCES users (id),
    via              TEXT    NOT NULL CHECK (via IN ('portal', 'link', 'api', 'staff')),
    overall          INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    response_time    INTEGER CHECK (response_time BETWEEN 1 AND 5),
    ability          INTEGER CHECK (ability BETWEEN 1 AND 5),
    communication    INTEGER CHECK (communication BETWEEN 1 AND 5),
    comment          TEXT,
    language         TEXT    NOT NULL,
    group_id         INTEGER,
    organisation_id  INTEGER,
    category_id      INTEGER,
    agent_id         INTEGER,
    follow_up        TEXT    NOT NULL DEFAULT 'none' CHECK (follow_up IN ('none', 'open', 'done')),
    follow_up_by     INTEGER REFERENCES users (id),
    follow_up_at     INTEGER,
    follow_up_note   TEXT
);
CREATE INDEX survey_responses_answered_idx ON survey_responses (answered_at, id);
CREATE INDEX survey_responses_ticket_idx ON survey_responses (ticket_id, id);
CREATE INDEX survey_responses_follow_up_idx ON survey_responses (follow_up, id);

-- Survey mails sent (the invitation with the link, then one reminder) per ticket and survey
-- round (the instant it entered survey), so each goes out once whatever the nodes.
CREATE TABLE survey_mails (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    round      INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('invite', 'reminder')),
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, round, kind)
);
