//! Sessions as identity sees them: the stage a sign-in reaches (second factor pending,
//! enrolment required, full) and what a session at each stage may reach; one's own sessions
//! listed and ended; an administrator ending all of a user's sessions; re-authentication.

use ventanilla_domain::{Actor, Permission, UserId};
use ventanilla_store::audit::NewAudit;
use ventanilla_store::sessions::SessionSummary;

use crate::AppState;
use crate::auth::session::Stage;
use crate::auth::{Auth, AuthMethod, ClientInfo, throttle};
use crate::error::AppError;

/// Where a session waiting for its second factor may go: the code, and signing out.
const SECOND_FACTOR_PATHS: &[&str] = &[
    "/api/v1/users/me/totp/verify",
    "/api/v1/auth/logout",
    "/login/totp",
    "/logout",
];

/// Where a session that must enrol may go besides: the enrolment and "who am I".
const ENROL_PATHS: &[&str] = &[
    "/api/v1/users/me/totp",
    "/api/v1/users/me/totp/confirm",
    "/api/v1/me",
    "/account/security",
    "/account/totp",
    "/account/totp/confirm",
];

/// Whether a session at `stage` may reach `path`.
pub fn stage_allows(stage: &str, path: &str) -> bool {
    match stage {
        "full" => true,
        "second_factor" => SECOND_FACTOR_PATHS.contains(&path),
        "enrol" => SECOND_FACTOR_PATHS.contains(&path) || ENROL_PATHS.contains(&path),
        _ => false,
    }
}

/// The refusal for a session that has not reached the full stage.
pub fn stage_refusal(stage: &str) -> AppError {
    if stage == "enrol" {
        AppError::Refused {
            status: http::StatusCode::FORBIDDEN,
            code: "totp_enrolment_required",
            message: "your role requires two-factor authentication: enrol first".into(),
            field: None,
        }
    } else {
        AppError::Refused {
            status: http::StatusCode::UNAUTHORIZED,
            code: "second_factor_required",
            message: "enter the code from your authenticator app".into(),
            field: None,
        }
    }
}

/// The stage a sign-in of `user` (holding `role`) reaches: a second factor when they have
/// one, enrolment when their role requires one they lack, else full.
pub async fn stage_for(state: &AppState, user: UserId, role: &str) -> Result<Stage, AppError> {
    if super::totp::enabled(state, user).await? {
        Ok(Stage::SecondFactor)
    } else if super::totp::required_for(state, role) {
        Ok(Stage::Enrol)
    } else {
        Ok(Stage::Full)
    }
}

/// Whether `[identity] password_disabled_roles` names `role`.
pub fn password_disabled_for(state: &AppState, role: &str) -> bool {
    state
        .config
        .identity
        .password_disabled_roles
        .iter()
        .any(|r| r == role)
}

pub fn password_disabled() -> AppError {
    AppError::Refused {
        status: http::StatusCode::FORBIDDEN,
        code: "password_sign_in_disabled",
        message:
            "accounts of your role sign in through the organisation's directory or single sign-on"
                .into(),
        field: None,
    }
}

fn session_hash(auth: &Auth) -> Option<&str> {
    match &auth.method {
        AuthMethod::Session { id_hash, .. } => Some(id_hash),
        AuthMethod::Token(_) => None,
    }
}

/// The caller's second factor was given (or enrolment done): the session becomes full.
pub async fn promote(state: &AppState, auth: &Auth) -> Result<(), AppError> {
    if let Some(h) = session_hash(auth) {
        state.store.sessions().promote(h, state.now()).await?;
    }
    Ok(())
}

/// One's own live sessions, newest first.
pub async fn list_own(state: &AppState, auth: &Auth) -> Result<Vec<SessionSummary>, AppError> {
    Ok(state
        .store
        .sessions()
        .list_for(auth.user_id(), state.now(), session_hash(auth))
        .await?)
}

/// A user's sessions, for an administrator (`users.manage`).
pub async fn list_of(
    state: &AppState,
    actor: &Actor,
    user: UserId,
) -> Result<Vec<SessionSummary>, AppError> {
    if !actor.can(Permission::UsersManage) {
        return Err(AppError::Forbidden);
    }
    Ok(state
        .store
        .sessions()
        .list_for(user, state.now(), None)
        .await?)
}

