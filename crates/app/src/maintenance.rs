//! Housekeeping run by the `housekeeping` job: expired sessions, stale login throttling
//! counters and day-old one-time form keys are deleted. Each sweep is an idempotent DELETE.

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
    // One-time form keys only matter while a form may still be resent: a day is plenty.
    app.store
        .form_keys()
        .purge_before(
            now.saturating_sub(SignedDuration::from_hours(24))
                .unwrap_or(now),
        )
        .await?;
    Ok((sessions, throttle))
}
