//! `PATCH /tickets/{id}`: JSON → `desk::tickets::patch_ticket` → the ticket view. Every
//! change is written to the timeline with its old and new value; `If-Match` makes
//! concurrent edits safe.

use axum::extract::State;
use axum::http::HeaderMap;
use ventanilla_domain::TicketId;

use super::{TicketView, etag, if_match, view};
use crate::AppState;
use crate::auth::Auth;
pub use crate::desk::tickets::UpdateTicket;
use crate::desk::tickets::patch_ticket;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

/// Changes a ticket. Staff only; refused while the requester validates (409
/// `validation_locked`) and once closed or cancelled (409 `ticket_closed`). An assignee must
/// be a member of the ticket's group (422 on `assignee_id`); moving the ticket to a group
/// its assignee is not in unassigns it.
#[utoipa::path(patch, path = "/tickets/{id}", tag = "tickets", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The ETag of the version read (`\"7\"`, `W/\"7\"`) or `*`; any other value matches no version (412)")),
    request_body = UpdateTicket,
    responses((status = 200, body = TicketView), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(req): Json<UpdateTicket>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let expected = if_match(&headers)?;
    let cmd = req.command()?;
    let ticket = patch_ticket(&state, &auth.caller(), TicketId(id), expected, &cmd).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}
