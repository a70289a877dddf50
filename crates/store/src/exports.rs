//! Pages of tickets for the CSV export (issue 14): registered in `[from, to)`, in a slice,
//! keyset-paginated on `(created_at, id)` so an export of any size reads one bounded page
//! at a time, names joined in the same query (no N+1).

use jiff::Timestamp;
use ventanilla_domain::report::NONE;

use crate::reports::RollupFilter;
use crate::sql::{Param, SqlBuilder, trusted};
use crate::time::to_db;
use crate::{Result, Store};

/// One exported ticket, with names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub channel: String,
    pub requester: Option<String>,
    pub organisation: Option<String>,
    pub group_name: Option<String>,
    pub category_es: Option<String>,
    pub category_en: Option<String>,
    pub assignee: Option<String>,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub reopen_count: i64,
    pub rating: Option<i64>,
}

/// Where the next page starts: after this `(created_at, id)`.
pub type ExportCursor = (i64, i64);

pub struct Exports<'a>(&'a Store);

impl Store {
    pub fn exports(&self) -> Exports<'_> {
        Exports(self)
    }
}

fn slice(b: &mut SqlBuilder, column: &str, v: Option<i64>) {
    match v {
        None => {}
        Some(NONE) => {
            b.push(&format!(" AND {column} IS NULL"));
        }
        Some(id) => {
            b.push(&format!(" AND {column} = ")).bind(Param::I64(id));
        }
    }
}

impl Exports<'_> {
    /// The next page of at most `limit` tickets registered in `[from, to)` in the slice.
    pub async fn tickets(
        &self,
        from: Timestamp,
        to: Timestamp,
        f: &RollupFilter,
        after: Option<ExportCursor>,
        limit: i64,
    ) -> Result<Vec<ExportRow>> {
        let mut b = SqlBuilder::new(
            "SELECT t.id, t.number, t.kind, t.subject, t.status, t.priority, t.channel, \
             r.name AS requester, o.name AS organisation, g.name AS group_name, \
             c.name_es AS category_es, c.name_en AS category_en, a.name AS assignee, \
             t.created_at, t.first_response_at, t.resolved_at, t.closed_at, \
             CAST(t.reopen_count AS BIGINT) AS reopen_count, CAST(t.rating AS BIGINT) AS rating \
             FROM tickets t \
             LEFT JOIN users r ON r.id = t.requester_id \
             LEFT JOIN organisations o ON o.id = t.organisation_id \
             LEFT JOIN support_groups g ON g.id = t.group_id \
             LEFT JOIN categories c ON c.id = t.category_id \
             LEFT JOIN users a ON a.id = t.assignee_id \
             WHERE t.created_at < ",
        );
        b.bind(Param::I64(to_db(to)));
        match after {
            Some((at, id)) => {
                b.push(" AND (t.created_at, t.id) > (")
                    .bind(Param::I64(at))
                    .push(", ")
                    .bind(Param::I64(id))
                    .push(")");
            }
            None => {
                b.push(" AND t.created_at >= ")
                    .bind(Param::I64(to_db(from)));
            }
        }
        slice(&mut b, "t.group_id", f.group);
        slice(&mut b, "t.organisation_id", f.organisation);
        slice(&mut b, "t.category_id", f.category);
        b.push(" ORDER BY t.created_at, t.id LIMIT ")
            .bind(Param::I64(limit));
        let (sql, params) = b.finish();
        let rows = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        Ok(rows)
    }

    /// Registration instants (µs) of the tickets registered in `[from, to)` and their
    /// requester's language, in pages after `after` (for the staffing arrivals).
    pub async fn arrivals(
        &self,
        from: Timestamp,
        to: Timestamp,
        after: Option<ExportCursor>,
        limit: i64,
    ) -> Result<Vec<(i64, i64, String, String)>> {
        let (at, id) = after.unwrap_or((to_db(from) - 1, i64::MAX));
        let rows: Vec<(i64, i64, String, String)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT t.created_at, t.id, COALESCE(u.language, 'es'), t.channel FROM tickets t \
                 LEFT JOIN users u ON u.id = t.requester_id \
                 WHERE t.created_at < $1 AND (t.created_at, t.id) > ($2, $3) \
                 ORDER BY t.created_at, t.id LIMIT $4",
            )
            .bind(to_db(to))
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(db)
            .await?
        });
        Ok(rows)
    }
}

/// Minutes logged in a period by one agent on tickets of one group and organisation.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct LoggedTime {
    pub agent_id: Option<i64>,
    pub agent: Option<String>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    pub organisation_code: Option<String>,
    pub minutes: i64,
}

impl Exports<'_> {
    /// Time logged in `[from, to)` per agent, group and organisation (for charging).
    pub async fn logged_time(&self, from: Timestamp, to: Timestamp) -> Result<Vec<LoggedTime>> {
        let rows = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT x.agent_id, a.name AS agent, x.group_id, g.name AS group_name, \
                 x.organisation_id, o.name AS organisation, o.code AS organisation_code, x.minutes \
                 FROM (SELECT e.actor_id AS agent_id, t.group_id, t.organisation_id, \
                       CAST(SUM(e.minutes) AS BIGINT) AS minutes \
                       FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id \
                       WHERE e.minutes IS NOT NULL AND e.at >= $1 AND e.at < $2 \
                       GROUP BY e.actor_id, t.group_id, t.organisation_id) x \
                 LEFT JOIN users a ON a.id = x.agent_id \
                 LEFT JOIN support_groups g ON g.id = x.group_id \
                 LEFT JOIN organisations o ON o.id = x.organisation_id \
                 ORDER BY o.name, x.organisation_id, g.name, a.name",
            )
            .bind(to_db(from))
            .bind(to_db(to))
            .fetch_all(db)
            .await?
        });
        Ok(rows)
    }
}
