-- Ticket lists (issue 20). The survey timeout's index covered every status, so the planner
-- read status-filtered lists by it and sorted every match instead of reading the queue
-- index `(status, priority_rank, id)` in order. It only serves `status = 'survey'`, so it
-- becomes partial on that status: it no longer competes, and only tickets in survey pay
-- for it on a write.
DROP INDEX tickets_survey_idx;
CREATE INDEX tickets_survey_idx ON tickets (status_changed_at) WHERE status = 'survey';
