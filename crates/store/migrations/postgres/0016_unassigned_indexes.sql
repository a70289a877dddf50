-- Unassigned tickets (issue 20): PostgreSQL read "unassigned, newest first" by each status's
-- range of `(status, id)` and filtered `assignee_id IS NULL`, walking the whole range of
-- every status with no unassigned ticket (325 ms p50 at 1 M tickets). These partial indexes
-- hold only unassigned tickets, in age and priority order per status: the planner takes
-- them for any list that asks for unassigned tickets, and only tickets without an assignee
-- (mostly new ones) are written to them.
CREATE INDEX tickets_unassigned_age_idx ON tickets (status, id) WHERE assignee_id IS NULL;
CREATE INDEX tickets_unassigned_queue_idx ON tickets (status, priority_rank, id)
    WHERE assignee_id IS NULL;
-- "Unassigned, most urgent first" (a dispatcher's view) outside one status: the due-date
-- order of unassigned tickets whose SLA clock runs.
CREATE INDEX tickets_unassigned_due_idx ON tickets (sla_due_at, id)
    WHERE assignee_id IS NULL AND sla_due_at IS NOT NULL;
-- The same in one group's queue ("my group's unassigned, most urgent first").
CREATE INDEX tickets_unassigned_group_due_idx ON tickets (group_id, status, sla_due_at, id)
    WHERE assignee_id IS NULL AND sla_due_at IS NOT NULL;
