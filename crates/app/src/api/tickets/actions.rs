//! The timeline (SPEC C4): public replies, internal notes and time spent, and reading the
//! timeline — without internal entries for those who may not see them.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{
    ActorKind, BODY_MAX, EventKind, Status, Ticket, TicketEvent, TransitionRequest, transition_with,
};
use ventanilla_domain::{Permission, Text, TicketId, ValidationError};
use ventanilla_store::tickets::{Effects, NewEvent};

use super::update::guard_agent_change;
use super::{TicketView, etag, view};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::tickets::{access, lifecycle, ticket_closed, transition_error};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// `reply` (public, the requester sees it) or `note` (internal).
    pub kind: String,
    pub body: String,
    /// Time spent, in minutes (staff only).
    pub minutes: Option<i64>,
}

pub const MAX_MINUTES: i64 = 24 * 60;

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
    let ticket = add_action(&state, &auth, TicketId(id), &req).await?;
    Ok((
        StatusCode::CREATED,
        etag(&ticket),
        Json(view(&auth, ticket)),
    ))
}

/// Adds a reply, a note or time spent for the API and the web alike.
pub async fn add_action(
    state: &AppState,
    auth: &Auth,
    id: TicketId,
    req: &ActionBody,
) -> AppResult<Ticket> {
    let ticket = access::load(state, auth, id).await?;
    let staff = auth.actor.can(Permission::TicketsWork);
    let kind = match req.kind.as_str() {
        "reply" => EventKind::Reply,
        "note" if staff => EventKind::Note,
        "note" => return Err(AppError::Forbidden),
        _ => return Err(ValidationError::new("kind", "must be reply or note").into()),
    };
    if !staff && ticket.requester_id != auth.user_id() {
        return Err(AppError::Forbidden);
    }
    let body = Text::parse("body", &req.body, BODY_MAX)?;
    let minutes = match req.minutes {
        None | Some(0) => None,
        Some(_) if !staff => {
            return Err(ValidationError::new("minutes", "only staff log time").into());
        }
        Some(m) if (1..=MAX_MINUTES).contains(&m) => Some(m),
        Some(_) => {
            return Err(ValidationError::new(
                "minutes",
                format!("must be from 0 to {MAX_MINUTES}"),
            )
            .into());
        }
    };
    let now = state.now();
    let close = state.config.tickets.close_requirements;
    let ticket = crate::tickets::write(state, ticket.id, None, Some(auth.user_id()), |t| {
        if staff {
            guard_agent_change(t.status)?;
        } else if t.status.is_terminal() {
            return Err(ticket_closed());
        }
        let mut fx = Effects::default().event(
            NewEvent::new(kind, kind == EventKind::Reply)
                .body(body.as_str())
                .minutes(minutes),
        );
        if staff && kind == EventKind::Reply && t.first_response_at.is_none() {
            t.first_response_at = Some(now);
        }
        if !staff && t.status == Status::Pending {
            // The requester answered what the desk was waiting for: resume.
            let to = lifecycle::lifecycle_of(t).resume_target();
            let tr = transition_with(
                &lifecycle::lifecycle_of(t),
                &TransitionRequest::move_to(to),
                ActorKind::System,
                &close,
            )
            .map_err(transition_error)?;
            fx.events.push(lifecycle::apply_to(t, &tr, now));
        }
        Ok::<_, AppError>(fx)
    })
    .await?;
    Ok(ticket)
}

/// The timeline in order. Requesters see public entries only.
#[utoipa::path(get, path = "/tickets/{id}/actions", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TicketEvent>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<TicketEvent>>> {
    let ticket = access::load(&state, &auth, TicketId(id)).await?;
    let public_only = !access::sees_internal(&auth);
    Ok(Json(
        state.store.tickets().events(ticket.id, public_only).await?,
    ))
}
