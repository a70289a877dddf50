//! Login throttling counters, kept in the database so every node enforces the same limits.
//! The policy (how many failures, how long a lock) is the caller's; this file counts.

use jiff::Timestamp;

use crate::time::{from_db, to_db};
use crate::{Result, Store};

/// Consecutive failures recorded under a key and when the last one happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub last_at: Timestamp,
}

pub struct Throttle<'a>(&'a Store);

impl Store {
    pub fn throttle(&self) -> Throttle<'_> {
        Throttle(self)
    }
}

impl Throttle<'_> {
    pub async fn get(&self, key: &str) -> Result<Option<Failures>> {
        let row: Option<(i64, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT failures, last_at FROM login_failures WHERE key = $1")
                .bind(key)
                .fetch_optional(db)
                .await?
        });
        row.map(|(count, last)| {
            Ok(Failures {
                count,
                last_at: from_db(last)?,
            })
        })
        .transpose()
    }

    /// Counts one more failure. A run older than `reset_before` starts again at one.
    pub async fn record_failure(
        &self,
        key: &str,
        now: Timestamp,
        reset_before: Timestamp,
    ) -> Result<i64> {
        Ok(on_writer!(self.0, |db| {
            sqlx::query_scalar(
                "INSERT INTO login_failures (key, failures, first_at, last_at) VALUES ($1, 1, $2, $2)
                 ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN login_failures.last_at < $3 THEN 1
                                   ELSE login_failures.failures + 1 END,
                   first_at = CASE WHEN login_failures.last_at < $3 THEN $2
                                   ELSE login_failures.first_at END,
                   last_at = $2
                 RETURNING failures",
            )
            .bind(key)
            .bind(to_db(now))
            .bind(to_db(reset_before))
            .fetch_one(db)
            .await?
        }))
    }

    pub async fn clear(&self, key: &str) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM login_failures WHERE key = $1")
                .bind(key)
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}

impl Throttle<'_> {
    /// Forgets failure runs whose last failure is older than `before`.
    pub async fn purge_before(&self, before: Timestamp) -> Result<u64> {
        Ok(on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM login_failures WHERE last_at < $1")
                .bind(to_db(before))
                .execute(db)
                .await?
                .rows_affected()
        }))
    }
}
/// The outcome of taking one attempt under a key: how many attempts the current run holds
/// (this one included) and the instant the last granted one was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub count: i64,
    pub last_at: Timestamp,
}

impl Throttle<'_> {
    /// Takes one attempt under `key` in a single atomic statement, before the guarded work
    /// (a password check) runs, so concurrent requests each see a distinct count and no
    /// burst gets more than `max` tries. An attempt beyond `max` is counted but does not
    /// move `last_at`, so refused tries do not extend a lock; a run whose last granted
    /// attempt is older than `reset_before` starts again at one. The caller grants the
    /// attempt when `count <= max`.
    pub async fn take_attempt(
        &self,
        key: &str,
        max: i64,
        now: Timestamp,
        reset_before: Timestamp,
    ) -> Result<Attempt> {
        let (count, last): (i64, i64) = on_writer!(self.0, |db| {
            sqlx::query_as(
                "INSERT INTO login_failures (key, failures, first_at, last_at) VALUES ($1, 1, $2, $2)
                 ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN login_failures.last_at < $3 THEN 1
                                   ELSE login_failures.failures + 1 END,
                   first_at = CASE WHEN login_failures.last_at < $3 THEN $2
                                   ELSE login_failures.first_at END,
                   last_at = CASE WHEN login_failures.last_at < $3 THEN $2
                                  WHEN login_failures.failures < $4 THEN $2
                                  ELSE login_failures.last_at END
                 RETURNING failures, last_at",
            )
            .bind(key)
            .bind(to_db(now))
            .bind(to_db(reset_before))
            .bind(max)
            .fetch_one(db)
            .await?
        });
        Ok(Attempt {
            count,
            last_at: from_db(last)?,
        })
    }

    /// Gives back an attempt taken with [`Throttle::take_attempt`] that turned out not to
    /// be a failure (a correct password, or a try refused by another key's lock).
    pub async fn give_back(&self, key: &str) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE login_failures SET failures = failures - 1 WHERE key = $1 AND failures > 0",
            )
            .bind(key)
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }
}
