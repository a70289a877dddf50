//! Identity endpoints (issue 19): two-factor enrolment and verification under
//! `/users/me/totp`, one's own sessions, an administrator's view and end of a user's
//! sessions and reset of their two-factor, and re-authentication.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::UserId;
use ventanilla_store::sessions::SessionSummary;

use crate::AppState;
use crate::auth::{Auth, ClientInfo};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::identity::totp::{Enrolment, RecoveryCodes, TotpStatus};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// Six digits from the authenticator app, or (to verify a sign-in) a recovery code.
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verified {
    /// `code` or `recovery_code`.
    pub method: String,
    /// Unused recovery codes left.
    pub recovery_codes_left: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReauthRequest {
    pub password: Option<String>,
    /// A two-factor code instead of the password.
    pub code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ended {
    /// How many sessions ended.
    pub ended: u64,
}

/// The caller's two-factor settings.
#[utoipa::path(get, path = "/users/me/totp", tag = "identity",
    responses((status = 200, body = TotpStatus), (status = 401, body = ErrorBody)))]
pub async fn totp_status(State(state): State<AppState>, auth: Auth) -> AppResult<Json<TotpStatus>> {
    Ok(Json(
        crate::identity::totp::status(&state, auth.user_id(), &auth.actor.role).await?,
    ))
}

