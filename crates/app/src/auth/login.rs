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
    let hash = creds
        .as_ref()
        .filter(|c| c.active)
        .and_then(|c| c.password_hash.clone());
    let ok = state.passwords.verify(password, hash).await?;
    let now = state.now();
    let Some(creds) = creds.filter(|_| ok) else {
        // The attempts taken stay counted: that is the failure.
        drop(permit);
        let entry = NewAudit::new(now, None, "login.failed", client.ip_string()).detail(
            serde_json::json!({ "email": email.trim().chars().take(254).collect::<String>() }),
        );
        state.store.audit().record(&entry).await?;
        return Err(AppError::BadCredentials);
    };
    throttle::succeeded(state, permit).await?;
    if let Some(old) = jar.get(SESSION_COOKIE) {
        state
            .store
            .sessions()
            .delete(&secret::hash(old.value()))
            .await?;
    }
    let started = session::start(state, creds.user_id, client).await?;
    let entry = NewAudit::new(now, Some(creds.user_id), "login", client.ip_string())
        .target("user", Some(creds.user_id.get()))
        .detail(serde_json::json!({ "user_agent": client.user_agent }));
    state.store.audit().record(&entry).await?;
    Ok((creds.user_id, started))
}
