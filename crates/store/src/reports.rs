//! The reports rollup (SPEC C14): what every ticket change adds, appended in its transaction
//! ([`append_pending!`], called by `tickets/create.rs` and `tickets/write.rs`), folded into
//! the rollup by a job and before every read ([`Reports::fold_pending`]), read by the KPI,
//! dashboard and export queries, and rebuilt from the tickets after an import.
//!
//! A change adds `contribution(after) − contribution(before)` (the domain's
//! `report::contribution`): one `report_pending` row per day and slice it moves, usually one
//! or two, at the table's end. Folding spreads them over the eight "any" combinations of
//! group, organisation and category and over the channel and agent breakdowns, as multi-row
//! upserts that add to the stored sums. Most changes (a reply, a note) change no sum and
//! write nothing. Why two steps (issue 14, the rollup's cost on create ≤ 10 %): the upserts
//! touch some sixteen rows on as many pages, which cost a registration 25 % of its
//! throughput on the commit path; an append costs it one page.

use std::collections::BTreeMap;
use std::str::FromStr as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ventanilla_domain::report::{
    ANY, Contribution, Dims, MEASURES, Measures, NONE, RollupKey, contribution, delta, expand,
};
use ventanilla_domain::ticket::{Channel, Ticket};

use crate::sql::{trusted, values};
use crate::{Result, Store, dialect};

/// Rows per upsert statement (21 binds each: well under both databases' limits).
const UPSERT_ROWS: usize = 200;

/// The measure columns, in [`MEASURES`] order.
pub(crate) fn measure_columns() -> String {
    MEASURES
        .iter()
        .map(|m| m.column())
        .collect::<Vec<_>>()
        .join(", ")
}

