-- Ticket lists (issue 20). The survey timeout's index covered every status, so the planner
-- read status-filtered lists by it and sorted every match instead of reading the queue
-- index `(status, priority_rank, id)` in order. It only serves `status = 'survey'`, so it
-- becomes partial on that status: it no longer competes, and only tickets in survey pay
-- for it on a write.
DROP INDEX tickets_survey_idx;
CREATE INDEX tickets_survey_idx ON tickets (status_changed_at) WHERE status = 'survey';

-- Lists by age within a status (an administrator's "all open, newest first"), a group's or
-- an agent's queue by age, the unassigned tickets by age. The list reads one range per
-- status (`dialect::queue_per_status`), and PostgreSQL 15 needs the id right after the
-- fixed columns to read such a range in order: the priority and due queue indexes put
-- `priority_rank` or `sla_due_at` there. (SQLite reads the same lists on the priority
-- queue indexes with every rank named, see `dialect::list_skip_ranks`, and has none of
-- these.)
CREATE INDEX tickets_status_age_idx ON tickets (status, id);
CREATE INDEX tickets_group_age_idx ON tickets (group_id, status, id);
CREATE INDEX tickets_assignee_age_idx ON tickets (assignee_id, status, id);
