//! Sign-in, sign-out and "who am I" for the API and the browser.

use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::directory::User;
use ventanilla_domain::{Email, Scope};
use ventanilla_store::StoreError;
use ventanilla_store::audit::NewAudit;

use crate::AppState;
use crate::auth::session::{self, SESSION_COOKIE};
use crate::auth::{Auth, AuthMethod, ClientInfo, secret, throttle};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::Json;

#[derive(Debug, Deserialize, ToSchema)]
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
    throttle::check(&state, &req.email, &client).await?;
    let email = Email::parse(&req.email).ok();
    let creds = match &email {
        Some(e) => match state.store.users().credentials(e).await {
            Ok(c) => Some(c),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let hash = creds
        .as_ref()
        .filter(|c| c.active)
        .and_then(|c| c.password_hash.clone());
    let ok = state.passwords.verify(req.password, hash).await?;
    let now = state.now();
    let Some(creds) = creds.filter(|_| ok) else {
        throttle::failed(&state, &req.email, &client).await?;
        let entry = NewAudit::new(now, None, "login.failed", client.ip_string()).detail(
            serde_json::json!({ "email": req.email.trim().chars().take(254).collect::<String>() }),
        );
        state.store.audit().record(&entry).await?;
        return Err(AppError::BadCredentials);
    };
    throttle::succeeded(&state, &req.email).await?;
    // Rotate: whatever session the browser had is ended, and a fresh id is issued.
    if let Some(old) = jar.get(SESSION_COOKIE) {
        state
            .store
            .sessions()
            .delete(&secret::hash(old.value()))
            .await?;
    }
    let started = session::start(&state, creds.user_id, &client).await?;
    let entry = NewAudit::new(now, Some(creds.user_id), "login", client.ip_string())
        .target("user", Some(creds.user_id.get()))
        .detail(serde_json::json!({ "user_agent": client.user_agent }));
    state.store.audit().record(&entry).await?;
    let me = me_for(&state, creds.user_id, Some(started.csrf_token)).await?;
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
    let csrf = match auth.method {
        AuthMethod::Session { csrf_token, .. } => Some(csrf_token),
        AuthMethod::Token(_) => None,
    };
    Ok(Json(me_for(&state, auth.actor.user_id, csrf).await?))
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
    })
}
