//! The one error type of the HTTP layer. It logs the whole cause chain and answers with a
//! stable code and a safe message: `{"error":{"code":"…","message":"…"}}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use ventanilla_domain::ValidationError;
use ventanilla_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("invalid email or password")]
    BadCredentials,
    #[error("permission denied")]
    Forbidden,
    #[error("missing or invalid CSRF token")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("request body is too large")]
    PayloadTooLarge,
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("{0}")]
    Conflict(String),
    /// A business rule refused the request; `code` is stable (e.g. `validation_locked`).
    #[error("{message}")]
    Refused {
        status: StatusCode,
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// `If-Match` named a version that is no longer current.
    #[error(
        "the record has changed since you read it (current version {current}); reload and try again"
    )]
    PreconditionFailed { current: i64 },
    #[error("too many failed attempts; try again later")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code, e.g. `not_found`, `validation_failed`.
    pub code: &'static str,
    /// A message safe to show to the user.
    pub message: String,
    /// The input field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) | AppError::InvalidJson(_) => StatusCode::BAD_REQUEST,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Refused { status, .. } => *status,
            AppError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "bad_credentials",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf_failed",
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::InvalidJson(_) => "invalid_json",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Validation(_) => "validation_failed",
            AppError::Conflict(_) => "conflict",
            AppError::Refused { code, .. } => code,
            AppError::PreconditionFailed { .. } => "precondition_failed",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// 503: the database is out of reach for now. The cause is logged here (the answer
    /// carries only the code), since `Unavailable` keeps none.
    pub fn unavailable(e: impl Into<anyhow::Error>) -> Self {
        tracing::warn!(error = format!("{:#}", e.into()), "database unavailable");
        AppError::Unavailable
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(e.into())
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
                field: match self {
                    AppError::Validation(v) => Some(v.field.clone()),
                    AppError::Refused { field, .. } => field.clone(),
                    _ => None,
                },
            },
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { .. } => {
                AppError::Conflict("a record with these values already exists".into())
            }
            StoreError::Reference { .. } => AppError::Conflict(
                "the record refers to, or is referred to by, another record".into(),
            ),
            // "field: why" is a value the store refused (a category cycle, an unknown
            // calendar, a cursor from another list): 422 naming the field, like any
            // refused value; anything else is a malformed request.
            StoreError::Invalid(m) => refused_value(m),
            e @ StoreError::Unavailable(_) => AppError::unavailable(e),
            other => AppError::Internal(other.into()),
        }
    }
}

/// The one place a use-case error becomes an HTTP status.
impl From<crate::desk::DeskError> for AppError {
    fn from(e: crate::desk::DeskError) -> Self {
        use crate::desk::{DeskError, Refusal};
        match e {
            DeskError::NotFound => AppError::NotFound,
            DeskError::Forbidden => AppError::Forbidden,
            DeskError::Invalid(v) => AppError::Validation(v),
            DeskError::Refused {
                why,
                code,
                message,
                field,
            } => AppError::Refused {
                status: match why {
                    Refusal::Input => StatusCode::UNPROCESSABLE_ENTITY,
                    Refusal::Role => StatusCode::FORBIDDEN,
                    Refusal::State => StatusCode::CONFLICT,
                },
                code,
                message,
                field,
            },
            DeskError::Stale { current } => AppError::PreconditionFailed { current },
            DeskError::Conflict(m) => AppError::Conflict(m),
            // The store's refusals reach here through the desk: the same rule applies.
            DeskError::BadInput(m) => refused_value(m),
            DeskError::TooLarge => AppError::PayloadTooLarge,
            DeskError::Unavailable(e) => AppError::unavailable(e),
            DeskError::Internal(e) => AppError::Internal(e),
        }
    }
}

impl AppError {
    pub fn refused(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError::Refused {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // `{:#}` prints the whole cause chain; the client only sees the code.
            match &self {
                AppError::Internal(e) => {
                    tracing::error!(error = format!("{e:#}"), "request failed")
                }
                other => tracing::warn!(error = %other, "request failed"),
            }
        }
        let retry = match &self {
            AppError::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
            // The database usually comes back within seconds (a restart, freed disk space).
            AppError::Unavailable => Some(5),
            _ => None,
        };
        let mut res = (status, Json(self.body())).into_response();
        if let Some(secs) = retry
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A value the store refused, as "field: why" (a category cycle, an unknown calendar, a
/// cursor from another list): 422 naming the field, like any refused value; anything else
/// is a malformed request (400).
fn refused_value(m: String) -> AppError {
    match m.split_once(": ") {
        Some((field, why))
            if !field.is_empty()
                && field
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.') =>
        {
            AppError::Validation(ValidationError::new(field, why))
        }
        _ => AppError::BadRequest(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_out_of_reach_is_503_with_retry_after_through_both_layers() {
        let store = || StoreError::Unavailable(sqlx::Error::PoolTimedOut);
        for e in [
            AppError::from(store()),
            AppError::from(crate::desk::DeskError::from(store())),
        ] {
            assert_eq!(e.code(), "unavailable");
            let res = e.into_response();
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(
                res.headers().get(header::RETRY_AFTER).map(|v| v.as_bytes()),
                Some(&b"5"[..])
            );
        }
        let other = AppError::from(StoreError::Database(sqlx::Error::RowNotFound));
        assert_eq!(other.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
