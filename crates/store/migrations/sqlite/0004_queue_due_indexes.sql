-- Queues sorted by SLA due date: the same shape as the priority queue indexes of 0002, so a
-- group's or an agent's open tickets come out in due order a page at a time instead of
-- being read in full and sorted. Only tickets whose SLA clock runs have a due instant.
CREATE INDEX tickets_group_due_idx ON tickets (group_id, status, sla_due_at, id) WHERE sla_due_at IS NOT NULL;
CREATE INDEX tickets_assignee_due_idx ON tickets (assignee_id, status, sla_due_at, id) WHERE sla_due_at IS NOT NULL;
