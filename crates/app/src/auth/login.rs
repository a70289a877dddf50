//! Signing in with email and password, shared by the API and the sign-in page: throttling,
//! constant-work verification, the audit log and a fresh session (old one ended).

use axum_extra::extract::CookieJar;
use ventanilla_domain::{Email, UserId};
use ventanilla_store::StoreError;
use ventanilla_store::audit::NewAudit;

use super::session::{self, SESSION_COOKIE, Started};
use super::{ClientInfo, secret, throttle};
use crate::AppState;
use crate::error::AppError;

/// Checks the credentials and starts a session; `jar` is the browser's cookies, whose
/// session (if any) is ended so a planted id is never promoted.
pub async fn sign_in(
    state: &AppState,
    jar: &CookieJar,
    email: &str,
    password: String,
    client: &ClientInfo,
) -> Result<(UserId, Started), AppError> {
    // Taken before the password is checked, so a burst cannot out-run the limit.
    let permit = throttle::take_login(state, email, client).await?;
    let parsed = Email::parse(email).ok();
    let creds = match &parsed {
        Some(e) => match state.store.users().credentials(e).await {
            Ok(c) => Some(c),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    // Identity (issue 19): directory users (linked to LDAP, or unknown here) are checked by
    // the directory; local accounts never touch it, so they sign in while it is down.
    if let Some(cfg) = &state.config.identity.ldap {
        let source = match &creds {
            Some(c) => state.store.identity().source_of(c.user_id).await?,
            None => None,
        };
        let from_directory = match &creds {
            None => true,
            Some(c) => {
                source.as_deref() == Some(crate::identity::ldap::SOURCE)
                    || c.password_hash.is_none()
            }
        };
        if from_directory {
            return directory_sign_in(state, jar, cfg, email, &password, client, permit).await;
        }
    }
    let hash = creds
        .as_ref()
        .filter(|c| c.active)
        .and_then(|c| c.password_hash.clone());
    let ok = state.passwords.verify(password, hash).await?;
    let now = state.now();
    let Some(creds) = creds.filter(|_| ok) else {
        let entry = NewAudit::new(now, None, "login.failed", client.ip_string()).detail(
            serde_json::json!({ "email": email.trim().chars().take(254).collect::<String>() }),
        );
        failed(state, permit, &entry, email, client).await?;
        return Err(AppError::BadCredentials);
    };
    throttle::succeeded(state, permit).await?;
    let actor = state
        .store
        .users()
        .actor(creds.user_id)
        .await?
        .ok_or(AppError::BadCredentials)?;
    if crate::identity::sessions::password_disabled_for(state, &actor.role) {
        let entry = NewAudit::new(
            now,
            Some(creds.user_id),
            "login.refused",
            client.ip_string(),
        )
        .target("user", Some(creds.user_id.get()))
        .detail(serde_json::json!({ "reason": "password_disabled", "role": actor.role }));
        state.store.audit().record(&entry).await?;
        return Err(crate::identity::sessions::password_disabled());
    }
    let started = finish(state, jar, creds.user_id, &actor.role, client, "password").await?;
    Ok((creds.user_id, started))
}

/// Sign-in through the LDAP directory: a wrong password counts against the throttle like a
/// local one; an unreachable directory gives the attempt back and says so.
async fn directory_sign_in(
    state: &AppState,
    jar: &CookieJar,
    cfg: &crate::identity::config::LdapConfig,
    login: &str,
    password: &str,
    client: &ClientInfo,
    permit: throttle::Permit,
) -> Result<(UserId, Started), AppError> {
    let now = state.now();
    let failed = |reason: &str| {
        NewAudit::new(now, None, "login.failed", client.ip_string()).detail(serde_json::json!({
            "email": login.trim().chars().take(254).collect::<String>(),
            "method": "ldap", "reason": reason,
        }))
    };
    match crate::identity::ldap::sign_in(state, cfg, login, password).await {
        Ok(user) => {
            throttle::succeeded(state, permit).await?;
            let actor = state
                .store
                .users()
                .actor(user)
                .await?
                .ok_or(AppError::BadCredentials)?;
            let started = finish(state, jar, user, &actor.role, client, "ldap").await?;
            Ok((user, started))
        }
        Err(AppError::BadCredentials) => {
            self::failed(state, permit, &failed("bad_credentials"), login, client).await?;
            Err(AppError::BadCredentials)
        }
        Err(e @ AppError::Refused { .. }) => {
            throttle::released(state, permit).await?;
            state.store.audit().record(&failed(e.code())).await?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// A wrong password (local or the directory's): the attempts taken stay counted, the failure
/// is audited, and when it is the account's last before the lock, so is the lock
/// (`login.locked`, once per lock: the refusals while locked are not attempts).
async fn failed(
    state: &AppState,
    permit: throttle::Permit,
    entry: &NewAudit,
    login: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    state.store.audit().record(entry).await?;
    if permit.locks() {
        let lock = NewAudit::new(state.now(), None, "login.locked", client.ip_string()).detail(
            serde_json::json!({
                "email": login.trim().chars().take(254).collect::<String>(),
                "minutes": state.config.auth.lockout_minutes,
            }),
        );
        state.store.audit().record(&lock).await?;
    }
    Ok(())
}

/// The end of every sign-in (password, LDAP, OpenID): the browser's old session ends, a new
/// one starts at the stage two-factor asks for, and the login is audited.
pub async fn finish(
    state: &AppState,
    jar: &CookieJar,
    user: UserId,
    role: &str,
    client: &ClientInfo,
    method: &str,
) -> Result<Started, AppError> {
    if let Some(old) = jar.get(SESSION_COOKIE) {
        state
            .store
            .sessions()
            .delete(&secret::hash(old.value()))
            .await?;
    }
    let stage = crate::identity::sessions::stage_for(state, user, role).await?;
    let started = session::start_as(state, user, client, stage, method).await?;
    let entry = NewAudit::new(state.now(), Some(user), "login", client.ip_string())
        .target("user", Some(user.get()))
        .detail(serde_json::json!({
            "user_agent": client.user_agent, "method": method, "stage": stage.as_str(),
        }));
    state.store.audit().record(&entry).await?;
    Ok(started)
}
