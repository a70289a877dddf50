-- Breakdowns by group and by organisation (issue 14's dashboards): the primary key starts
-- with the group, so "every group, organisation and category any, these days" could not
-- seek and read the whole rollup (0.5 s at a million tickets). Each index leads with the
-- two fixed dimensions and the day, so a breakdown reads only its period's rows.
CREATE INDEX report_daily_by_group_idx ON report_daily (organisation_id, category_id, day, group_id);
CREATE INDEX report_daily_by_organisation_idx ON report_daily (group_id, category_id, day, organisation_id);
