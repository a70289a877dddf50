-- Unassigned tickets (issue 20): PostgreSQL gets partial indexes of unassigned tickets per
-- status (see the PostgreSQL migration of the same number). SQLite reads the same lists by
-- `(assignee_id, status, priority_rank, id)` with `assignee_id IS NULL` fixed, already a
-- keyed range, and needs none: this migration keeps both backends' versions in step.
SELECT 1;
