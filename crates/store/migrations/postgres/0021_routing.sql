-- Routing (issue 17): each agent's availability and skills, each group's auto-assignment
-- mode, and the tickets routing offered to an agent (to offer them to the next one when
-- nobody picks them up in time).

-- An agent with no row is available: routing is off until an administrator turns it on
-- for a group, and an agent who never touched the switch is presumed at work.
CREATE TABLE agent_availability (
    user_id       BIGINT PRIMARY KEY REFERENCES users (id),
    availability  TEXT    NOT NULL CHECK (availability IN ('available', 'busy', 'away', 'off_shift')),
    changed_at    BIGINT  NOT NULL
);

CREATE TABLE agent_skills (
    user_id  BIGINT NOT NULL REFERENCES users (id),
    kind     TEXT    NOT NULL CHECK (kind IN ('category', 'language', 'ci_type')),
    code     TEXT    NOT NULL,
    PRIMARY KEY (user_id, kind, code)
);

-- One row per group that routes. Registrations lock it (an UPDATE first) so concurrent
-- ones, on one node or many, choose one after another; `last_user_id` is the rotation.
CREATE TABLE group_routing (
    group_id               BIGINT PRIMARY KEY REFERENCES support_groups (id),
    mode                   TEXT    NOT NULL CHECK (mode IN ('off', 'round_robin', 'least_loaded', 'skill_matched')),
    reoffer_after_minutes  BIGINT  CHECK (reoffer_after_minutes BETWEEN 1 AND 10080),
    max_open               BIGINT  CHECK (max_open BETWEEN 1 AND 10000),
    last_user_id           BIGINT,
    assigned               BIGINT  NOT NULL DEFAULT 0,
    updated_at             BIGINT  NOT NULL
);

-- The latest automatic offer of a ticket; the re-offer job reads those still untouched.
CREATE TABLE ticket_offers (
    ticket_id   BIGINT PRIMARY KEY REFERENCES tickets (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    offered_at  BIGINT  NOT NULL
);
CREATE INDEX ticket_offers_at_idx ON ticket_offers (offered_at);
