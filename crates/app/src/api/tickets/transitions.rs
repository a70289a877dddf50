//! The service model's steps through the API: moving to a status, the requester's answer in
//! validation, and the satisfaction rating in survey.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{EventKind, Status, Ticket, TransitionFields, TransitionRequest};
use ventanilla_domain::{Text, TicketId, ValidationError};
use ventanilla_store::tickets::NewEvent;

use super::{TicketView, etag, if_match, view};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::tickets::{access, lifecycle};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// The status to move to, e.g. `analysis`, `solution`, `validation`, `pending`, `closed`.
    pub to: String,
    /// Why: needed to put on hold, cancel, reopen from review or act for the requester.
    pub reason: Option<String>,
    /// Needed to move to validation and to close.
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
    /// A note kept with the step (e.g. a handover).
    pub summary: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationBody {
    /// Is service back to normal?
    pub solved: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyBody {
    /// 1 (poor) to 5 (excellent).
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    pub comment: Option<String>,
}

fn opt(field: &str, v: &Option<String>, max: usize) -> AppResult<Option<Text>> {
    Ok(Text::parse_optional(field, v.as_deref(), max)?)
}

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
    let ticket = move_to(&state, &auth, TicketId(id), if_match(&headers)?, &body).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// Moves a ticket for the API and the web alike, if the service model allows it.
pub async fn move_to(
    state: &AppState,
    auth: &Auth,
    id: TicketId,
    expected: Option<i64>,
    body: &TransitionBody,
) -> AppResult<Ticket> {
    let ticket = access::load(state, auth, id).await?;
    let to: Status = body
        .to
        .parse()
        .map_err(|_| ValidationError::new("to", "is not a ticket status"))?;
    let by = access::actor_kind_for(auth, &ticket, to).ok_or(AppError::Forbidden)?;
    let request = TransitionRequest::MoveTo {
        to,
        fields: TransitionFields {
            reason: opt("reason", &body.reason, 4000)?,
            resolution_code: opt("resolution_code", &body.resolution_code, 100)?,
            resolution: opt("resolution", &body.resolution, 100_000)?,
            summary: opt("summary", &body.summary, 100_000)?,
        },
    };
    lifecycle::apply(
        state,
        ticket.id,
        expected,
        Some(auth.user_id()),
        by,
        &request,
        |_| Vec::new(),
    )
    .await
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
    let ticket = confirm(&state, &auth, TicketId(id), &body).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// Records the requester's answer in validation, for the API and the web alike.
pub async fn confirm(
    state: &AppState,
    auth: &Auth,
    id: TicketId,
    body: &ConfirmationBody,
) -> AppResult<Ticket> {
    let ticket = access::load(state, auth, id).await?;
    let by = access::requester_or_supervisor(auth, &ticket).ok_or(AppError::Forbidden)?;
    let comment = opt("comment", &body.comment, 4000)?;
    let request = TransitionRequest::Confirm {
        solved: body.solved,
        reason: comment.clone(),
    };
    let answer = if body.solved { "yes" } else { "no" };
    lifecycle::apply(
        state,
        ticket.id,
        None,
        Some(auth.user_id()),
        by,
        &request,
        |_| {
            let mut e = NewEvent::new(EventKind::Confirmation, true);
            e.new_value = Some(answer.into());
            e.body = comment.as_ref().map(|c| c.to_string());
            vec![e]
        },
    )
    .await
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
    let ticket = rate(&state, &auth, TicketId(id), &body).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// Records the satisfaction rating in survey, for the API and the web alike.
pub async fn rate(
    state: &AppState,
    auth: &Auth,
    id: TicketId,
    body: &SurveyBody,
) -> AppResult<Ticket> {
    let ticket = access::load(state, auth, id).await?;
    let by = access::requester_or_supervisor(auth, &ticket).ok_or(AppError::Forbidden)?;
    let rating = u8::try_from(body.rating)
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| ValidationError::new("rating", "must be from 1 to 5"))?;
    let comment = opt("comment", &body.comment, 4000)?;
    // A supervisor rating for the requester must say so; the comment is that reason.
    let reason = if by == ventanilla_domain::ticket::ActorKind::Supervisor {
        comment.clone()
    } else {
        None
    };
    let request = TransitionRequest::MoveTo {
        to: Status::Review,
        fields: TransitionFields {
            reason,
            ..TransitionFields::default()
        },
    };
    let request = if by == ventanilla_domain::ticket::ActorKind::Requester {
        TransitionRequest::SurveySubmitted
    } else {
        request
    };
    lifecycle::apply(
        state,
        ticket.id,
        None,
        Some(auth.user_id()),
        by,
        &request,
        |t| {
            t.rating = Some(rating);
            t.rating_comment = comment.as_ref().map(|c| c.to_string());
            let mut e = NewEvent::new(EventKind::Survey, true);
            e.new_value = Some(rating.to_string());
            e.body = comment.as_ref().map(|c| c.to_string());
            vec![e]
        },
    )
    .await
}
