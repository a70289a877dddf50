//! The timeline (SPEC C4) through the API: adding public replies, internal notes and time
//! spent (`desk::tickets::add_action`), and reading the timeline — without internal entries
//! for those who may not see them.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use ventanilla_domain::TicketId;
use ventanilla_domain::ticket::TicketEvent;

use super::{TicketView, etag, view};
use crate::AppState;
use crate::auth::Auth;
use crate::desk::tickets::add_action;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

pub use crate::desk::tickets::ActionBody;
pub use crate::desk::tickets::actions::MAX_MINUTES;

/// Adds a reply or an internal note, with the time spent. A requester may only reply; their
/// reply to a ticket on hold resumes it.
#[utoipa::path(post, path = "/tickets/{id}/actions", tag = "tickets", params(("id" = i64, Path)), request_body = ActionBody,
    responses((status = 201, body = TicketView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<ActionBody>,
) -> AppResult<(StatusCode, HeaderMap, Json<TicketView>)> {
    let cmd = req.command()?;
    let ticket = add_action(&state, &auth.caller(), TicketId(id), &cmd).await?;
    Ok((
        StatusCode::CREATED,
        etag(&ticket),
        Json(view(&auth, ticket)),
    ))
}

/// The timeline in order. Requesters see public entries only, without minutes spent,
/// internal status codes (status changes in their own words) or other field changes.
#[utoipa::path(get, path = "/tickets/{id}/actions", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TicketEvent>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<TicketEvent>>> {
    Ok(Json(
        crate::desk::tickets::timeline::timeline(&state, &auth.caller(), TicketId(id)).await?,
    ))
}
