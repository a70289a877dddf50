//! `/webhooks`: outbound webhook subscriptions and their delivery logs (administrators).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use ventanilla_store::webhooks::{Delivery, Webhook};

use crate::AppState;
use crate::auth::Auth;
use crate::desk::webhooks::{self, CreateWebhook, CreatedWebhook};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

/// Subscribes a URL to ticket events; the signing secret is in the answer, once.
#[utoipa::path(post, path = "/webhooks", tag = "events", request_body = CreateWebhook,
    responses((status = 201, body = CreatedWebhook), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateWebhook>,
) -> AppResult<(StatusCode, Json<CreatedWebhook>)> {
    let created = webhooks::create_webhook(&state, &auth.caller(), &req).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Lists webhooks (never their secrets).
#[utoipa::path(get, path = "/webhooks", tag = "events",
    responses((status = 200, body = Vec<Webhook>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Webhook>>> {
    Ok(Json(webhooks::list_webhooks(&state, &auth.caller()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Deliveries older than this id (the next page).
    pub before: Option<i64>,
}

/// A webhook's delivery log, newest first, 100 a page.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "events",
    params(("id" = i64, Path), DeliveriesQuery),
    responses((status = 200, body = Vec<Delivery>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deliveries(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<DeliveriesQuery>,
) -> AppResult<Json<Vec<Delivery>>> {
    Ok(Json(
        webhooks::list_deliveries(&state, &auth.caller(), id, q.before).await?,
    ))
}
