//! Opening a store from a URL (`sqlite://…` or `postgres://…`), the connection settings of
//! each backend, and migrations.

use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use ventanilla_domain::Clock as _;

use crate::{Backend, Result, SqliteBackend, Store, StoreError};

/// SQLite durability. `normal` (the default) is safe against application crashes and never
/// corrupts the database; after a power loss or OS crash the last transactions committed
/// before it may be rolled back. `full` syncs the WAL at every commit and loses nothing,
/// at the cost of write throughput.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    #[default]
    Normal,
    Full,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreOptions {
    /// Connections in the PostgreSQL pool, or in SQLite's reader pool.
    pub max_connections: u32,
    /// How long a SQLite statement waits for a lock before giving up, in milliseconds.
    pub busy_timeout_ms: u64,
    pub synchronous: Synchronous,
    /// How long a request waits for a free connection, in milliseconds.
    pub acquire_timeout_ms: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            busy_timeout_ms: 5_000,
            synchronous: Synchronous::Normal,
            acquire_timeout_ms: 10_000,
        }
    }
}

impl Store {
    /// Connects to the database named by `url`. A SQLite file (and its folder) is created
    /// if missing. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str, opts: &StoreOptions) -> Result<Store> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite(connect_sqlite(url, opts).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(connect_postgres(url, opts).await?)
        } else {
            return Err(StoreError::Config(
                "the database URL must start with sqlite:// or postgres://".into(),
            ));
        };
        Ok(Store {
            inner: std::sync::Arc::new(backend),
            zone: jiff::tz::TimeZone::UTC,
        })
    }

    /// Applies pending migrations and re-applies the built-in roles. On PostgreSQL the
    /// migrator holds an advisory lock, so nodes starting together migrate once.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend() {
            Backend::Sqlite(s) => {
                // SQLite has no advisory locks; a lock file beside the database makes two
                // processes starting together (serve and migrate, say) migrate one at a time.
                let _guard = lock_file(&s.path).await?;
                sqlx::migrate!("./migrations/sqlite").run(&s.writer).await?
            }
            Backend::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        self.roles().sync_builtin().await?;
        // Migrations run before any app (and its injected clock) exists: the system clock
        // dates the seeded rows.
        self.categories()
            .seed_defaults(ventanilla_domain::SystemClock.now())
            .await
    }
}

impl Store {
    /// Applies migrations up to and including `version`, and the built-in roles: for upgrade
    /// tests that write rows as an older version did and then [`Store::migrate`] the rest.
    #[doc(hidden)]
    pub async fn migrate_to(&self, version: i64) -> Result<()> {
        match self.backend() {
            Backend::Sqlite(s) => {
                let _guard = lock_file(&s.path).await?;
                sqlx::migrate!("./migrations/sqlite")
                    .run_to(version, &s.writer)
                    .await?
            }
            Backend::Postgres(p) => {
                sqlx::migrate!("./migrations/postgres")
                    .run_to(version, p)
                    .await?
            }
        }
        self.roles().sync_builtin().await
    }
}

/// Opens a pool, again and again for up to `patience` while SQLite answers "database is
/// locked". Putting a new file into WAL mode (the connection's first pragma) needs a lock
/// that SQLite does not wait for with the busy handler: it answers SQLITE_BUSY at once when
/// another process is creating or converting the same file. Two processes starting together
/// on a fresh database (a server and a worker, two `migrate`s) therefore retry instead of
/// failing; anything else fails at once.
async fn while_busy<F, Fut>(patience: Duration, mut open: F) -> Result<sqlx::SqlitePool>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = sqlx::Result<sqlx::SqlitePool>>,
{
    let started = std::time::Instant::now();
    loop {
        match open().await {
            Err(e) if is_busy(&e) && started.elapsed() < patience => {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            other => return Ok(other?),
        }
    }
}

/// SQLITE_BUSY or SQLITE_LOCKED, extended codes included (the primary code is the low byte).
fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 6))
}

async fn connect_sqlite(url: &str, opts: &StoreOptions) -> Result<SqliteBackend> {
    let base = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Config(e.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match opts.synchronous {
            Synchronous::Normal => SqliteSynchronous::Normal,
            Synchronous::Full => SqliteSynchronous::Full,
        })
        .foreign_keys(true)
        .busy_timeout(Duration::from_millis(opts.busy_timeout_ms))
        // Keep temporary b-trees in memory and give the writer a 16 MiB page cache.
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-16000");
    if let Some(dir) = base.get_filename().parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Config(format!("cannot create {}: {e}", dir.display())))?;
    }
    let path = base.get_filename().to_owned();
    let acquire = Duration::from_millis(opts.acquire_timeout_ms);
    let patience = Duration::from_millis(opts.busy_timeout_ms);
    // The writer opens (and creates) the file first, so the readers find it in WAL mode.
    let writer = while_busy(patience, || {
        SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(acquire)
            .after_release(|conn, _| {
                Box::pin(async move {
                    // After SQLITE_FULL or an I/O error SQLite may roll a transaction back by
                    // itself; sqlx's own ROLLBACK then fails and its transaction count stays
                    // up, so every later BEGIN on this, the only writer, failed until a
                    // restart (found by `bench drill disk-full`). The ping waits for a
                    // rollback queued by a dropped transaction; a connection still in one is
                    // closed and the pool opens a fresh one.
                    sqlx::Connection::ping(conn).await?;
                    Ok(!sqlx::Connection::is_in_transaction(conn))
                })
            })
            .connect_with(base.clone())
    })
    .await?;
    // Readers get 6 MiB each: the operating system's page cache holds the file for all of
    // them, and eight 16 MiB caches made up most of the server's memory (RSS 243 MB after
    // the benchmark at 1 M tickets).
    let read_only = base.read_only(true).pragma("cache_size", "-6000");
    let reader = while_busy(patience, || {
        SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(acquire)
            .connect_with(read_only.clone())
    })
    .await?;
    Ok(SqliteBackend {
        writer,
        reader,
        path,
    })
}

/// An exclusive lock on `<database>.migrate-lock`, released when the file is dropped.
async fn lock_file(db: &std::path::Path) -> Result<Option<std::fs::File>> {
    let name = db.as_os_str().to_string_lossy();
    if name.is_empty() || name.starts_with(':') {
        return Ok(None); // in-memory database: nobody else can see it
    }
    let mut lock_path = db.as_os_str().to_owned();
    lock_path.push(".migrate-lock");
    tokio::task::spawn_blocking(move || {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        f.lock()?;
        Ok::<_, std::io::Error>(Some(f))
    })
    .await
    .map_err(|e| StoreError::Config(format!("migration lock: {e}")))?
    .map_err(|e| StoreError::Config(format!("migration lock: {e}")))
}

async fn connect_postgres(url: &str, opts: &StoreOptions) -> Result<sqlx::PgPool> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Config(e.to_string()))?
        .application_name("ventanilla");
    Ok(PgPoolOptions::new()
        .max_connections(opts.max_connections.max(1))
        .acquire_timeout(Duration::from_millis(opts.acquire_timeout_ms))
        .connect_with(options)
        .await?)
}
