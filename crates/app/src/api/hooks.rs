//! Automation hooks (issue 13): a category's hook (administrators), a ticket's calls and a
//! supervisor's approval (staff), and the callback an automation reports its result to with
//! the one-time token of its call (no account: the token is the credential). Handlers only
//! translate; `desk::hooks` does the work.

use axum::extract::State;
use axum::http::StatusCode;
use ventanilla_domain::TicketId;
use ventanilla_store::hooks::{CategoryHook, HookCall};

use crate::AppState;
use crate::auth::Auth;
use crate::desk::hooks::{self, Decision, HookInput, HookResult, ResultError};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path};

/// Every category's automation hook (administrators).
#[utoipa::path(get, path = "/category-hooks", tag = "events",
    responses((status = 200, body = Vec<CategoryHook>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<CategoryHook>>> {
    Ok(Json(hooks::list_hooks(&state, &auth.caller()).await?))
}

/// Sets a category's automation hook (administrators).
#[utoipa::path(put, path = "/categories/{id}/hook", tag = "events", params(("id" = i64, Path)),
    request_body = HookInput,
    responses((status = 200, body = CategoryHook), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<HookInput>,
) -> AppResult<Json<CategoryHook>> {
    Ok(Json(
        hooks::put_hook(&state, &auth.caller(), id, &req).await?,
    ))
}

/// Removes a category's automation hook (administrators).
#[utoipa::path(delete, path = "/categories/{id}/hook", tag = "events", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    hooks::delete_hook(&state, &auth.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A ticket's automation calls, oldest first (staff who may see the ticket).
#[utoipa::path(get, path = "/tickets/{id}/hook-calls", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HookCall>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn calls(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<HookCall>>> {
    Ok(Json(
        hooks::calls_of(&state, &auth.caller(), TicketId(id)).await?,
    ))
}

/// Approves (the automation is called) or rejects (a comment says why) a request waiting
/// for approval (supervisors, within their scope).
#[utoipa::path(post, path = "/tickets/{id}/approval", tag = "tickets", params(("id" = i64, Path)),
    request_body = Decision,
    responses((status = 200, body = HookCall), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approval(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<Decision>,
) -> AppResult<Json<HookCall>> {
    Ok(Json(
        hooks::decide(&state, &auth.caller(), TicketId(id), &req).await?,
    ))
}

/// An automation reports its result with its call's token (`callback.token` of the call).
/// An unknown token is 401; a call already reported is 409 `hook_call_finished`.
#[utoipa::path(post, path = "/hook-calls/result", tag = "events", request_body = HookResult,
    responses((status = 200, body = HookCall), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn result(
    State(state): State<AppState>,
    Json(req): Json<HookResult>,
) -> AppResult<Json<HookCall>> {
    match hooks::report_result(&state, &req).await {
        Ok(call) => Ok(Json(call)),
        Err(ResultError::UnknownToken) => Err(AppError::Unauthenticated),
        Err(ResultError::Desk(e)) => Err(e.into()),
    }
}
