-- The rollup keeps only its key (issue 14: its cost on create throughput ≤ 10 %). Every
-- registration upserts eight rollup rows, and each index of 0024 was one more B-tree per
-- row. The breakdowns now seek the key once per id of the dimension they break down by
-- (store/src/reports.rs, `breakdown_sql`), which reads as few rows as these indexes did.
DROP INDEX report_daily_by_group_idx;
DROP INDEX report_daily_by_organisation_idx;
