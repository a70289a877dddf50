//! Suggested classification: a ticket's suggestion and its one-step acceptance (agents),
//! the model in force and retraining (administrators).

use axum::extract::State;
use axum::http::StatusCode;
use ventanilla_domain::TicketId;
use ventanilla_domain::ticket::Ticket;
use ventanilla_store::classifier::ModelInfo;

use crate::AppState;
use crate::auth::Auth;
use crate::desk::classifier::{self, Suggestion};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

/// The category and group the model suggests for a ticket, with their confidence.
#[utoipa::path(get, path = "/tickets/{id}/suggestion", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = Suggestion), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn suggestion(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Suggestion>> {
    Ok(Json(
        classifier::suggest_for(&state, &auth.caller(), TicketId(id)).await?,
    ))
}

/// Accepts the suggestion: sets the suggested category and group.
#[utoipa::path(post, path = "/tickets/{id}/suggestion", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = Ticket), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Ticket>> {
    Ok(Json(
        classifier::accept_suggestion(&state, &auth.caller(), TicketId(id)).await?,
    ))
}

/// The model in force: when trained, on how many tickets, held-out accuracy (per 10,000).
#[utoipa::path(get, path = "/classifier", tag = "events",
    responses((status = 200, body = Option<ModelInfo>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn info(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Option<ModelInfo>>> {
    Ok(Json(classifier::model_info(&state, &auth.caller()).await?))
}

/// Queues a retraining.
#[utoipa::path(post, path = "/classifier/training", tag = "events",
    responses((status = 202), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn train(State(state): State<AppState>, auth: Auth) -> AppResult<StatusCode> {
    classifier::request_training(&state, &auth.caller()).await?;
    Ok(StatusCode::ACCEPTED)
}
