//! Query plans of ticket lists: the statement `Tickets::list` would run, explained by the
//! database it runs on. The plan test (`tests/list_plans.rs`) checks every list shape the
//! API and the console offer reads an index in its order instead of sorting every match.

use super::Tickets;
use super::read::{TicketFilter, TicketScope, TicketSort};
use crate::sql::{Param, trusted};
use crate::{BackendKind, Result};

/// A list statement and its plan.
#[derive(Debug, Clone)]
pub struct ListPlan {
    /// The SQL exactly as `list` runs it, with `$n` placeholders.
    pub sql: String,
    /// The bound values in order, as text (for messages).
    pub params: Vec<String>,
    /// SQLite: the rows of `EXPLAIN QUERY PLAN` as (id, parent, detail). PostgreSQL: the
    /// lines of `EXPLAIN` (text format), each with an id of its line number and a parent of
    /// 0; the indentation is kept.
    pub steps: Vec<PlanStep>,
}

#[derive(Debug, Clone)]
pub struct PlanStep {
    pub id: i64,
    pub parent: i64,
    pub detail: String,
}

impl Tickets<'_> {
    /// Explains the statement `list(scope, f, sort, after, limit)` would run, with the same
    /// values bound (so PostgreSQL plans for them, as it does for a first execution).
    /// `ordered_paths_only` (PostgreSQL) explains it with sorts and sequential scans priced
    /// out (`enable_sort`, `enable_seqscan` off for the one statement): the plan then sorts
    /// only if no index can give the order. A planner with statistics rightly sorts a few
    /// hundred rows on a test-sized table where it would read an index at a million.
    ///
    /// Errors: a bad cursor, as `list`; a database error.
    pub async fn explain_list(
        &self,
        scope: &TicketScope,
        f: &TicketFilter,
        sort: TicketSort,
        after: Option<&str>,
        limit: u32,
        ordered_paths_only: bool,
    ) -> Result<ListPlan> {
        let (sql, params) = self.list_query(scope, f, sort, after, limit).await?;
        self.explain(sql, params, ordered_paths_only).await
    }

    /// Explains the statement `count_capped(scope, f, cap)` would run (see
    /// [`Tickets::explain_list`]; no paths priced out).
    pub async fn explain_count(
        &self,
        scope: &TicketScope,
        f: &TicketFilter,
        cap: u32,
    ) -> Result<ListPlan> {
        let (sql, params) = super::count::capped_query(self.0.kind(), scope, f, cap);
        self.explain(sql, params, false).await
    }

    async fn explain(
        &self,
        sql: String,
        params: Vec<Param>,
        ordered_paths_only: bool,
    ) -> Result<ListPlan> {
        let shown = params
            .iter()
            .map(|p| match p {
                Param::I64(v) => v.to_string(),
                Param::OptI64(v) => format!("{v:?}"),
                Param::Text(v) => format!("'{v}'"),
                Param::Bool(v) => v.to_string(),
            })
            .collect();
        let steps = match self.0.kind() {
            BackendKind::Sqlite => {
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let rows: Vec<(i64, i64, i64, String)> = on_reader!(self.0, |db| {
                    bind_params!(sqlx::query_as(trusted(&explain)), params)
                        .fetch_all(db)
                        .await?
                });
                rows.into_iter()
                    .map(|(id, parent, _, detail)| PlanStep { id, parent, detail })
                    .collect()
            }
            BackendKind::Postgres => {
                let explain = format!("EXPLAIN {sql}");
                let rows: Vec<String> = in_transaction!(self.0, |tx| {
                    if ordered_paths_only {
                        sqlx::query("SET LOCAL enable_sort = off")
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query("SET LOCAL enable_seqscan = off")
                            .execute(&mut *tx)
                            .await?;
                    }
                    bind_params!(sqlx::query_scalar(trusted(&explain)), params)
                        .fetch_all(&mut *tx)
                        .await?
                });
                rows.into_iter()
                    .zip(1..)
                    .map(|(detail, id)| PlanStep {
                        id,
                        parent: 0,
                        detail,
                    })
                    .collect()
            }
        };
        Ok(ListPlan {
            sql,
            params: shown,
            steps,
        })
    }

    /// The key columns of a SQLite index in order, `id` standing for the rowid every index
    /// ends with (the plan test reads whether an index gives a list's order). Empty on
    /// PostgreSQL.
    pub async fn index_columns(&self, index: &str) -> Result<Vec<String>> {
        match self.0.kind() {
            BackendKind::Postgres => Ok(Vec::new()),
            BackendKind::Sqlite => {
                let cols: Vec<Option<String>> = on_reader!(self.0, |db| {
                    sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                        .bind(index)
                        .fetch_all(db)
                        .await?
                });
                let mut cols: Vec<String> = cols
                    .into_iter()
                    .map(|c| c.unwrap_or_else(|| "?".into()))
                    .collect();
                cols.push("id".into());
                Ok(cols)
            }
        }
    }
}
