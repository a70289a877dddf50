//! Escalation (SPEC C5) and major incidents (C9) through the API: JSON →
//! `desk::tickets::{escalate_ticket, set_major}` → the ticket view.

use axum::extract::State;
use axum::http::HeaderMap;
use ventanilla_domain::{Permission, TicketId};

use super::{TicketView, etag, if_match, view};
use crate::AppState;
use crate::auth::Auth;
pub use crate::desk::tickets::{EscalationBody, MajorBody};
use crate::desk::tickets::{escalate_ticket, set_major};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

/// Escalates a ticket functionally (to a group of a higher tier, whose members are told) or
/// hierarchically (the supervisors are told).
#[utoipa::path(post, path = "/tickets/{id}/escalations", tag = "tickets", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The ETag of the version read (`\"7\"`, `W/\"7\"`) or `*`; any other value matches no version (412)")),
    request_body = EscalationBody,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn escalate(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(req): Json<EscalationBody>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    // Access before the body is judged: no refusal of a value to whom may not escalate.
    auth.require(Permission::TicketsWork)?;
    let expected = if_match(&headers)?;
    let cmd = req.command()?;
    let ticket = escalate_ticket(&state, &auth.caller(), TicketId(id), expected, &cmd).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// Flags or unflags a major incident. Flagging raises the urgency to high (the priority
/// follows unless overridden) and notifies the supervisors.
#[utoipa::path(post, path = "/tickets/{id}/major", tag = "tickets", params(("id" = i64, Path)), request_body = MajorBody,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn major(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<MajorBody>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let cmd = req.command()?;
    let ticket = set_major(&state, &auth.caller(), TicketId(id), &cmd).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}
