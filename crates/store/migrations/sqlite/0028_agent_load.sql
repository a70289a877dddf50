-- Routing (issue 17): each agent's open tickets (statuses new, analysis, solution, pending;
-- store/src/routing.rs OPEN_STATUSES), kept by the two writes that can move it (a
-- registration and the ticket write) and recounted after an import. Least-loaded routing,
-- a cap and the team page read one row per member by key, where they counted each member's
-- tickets, which on PostgreSQL visits every fresh heap page (docs/PERFORMANCE.md, session 9).

CREATE TABLE agent_load (
    user_id  INTEGER PRIMARY KEY REFERENCES users (id),
    open     INTEGER NOT NULL DEFAULT 0
);

INSERT INTO agent_load (user_id, open)
SELECT assignee_id, COUNT(*) FROM tickets
WHERE assignee_id IS NOT NULL AND status IN ('new', 'analysis', 'solution', 'pending')
GROUP BY assignee_id;
