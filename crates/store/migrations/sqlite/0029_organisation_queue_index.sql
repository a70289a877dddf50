-- Ticket lists (issue 20): an organisation's tickets in priority order walked each open
-- status's `(status, priority_rank, id)` range and filtered the organisation (1 in 24 at the
-- benchmark's million tickets: p99 83 ms at one client). Keyed on the organisation, each
-- (organisation, status) range is in rank order, and with every rank named
-- (`dialect::list_skip_ranks`) each (organisation, status, rank) range is in id order, so
-- both orders read a page per range. It replaces `(organisation_id, id)`: no more indexes.
DROP INDEX tickets_organisation_idx;
CREATE INDEX tickets_organisation_idx ON tickets (organisation_id, status, priority_rank, id);
