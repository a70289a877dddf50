//! `/tokens`: personal API tokens. The secret is shown once at creation and stored hashed.

pub use crate::desk::directory::tokens::issue_token as issue;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::SignedDuration;
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::{Permission, Text, TokenId, ValidationError};
use ventanilla_store::tokens::ApiToken;

use super::types::{CreatedToken, audit};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// What the token is for, e.g. "monitoring".
    pub name: String,
    /// Days until the token expires, 1 to 3,650; none for a token that lives until revoked.
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

/// Lists the caller's tokens (never their secrets).
#[utoipa::path(get, path = "/tokens", tag = "access",
    responses((status = 200, body = Vec<ApiToken>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<ApiToken>>> {
    Ok(Json(state.store.tokens().list_for(auth.user_id()).await?))
}

/// Creates a token for the caller.
#[utoipa::path(post, path = "/tokens", tag = "access", request_body = CreateToken,
    responses((status = 201, body = CreatedToken), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateToken>,
) -> AppResult<(StatusCode, Json<CreatedToken>)> {
    auth.require(Permission::TokensCreate)?;
    let name = Text::parse("name", &req.name, 100)?;
    let now = state.now();
    let expires_at = match req.expires_in_days {
        Some(d) if !(1..=3650).contains(&d) => {
            return Err(ValidationError::new("expires_in_days", "must be 1 to 3650").into());
        }
        Some(d) => Some(
            now.checked_add(SignedDuration::from_hours(24 * i64::from(d)))
                .map_err(AppError::internal)?,
        ),
        None => None,
    };
    outlives_parent(&state, &auth, expires_at).await?;
    let created = issue(&state, auth.user_id(), name.as_str(), expires_at).await?;
    let entry = audit(&state, &auth, "token.create")
        .target("token", Some(created.info.id.get()))
        .detail(serde_json::json!({ "name": created.info.name, "prefix": created.info.prefix }));
    state.store.audit().record(&entry).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A token cannot outlive the token that creates it: otherwise a stolen one-day token
/// could mint itself a never-expiring one. Refused (422) rather than shortened, so the
/// caller learns the expiry it gets. Tokens made from a browser session (which has a
/// password behind it) may live until revoked.
async fn outlives_parent(
    state: &AppState,
    auth: &Auth,
    expires_at: Option<jiff::Timestamp>,
) -> AppResult<()> {
    let crate::auth::AuthMethod::Token(parent) = &auth.method else {
        return Ok(());
    };
    let parent = state.store.tokens().get(*parent).await?;
    match (parent.expires_at, expires_at) {
        (Some(limit), None) => Err(ValidationError::new(
            "expires_in_days",
            format!("must be given: the token used expires at {limit}"),
        )
        .into()),
        (Some(limit), Some(wanted)) if wanted > limit => Err(ValidationError::new(
            "expires_in_days",
            format!("must not outlive the token used, which expires at {limit}"),
        )
        .into()),
        _ => Ok(()),
    }
}

/// Revokes a token: one's own, or anyone's with `users.manage`.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "access", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let token = state.store.tokens().get(TokenId(id)).await?;
    if token.user_id != auth.user_id() && !auth.actor.can(Permission::UsersManage) {
        // Someone else's token is not the caller's business, not even its existence.
        return Err(AppError::NotFound);
    }
    state.store.tokens().revoke(token.id, state.now()).await?;
    let entry = audit(&state, &auth, "token.revoke")
        .target("token", Some(id))
        .detail(serde_json::json!({ "user_id": token.user_id }));
    state.store.audit().record(&entry).await?;
    Ok(StatusCode::NO_CONTENT)
}
