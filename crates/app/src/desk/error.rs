//! The one error of the use-case layer. It says what went wrong in the desk's terms (not
//! found, not allowed, bad input, a business rule refused, a stale version) and nothing about
//! HTTP: `AppError` maps it to status codes in one place (`crate::error`), pages to forms.

use ventanilla_domain::ValidationError;
use ventanilla_domain::ticket::TransitionError;
use ventanilla_store::StoreError;
use ventanilla_store::tickets::ModifyError;

/// Why a business rule refused: the caller's input (shown beside a field), the caller's role,
/// or the record's current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Input,
    Role,
    State,
}

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// The record does not exist or the caller may not see it (ids cannot be probed).
    #[error("not found")]
    NotFound,
    /// The caller's role lacks the permission.
    #[error("permission denied")]
    Forbidden,
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A business rule refused; `code` is stable (e.g. `validation_locked`).
    #[error("{message}")]
    Refused {
        why: Refusal,
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// The caller named a version that is no longer current.
    #[error(
        "the record has changed since you read it (current version {current}); reload and try again"
    )]
    Stale { current: i64 },
    /// A unique value is taken or a reference is in use.
    #[error("{0}")]
    Conflict(String),
    /// A file or body is larger than the configured limit.
    #[error("the file is too large")]
    TooLarge,
    /// The store refused malformed input it was handed.
    #[error("{0}")]
    BadInput(String),
    /// The database is out of reach for now (unreachable, restarting, disk full); nothing
    /// was changed and the same request may succeed later.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub type DeskResult<T> = Result<T, DeskError>;

impl DeskError {
    pub fn refused(why: Refusal, code: &'static str, message: impl Into<String>) -> Self {
        DeskError::Refused {
            why,
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        DeskError::Internal(e.into())
    }

    /// The refusal for any change an agent tries while the requester validates (seed 002 [3]).
    pub fn validation_locked() -> Self {
        Self::refused(
            Refusal::State,
            "validation_locked",
            "the requester is confirming the solution: the ticket cannot be changed until they answer",
        )
    }

    pub fn ticket_closed() -> Self {
        Self::refused(
            Refusal::State,
            "ticket_closed",
            "the ticket is closed or cancelled and cannot be changed",
        )
    }

    /// The input field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            DeskError::Invalid(v) => Some(&v.field),
            DeskError::Refused { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl From<StoreError> for DeskError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => DeskError::NotFound,
            StoreError::Conflict { .. } => {
                DeskError::Conflict("a record with these values already exists".into())
            }
            StoreError::Reference { .. } => DeskError::Conflict(
                "the record refers to, or is referred to by, another record".into(),
            ),
            StoreError::Invalid(m) => DeskError::BadInput(m),
            e @ StoreError::Unavailable(_) => DeskError::Unavailable(e.into()),
            other => DeskError::Internal(other.into()),
        }
    }
}

/// A state-machine refusal: missing texts are the caller's input, a role that may not take
/// the step is the role's, everything else (locked, terminal, no such move) the state's.
impl From<TransitionError> for DeskError {
    fn from(e: TransitionError) -> Self {
        let why = match e.code() {
            "reason_required" | "resolution_required" | "incomplete_for_close" => Refusal::Input,
            "not_allowed" => Refusal::Role,
            _ => Refusal::State,
        };
        DeskError::Refused {
            why,
            code: e.code(),
            message: e.to_string(),
            field: e.fields().first().map(|f| (*f).to_owned()),
        }
    }
}

impl From<ModifyError<DeskError>> for DeskError {
    fn from(e: ModifyError<DeskError>) -> Self {
        match e {
            ModifyError::VersionMismatch { current } => DeskError::Stale { current },
            ModifyError::Refused(e) => e,
            ModifyError::Store(e) => e.into(),
        }
    }
}

/// A store "not found" for a referenced record becomes a validation error on `field`.
pub fn missing_as(e: StoreError, field: &str, message: &str) -> DeskError {
    match e {
        StoreError::NotFound => ValidationError::new(field, message).into(),
        other => other.into(),
    }
}
