//! The store's error type: callers match on not-found and conflicts; everything else is an
//! internal error whose cause chain is logged, never shown.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `constraint` names what was duplicated.
    #[error("already exists ({constraint})")]
    Conflict { constraint: String },
    /// A foreign key refused the write: the row refers to something that does not exist, or
    /// is still referred to.
    #[error("reference violated ({constraint})")]
    Reference { constraint: String },
    /// A stored value the domain refuses: a bug or a hand edit, reported rather than hidden.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The caller passed something the query cannot use (e.g. a malformed cursor).
    #[error("{0}")]
    Invalid(String),
    #[error("invalid database URL or options: {0}")]
    Config(String),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database cannot take the request now: unreachable, restarting, out of disk
    /// space, read-only, or every connection busy past the pool's wait. Nothing was written;
    /// the same request may succeed later (HTTP 503, mail intake's "try later").
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error(transparent)]
    Database(sqlx::Error),
}

/// Whether `e` says the database is out of reach for now rather than that the request is
/// wrong: connection and pool failures, and the database's own codes for that — SQLite's
/// primary result codes (sqlite.org/rescode.html) BUSY 5, LOCKED 6, NOMEM 7, READONLY 8,
/// IOERR 10, FULL 13, CANTOPEN 14; PostgreSQL's SQLSTATE classes 08 (connection exception),
/// 53 (insufficient resources: disk full, out of memory, too many connections) and 57P
/// (operator intervention: shutdown, cannot connect now).
pub fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| transient_code(&code)),
        _ => false,
    }
}

fn transient_code(code: &str) -> bool {
    match code.parse::<i64>() {
        // SQLite: extended codes carry the primary code in their low byte.
        Ok(n) => matches!(n & 0xff, 5 | 6 | 7 | 8 | 10 | 13 | 14),
        Err(_) => code.starts_with("08") || code.starts_with("53") || code.starts_with("57P"),
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => {
                let constraint = db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned());
                match db.kind() {
                    sqlx::error::ErrorKind::UniqueViolation => StoreError::Conflict { constraint },
                    sqlx::error::ErrorKind::ForeignKeyViolation => {
                        StoreError::Reference { constraint }
                    }
                    _ if is_transient(&e) => StoreError::Unavailable(e),
                    _ => StoreError::Database(e),
                }
            }
            _ if is_transient(&e) => StoreError::Unavailable(e),
            _ => StoreError::Database(e),
        }
    }
}

impl From<ventanilla_domain::ValidationError> for StoreError {
    fn from(e: ventanilla_domain::ValidationError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