fn upsert_sql(table: &str, keys: &[&str], rows: usize, numbered: bool) -> String {
    let cols = measure_columns();
    let head = format!("INSERT INTO {table} ({}, {cols}) VALUES ", keys.join(", "));
    let set = MEASURES
        .iter()
        .map(|m| {
            let c = m.column();
            format!("{c} = {table}.{c} + excluded.{c}")
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{} ON CONFLICT ({}) DO UPDATE SET {set}",
        values(&head, keys.len() + MEASURES.len(), rows, "", numbered),
        keys.join(", ")
    )
}

/// The rows a delta writes: the filterable cube and the breakdowns.
pub(crate) struct RollupRows {
    pub cube: Vec<(RollupKey, Measures)>,
    pub by: Vec<((i32, &'static str, String), Measures)>,
}

impl RollupRows {
    pub fn of(c: &Contribution) -> Self {
        let (cube, by) = expand(c);
        Self {
            cube: cube.into_iter().collect(),
            by: by.into_iter().collect(),
        }
    }
}

/// Adds `$rows` (a [`RollupRows`]) to the rollup inside transaction `$tx`.
macro_rules! apply_rollup {
    ($tx:expr, $numbered:expr, $rows:expr) => {{
        let rows: &$crate::reports::RollupRows = $rows;
        for chunk in rows.cube.chunks($crate::reports::upsert_rows()) {
            let sql = $crate::reports::cube_sql(chunk.len(), $numbered);
            let mut q = sqlx::query($crate::sql::trusted(&sql));
            for (k, m) in chunk {
                q = q
                    .bind(k.group)
                    .bind(k.organisation)
                    .bind(k.category)
                    .bind(k.day);
                for v in m.0 {
                    q = q.bind(v);
                }
            }
            q.execute(&mut *$tx).await?;
        }
        for chunk in rows.by.chunks($crate::reports::upsert_rows()) {
            let sql = $crate::reports::by_sql(chunk.len(), $numbered);
            let mut q = sqlx::query($crate::sql::trusted(&sql));
            for ((day, dim, value), m) in chunk {
                q = q.bind(*dim).bind(value.as_str()).bind(*day);
                for v in m.0 {
                    q = q.bind(v);
                }
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

pub(crate) fn upsert_rows() -> usize {
    UPSERT_ROWS
}

pub(crate) fn cube_sql(rows: usize, numbered: bool) -> String {
    upsert_sql(
        "report_daily",
        &["group_id", "organisation_id", "category_id", "day"],
        rows,
        numbered,
    )
}

pub(crate) fn by_sql(rows: usize, numbered: bool) -> String {
    upsert_sql("report_daily_by", &["dim", "value", "day"], rows, numbered)
}

/// The columns of a `report_pending` row before its measures.
const PENDING_KEYS: &str = "day, group_id, organisation_id, category_id, channel, agent_id";

pub(crate) fn pending_sql(rows: usize, numbered: bool) -> String {
    let head = format!(
        "INSERT INTO report_pending ({PENDING_KEYS}, {}) VALUES ",
        measure_columns()
    );
    values(&head, 6 + MEASURES.len(), rows, "", numbered)
}

/// Appends `$c` (a [`Contribution`], usually a change's delta) to `report_pending` inside
/// transaction `$tx`: one row per day and slice, folded later by [`Reports::fold_pending`].
macro_rules! append_pending {
    ($tx:expr, $numbered:expr, $c:expr) => {{
        let c: &ventanilla_domain::report::Contribution = $c;
        let entries: Vec<_> = c.iter().collect();
        for chunk in entries.chunks($crate::reports::upsert_rows()) {
            let sql = $crate::reports::pending_sql(chunk.len(), $numbered);
            let mut q = sqlx::query($crate::sql::trusted(&sql));
            for ((day, d), m) in chunk {
                q = q
                    .bind(*day)
                    .bind(d.group)
                    .bind(d.organisation)
                    .bind(d.category)
                    .bind(d.channel)
                    .bind(d.agent);
                for v in m.0 {
                    q = q.bind(v);
                }
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use append_pending;

/// Reads the minutes logged on a ticket (0 before any) inside `$tx`.
macro_rules! logged_minutes {
    ($tx:expr, $id:expr) => {{
        let m: Option<i64> = sqlx::query_scalar(
            "SELECT logged_minutes FROM report_ticket_facts WHERE ticket_id = $1",
        )
        .bind($id)
        .fetch_optional(&mut *$tx)
        .await?;
        m.unwrap_or(0)
    }};
}
pub(crate) use logged_minutes;

/// Adds `$minutes` to a ticket's logged minutes inside `$tx`.
macro_rules! add_logged_minutes {
    ($tx:expr, $id:expr, $minutes:expr) => {{
        sqlx::query(
            "INSERT INTO report_ticket_facts (ticket_id, logged_minutes) VALUES ($1, $2) \
             ON CONFLICT (ticket_id) DO UPDATE SET logged_minutes = report_ticket_facts.logged_minutes + excluded.logged_minutes",
        )
        .bind($id)
        .bind($minutes)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use add_logged_minutes;

/// What a ticket change adds to the rollup, from the ticket before and after and the
/// minutes logged before and after; `None` when it moves no sum.
pub(crate) fn change_delta(
    before: Option<(&Ticket, i64)>,
    after: (&Ticket, i64),
    tz: &TimeZone,
) -> Option<Contribution> {
    let b = before.map(|(t, m)| contribution(t, m, tz));
    let a = contribution(after.0, after.1, tz);
    let d = delta(b.as_ref(), Some(&a));
    (!d.is_empty()).then_some(d)
}

/// A period and slice: desk-local days `from..=to` (`yyyymmdd`), and each of group,
/// organisation and category an id, `-1` for "not set", or `None` for any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollupFilter {
    pub from_day: i32,
    pub to_day: i32,
    pub group: Option<i64>,
    pub organisation: Option<i64>,
    pub category: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct SumRow {
    day: i32,
    created: Option<i64>,
    resolved: Option<i64>,
    first_contact: Option<i64>,
    reopened: Option<i64>,
    escalated: Option<i64>,
    responded: Option<i64>,
    response_minutes: Option<i64>,
    resolve_minutes: Option<i64>,
    handling_minutes: Option<i64>,
    sla_response_total: Option<i64>,
    sla_response_met: Option<i64>,
    sla_resolution_total: Option<i64>,
    sla_resolution_met: Option<i64>,
    csat_sum: Option<i64>,
    csat_count: Option<i64>,
    open: Option<i64>,
    open_created_seconds: Option<i64>,
}

impl SumRow {
    fn measures(&self) -> Measures {
        Measures([
            self.created.unwrap_or(0),
            self.resolved.unwrap_or(0),
            self.first_contact.unwrap_or(0),
            self.reopened.unwrap_or(0),
            self.escalated.unwrap_or(0),
            self.responded.unwrap_or(0),
            self.response_minutes.unwrap_or(0),
            self.resolve_minutes.unwrap_or(0),
            self.handling_minutes.unwrap_or(0),
            self.sla_response_total.unwrap_or(0),
            self.sla_response_met.unwrap_or(0),
            self.sla_resolution_total.unwrap_or(0),
            self.sla_resolution_met.unwrap_or(0),
            self.csat_sum.unwrap_or(0),
            self.csat_count.unwrap_or(0),
            self.open.unwrap_or(0),
            self.open_created_seconds.unwrap_or(0),
        ])
    }
}

#[derive(sqlx::FromRow)]
struct KeyedSumRow {
    key: String,
    #[sqlx(flatten)]
    sums: SumRow,
}

fn sum_columns(day: &str) -> String {
    let sums = MEASURES
        .iter()
        .map(|m| format!("CAST(SUM({0}) AS BIGINT) AS {0}", m.column()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{day} AS day, {sums}")
}

/// A breakdown of the filterable rollup by `dim` (`group`, `organisation` or `category`),
/// the other two dimensions fixed by `f` (an id or [`ANY`]), days `$1..=$2`.
///
/// The rollup keeps one index, its key `(group, organisation, category, day)`, because each
/// index of its own is written by every registration (issue 14: the rollup's cost on create
/// ≤ 10 %). So the breakdown walks the dimension's ids (its table, and [`NONE`] for "not
/// set") and seeks the key once per id: a handful of short ranges, never the whole rollup.
/// `CROSS JOIN` keeps SQLite's loop in that order; PostgreSQL plans it the same way.
fn breakdown_sql(dim: &str, f: &RollupFilter) -> String {
    let table = match dim {
        "group" => "support_groups",
        "organisation" => "organisations",
        _ => "categories",
    };
    let col = format!("{dim}_id");
    let cond = |name: &str, v: Option<i64>| {
        if name == col {
            format!("r.{name} = d.id")
        } else {
            format!("r.{name} = {}", v.unwrap_or(ANY))
        }
    };
    format!(
        "SELECT CAST(d.id AS TEXT) AS key, {} \
         FROM (SELECT id FROM {table} UNION ALL SELECT {NONE}) d CROSS JOIN report_daily r \
         WHERE {} AND {} AND {} AND r.day BETWEEN $1 AND $2 GROUP BY d.id ORDER BY d.id",
        sum_columns("0"),
        cond("group_id", f.group),
        cond("organisation_id", f.organisation),
        cond("category_id", f.category),
    )
}

/// The KPI rollup's queries.
pub struct Reports<'a>(&'a Store);

impl Store {
    pub fn reports(&self) -> Reports<'_> {
        Reports(self)
    }

    /// The same store, with days of the rollup counted in `tz` (the desk's time zone).
    pub fn with_report_zone(mut self, tz: TimeZone) -> Self {
        self.zone = tz;
        self
    }

    /// The time zone the rollup's days are counted in.
    pub fn report_zone(&self) -> &TimeZone {
        &self.zone
    }
}

impl Reports<'_> {
    /// Folds every appended change (`report_pending`) into the rollup, in one transaction;
    /// returns the rows folded. The rows are taken with `DELETE … RETURNING`, so nodes
    /// folding at once each take distinct rows (PostgreSQL skips rows another transaction
    /// deleted; SQLite has one writer) and none is counted twice or lost.
    pub async fn fold_pending(&self) -> Result<u64> {
        let numbered = dialect::bulk_placeholders_numbered(self.0.kind());
        let sql = format!(
            "DELETE FROM report_pending RETURNING {PENDING_KEYS}, {}",
            measure_columns()
        );
        let folded = in_transaction!(self.0, |tx| {
            let rows: Vec<PendingRow> = sqlx::query_as(trusted(&sql)).fetch_all(&mut *tx).await?;
            let c = pending_contribution(&rows)?;
            if !c.is_empty() {
                let rows = RollupRows::of(&c);
                apply_rollup!(tx, numbered, &rows);
            }
            rows.len()
        });
        Ok(u64::try_from(folded).unwrap_or(u64::MAX))
    }

    /// Folds pending changes if there are any, so a read sees every committed change; a
    /// cheap look on the reader when there are none (the fold job keeps it so).
    async fn settle(&self) -> Result<()> {
        let any: Option<i32> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT 1 FROM report_pending LIMIT 1")
                .fetch_optional(db)
                .await?
        });
        if any.is_some() {
            self.fold_pending().await?;
        }
        Ok(())
    }

    /// The sums of the period and slice, per day (days with no row are absent).
    pub async fn daily(&self, f: &RollupFilter) -> Result<Vec<(i32, Measures)>> {
        self.settle().await?;
        let sql = format!(
            "SELECT {} FROM report_daily WHERE group_id = $1 AND organisation_id = $2 \
             AND category_id = $3 AND day BETWEEN $4 AND $5 GROUP BY day ORDER BY day",
            sum_columns("day")
        );
        let rows: Vec<SumRow> = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(f.group.unwrap_or(ANY))
                .bind(f.organisation.unwrap_or(ANY))
                .bind(f.category.unwrap_or(ANY))
                .bind(f.from_day.max(1))
                .bind(f.to_day)
                .fetch_all(db)
                .await?
        });
        Ok(rows.iter().map(|r| (r.day, r.measures())).collect())
    }

    /// The sums of the period and slice.
    pub async fn totals(&self, f: &RollupFilter) -> Result<Measures> {
        let mut total = Measures::default();
        for (_, m) in self.daily(f).await? {
            total.add_all(&m);
        }
        Ok(total)
    }

    /// The backlog row of the slice (open tickets now).
    pub async fn backlog(&self, f: &RollupFilter) -> Result<Measures> {
        let back = RollupFilter {
            from_day: 0,
            to_day: 0,
            ..*f
        };
        self.settle().await?;
        let sql = format!(
            "SELECT {} FROM report_daily WHERE group_id = $1 AND organisation_id = $2 \
             AND category_id = $3 AND day = 0",
            sum_columns("0")
        );
        let row: Option<SumRow> = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(back.group.unwrap_or(ANY))
                .bind(back.organisation.unwrap_or(ANY))
                .bind(back.category.unwrap_or(ANY))
                .fetch_optional(db)
                .await?
        });
        Ok(row.map(|r| r.measures()).unwrap_or_default())
    }

    /// The period's sums per value of `dim` (`group`, `organisation` or `category`, with the
    /// other filters applied; or `channel` or `agent`, period only). `-1` is "not set".
    pub async fn breakdown(
        &self,
        dim: &str,
        f: &RollupFilter,
        backlog: bool,
    ) -> Result<Vec<(String, Measures)>> {
        self.settle().await?;
        let (from, to) = if backlog {
            (0, 0)
        } else {
            (f.from_day.max(1), f.to_day)
        };
        let rows: Vec<KeyedSumRow> = match dim {
            "group" | "organisation" | "category" => {
                let sql = breakdown_sql(dim, f);
                on_reader!(self.0, |db| {
                    sqlx::query_as(trusted(&sql))
                        .bind(from)
                        .bind(to)
                        .fetch_all(db)
                        .await?
                })
            }
            "channel" | "agent" => {
                let sql = format!(
                    "SELECT value AS key, {} FROM report_daily_by WHERE dim = $1 \
                     AND day BETWEEN $2 AND $3 GROUP BY value ORDER BY value",
                    sum_columns("0")
                );
                on_reader!(self.0, |db| {
                    sqlx::query_as(trusted(&sql))
                        .bind(dim)
                        .bind(from)
                        .bind(to)
                        .fetch_all(db)
                        .await?
                })
            }
            _ => {
                return Err(crate::StoreError::Invalid(format!(
                    "unknown dimension {dim}"
                )));
            }
        };
        Ok(rows
            .into_iter()
            .map(|r| (r.key, r.sums.measures()))
            .filter(|(_, m)| !m.is_zero())
            .collect())
    }

    /// The period's sums per day for one value of a breakdown (`channel`, `agent`).
    pub async fn daily_by(
        &self,
        dim: &str,
        value: &str,
        from_day: i32,
        to_day: i32,
    ) -> Result<Vec<(i32, Measures)>> {
        self.settle().await?;
        let sql = format!(
            "SELECT {} FROM report_daily_by WHERE dim = $1 AND value = $2 \
             AND day BETWEEN $3 AND $4 GROUP BY day ORDER BY day",
            sum_columns("day")
        );
        let rows: Vec<SumRow> = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(dim)
                .bind(value)
                .bind(from_day.max(1))
                .bind(to_day)
                .fetch_all(db)
                .await?
        });
        Ok(rows.iter().map(|r| (r.day, r.measures())).collect())
    }

    /// Names for ids of a dimension (`group`, `organisation`, `category`, `agent`):
    /// `(id, Spanish name, English name)` (the same name twice but for categories).
    pub async fn labels(&self, dim: &str, ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
        let ids: Vec<i64> = ids.iter().copied().filter(|i| *i > 0).take(500).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (table, es, en) = match dim {
            "group" => ("support_groups", "name", "name"),
            "organisation" => ("organisations", "name", "name"),
            "category" => ("categories", "name_es", "name_en"),
            "agent" => ("users", "name", "name"),
            _ => {
                return Err(crate::StoreError::Invalid(format!(
                    "unknown dimension {dim}"
                )));
            }
        };
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT id, {es}, {en} FROM {table} WHERE id IN ({list}) ORDER BY id");
        let rows: Vec<(i64, String, String)> = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql)).fetch_all(db).await?
        });
        Ok(rows)
    }

    /// Deflections (a requester solved it with an article) in `[from, to)`.
    pub async fn deflections(&self, from: Timestamp, to: Timestamp) -> Result<i64> {
        let n: i64 = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT count(*) FROM deflections WHERE at >= $1 AND at < $2")
                .bind(crate::time::to_db(from))
                .bind(crate::time::to_db(to))
                .fetch_one(db)
                .await?
        });
        Ok(n)
    }

    /// Knowledge contributions (article revisions written) in `[from, to)`, optionally by
    /// one author.
    pub async fn contributions(
        &self,
        from: Timestamp,
        to: Timestamp,
        author: Option<i64>,
    ) -> Result<i64> {
        let n: i64 = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT count(*) FROM article_revisions WHERE at >= $1 AND at < $2 \
                 AND ($3 IS NULL OR author_id = $3)",
            )
            .bind(crate::time::to_db(from))
            .bind(crate::time::to_db(to))
            .bind(author)
            .fetch_one(db)
            .await?
        });
        Ok(n)
    }

    /// Empties the rollup and recomputes it from every ticket and the minutes logged on
    /// each (after an import, or to repair): pages of tickets by id, summed in memory and
    /// flushed as upserts whenever many distinct rows are pending. Returns the tickets read.
    pub async fn rebuild(&self) -> Result<u64> {
        let tz = self.0.zone.clone();
        let numbered = dialect::bulk_placeholders_numbered(self.0.kind());
        on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM report_pending")
                .execute(db)
                .await?;
            sqlx::query("DELETE FROM report_daily").execute(db).await?;
            sqlx::query("DELETE FROM report_daily_by")
                .execute(db)
                .await?;
            sqlx::query("DELETE FROM report_ticket_facts")
                .execute(db)
                .await?;
            sqlx::query(
                "INSERT INTO report_ticket_facts (ticket_id, logged_minutes) \
                 SELECT ticket_id, CAST(SUM(minutes) AS BIGINT) FROM ticket_events \
                 WHERE minutes IS NOT NULL GROUP BY ticket_id",
            )
            .execute(db)
            .await?;
        });
        let select = format!(
            "SELECT {}, COALESCE(f.logged_minutes, 0) AS logged_minutes FROM tickets t \
             LEFT JOIN report_ticket_facts f ON f.ticket_id = t.id WHERE t.id > $1 ORDER BY t.id LIMIT 2000",
            crate::tickets::row::qualified()
        );
        let mut after = 0i64;
        let mut read = 0u64;
        let mut pending: Contribution = BTreeMap::new();
        loop {
            let rows: Vec<FactRow> = on_reader!(self.0, |db| {
                sqlx::query_as(trusted(&select))
                    .bind(after)
                    .fetch_all(db)
                    .await?
            });
            let Some(last) = rows.last() else { break };
            after = last.row.id;
            for r in rows {
                let minutes = r.logged_minutes;
                let t: Ticket = r.row.try_into()?;
                for (k, m) in contribution(&t, minutes, &tz) {
                    pending.entry(k).or_default().add_all(&m);
                }
                read += 1;
            }
            if pending.len() > 20_000 {
                self.flush(&std::mem::take(&mut pending), numbered).await?;
            }
        }
        self.flush(&pending, numbered).await?;
        Ok(read)
    }

    async fn flush(&self, c: &Contribution, numbered: bool) -> Result<()> {
        if c.is_empty() {
            return Ok(());
        }
        let rows = RollupRows::of(c);
        in_transaction!(self.0, |tx| {
            apply_rollup!(tx, numbered, &rows);
        });
        Ok(())
    }
}

/// A `report_pending` row: a day and slice (in `sums.day`) and what it adds.
#[derive(sqlx::FromRow)]
struct PendingRow {
    group_id: i64,
    organisation_id: i64,
    category_id: i64,
    channel: String,
    agent_id: i64,
    #[sqlx(flatten)]
    sums: SumRow,
}

/// Pending rows summed per day and slice (entries that cancel out dropped).
fn pending_contribution(rows: &[PendingRow]) -> Result<Contribution> {
    let mut c = Contribution::new();
    for r in rows {
        let channel = Channel::from_str(&r.channel)
            .map_err(|_| {
                crate::StoreError::Invalid(format!("report_pending channel {:?}", r.channel))
            })?
            .as_str();
        let dims = Dims {
            group: r.group_id,
            organisation: r.organisation_id,
            category: r.category_id,
            channel,
            agent: r.agent_id,
        };
        c.entry((r.sums.day, dims))
            .or_default()
            .add_all(&r.sums.measures());
    }
    c.retain(|_, m| !m.is_zero());
    Ok(c)
}

#[derive(sqlx::FromRow)]
struct FactRow {
    #[sqlx(flatten)]
    row: crate::tickets::row::TicketRow,
    logged_minutes: i64,
}