/// Starts two-factor enrolment: a new secret for the authenticator app (replacing an
/// unconfirmed one). Nothing changes at sign-in until it is confirmed with a code.
#[utoipa::path(post, path = "/users/me/totp", tag = "identity",
    responses((status = 201, body = Enrolment), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn totp_begin(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<(StatusCode, Json<Enrolment>)> {
    let user = state.store.users().get(auth.user_id()).await?;
    let e = crate::identity::totp::begin(&state, user.id, user.email.as_str()).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// Confirms enrolment with the first code from the app. Two-factor is on from now; the
/// answer holds the recovery codes, shown only this once.
#[utoipa::path(post, path = "/users/me/totp/confirm", tag = "identity", request_body = CodeRequest,
    responses((status = 200, body = RecoveryCodes), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn totp_confirm(
    State(state): State<AppState>,
    auth: Auth,
    client: ClientInfo,
    Json(req): Json<CodeRequest>,
) -> AppResult<Json<RecoveryCodes>> {
    let codes = crate::identity::totp::confirm(&state, auth.user_id(), &req.code, &client).await?;
    // A session that had to enrol is now fully signed in.
    crate::identity::sessions::promote(&state, &auth).await?;
    Ok(Json(codes))
}

/// Verifies a code (or a recovery code, used up) for the sign-in in progress: the session
/// is then fully signed in. On a full session it counts as re-authentication. A code is
/// accepted once; wrong codes are throttled per user.
#[utoipa::path(post, path = "/users/me/totp/verify", tag = "identity", request_body = CodeRequest,
    responses((status = 200, body = Verified), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn totp_verify(
    State(state): State<AppState>,
    auth: Auth,
    client: ClientInfo,
    Json(req): Json<CodeRequest>,
) -> AppResult<Json<Verified>> {
    let proof = crate::identity::totp::verify(&state, auth.user_id(), &req.code, &client).await?;
    crate::identity::sessions::promote(&state, &auth).await?;
    Ok(Json(Verified {
        method: match proof {
            crate::identity::totp::Proof::Code => "code",
            crate::identity::totp::Proof::RecoveryCode => "recovery_code",
        }
        .into(),
        recovery_codes_left: state
            .store
            .identity()
            .recovery_codes_left(auth.user_id())
            .await?,
    }))
}

/// New recovery codes (the old ones stop working); needs a current code.
#[utoipa::path(post, path = "/users/me/totp/recovery-codes", tag = "identity", request_body = CodeRequest,
    responses((status = 200, body = RecoveryCodes), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn totp_recovery_codes(
    State(state): State<AppState>,
    auth: Auth,
    client: ClientInfo,
    Json(req): Json<CodeRequest>,
) -> AppResult<Json<RecoveryCodes>> {
    Ok(Json(
        crate::identity::totp::regenerate_codes(&state, auth.user_id(), &req.code, &client).await?,
    ))
}

/// Turns two-factor off (needs a current code; refused when the role requires it).
#[utoipa::path(post, path = "/users/me/totp/disable", tag = "identity", request_body = CodeRequest,
    responses((status = 204), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn totp_disable(
    State(state): State<AppState>,
    auth: Auth,
    client: ClientInfo,
    Json(req): Json<CodeRequest>,
) -> AppResult<StatusCode> {
    crate::identity::totp::disable(&state, auth.user_id(), &auth.actor.role, &req.code, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An administrator turns a user's two-factor off (lost device and codes); their sessions
/// end. Needs `users.manage` and a recent sign-in.
#[utoipa::path(delete, path = "/users/{id}/totp", tag = "identity", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn totp_reset(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    crate::identity::sessions::reset_totp_of(&state, &auth, UserId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's live sessions, newest first (`current` marks this one).
#[utoipa::path(get, path = "/users/me/sessions", tag = "identity",
    responses((status = 200, body = Vec<SessionSummary>), (status = 401, body = ErrorBody)))]
pub async fn my_sessions(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<SessionSummary>>> {
    Ok(Json(
        crate::identity::sessions::list_own(&state, &auth).await?,
    ))
}

/// Ends one of the caller's sessions (signs that browser out).
#[utoipa::path(delete, path = "/users/me/sessions/{id}", tag = "identity", params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end_my_session(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    crate::identity::sessions::end_own(&state, &auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A user's live sessions (`users.manage`).
#[utoipa::path(get, path = "/users/{id}/sessions", tag = "identity", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<SessionSummary>), (status = 403, body = ErrorBody)))]
pub async fn user_sessions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<SessionSummary>>> {
    Ok(Json(
        crate::identity::sessions::list_of(&state, &auth.actor, UserId(id)).await?,
    ))
}

/// Ends every session of a user (`users.manage`, recent sign-in).
#[utoipa::path(delete, path = "/users/{id}/sessions", tag = "identity", params(("id" = i64, Path)),
    responses((status = 200, body = Ended), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end_user_sessions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Ended>> {
    let ended = crate::identity::sessions::end_all_of(&state, &auth, UserId(id)).await?;
    Ok(Json(Ended { ended }))
}

/// Confirms the password (or a two-factor code) again: sensitive administrative actions
/// (roles, deactivation, others' passwords, two-factor resets, ending sessions) are open for
/// `[identity] reauth_minutes` after it.
#[utoipa::path(post, path = "/auth/reauth", tag = "auth", request_body = ReauthRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn reauth(
    State(state): State<AppState>,
    auth: Auth,
    client: ClientInfo,
    Json(req): Json<ReauthRequest>,
) -> AppResult<StatusCode> {
    crate::identity::sessions::reauthenticate(
        &state,
        &auth,
        req.password,
        req.code.as_deref(),
        &client,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// Report what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// Syncs users and departments from the LDAP directory (`users.manage`): creates, updates
/// and deactivates (ending their sessions); with `dry_run`, only reports. 404 when no
/// directory is configured, 503 `directory_unavailable` when it cannot be reached.
#[utoipa::path(post, path = "/directory/sync", tag = "identity", request_body = SyncRequest,
    responses((status = 200, body = crate::identity::ldap::SyncReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn directory_sync(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<SyncRequest>,
) -> AppResult<Json<crate::identity::ldap::SyncReport>> {
    auth.require(ventanilla_domain::Permission::UsersManage)?;
    if !req.dry_run {
        auth.require_recent(state.now(), state.config.identity.reauth_minutes)?;
    }
    Ok(Json(
        crate::identity::ldap::sync(&state, req.dry_run).await?,
    ))
}
