//! Login throttling policy: after `max_failures_per_account` consecutive failures an account
//! is locked for `lockout_minutes`; an address is locked after `max_failures_per_ip` failures
//! within that window. Counters live in the database, so every node enforces them.

use jiff::{SignedDuration, Timestamp};

use super::ClientInfo;
use crate::AppState;
use crate::error::AppError;

fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

fn ip_key(client: &ClientInfo) -> Option<String> {
    client.ip.map(|ip| format!("ip:{ip}"))
}

fn window(state: &AppState) -> SignedDuration {
    SignedDuration::from_mins(i64::from(state.config.auth.lockout_minutes))
}

/// Refuses with 429 while the account or the address is locked.
pub async fn check(state: &AppState, email: &str, client: &ClientInfo) -> Result<(), AppError> {
    let now = state.now();
    let limits = [
        (
            Some(account_key(email)),
            state.config.auth.max_failures_per_account,
        ),
        (ip_key(client), state.config.auth.max_failures_per_ip),
    ];
    for (key, max) in limits {
        let Some(key) = key else { continue };
        if let Some(f) = state.store.throttle().get(&key).await? {
            let unlock = f.last_at.saturating_add(window(state)).unwrap_or(f.last_at);
            if f.count >= i64::from(max) && unlock > now {
                return Err(AppError::TooManyAttempts {
                    retry_after_secs: retry_after(now, unlock),
                });
            }
        }
    }
    Ok(())
}

fn retry_after(now: Timestamp, unlock: Timestamp) -> u64 {
    u64::try_from(unlock.duration_since(now).as_secs())
        .unwrap_or(0)
        .max(1)
}

/// Counts a failed login for the account and the address.
pub async fn failed(state: &AppState, email: &str, client: &ClientInfo) -> Result<(), AppError> {
    let now = state.now();
    let reset_before = now.saturating_sub(window(state)).unwrap_or(now);
    state
        .store
        .throttle()
        .record_failure(&account_key(email), now, reset_before)
        .await?;
    if let Some(k) = ip_key(client) {
        state
            .store
            .throttle()
            .record_failure(&k, now, reset_before)
            .await?;
    }
    Ok(())
}

/// A successful login ends the account's run of failures (the address keeps its count, so
/// one valid account cannot be used to reset a spraying address).
pub async fn succeeded(state: &AppState, email: &str) -> Result<(), AppError> {
    state.store.throttle().clear(&account_key(email)).await?;
    Ok(())
}
