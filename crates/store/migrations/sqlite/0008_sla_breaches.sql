-- Every SLA breach recorded once, with the policy whose target it missed, so reports count
-- breaches of each policy even after a ticket moved to another policy (issue 15).
CREATE TABLE sla_breaches (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    policy_id    INTEGER NOT NULL REFERENCES sla_policies (id),
    target       TEXT    NOT NULL CHECK (target IN ('first_response', 'resolution')),
    breached_at  INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX sla_breaches_ticket_idx ON sla_breaches (ticket_id);
CREATE INDEX sla_breaches_at_idx ON sla_breaches (breached_at, policy_id);
