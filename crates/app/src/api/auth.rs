//! Sign-in, sign-out and "who am I" for the API and the browser.

use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::Scope;
use ventanilla_domain::directory::User;

use crate::AppState;
use crate::auth::session;
use crate::auth::{Auth, AuthMethod, ClientInfo};
use crate::error::{AppResult, ErrorBody};
use crate::extract::Json;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    /// The permission names of the user's role.
    pub permissions: Vec<String>,
    #[schema(value_type = String, example = "group")]
    pub scope: Scope,
    /// For cookie sessions: send it back as `X-CSRF-Token` on every unsafe request.
    pub csrf_token: Option<String>,
    /// For cookie sessions: `full`; `second_factor` when a two-factor code is due
    /// (`POST /users/me/totp/verify`); `enrol` when the role requires two-factor and the
    /// user must enrol first (`/users/me/totp`).
    pub stage: Option<String>,
}

/// Signs in with email and password and starts a session (cookie `ventanilla_session`).
#[utoipa::path(post, path = "/auth/login", tag = "auth", security(()),
    request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    Json(req): Json<LoginRequest>,
) -> AppResult<(CookieJar, Json<Me>)> {
    let (user, started) =
        crate::auth::login::sign_in(&state, &jar, &req.email, req.password, &client).await?;
    let mut me = me_for(&state, user, Some(started.csrf_token)).await?;
    me.stage = Some(started.stage.as_str().to_owned());
    Ok((jar.add(started.cookie), Json(me)))
}

/// Ends the current session.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    auth: Auth,
    jar: CookieJar,
) -> AppResult<(StatusCode, CookieJar)> {
    if let AuthMethod::Session { id_hash, .. } = &auth.method {
        state.store.sessions().delete(id_hash).await?;
    }
    let entry = crate::api::types::audit(&state, &auth, "logout")
        .target("user", Some(auth.user_id().get()));
    state.store.audit().record(&entry).await?;
    Ok((StatusCode::NO_CONTENT, jar.add(session::removal(&state))))
}

/// The signed-in user, their permissions and (for sessions) the CSRF token.
#[utoipa::path(get, path = "/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Me>> {
    let (csrf, stage) = match auth.method {
        AuthMethod::Session {
            csrf_token, stage, ..
        } => (Some(csrf_token), Some(stage)),
        AuthMethod::Token(_) => (None, None),
    };
    let mut me = me_for(&state, auth.actor.user_id, csrf).await?;
    me.stage = stage;
    Ok(Json(me))
}

async fn me_for(
    state: &AppState,
    user: ventanilla_domain::UserId,
    csrf_token: Option<String>,
) -> AppResult<Me> {
    let user = state.store.users().get(user).await?;
    let role = state.store.roles().get(user.role_id).await?;
    Ok(Me {
        user,
        permissions: role
            .permissions
            .iter()
            .map(|p| p.name().to_owned())
            .collect(),
        scope: role.scope,
        csrf_token,
        stage: None,
    })
}
