-- Ticket lists (issue 20): an organisation's tickets in priority order walked each open
-- status's `(status, priority_rank, id)` range and filtered the organisation (1 in 24 at the
-- benchmark's million tickets). Keyed on the organisation, each (organisation, status)
-- range is in rank order: one limited sub-select per status reads a page of each. Age order
-- keeps `(organisation_id, id)` (PostgreSQL 15 reads an `IN` over ranks unordered), so here
-- `tickets` has one index more (17 besides the primary key).
CREATE INDEX tickets_organisation_queue_idx ON tickets (organisation_id, status, priority_rank, id);
