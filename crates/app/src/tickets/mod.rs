//! Ticket rules that sit between the HTTP handlers and the store: who may see and change a
//! ticket, the priority matrix in force, applying the state machine (with the major-incident
//! cascade and the survey timeout), and turning store refusals into API errors.

pub mod access;
pub mod lifecycle;
pub mod matrix;

use axum::http::StatusCode;
use ventanilla_domain::ticket::TransitionError;
use ventanilla_store::tickets::ModifyError;

use crate::error::AppError;

/// Maps a state-machine refusal: missing texts are the caller's input (422), a role that may
/// not take the step is 403, everything else (locked, terminal, no such move) is 409.
pub fn transition_error(e: TransitionError) -> AppError {
    let status = match e.code() {
        "reason_required" | "resolution_required" | "incomplete_for_close" => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        "not_allowed" => StatusCode::FORBIDDEN,
        _ => StatusCode::CONFLICT,
    };
    let field = e.fields().first().map(|f| (*f).to_owned());
    AppError::Refused {
        status,
        code: e.code(),
        message: e.to_string(),
        field,
    }
}

/// Maps the outcome of a store `modify`.
pub fn modify_error(e: ModifyError<AppError>) -> AppError {
    match e {
        ModifyError::VersionMismatch { current } => AppError::PreconditionFailed { current },
        ModifyError::Refused(e) => e,
        ModifyError::Store(e) => e.into(),
    }
}

/// The refusal for any change an agent tries while the requester validates (seed 002 [3]).
pub fn validation_locked() -> AppError {
    AppError::refused(
        StatusCode::CONFLICT,
        "validation_locked",
        "the requester is confirming the solution: the ticket cannot be changed until they answer",
    )
}

pub fn ticket_closed() -> AppError {
    AppError::refused(
        StatusCode::CONFLICT,
        "ticket_closed",
        "the ticket is closed or cancelled and cannot be changed",
    )
}
