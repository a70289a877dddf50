//! Backups of a SQLite database, online and consistent, and putting one back.
//!
//! `backup_to` runs `VACUUM INTO` on a reader connection: SQLite writes a compacted copy of
//! the database as of one read transaction, so the copy holds exactly the transactions
//! committed before it started, while the writer keeps committing (WAL readers never block
//! it). PostgreSQL is backed up with its own tools (`pg_dump`, docs/OPERATIONS.md).
//!
//! `restore_from` checks a backup (`PRAGMA integrity_check`, a migrated schema) and puts it
//! in place of the database file of a stopped server: copied beside it, synced, the old
//! `-wal`/`-shm` files removed (a stale WAL would be replayed onto the restored file), then
//! renamed over it, so a crash midway leaves either the old file or the new one.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use sqlx::ConnectOptions as _;
use sqlx::sqlite::SqliteConnectOptions;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of a SQLite database to `target`, which must not exist.
    /// Errors: `Invalid` for PostgreSQL or an existing target, `Database` from SQLite.
    pub async fn backup_to(&self, target: &Path) -> Result<()> {
        let Backend::Sqlite(s) = self.backend() else {
            return Err(StoreError::Invalid(
                "backup: PostgreSQL is backed up with pg_dump (see docs/OPERATIONS.md)".into(),
            ));
        };
        if target.exists() {
            return Err(StoreError::Invalid(format!(
                "backup: {} already exists",
                target.display()
            )));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_string_lossy().into_owned())
            .execute(&s.reader)
            .await?;
        Ok(())
    }
}

/// The file of a `sqlite://` URL.
pub fn sqlite_path(url: &str) -> Result<PathBuf> {
    if !url.starts_with("sqlite:") {
        return Err(StoreError::Invalid(
            "restore: only SQLite databases are restored this way; PostgreSQL uses pg_restore"
                .into(),
        ));
    }
    let opts =
        SqliteConnectOptions::from_str(url).map_err(|e| StoreError::Config(e.to_string()))?;
    Ok(opts.get_filename().to_owned())
}

/// Checks that `backup` is an intact, migrated Ventanilla database.
pub async fn check_backup(backup: &Path) -> Result<()> {
    let mut conn = SqliteConnectOptions::new()
        .filename(backup)
        .read_only(true)
        .connect()
        .await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    if verdict != "ok" {
        return Err(StoreError::Invalid(format!(
            "restore: the backup is damaged: {verdict}"
        )));
    }
    let migrated: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'tickets')",
    )
    .fetch_one(&mut conn)
    .await?;
    if migrated != 2 {
        return Err(StoreError::Invalid(
            "restore: the file is not a Ventanilla database".into(),
        ));
    }
    Ok(())
}

/// Replaces the SQLite database of `url` by `backup` (every server using it stopped).
pub async fn restore_from(backup: &Path, url: &str) -> Result<PathBuf> {
    let target = sqlite_path(url)?;
    check_backup(backup).await?;
    let backup = backup.to_owned();
    let done = target.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut staging = target.as_os_str().to_owned();
        staging.push(".restoring");
        let staging = PathBuf::from(staging);
        std::fs::copy(&backup, &staging)?;
        std::fs::File::open(&staging)?.sync_all()?;
        for suffix in ["-wal", "-shm"] {
            let mut side = target.as_os_str().to_owned();
            side.push(suffix);
            match std::fs::remove_file(PathBuf::from(side)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        std::fs::rename(&staging, &target)
    })
    .await
    .map_err(|e| StoreError::Config(format!("restore: {e}")))?
    .map_err(|e| StoreError::Config(format!("restore: {e}")))?;
    Ok(done)
}
