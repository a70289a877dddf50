//! Parent and child links (SPEC C9) through the API (`desk::tickets::links`): related
//! incidents are linked under a major incident and are resolved and closed with it.

use axum::extract::State;
use axum::http::StatusCode;
use ventanilla_domain::TicketId;

use crate::AppState;
use crate::auth::Auth;
pub use crate::desk::tickets::LinkBody;
use crate::desk::tickets::{link_child, unlink_child};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

/// Links a ticket under this one.
#[utoipa::path(post, path = "/tickets/{id}/children", tag = "tickets", params(("id" = i64, Path)), request_body = LinkBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<LinkBody>,
) -> AppResult<StatusCode> {
    link_child(&state, &auth.caller(), TicketId(id), TicketId(req.child_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlinks a child.
#[utoipa::path(delete, path = "/tickets/{id}/children/{child_id}", tag = "tickets", params(("id" = i64, Path), ("child_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn unlink(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, child_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    unlink_child(&state, &auth.caller(), TicketId(id), TicketId(child_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
