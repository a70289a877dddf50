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
            // The import writes every ticket's search row too; without statistics the
            // planner guessed 13,471 matches for a word with 817 (100 k tickets) and
            // joined the wrong way round (search on PostgreSQL, issue 12).
            "ANALYZE ticket_search",
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

/// Full-text search (`search/`). Both databases index the same terms (computed by
/// `ventanilla_domain::search`); they differ in how: SQLite keeps contentless FTS5 tables
/// whose rowid is the ticket's or article's id, matched with FTS5 query syntax; PostgreSQL
/// keeps `tsvector` columns built by `array_to_tsvector` (terms verbatim, the subject or title
/// at weight A) with GIN indexes, matched with a `tsquery` cast from text (no parser, so the
/// lexemes stay verbatim too). Both order newest first (see [`SEARCH_SCORE`]). A requester
/// matches only the public columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MatchSql {
    /// The index joined to its table (`t` for tickets, `a` for articles).
    pub from: &'static str,
    /// The match condition, before the bound query.
    pub cond: &'static str,
    /// Closes the condition after the bound query.
    pub cond_end: &'static str,
    /// The id subquery for list filters: `t.id IN (<in_head> $n <in_end>)`.
    pub in_head: &'static str,
    pub in_end: &'static str,
    /// The ORDER BY of a search, best first.
    pub order: &'static str,
}

/// Why search ranks newest first, on both backends alike. SQLite's FTS5 `bm25()` counts a
/// term's occurrences, which an index without positions (`detail=column`, the size we chose)
/// does not keep, so it is 0 for every row; PostgreSQL's `ts_rank` ranks, but only after
/// reading every match. At 1 M tickets a common word matches 183,000: sorting them cost
/// 100–360 ms on SQLite for the order `id DESC` gives anyway, and 620 ms at p50 on
/// PostgreSQL. Read in the index's own id order, newest first, a search stops at its LIMIT
/// (0.4–4 ms on SQLite; on PostgreSQL at 100 k, 68 ms → 0.4 ms for a common word, and a rare
/// one is a bitmap scan and a top-N sort, 11 ms), and both backends return the same results
/// in the same order. An exact ticket number comes first (`desk::kb::search`). On SQLite the
/// index is the outer loop (`CROSS JOIN` fixes the join order): left to itself the planner
/// sometimes walked an organisation's tickets, or every published article, and matched each
/// one against the index (7 s and 110 ms at 1 M tickets and 10 k articles).
pub(crate) const SEARCH_SCORE: &str = "CAST(0 AS DOUBLE PRECISION)";

pub(crate) fn ticket_match(kind: BackendKind, internal: bool) -> MatchSql {
    match (kind, internal) {
        (BackendKind::Sqlite, _) => MatchSql {
            from: "ticket_fts CROSS JOIN tickets t ON t.id = ticket_fts.rowid",
            cond: "ticket_fts MATCH ",
            cond_end: "",
            in_head: "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ",
            in_end: "",
            order: "ticket_fts.rowid DESC",
        },
        (BackendKind::Postgres, false) => MatchSql {
            from: "ticket_search f JOIN tickets t ON t.id = f.ticket_id",
            cond: "f.pub @@ CAST(",
            cond_end: " AS tsquery)",
            in_head: "SELECT ticket_id FROM ticket_search WHERE pub @@ CAST(",
            in_end: " AS tsquery)",
            order: "f.ticket_id DESC",
        },
        (BackendKind::Postgres, true) => MatchSql {
            from: "ticket_search f JOIN tickets t ON t.id = f.ticket_id",
            cond: "f.allv @@ CAST(",
            cond_end: " AS tsquery)",
            in_head: "SELECT ticket_id FROM ticket_search WHERE allv @@ CAST(",
            in_end: " AS tsquery)",
            order: "f.ticket_id DESC",
        },
    }
}

pub(crate) fn article_match(kind: BackendKind) -> MatchSql {
    match kind {
        BackendKind::Sqlite => MatchSql {
            from: "article_fts CROSS JOIN articles a ON a.id = article_fts.rowid",
            cond: "article_fts MATCH ",
            cond_end: "",
            in_head: "SELECT rowid FROM article_fts WHERE article_fts MATCH ",
            in_end: "",
            order: "article_fts.rowid DESC",
        },
        BackendKind::Postgres => MatchSql {
            from: "article_search f JOIN articles a ON a.id = f.article_id",
            cond: "f.doc @@ CAST(",
            cond_end: " AS tsquery)",
            in_head: "SELECT article_id FROM article_search WHERE doc @@ CAST(",
            in_end: " AS tsquery)",
            order: "f.article_id DESC",
        },
    }
}

