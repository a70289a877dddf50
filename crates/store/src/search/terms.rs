//! How many tickets hold given search terms, to pick a ticket's most telling words for its
//! "similar resolved tickets" (`desk::kb::similar_resolved`), counted only up to a cap: a word
//! held by more tickets than that is common, and how common does not matter. SQLite reads at
//! most `cap` entries of each term's list in the index (16 common terms: 1.3 ms at 1 M
//! tickets with a cap of 500, where FTS5's own vocabulary table, which reads each whole list,
//! took 240 ms); PostgreSQL estimates from the planner's statistics of the public vector
//! (`pg_stats.most_common_elems`, kept by ANALYZE), without reading the index.

use std::collections::HashMap;

use crate::sql::trusted;
use crate::{Backend, Result};

use super::Search;

/// What PostgreSQL reports for a term its statistics do not list: rarer than the listed
/// ones, and held by another ticket than the one asking (so the word is kept).
const UNLISTED: i64 = 2;

/// `pg_stats` of `ticket_search.pub`: the most common lexemes, their frequencies (0–1, with
/// three summary numbers after them), and the table's row estimate.
type PgTermStats = (Option<Vec<String>>, Option<Vec<f32>>, f32);

/// Term counts among all tickets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermDocs {
    /// Tickets indexed: SQLite the highest ticket id (an upper bound), PostgreSQL the
    /// planner's row estimate (0 before the first ANALYZE).
    pub total: i64,
    /// Tickets per asked term, at most the cap (any column, internal notes included on
    /// SQLite). SQLite: exact below the cap, a term no ticket holds is absent. PostgreSQL:
    /// the statistics' frequency times `total` for listed terms, `2` for the others.
    pub docs: HashMap<String, i64>,
}

impl Search<'_> {
    /// How many tickets hold each of `terms` (index terms, as `Query::terms` gives them), at
    /// most `cap`.
    pub async fn ticket_term_docs(&self, terms: &[&str], cap: i64) -> Result<TermDocs> {
        match self.0.backend() {
            Backend::Sqlite(s) => {
                if terms.is_empty() {
                    return Ok(TermDocs::default());
                }
                // One statement: the total first (as the empty term, which no index term
                // is), then each term's capped count. Terms are letters and digits only
                // (`search::analyze`), so quoting makes each a plain FTS5 term.
                let mut sql = String::from("SELECT '', (SELECT coalesce(max(id), 0) FROM tickets)");
                for _ in terms {
                    sql.push_str(
                        " UNION ALL SELECT ?, (SELECT count(*) FROM (SELECT 1 FROM ticket_fts \
                         WHERE ticket_fts MATCH ? LIMIT ?))",
                    );
                }
                let mut q = sqlx::query_as::<_, (String, i64)>(trusted(&sql));
                for t in terms {
                    q = q.bind(*t).bind(format!("\"{t}\"")).bind(cap);
                }
                let mut total = 0;
                let mut docs = HashMap::new();
                for (term, n) in q.fetch_all(&s.reader).await? {
                    if term.is_empty() {
                        total = n;
                    } else if n > 0 {
                        docs.insert(term, n);
                    }
                }
                Ok(TermDocs { total, docs })
            }
            Backend::Postgres(p) => {
                let row: Option<PgTermStats> = sqlx::query_as(
                    "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs,
                            c.reltuples
                     FROM pg_class c
                     LEFT JOIN pg_stats s ON s.schemaname = current_schema()
                         AND s.tablename = 'ticket_search' AND s.attname = 'pub'
                     WHERE c.oid = to_regclass('ticket_search')",
                )
                .fetch_optional(p)
                .await?;
                let (elems, freqs, reltuples) = row.unwrap_or((None, None, 0.0));
                let total = reltuples.max(0.0).round() as i64;
                // The frequencies array ends with three summary numbers (min, max, nulls),
                // which the zip leaves out.
                let listed: HashMap<String, f32> = elems
                    .unwrap_or_default()
                    .into_iter()
                    .zip(freqs.unwrap_or_default())
                    .collect();
                let docs = terms
                    .iter()
                    .map(|t| {
                        let n = listed.get(*t).map_or(UNLISTED, |f| {
                            ((f64::from(*f) * total as f64).round() as i64).max(UNLISTED)
                        });
                        let n = n.min(cap);
                        ((*t).to_owned(), n)
                    })
                    .collect();
                Ok(TermDocs { total, docs })
            }
        }
    }
}
