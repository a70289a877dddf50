//! Housekeeping run by the `housekeeping` job: expired sessions and stale login throttling
//! counters are deleted. Each sweep is an idempotent DELETE.

use jiff::SignedDuration;

use crate::App;

/// One sweep; returns (sessions, throttle rows) removed.
pub async fn sweep(app: &App) -> anyhow::Result<(u64, u64)> {
    let now = app.now();
    let sessions = app.store.sessions().purge_expired(now).await?;
    // Keep counters for a day after their last failure: far past any lockout window.
    let keep = SignedDuration::from_hours(24).max(SignedDuration::from_mins(i64::from(
        app.config.auth.lockout_minutes,
    )));
    let throttle = app
        .store
        .throttle()
        .purge_before(now.saturating_sub(keep).unwrap_or(now))
        .await?;
    Ok((sessions, throttle))
}
