//! The few places where SQLite and PostgreSQL need different SQL, named in one file.
//! (Job claiming here; later full-text search and date bucketing.)

use crate::{BackendKind, Store};

impl Store {
    /// The backend's name as shown in `/readyz` and `ventanilla --version` output.
    pub fn backend_name(&self) -> &'static str {
        match self.kind() {
            BackendKind::Sqlite => "sqlite",
            BackendKind::Postgres => "postgres",
        }
    }
}

/// Job claiming. PostgreSQL nodes claim concurrently, so the candidate rows are locked and
/// rows another node holds are skipped. SQLite has one writer, and the claim runs under
/// `BEGIN IMMEDIATE`, so nothing else can claim meanwhile and the clause does not exist.
pub(crate) fn skip_locked(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Postgres => "FOR UPDATE SKIP LOCKED",
        BackendKind::Sqlite => "",
    }
}

/// Bulk import (`import/`). The import gives rows explicit ids above the current maximum, so
/// on PostgreSQL it first locks the counters (as a ticket registration would, so the two
/// queue rather than deadlock) and the tables against concurrent inserts, and afterwards
/// moves each identity sequence past the ids it used. SQLite's `BEGIN IMMEDIATE` already
/// excludes every other writer, and `INTEGER PRIMARY KEY` has no sequence to move.
pub(crate) fn import_lock_counters(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Postgres => {
            "SELECT kind, last_value FROM ticket_counters ORDER BY kind FOR UPDATE"
        }
        BackendKind::Sqlite => "SELECT kind, last_value FROM ticket_counters ORDER BY kind",
    }
}

pub(crate) fn import_lock_tables(kind: BackendKind) -> Option<&'static str> {
    match kind {
        BackendKind::Postgres => {
            Some("LOCK TABLE tickets, ticket_events IN SHARE ROW EXCLUSIVE MODE")
        }
        BackendKind::Sqlite => None,
    }
}

pub(crate) fn import_move_sequences(kind: BackendKind) -> &'static [&'static str] {
    match kind {
        BackendKind::Postgres => &[
            "SELECT setval(pg_get_serial_sequence('tickets', 'id'), GREATEST((SELECT MAX(id) FROM tickets), 1))",
            "SELECT setval(pg_get_serial_sequence('ticket_events', 'id'), GREATEST((SELECT MAX(id) FROM ticket_events), 1))",
        ],
        BackendKind::Sqlite => &[],
    }
}

/// After a bulk import: PostgreSQL's planner needs fresh statistics for the tables that grew
/// (autovacuum would get there, minutes later). SQLite plans from its indexes alone unless
/// `ANALYZE` was ever run, so it needs nothing.
pub(crate) fn import_refresh_statistics(kind: BackendKind) -> &'static [&'static str] {
    match kind {
        BackendKind::Postgres => &[
            "ANALYZE tickets",
            "ANALYZE ticket_events",
            "ANALYZE users",
            "ANALYZE group_members",
        ],
        BackendKind::Sqlite => &[],
    }
}

/// Placeholders of the import's multi-row INSERTs (thousands of values each). SQLite looks a
/// numbered `$n` parameter up by name in a linear list, when parsing and again when sqlx
/// binds it, which is quadratic in the values per statement (2 s for one 20,000-value
/// INSERT); anonymous `?` placeholders, bound in order, are linear. PostgreSQL has only `$n`.
pub(crate) fn bulk_placeholders_numbered(kind: BackendKind) -> bool {
    match kind {
        BackendKind::Postgres => true,
        BackendKind::Sqlite => false,
    }
}

/// Queues over several statuses (`tickets/read.rs`). SQLite walks an `IN` list on an index
/// whose next columns are the ORDER BY and stops each value's range once it cannot beat
/// the rows kept for the LIMIT, so one query is best (0.9 ms against 3.7 ms for one
/// sub-select per status on a 55,000-ticket group queue). PostgreSQL sorts every matching
/// row instead, so there one ordered, limited sub-select per status is merged.
pub(crate) fn queue_per_status(kind: BackendKind) -> bool {
    match kind {
        BackendKind::Postgres => true,
        BackendKind::Sqlite => false,
    }
}

/// A group scope's list (`tickets/read.rs`): one range per support group of the caller on
/// PostgreSQL, whose planner sorts every matching row of an `IN` over several groups; one
/// `group_id IN (…)` range on SQLite, which walks each value's range in order and stops
/// each once it cannot beat the page (as for several statuses, see [`queue_per_status`]).
pub(crate) fn list_arm_per_group(kind: BackendKind) -> bool {
    match kind {
        BackendKind::Postgres => true,
        BackendKind::Sqlite => false,
    }
}

/// Lists by age on a status-keyed index (`tickets/read.rs`). The queue indexes run
/// `(…, status, priority_rank, id)`: on SQLite, naming every priority rank in an `IN` list
/// makes each (status, rank) range an id-ordered walk that stops once it cannot beat the
/// page, so age order needs no index of its own (SQLite has no skip-scan without
/// `ANALYZE`). PostgreSQL (15) returns `IN` ranges unordered and sorts them, so there the
/// `(…, status, id)` indexes of migration 0006 serve age order instead.
pub(crate) fn list_skip_ranks(kind: BackendKind, sort: crate::tickets::TicketSort) -> bool {
    use crate::tickets::TicketSort;
    match kind {
        BackendKind::Sqlite => matches!(sort, TicketSort::Newest | TicketSort::Oldest),
        BackendKind::Postgres => false,
    }
}

/// Lists (`tickets/read.rs`) choose which index reads them (a queue index, the due-date
/// index, an organisation's); the other filters are checked on the rows it walks. SQLite
/// plans without statistics and would rather read by any equality it can, then sort every
/// match, so the walked-over columns get a unary `+` there, which keeps an index from being
/// used for them. PostgreSQL plans from statistics and has no such operator for text.
pub(crate) fn list_demote(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Sqlite => "+",
        BackendKind::Postgres => "",
    }
}

/// How a list reads a group's followed tickets (`ticket_followers`) by id. PostgreSQL gets
/// the ids as an array, so the tickets are fetched by primary key for those ids only (a
/// semi-join may instead walk the whole primary key when sorts are priced out); SQLite
/// reads an `IN` list of a subquery by rowid.
pub(crate) fn followed_ids(kind: BackendKind) -> (&'static str, &'static str) {
    match kind {
        BackendKind::Sqlite => (" AND t.id IN (", ")"),
        BackendKind::Postgres => (" AND t.id = ANY (ARRAY(", "))"),
    }
}
