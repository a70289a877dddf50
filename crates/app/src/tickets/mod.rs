//! Ticket rules that sit between the HTTP handlers and the store: who may see and change a
//! ticket, the priority matrix in force, applying the state machine (with the major-incident
//! cascade and the survey timeout), and turning store refusals into API errors.

pub mod access;
pub mod intake;
pub mod lifecycle;
pub mod matrix;
pub mod refdata;
pub mod sla;

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

/// Every change to a stored ticket goes through here: `f` changes the ticket and says what
/// to record, then the SLA record is brought up to date, all in one transaction.
pub async fn write<F>(
    app: &crate::App,
    id: ventanilla_domain::TicketId,
    expected_version: Option<i64>,
    actor: Option<ventanilla_domain::UserId>,
    f: F,
) -> crate::error::AppResult<ventanilla_domain::ticket::Ticket>
where
    F: FnMut(
        &mut ventanilla_domain::ticket::Ticket,
    ) -> Result<ventanilla_store::tickets::Effects, AppError>,
{
    let ctx = app.refdata.sla(&app.store).await?;
    write_with(app, &ctx, id, expected_version, actor, f).await
}

/// [`write`] with the SLA context already loaded (the SLA scan loads it once per pass).
pub async fn write_with<F>(
    app: &crate::App,
    ctx: &sla::SlaContext,
    id: ventanilla_domain::TicketId,
    expected_version: Option<i64>,
    actor: Option<ventanilla_domain::UserId>,
    mut f: F,
) -> crate::error::AppResult<ventanilla_domain::ticket::Ticket>
where
    F: FnMut(
        &mut ventanilla_domain::ticket::Ticket,
    ) -> Result<ventanilla_store::tickets::Effects, AppError>,
{
    let now = app.now();
    let (ticket, _) = app
        .store
        .tickets()
        .modify(id, expected_version, actor, now, |t| {
            let mut fx = f(t)?;
            let before = t.sla.policy_id;
            let settled = sla::refresh(t, ctx, now);
            sla::after_write(&mut fx, id, before, t, &settled, now);
            Ok::<_, AppError>(fx)
        })
        .await
        .map_err(modify_error)?;
    Ok(ticket)
}
