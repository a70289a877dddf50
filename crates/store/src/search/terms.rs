//! How many tickets hold given search terms, to pick a ticket's most telling words for its
//! "similar resolved tickets" (`desk::kb::similar_resolved`). SQLite counts exactly from the
//! FTS5 vocabulary (`ticket_fts_vocab`, migration 0032); PostgreSQL estimates from the
//! planner's statistics of the public vector (`pg_stats.most_common_elems`, kept by ANALYZE),
//! without reading the index.

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
    /// Tickets indexed: SQLite the highest ticket id (an upper bound; 0 when no asked term
    /// is held), PostgreSQL the planner's row estimate (0 before the first ANALYZE).
    pub total: i64,
    /// Tickets per asked term (any column, internal notes included on SQLite). SQLite: exact,
    /// a term no ticket holds is absent. PostgreSQL: the statistics' frequency times
    /// `total` for listed terms, `2` for the others.
    pub docs: HashMap<String, i64>,
}

impl Search<'_> {
    /// How many tickets hold each of `terms` (index terms, as `Query::terms` gives them).
    pub async fn ticket_term_docs(&self, terms: &[&str]) -> Result<TermDocs> {
        match self.0.backend() {
            Backend::Sqlite(s) => {
                if terms.is_empty() {
                    return Ok(TermDocs::default());
                }
                // One statement: the total rides on each row (no row, no term to weigh).
                let marks = vec!["?"; terms.len()].join(", ");
                let sql = format!(
                    "SELECT term, doc, (SELECT coalesce(max(id), 0) FROM tickets)
                     FROM ticket_fts_vocab WHERE term IN ({marks})"
                );
                let mut q = sqlx::query_as::<_, (String, i64, i64)>(trusted(&sql));
                for t in terms {
                    q = q.bind(*t);
                }
                let rows = q.fetch_all(&s.reader).await?;
                Ok(TermDocs {
                    total: rows.first().map_or(0, |r| r.2),
                    docs: rows.into_iter().map(|(t, n, _)| (t, n)).collect(),
                })
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
                        ((*t).to_owned(), n)
                    })
                    .collect();
                Ok(TermDocs { total, docs })
            }
        }
    }
}
