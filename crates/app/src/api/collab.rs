//! Watchers, CC requesters and merging duplicates (issue 17).

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::{Permission, TicketId, UserId, ValidationError};
use ventanilla_store::collab::{List, Listed};

use super::tickets::{TicketView, view};
use crate::AppState;
use crate::auth::Auth;
pub use crate::desk::collab::PersonRef;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

fn list_of(which: &str) -> List {
    if which == "cc" {
        List::Cc
    } else {
        List::Watchers
    }
}

/// A ticket's watchers (agents who follow it).
#[utoipa::path(get, path = "/tickets/{id}/watchers", tag = "agent work", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Listed>), (status = 404, body = ErrorBody)))]
pub async fn watchers(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Listed>>> {
    Ok(Json(
        crate::desk::collab::list(&state, &auth.caller(), TicketId(id), list_of("watchers"))
            .await?,
    ))
}

/// Adds a watcher (an agent).
#[utoipa::path(post, path = "/tickets/{id}/watchers", tag = "agent work", params(("id" = i64, Path)), request_body = PersonRef,
    responses((status = 200, body = Vec<Listed>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_watcher(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(who): Json<PersonRef>,
) -> AppResult<Json<Vec<Listed>>> {
    Ok(Json(
        crate::desk::collab::add(&state, &auth.caller(), TicketId(id), List::Watchers, &who)
            .await?,
    ))
}

/// Removes a watcher.
#[utoipa::path(delete, path = "/tickets/{id}/watchers/{user_id}", tag = "agent work", params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = Vec<Listed>), (status = 404, body = ErrorBody)))]
pub async fn remove_watcher(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, user)): Path<(i64, i64)>,
) -> AppResult<Json<Vec<Listed>>> {
    Ok(Json(
        crate::desk::collab::remove(
            &state,
            &auth.caller(),
            TicketId(id),
            List::Watchers,
            UserId(user),
        )
        .await?,
    ))
}

/// A ticket's CC list (people told of its public replies).
#[utoipa::path(get, path = "/tickets/{id}/cc", tag = "agent work", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Listed>), (status = 404, body = ErrorBody)))]
pub async fn cc(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Listed>>> {
    Ok(Json(
        crate::desk::collab::list(&state, &auth.caller(), TicketId(id), list_of("cc")).await?,
    ))
}

/// CCs a person (by user id or e-mail of an existing user).
#[utoipa::path(post, path = "/tickets/{id}/cc", tag = "agent work", params(("id" = i64, Path)), request_body = PersonRef,
    responses((status = 200, body = Vec<Listed>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_cc(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(who): Json<PersonRef>,
) -> AppResult<Json<Vec<Listed>>> {
    Ok(Json(
        crate::desk::collab::add(&state, &auth.caller(), TicketId(id), List::Cc, &who).await?,
    ))
}

/// Removes a CC'd person.
#[utoipa::path(delete, path = "/tickets/{id}/cc/{user_id}", tag = "agent work", params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = Vec<Listed>), (status = 404, body = ErrorBody)))]
pub async fn remove_cc(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, user)): Path<(i64, i64)>,
) -> AppResult<Json<Vec<Listed>>> {
    Ok(Json(
        crate::desk::collab::remove(&state, &auth.caller(), TicketId(id), List::Cc, UserId(user))
            .await?,
    ))
}

/// The ticket to merge into, by id or by number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    pub into_id: Option<i64>,
    /// E.g. `INC-000042`.
    pub into_number: Option<String>,
}

/// Merges this ticket (a duplicate) into another: replies and notes copied, attachments,
/// watchers and CC moved, the requester CC'd and told, both timelines say so, and this
/// one cancelled through the state machine. Answers the ticket merged into.
#[utoipa::path(post, path = "/tickets/{id}/merge", tag = "agent work", params(("id" = i64, Path)), request_body = MergeBody,
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<MergeBody>,
) -> AppResult<Json<TicketView>> {
    // Access before the target is looked up: a ticket number is no oracle for whom may
    // not merge.
    auth.require(Permission::TicketsWork)?;
    let into = crate::desk::collab::into_of(
        &state,
        &auth.caller(),
        body.into_id,
        body.into_number.as_deref(),
        "into_number",
    )
    .await?
    .ok_or_else(|| ValidationError::new("into_number", "is required (or into_id)"))?;
    let t = crate::desk::collab::merge_ticket(&state, &auth.caller(), TicketId(id), into).await?;
    Ok(Json(view(&auth, t)))
}
