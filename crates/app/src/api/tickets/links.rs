//! Parent and child links (SPEC C9): related incidents are linked under a major incident
//! and are resolved and closed with it.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::EventKind;
use ventanilla_domain::{Permission, TicketId, ValidationError};
use ventanilla_store::tickets::{Effects, NewEvent};

use super::update::guard_agent_change;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::tickets::access;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    pub child_id: i64,
}

/// Links a ticket under this one.
#[utoipa::path(post, path = "/tickets/{id}/children", tag = "tickets", params(("id" = i64, Path)), request_body = LinkBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<LinkBody>,
) -> AppResult<StatusCode> {
    link_child(&state, &auth, TicketId(id), &req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Links `req.child_id` under `id`, for the API and the web alike.
pub async fn link_child(
    state: &AppState,
    auth: &Auth,
    id: TicketId,
    req: &LinkBody,
) -> AppResult<()> {
    let parent = access::load(state, auth, id).await?;
    auth.require(Permission::TicketsWork)?;
    let child = access::load(state, auth, TicketId(req.child_id))
        .await
        .map_err(|e| {
            if matches!(e, AppError::NotFound) {
                ValidationError::new("child_id", "does not exist").into()
            } else {
                e
            }
        })?;
    if child.id == parent.id {
        return Err(ValidationError::new("child_id", "a ticket cannot be its own child").into());
    }
    if parent.parent_id.is_some() {
        return Err(ValidationError::new(
            "child_id",
            "the parent is itself linked under another ticket",
        )
        .into());
    }
    if !state.store.tickets().children(child.id).await?.is_empty() {
        return Err(ValidationError::new("child_id", "the ticket has children of its own").into());
    }
    if parent.status.is_terminal() {
        return Err(crate::tickets::ticket_closed());
    }
    crate::tickets::write(state, child.id, None, Some(auth.user_id()), |t| {
        guard_agent_change(t.status)?;
        match t.parent_id {
            Some(p) if p == parent.id => Ok(Effects::default()),
            Some(_) => Err(AppError::Conflict(
                "the ticket is already linked under another ticket".into(),
            )),
            None => {
                t.parent_id = Some(parent.id);
                let mut e = NewEvent::new(EventKind::Link, false)
                    .body(format!("linked under {}", parent.number));
                e.field = Some("parent_id".into());
                e.new_value = Some(parent.id.to_string());
                Ok(Effects::default().event(e))
            }
        }
    })
    .await?;
    let note =
        NewEvent::new(EventKind::Link, false).body(format!("{} linked as a child", child.number));
    crate::tickets::write(state, parent.id, None, Some(auth.user_id()), |_| {
        Ok::<_, AppError>(Effects::default().event(note.clone()))
    })
    .await?;
    Ok(())
}

/// Unlinks a child.
#[utoipa::path(delete, path = "/tickets/{id}/children/{child_id}", tag = "tickets", params(("id" = i64, Path), ("child_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn unlink(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, child_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    let parent = access::load(&state, &auth, TicketId(id)).await?;
    auth.require(Permission::TicketsWork)?;
    let child = access::load(&state, &auth, TicketId(child_id)).await?;
    if child.parent_id != Some(parent.id) {
        return Err(AppError::NotFound);
    }
    crate::tickets::write(&state, child.id, None, Some(auth.user_id()), |t| {
        t.parent_id = None;
        let mut e =
            NewEvent::new(EventKind::Link, false).body(format!("unlinked from {}", parent.number));
        e.field = Some("parent_id".into());
        e.old_value = Some(parent.id.to_string());
        Ok::<_, AppError>(Effects::default().event(e))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
