-- PostgreSQL reads how many tickets hold a term from the planner's statistics of
-- ticket_search.pub (pg_stats.most_common_elems), so it needs no vocabulary table; this
-- migration keeps the two backends' numbering in step with SQLite's 0032. ANALYZE keeps the
-- statistics (autovacuum, and `ventanilla import` / `reindex` run it).
SELECT 1;
