//! The service model's steps through the API: moving to a status, the requester's answer in
//! validation, and the satisfaction rating in survey (`desk::tickets::moves`).

use axum::extract::State;
use axum::http::HeaderMap;
use ventanilla_domain::TicketId;

use super::{TicketView, etag, if_match, view};
use crate::AppState;
use crate::auth::Auth;
pub use crate::desk::tickets::{ConfirmationBody, SurveyBody, TransitionBody};
use crate::desk::tickets::{confirm_solution, move_ticket, rate_ticket};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

/// Moves the ticket to another status, if the service model allows it for the caller.
#[utoipa::path(post, path = "/tickets/{id}/transitions", tag = "tickets", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The ETag of the version read (`\"7\"`, `W/\"7\"`) or `*`; any other value matches no version (412)")),
    request_body = TransitionBody,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<TransitionBody>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let expected = if_match(&headers)?;
    let (to, fields) = body.command()?;
    let ticket = move_ticket(&state, &auth.caller(), TicketId(id), expected, to, fields).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// The requester's answer to "is service back to normal?" while the ticket is in
/// validation: yes moves it to the survey, no sends it back to analysis as a reopening.
#[utoipa::path(post, path = "/tickets/{id}/confirmation", tag = "tickets", params(("id" = i64, Path)),
    request_body = ConfirmationBody,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn confirmation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<ConfirmationBody>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let cmd = body.command()?;
    let ticket = confirm_solution(&state, &auth.caller(), TicketId(id), &cmd).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// The requester's satisfaction rating while the ticket is in survey; moves it to review.
#[utoipa::path(post, path = "/tickets/{id}/survey", tag = "tickets", params(("id" = i64, Path)),
    request_body = SurveyBody,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn survey(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<SurveyBody>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let cmd = body.command()?;
    let ticket = rate_ticket(&state, &auth.caller(), TicketId(id), &cmd).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}
