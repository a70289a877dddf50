//! Browser sessions: the cookie, its attributes, creation at login (always a new id, so a
//! planted id is never promoted) and removal at logout.

use axum_extra::extract::cookie::{Cookie, SameSite};
use jiff::{SignedDuration, Timestamp};
use ventanilla_domain::UserId;
use ventanilla_store::sessions::NewSession;

use super::{ClientInfo, secret};
use crate::AppState;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "ventanilla_session";
/// Cookie-authenticated unsafe requests must echo the session's CSRF token in this header
/// (or, for HTML forms, in a `_csrf` field).
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn expiry(state: &AppState, now: Timestamp) -> Timestamp {
    let idle = SignedDuration::from_hours(i64::from(state.config.auth.session_idle_hours));
    now.saturating_add(idle).unwrap_or(now)
}

/// A new session: the cookie to set and the CSRF token to hand to the client.
pub struct Started {
    pub cookie: Cookie<'static>,
    pub csrf_token: String,
    pub stage: Stage,
}

/// How far a new session has got: see `ventanilla_store::sessions::NewSession::stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Full,
    SecondFactor,
    Enrol,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Full => "full",
            Stage::SecondFactor => "second_factor",
            Stage::Enrol => "enrol",
        }
    }
}

/// Starts a fully signed-in password session.
pub async fn start(
    state: &AppState,
    user: UserId,
    client: &ClientInfo,
) -> Result<Started, AppError> {
    start_as(state, user, client, Stage::Full, "password").await
}

/// Starts a session at `stage`, proved by `method` (`password`, `ldap`, `oidc`).
pub async fn start_as(
    state: &AppState,
    user: UserId,
    client: &ClientInfo,
    stage: Stage,
    method: &str,
) -> Result<Started, AppError> {
    let id = secret::random_token()?;
    let csrf_token = secret::random_token()?;
    let now = state.now();
    let ip = client.ip_string();
    state
        .store
        .sessions()
        .create(&NewSession {
            id_hash: &secret::hash(&id),
            user_id: user,
            csrf_token: &csrf_token,
            now,
            expires_at: expiry(state, now),
            ip: ip.as_deref(),
            user_agent: client.user_agent.as_deref(),
            stage: stage.as_str(),
            method,
        })
        .await?;
    Ok(Started {
        cookie: cookie(state, id),
        csrf_token,
        stage,
    })
}

fn cookie(state: &AppState, value: String) -> Cookie<'static> {
    // No Max-Age: the browser forgets the cookie when it closes; the server enforces idle
    // expiry whatever the browser does.
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .path("/")
        .build()
}

/// A cookie that makes the browser drop the session cookie.
pub fn removal(state: &AppState) -> Cookie<'static> {
    let mut c = cookie(state, String::new());
    c.make_removal();
    c
}
