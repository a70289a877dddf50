//! Ventanilla's persistence: one `Store` facade over SQLite (default) or PostgreSQL.
//!
//! SQL is written once, with `$n` placeholders that both databases accept, and run through
//! the `on_reader!`, `on_writer!` and `in_transaction!` macros, which expand the same body
//! for whichever pool is active. Where the two databases must differ, the difference is
//! named in [`dialect`].

#[macro_use]
mod macros;

pub mod articles;
pub mod audit;
pub mod backup;
pub mod canned;
pub mod categories;
pub mod classifier;
pub mod collab;
mod connect;
pub mod desk_day;
pub mod dialect;
pub mod directory;
mod error;
pub mod events;
pub mod form_keys;
pub mod groups;
pub mod hooks;
pub mod identity;
pub mod import;
#[macro_use]
pub mod jobs;
pub mod mail_ids;
pub mod mail_in;
pub mod notifications;
pub mod outbox;
pub mod resolution_codes;
// Reports (issue 14): the KPI rollup and satisfaction surveys.
pub mod exports;
pub mod report_schedules;
pub mod reports;
pub mod roles;
#[macro_use]
pub mod routing;
pub mod rules;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod sla;
pub mod sla_breaches;
mod sql;
pub mod surveys;
pub mod throttle;
pub mod tickets;
mod time;
pub mod tokens;
pub mod users;
pub mod webhooks;
pub mod worklog;

use std::sync::Arc;

pub use connect::{StoreOptions, Synchronous};
pub use error::{StoreError, is_transient};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

/// SQLite is served by one writer connection (writes are serialised anyway, and one
/// connection makes `BEGIN IMMEDIATE` never wait on another in-process writer) and a pool
/// of read-only connections that WAL lets run beside it.
#[derive(Debug)]
pub(crate) struct SqliteBackend {
    pub writer: sqlx::SqlitePool,
    pub reader: sqlx::SqlitePool,
    /// The database file, for the migration lock beside it.
    pub path: std::path::PathBuf,
}

#[derive(Debug)]
pub(crate) enum Backend {
    Sqlite(SqliteBackend),
    Postgres(sqlx::PgPool),
}

/// The handle the application holds; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Backend>,
    /// The time zone the reports rollup counts days in (see [`reports`]).
    zone: jiff::tz::TimeZone,
}

impl Store {
    pub(crate) fn backend(&self) -> &Backend {
        &self.inner
    }

    pub fn kind(&self) -> BackendKind {
        match self.backend() {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Checks the database answers; `/readyz` calls this.
    pub async fn ping(&self) -> Result<()> {
        on_reader!(self, |db| {
            sqlx::query("SELECT 1").execute(db).await?.rows_affected();
        });
        Ok(())
    }

    /// Closes every pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        match self.backend() {
            Backend::Sqlite(s) => {
                s.writer.close().await;
                s.reader.close().await;
            }
            Backend::Postgres(p) => p.close().await,
        }
    }
}