/// Ends one of one's own sessions (404 when it is not one of theirs).
pub async fn end_own(state: &AppState, auth: &Auth, id: &str) -> Result<(), AppError> {
    let entry = NewAudit::new(
        state.now(),
        Some(auth.user_id()),
        "session.revoke",
        auth.client.ip_string(),
    )
    .target("user", Some(auth.user_id().get()))
    .detail(serde_json::json!({ "session": id }));
    if state
        .store
        .sessions()
        .end_one(auth.user_id(), id, &entry)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// An administrator ends every session of a user (`users.manage`, recent sign-in).
pub async fn end_all_of(state: &AppState, auth: &Auth, user: UserId) -> Result<u64, AppError> {
    auth.require(Permission::UsersManage)?;
    auth.require_recent(state.now(), state.config.identity.reauth_minutes)?;
    state.store.users().get(user).await?;
    let entry = NewAudit::new(
        state.now(),
        Some(auth.user_id()),
        "session.end_all",
        auth.client.ip_string(),
    )
    .target("user", Some(user.get()));
    Ok(state.store.sessions().end_all(user, &entry).await?)
}

/// An administrator turns a user's two-factor off (lost phone and codes): `users.manage`,
/// recent sign-in. The user's sessions end; they enrol again at their next sign-in when
/// their role requires it.
pub async fn reset_totp_of(state: &AppState, auth: &Auth, user: UserId) -> Result<(), AppError> {
    auth.require(Permission::UsersManage)?;
    auth.require_recent(state.now(), state.config.identity.reauth_minutes)?;
    if auth.actor.is_self(user) {
        return Err(AppError::Forbidden);
    }
    state.store.users().get(user).await?;
    let entry = NewAudit::new(
        state.now(),
        Some(auth.user_id()),
        "totp.reset",
        auth.client.ip_string(),
    )
    .target("user", Some(user.get()))
    .change(
        serde_json::json!({ "totp": true }),
        serde_json::json!({ "totp": false }),
    );
    if !state.store.identity().remove_totp(user, &entry).await? {
        return Err(AppError::NotFound);
    }
    let ended = NewAudit::new(
        state.now(),
        Some(auth.user_id()),
        "session.end_all",
        auth.client.ip_string(),
    )
    .target("user", Some(user.get()));
    state.store.sessions().end_all(user, &ended).await?;
    Ok(())
}

/// Re-authentication: the password (throttled like a password change) or a two-factor
/// code proves the user is still the one at the keyboard; sensitive actions are open again
/// for `[identity] reauth_minutes`.
pub async fn reauthenticate(
    state: &AppState,
    auth: &Auth,
    password: Option<String>,
    code: Option<&str>,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let Some(hash) = session_hash(auth) else {
        // Refused, not malformed: the request is well formed, the caller's kind cannot do it.
        return Err(AppError::Refused {
            status: http::StatusCode::FORBIDDEN,
            code: "session_required",
            message: "re-authentication is for browser sessions; tokens need none".into(),
            field: None,
        });
    };
    let user = auth.user_id();
    let method = match (password, code) {
        (Some(p), _) => {
            let key = throttle::password_change_key(user);
            let permit =
                throttle::take(state, &[(key, state.config.auth.max_failures_per_account)]).await?;
            let email = state.store.users().get(user).await?.email;
            let stored = state.store.users().credentials(&email).await?.password_hash;
            if !state.passwords.verify(p, stored).await? {
                drop(permit);
                let entry =
                    NewAudit::new(state.now(), Some(user), "reauth.failed", client.ip_string())
                        .target("user", Some(user.get()));
                state.store.audit().record(&entry).await?;
                return Err(AppError::BadCredentials);
            }
            throttle::succeeded(state, permit).await?;
            "password"
        }
        (None, Some(c)) => {
            super::totp::verify(state, user, c, client).await?;
            "totp"
        }
        (None, None) => {
            return Err(ventanilla_domain::ValidationError::new(
                "password",
                "give your password or a two-factor code",
            )
            .into());
        }
    };
    state
        .store
        .sessions()
        .reauthenticated(hash, state.now())
        .await?;
    let entry = NewAudit::new(state.now(), Some(user), "reauth", client.ip_string())
        .target("user", Some(user.get()))
        .detail(serde_json::json!({ "method": method }));
    state.store.audit().record(&entry).await?;
    Ok(())
}