/// The query text each backend's match takes; a requester's FTS5 query is limited to the
/// public columns (PostgreSQL matches the public vector instead, see [`ticket_match`]).
pub(crate) fn ticket_query_text(
    kind: BackendKind,
    q: &ventanilla_domain::search::Query,
    internal: bool,
) -> String {
    match kind {
        BackendKind::Sqlite if internal => q.to_fts5(),
        BackendKind::Sqlite => format!("{{subj pub}} : ({})", q.to_fts5()),
        BackendKind::Postgres => q.to_tsquery(),
    }
}

pub(crate) fn article_query_text(
    kind: BackendKind,
    q: &ventanilla_domain::search::Query,
) -> String {
    match kind {
        BackendKind::Sqlite => q.to_fts5(),
        BackendKind::Postgres => q.to_tsquery(),
    }
}

/// Writing index rows. SQLite: a contentless FTS5 row is replaced by deleting it by rowid
/// and inserting it again. PostgreSQL: one upsert whose vectors are built in SQL.
pub(crate) fn ticket_index_delete(kind: BackendKind) -> Option<&'static str> {
    match kind {
        BackendKind::Sqlite => Some("DELETE FROM ticket_fts WHERE rowid IN "),
        BackendKind::Postgres => None,
    }
}

/// `(head, row tail)`: the INSERT before its `VALUES` rows of (id, subject terms, public
/// terms, internal terms), and what follows them.
pub(crate) fn ticket_index_insert(kind: BackendKind) -> (&'static str, &'static str) {
    match kind {
        BackendKind::Sqlite => (
            "INSERT INTO ticket_fts (rowid, subj, pub, priv) VALUES ",
            "",
        ),
        BackendKind::Postgres => (
            "INSERT INTO ticket_search (ticket_id, pub, allv)
             SELECT id, pubv, pubv || array_to_tsvector(string_to_array(i, ' ')) FROM (
               SELECT CAST(id AS BIGINT) AS id, i,
                 setweight(array_to_tsvector(string_to_array(s, ' ')), 'A')
                   || array_to_tsvector(string_to_array(p, ' ')) AS pubv
               FROM (VALUES ",
            ") AS x (id, s, p, i)) v
             ON CONFLICT (ticket_id) DO UPDATE SET pub = excluded.pub, allv = excluded.allv",
        ),
    }
}

pub(crate) fn article_index_delete(kind: BackendKind) -> Option<&'static str> {
    match kind {
        BackendKind::Sqlite => Some("DELETE FROM article_fts WHERE rowid = $1"),
        BackendKind::Postgres => None,
    }
}

/// Inserts (id, title terms, body terms) as `$1, $2, $3`.
pub(crate) fn article_index_insert(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Sqlite => "INSERT INTO article_fts (rowid, title, body) VALUES ($1, $2, $3)",
        BackendKind::Postgres => {
            "INSERT INTO article_search (article_id, doc) VALUES ($1,
               setweight(array_to_tsvector(string_to_array($2, ' ')), 'A')
               || array_to_tsvector(string_to_array($3, ' ')))
             ON CONFLICT (article_id) DO UPDATE SET doc = excluded.doc"
        }
    }
}

/// A rebuild reads a batch of tickets and writes their rows in one transaction; on
/// PostgreSQL the rows are locked against changes meanwhile (a change waits, then writes
/// its own row after the rebuild's), SQLite's `BEGIN IMMEDIATE` excludes writers anyway.
pub(crate) fn reindex_lock(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Postgres => " FOR SHARE OF t",
        BackendKind::Sqlite => "",
    }
}

/// After a full rebuild: SQLite merges the FTS5 segments into one (faster queries, smaller
/// file); PostgreSQL's GIN needs fresh statistics only.
pub(crate) fn search_optimize(kind: BackendKind) -> &'static [&'static str] {
    match kind {
        BackendKind::Sqlite => &[
            "INSERT INTO ticket_fts (ticket_fts) VALUES ('optimize')",
            "INSERT INTO article_fts (article_fts) VALUES ('optimize')",
        ],
        BackendKind::Postgres => &["ANALYZE ticket_search", "ANALYZE article_search"],
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
