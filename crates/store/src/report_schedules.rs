//! Scheduled reports (issue 14, item 4): which KPI report goes to whom, how often, and when
//! next. A run moves `next_run_at` by compare-and-set and queues its mails in the same
//! transaction, so however many nodes run the job, each run is sent once.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::UserId;

use crate::audit::NewAudit;
use crate::outbox::NewMail;
use crate::time::{from_db, opt_from_db, to_db};
use crate::{Result, Store, StoreError};

/// A stored schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSchedule {
    pub id: i64,
    pub name: String,
    /// `daily`, `weekly` or `monthly`.
    pub cadence: String,
    pub group_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub category_id: Option<i64>,
    /// The attached CSV's separator: `comma` or `semicolon`.
    pub sep: String,
    /// The staff it is mailed to (user ids).
    pub recipients: Vec<i64>,
    pub created_by: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub next_run_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_run_at: Option<Timestamp>,
    /// The period the last run covered (`YYYY-MM-DD..YYYY-MM-DD`).
    pub last_period: Option<String>,
}

/// What a caller sets (checked by the use case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleFields {
    pub name: String,
    pub cadence: String,
    pub group_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub category_id: Option<i64>,
    pub sep: String,
    pub recipients: Vec<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    cadence: String,
    group_id: Option<i64>,
    organisation_id: Option<i64>,
    category_id: Option<i64>,
    separator: String,
    recipients: String,
    created_by: i64,
    created_at: i64,
    next_run_at: i64,
    last_run_at: Option<i64>,
    last_period: Option<String>,
}

const COLUMNS: &str = "id, name, cadence, group_id, organisation_id, category_id, separator, \
    recipients, created_by, created_at, next_run_at, last_run_at, last_period";

impl TryFrom<Row> for ReportSchedule {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        let recipients: Vec<i64> = serde_json::from_str(&r.recipients)
            .map_err(|e| StoreError::Corrupt(format!("report_schedules.recipients: {e}")))?;
        Ok(ReportSchedule {
            id: r.id,
            name: r.name,
            cadence: r.cadence,
            group_id: r.group_id,
            organisation_id: r.organisation_id,
            category_id: r.category_id,
            sep: r.separator,
            recipients,
            created_by: r.created_by,
            created_at: from_db(r.created_at)?,
            next_run_at: from_db(r.next_run_at)?,
            last_run_at: opt_from_db(r.last_run_at)?,
            last_period: r.last_period,
        })
    }
}

fn recipients_json(ids: &[i64]) -> String {
    serde_json::Value::from(ids.to_vec()).to_string()
}

pub struct ReportSchedules<'a>(&'a Store);

impl Store {
    pub fn report_schedules(&self) -> ReportSchedules<'_> {
        ReportSchedules(self)
    }
}

impl ReportSchedules<'_> {
    /// Every schedule, by name.
    pub async fn list(&self) -> Result<Vec<ReportSchedule>> {
        let sql = format!("SELECT {COLUMNS} FROM report_schedules ORDER BY name, id");
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(ReportSchedule::try_from).collect()
    }

    pub async fn get(&self, id: i64) -> Result<ReportSchedule> {
        let sql = format!("SELECT {COLUMNS} FROM report_schedules WHERE id = $1");
        let row: Option<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .fetch_optional(db)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// Schedules whose run is due at `now`, soonest first.
    pub async fn due(&self, now: Timestamp, limit: i64) -> Result<Vec<ReportSchedule>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM report_schedules WHERE next_run_at <= $1
             ORDER BY next_run_at, id LIMIT $2"
        );
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(to_db(now))
                .bind(limit)
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(ReportSchedule::try_from).collect()
    }

    /// Adds a schedule whose first run is `next_run_at`, with its audit entry.
    pub async fn create(
        &self,
        f: &ScheduleFields,
        by: UserId,
        next_run_at: Timestamp,
        audit: &NewAudit,
    ) -> Result<ReportSchedule> {
        let sql = format!(
            "INSERT INTO report_schedules (name, cadence, group_id, organisation_id, category_id,
                separator, recipients, created_by, created_at, next_run_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
        );
        let row: Row = in_transaction!(self.0, |tx| {
            let row: Row = sqlx::query_as(crate::sql::trusted(&sql))
                .bind(f.name.as_str())
                .bind(f.cadence.as_str())
                .bind(f.group_id)
                .bind(f.organisation_id)
                .bind(f.category_id)
                .bind(f.sep.as_str())
                .bind(recipients_json(&f.recipients))
                .bind(by.get())
                .bind(to_db(audit.at))
                .bind(to_db(next_run_at))
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit, Some(row.id));
            row
        });
        row.try_into()
    }

    /// Changes a schedule; `next_run_at` is set again (its cadence may have changed).
    pub async fn update(
        &self,
        id: i64,
        f: &ScheduleFields,
        next_run_at: Timestamp,
        audit: &NewAudit,
    ) -> Result<ReportSchedule> {
        let sql = format!(
            "UPDATE report_schedules SET name = $2, cadence = $3, group_id = $4,
                organisation_id = $5, category_id = $6, separator = $7, recipients = $8,
                next_run_at = $9
             WHERE id = $1 RETURNING {COLUMNS}"
        );
        let row: Option<Row> = in_transaction!(self.0, |tx| {
            let row: Option<Row> = sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .bind(f.name.as_str())
                .bind(f.cadence.as_str())
                .bind(f.group_id)
                .bind(f.organisation_id)
                .bind(f.category_id)
                .bind(f.sep.as_str())
                .bind(recipients_json(&f.recipients))
                .bind(to_db(next_run_at))
                .fetch_optional(&mut *tx)
                .await?;
            if row.is_some() {
                insert_audit!(&mut *tx, audit, Some(id));
            }
            row
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// Removes a schedule (mails already queued still go).
    pub async fn delete(&self, id: i64, audit: &NewAudit) -> Result<()> {
        let n = in_transaction!(self.0, |tx| {
            let n = sqlx::query("DELETE FROM report_schedules WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                insert_audit!(&mut *tx, audit, Some(id));
            }
            n
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a run: moves `next_run_at` from `due_at` to `next_run_at` and queues `mails`,
    /// in one transaction. `false` (and nothing queued) when another node ran it first.
    pub async fn record_run(
        &self,
        id: i64,
        due_at: Timestamp,
        next_run_at: Timestamp,
        period: &str,
        mails: &[NewMail],
        now: Timestamp,
    ) -> Result<bool> {
        Ok(in_transaction!(self.0, |tx| {
            let moved = sqlx::query(
                "UPDATE report_schedules SET next_run_at = $3, last_run_at = $4, last_period = $5
                 WHERE id = $1 AND next_run_at = $2",
            )
            .bind(id)
            .bind(to_db(due_at))
            .bind(to_db(next_run_at))
            .bind(to_db(now))
            .bind(period)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 1 {
                for m in mails {
                    sqlx::query(
                        "INSERT INTO outbox (created_at, kind, ticket_id, recipient_id, payload,
                            next_attempt_at)
                         VALUES ($1, $2, NULL, $3, $4, $1)",
                    )
                    .bind(to_db(now))
                    .bind(m.kind.as_str())
                    .bind(m.recipient_id.map(UserId::get))
                    .bind(m.payload.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            moved == 1
        }))
    }
}
