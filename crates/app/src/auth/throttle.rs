//! Login throttling policy: an account gets at most `max_failures_per_account` wrong
//! passwords in a run and is then locked for `lockout_minutes`; an address gets at most
//! `max_failures_per_ip` within that window. Counters live in the database, so every node
//! enforces them.
//!
//! An attempt is *taken* (one atomic upsert per key) before the password is checked, not
//! counted after it failed: a burst of simultaneous requests each get a distinct count, so no
//! burst gets more guesses than the limit (checking first and counting afterwards let 20
//! concurrent wrong passwords all through). A correct password gives the address's attempt
//! back and ends the account's run; a refused attempt is given back everywhere.

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

/// The key that limits current-password checks of one user (changing one's own password).
pub fn password_change_key(user: ventanilla_domain::UserId) -> String {
    format!("password-change:{}", user.get())
}

fn window(state: &AppState) -> SignedDuration {
    SignedDuration::from_mins(i64::from(state.config.auth.lockout_minutes))
}

/// Attempts taken for one guarded check; the caller reports how it ended.
#[must_use = "report the outcome with `succeeded` (or keep the attempt as a failure)"]
pub struct Permit {
    /// Keys whose attempt was taken, in the order taken: the account (if any) first.
    keys: Vec<String>,
    /// This attempt is the first key's last before its lock: if it fails, the key (the
    /// account, for a sign-in) is locked for `lockout_minutes`.
    locks: bool,
}

impl Permit {
    /// Whether failing this attempt locks the first key (the account): the moment the audit
    /// log records `login.locked`, once per lock however many refusals follow.
    pub fn locks(&self) -> bool {
        self.locks
    }
}

/// Takes one attempt under each `(key, max)` before the guarded check runs. Refuses with 429
/// (and gives every attempt back) if any key's run is over its limit.
pub async fn take(state: &AppState, limits: &[(String, u32)]) -> Result<Permit, AppError> {
    let now = state.now();
    let reset_before = now.saturating_sub(window(state)).unwrap_or(now);
    let mut taken = Vec::with_capacity(limits.len());
    let mut refused: Option<Timestamp> = None;
    let mut locks = false;
    for (i, (key, max)) in limits.iter().enumerate() {
        let a = state
            .store
            .throttle()
            .take_attempt(key, i64::from(*max), now, reset_before)
            .await?;
        taken.push(key.clone());
        if i == 0 {
            locks = a.count == i64::from(*max);
        }
        if a.count > i64::from(*max) {
            let unlock = a.last_at.saturating_add(window(state)).unwrap_or(a.last_at);
            refused = Some(refused.map_or(unlock, |u: Timestamp| u.max(unlock)));
            break;
        }
    }
    if let Some(unlock) = refused {
        for key in &taken {
            state.store.throttle().give_back(key).await?;
        }
        return Err(AppError::TooManyAttempts {
            retry_after_secs: retry_after(now, unlock),
        });
    }
    Ok(Permit { keys: taken, locks })
}

/// Takes a sign-in attempt for the account and the client's address.
pub async fn take_login(
    state: &AppState,
    email: &str,
    client: &ClientInfo,
) -> Result<Permit, AppError> {
    let mut limits = vec![(
        account_key(email),
        state.config.auth.max_failures_per_account,
    )];
    if let Some(k) = ip_key(client) {
        limits.push((k, state.config.auth.max_failures_per_ip));
    }
    take(state, &limits).await
}

fn retry_after(now: Timestamp, unlock: Timestamp) -> u64 {
    u64::try_from(unlock.duration_since(now).as_secs())
        .unwrap_or(0)
        .max(1)
}

/// The guarded check passed: the first key's run (the account's) ends, the other keys (the
/// address) get their attempt back but keep their count, so one valid account cannot be
/// used to reset a spraying address.
pub async fn succeeded(state: &AppState, permit: Permit) -> Result<(), AppError> {
    let mut keys = permit.keys.into_iter();
    if let Some(first) = keys.next() {
        state.store.throttle().clear(&first).await?;
    }
    for key in keys {
        state.store.throttle().give_back(&key).await?;
    }
    Ok(())
}

/// The guarded check could not run (the directory was out of reach): every attempt is
/// given back, so an outage locks nobody out.
pub async fn released(state: &AppState, permit: Permit) -> Result<(), AppError> {
    for key in permit.keys {
        state.store.throttle().give_back(&key).await?;
    }
    Ok(())
}
