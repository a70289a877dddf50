//! Durable background jobs, shared by every node through the database: enqueued in the
//! transaction that causes the work, deduplicated by key (periodic ticks: one node wins),
//! claimed with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer
//! under `BEGIN IMMEDIATE` is exclusive by itself), retried with backoff, dead when spent.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::sql::{Param, SqlBuilder, trusted};
use crate::time::{from_db, opt_from_db, to_db};
use crate::{Result, Store, StoreError};

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: Timestamp,
    /// While a job with this key exists, another with the same key is not enqueued.
    pub dedupe_key: Option<String>,
    pub max_attempts: i64,
}

impl NewJob {
    pub fn new(kind: &str, payload: serde_json::Value, run_at: Timestamp) -> Self {
        Self {
            kind: kind.to_owned(),
            payload,
            run_at,
            dedupe_key: None,
            max_attempts: 5,
        }
    }

    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub dedupe_key: Option<String>,
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub run_at: Timestamp,
    pub attempts: i64,
    pub max_attempts: i64,
    pub locked_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub lease_until: Option<Timestamp>,
    pub last_error: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    payload: String,
    dedupe_key: Option<String>,
    status: String,
    run_at: i64,
    attempts: i64,
    max_attempts: i64,
    locked_by: Option<String>,
    lease_until: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;
    fn try_from(r: JobRow) -> Result<Self> {
        Ok(Job {
            id: r.id,
            kind: r.kind,
            payload: serde_json::from_str(&r.payload)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            dedupe_key: r.dedupe_key,
            status: r.status,
            run_at: from_db(r.run_at)?,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            locked_by: r.locked_by,
            lease_until: opt_from_db(r.lease_until)?,
            last_error: r.last_error,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
        })
    }
}

const COLUMNS: &str = "id, kind, payload, dedupe_key, status, run_at, attempts, max_attempts, locked_by, lease_until, last_error, created_at, updated_at";

/// Inserts a job on a transaction; a duplicate dedupe key is silently skipped.
macro_rules! insert_job {
    ($exec:expr, $job:expr, $now:expr) => {{
        let j: &$crate::jobs::NewJob = $job;
        sqlx::query(
            "INSERT INTO jobs (kind, payload, dedupe_key, status, run_at, attempts, max_attempts, created_at, updated_at)
             VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6, $6)
             ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING",
        )
        .bind(j.kind.as_str())
        .bind(j.payload.to_string())
        .bind(j.dedupe_key.as_deref())
        .bind($crate::time::to_db(j.run_at))
        .bind(j.max_attempts)
        .bind($crate::time::to_db($now))
        .execute($exec)
        .await?
        .rows_affected()
    }};
}
pub(crate) use insert_job;

pub struct Jobs<'a>(&'a Store);

impl Store {
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs(self)
    }
}

impl Jobs<'_> {
    /// Enqueues a job; returns false when its dedupe key was already taken.
    pub async fn enqueue(&self, job: &NewJob, now: Timestamp) -> Result<bool> {
        let n = in_transaction!(self.0, |tx| { insert_job!(&mut *tx, job, now) });
        Ok(n == 1)
    }

    /// Claims up to `limit` jobs that are due, or whose lease expired (a node died holding
    /// them), for `worker` until `now + lease`.
    pub async fn claim(
        &self,
        worker: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let until = now.saturating_add(lease).unwrap_or(now);
        let sql = format!(
            "UPDATE jobs SET status = 'running', locked_by = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
             WHERE id IN (SELECT id FROM jobs
                          WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND lease_until < $3)
                          ORDER BY run_at, id LIMIT $4 {})
             RETURNING {COLUMNS}",
            crate::dialect::skip_locked(self.0.kind())
        );
        let rows: Vec<JobRow> = in_transaction!(self.0, |tx| {
            sqlx::query_as(trusted(&sql))
                .bind(worker)
                .bind(to_db(until))
                .bind(to_db(now))
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?
        });
        let mut jobs = rows
            .into_iter()
            .map(Job::try_from)
            .collect::<Result<Vec<_>>>()?;
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    /// Marks a claimed job done (only if this worker still holds it).
    pub async fn complete(&self, id: i64, worker: &str, now: Timestamp) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query("UPDATE jobs SET status = 'done', lease_until = NULL, updated_at = $3 WHERE id = $1 AND locked_by = $2 AND status = 'running'")
                .bind(id)
                .bind(worker)
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Records a failure: back to the queue at `retry_at`, or dead when attempts are spent.
    pub async fn fail(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        now: Timestamp,
        retry_at: Timestamp,
    ) -> Result<()> {
        let error: String = error.chars().take(2000).collect();
        on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                    run_at = $4, last_error = $3, lease_until = NULL, updated_at = $5
                 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
            )
            .bind(id)
            .bind(worker)
            .bind(error)
            .bind(to_db(retry_at))
            .bind(to_db(now))
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Jobs by status, newest first (admins look at dead ones).
    pub async fn list(
        &self,
        status: Option<&str>,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let mut b = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM jobs WHERE id < "));
        b.bind(Param::I64(after.unwrap_or(i64::MAX)));
        if let Some(s) = status {
            b.push(" AND status = ").bind(Param::Text(s.to_owned()));
        }
        b.push(" ORDER BY id DESC LIMIT ").bind(Param::I64(limit));
        let (sql, params) = b.finish();
        let rows: Vec<JobRow> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Job::try_from).collect()
    }

    /// Puts a dead job back in the queue with fresh attempts.
    pub async fn retry(&self, id: i64, now: Timestamp) -> Result<()> {
        let n = on_writer!(self.0, |db| {
            sqlx::query("UPDATE jobs SET status = 'queued', attempts = 0, run_at = $2, updated_at = $2, last_error = NULL WHERE id = $1 AND status = 'dead'")
                .bind(id)
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes finished jobs older than `before`; dead ones are kept for the admins.
    pub async fn purge_done(&self, before: Timestamp) -> Result<u64> {
        Ok(on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM jobs WHERE status = 'done' AND updated_at < $1")
                .bind(to_db(before))
                .execute(db)
                .await?
                .rows_affected()
        }))
    }
}
