//! Canned responses and macros (issue 17): an agent's snippets (personal or shared, es/en,
//! with variables), a snippet filled in for a ticket, and macros applied to a ticket.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use ventanilla_domain::TicketId;
use ventanilla_store::canned::{Canned, Macro};

use super::tickets::{TicketView, view};
use crate::AppState;
use crate::auth::Auth;
pub use crate::desk::canned::{CannedInput, MacroInput};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path};

/// The caller's canned responses and the shared ones.
#[utoipa::path(get, path = "/canned-responses", tag = "agent work",
    responses((status = 200, body = Vec<Canned>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Canned>>> {
    Ok(Json(
        crate::desk::canned::list_canned(&state, &auth.caller()).await?,
    ))
}

/// Saves a canned response (shared ones: supervisors and administrators). An unknown
/// `{{variable}}` is refused on `body`.
#[utoipa::path(post, path = "/canned-responses", tag = "agent work", request_body = CannedInput,
    responses((status = 201, body = Canned), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CannedInput>,
) -> AppResult<(StatusCode, Json<Canned>)> {
    let c = crate::desk::canned::create_canned(&state, &auth.caller(), &req).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Replaces a canned response (the owner's, or a shared one by a supervisor).
#[utoipa::path(put, path = "/canned-responses/{id}", tag = "agent work", params(("id" = i64, Path)), request_body = CannedInput,
    responses((status = 200, body = Canned), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<CannedInput>,
) -> AppResult<Json<Canned>> {
    Ok(Json(
        crate::desk::canned::update_canned(&state, &auth.caller(), id, &req).await?,
    ))
}

/// Deletes a canned response.
#[utoipa::path(delete, path = "/canned-responses/{id}", tag = "agent work", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    crate::desk::canned::delete_canned(&state, &auth.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A canned response filled in for a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedCanned {
    pub text: String,
}

/// A canned response with its variables filled in for one ticket (to insert into a reply).
#[utoipa::path(get, path = "/tickets/{id}/canned-responses/{canned_id}", tag = "agent work",
    params(("id" = i64, Path), ("canned_id" = i64, Path)),
    responses((status = 200, body = RenderedCanned), (status = 404, body = ErrorBody)))]
pub async fn rendered(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, canned_id)): Path<(i64, i64)>,
) -> AppResult<Json<RenderedCanned>> {
    let text =
        crate::desk::canned::render_canned(&state, &auth.caller(), TicketId(id), canned_id).await?;
    Ok(Json(RenderedCanned { text }))
}

/// The macros agents may apply.
#[utoipa::path(get, path = "/macros", tag = "agent work",
    responses((status = 200, body = Vec<Macro>), (status = 403, body = ErrorBody)))]
pub async fn list_macros(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Macro>>> {
    Ok(Json(
        crate::desk::canned::list_macros(&state, &auth.caller()).await?,
    ))
}

/// Saves a macro (administrators).
#[utoipa::path(post, path = "/macros", tag = "agent work", request_body = MacroInput,
    responses((status = 201, body = Macro), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_macro(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<MacroInput>,
) -> AppResult<(StatusCode, Json<Macro>)> {
    let m = crate::desk::canned::create_macro(&state, &auth.caller(), &req).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Applies a macro: category, public reply, internal note, then a move, each through its
/// own rules. The first step refused answers with that step's error; the steps before it
/// stay done (each on the timeline).
#[utoipa::path(post, path = "/tickets/{id}/macros/{macro_id}", tag = "agent work",
    params(("id" = i64, Path), ("macro_id" = i64, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, macro_id)): Path<(i64, i64)>,
) -> AppResult<Json<TicketView>> {
    match crate::desk::canned::apply_macro(&state, &auth.caller(), TicketId(id), macro_id).await? {
        Ok(t) => Ok(Json(view(&auth, t))),
        Err(refusal) => {
            tracing::info!(step = refusal.step, applied = ?refusal.applied, "macro step refused");
            Err(AppError::from(refusal.error))
        }
    }
}
