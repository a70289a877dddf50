//! `/rules`: classification and automation rules and their preview (administrators).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Auth;
use crate::desk::rules::{self, Conditions, Preview, RuleInput, RuleView};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

/// Every rule in the order they apply; broken ones name what they lost.
#[utoipa::path(get, path = "/rules", tag = "events",
    responses((status = 200, body = Vec<RuleView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<RuleView>>> {
    Ok(Json(rules::list_rules(&state, &auth.caller()).await?))
}

/// Creates a rule.
#[utoipa::path(post, path = "/rules", tag = "events", request_body = RuleInput,
    responses((status = 201, body = RuleView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<RuleInput>,
) -> AppResult<(StatusCode, Json<RuleView>)> {
    let r = rules::create_rule(&state, &auth.caller(), &req).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Replaces a rule.
#[utoipa::path(put, path = "/rules/{id}", tag = "events", params(("id" = i64, Path)), request_body = RuleInput,
    responses((status = 200, body = RuleView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<RuleInput>,
) -> AppResult<Json<RuleView>> {
    Ok(Json(
        rules::update_rule(&state, &auth.caller(), id, &req).await?,
    ))
}

/// Deletes a rule.
#[utoipa::path(delete, path = "/rules/{id}", tag = "events", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    rules::delete_rule(&state, &auth.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    pub conditions: Conditions,
}

/// Tries conditions against the last 1,000 tickets.
#[utoipa::path(post, path = "/rules/preview", tag = "events", request_body = PreviewBody,
    responses((status = 200, body = Preview), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<PreviewBody>,
) -> AppResult<Json<Preview>> {
    Ok(Json(
        rules::preview_rule(&state, &auth.caller(), &req.conditions).await?,
    ))
}
