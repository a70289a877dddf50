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
    #[error(transparent)]
    Database(sqlx::Error),
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
                    _ => StoreError::Database(e),
                }
            }
            _ => StoreError::Database(e),
        }
    }
}

impl From<ventanilla_domain::ValidationError> for StoreError {
    fn from(e: ventanilla_domain::ValidationError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
