//! Housekeeping that `serve` runs in the background: surveys past their timeout move on to
//! review, expired sessions and stale login throttling counters are deleted. Each sweep is an idempotent DELETE, so several nodes
//! running it at once on PostgreSQL do no harm. (Durable jobs arrive with the job runner.)

use std::sync::Arc;
use std::time::Duration;

use jiff::SignedDuration;

use crate::App;

pub const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// One sweep; returns (sessions, throttle rows) removed.
pub async fn sweep(app: &App) -> anyhow::Result<(u64, u64)> {
    crate::tickets::lifecycle::expire_surveys(app)
        .await
        .map_err(|e| anyhow::anyhow!("survey timeout: {e}"))?;
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

/// Sweeps every [`SWEEP_EVERY`] until the task is dropped.
pub async fn run(app: Arc<App>) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    loop {
        tick.tick().await;
        match sweep(&app).await {
            Ok((s, t)) if s + t > 0 => tracing::info!(sessions = s, throttle = t, "housekeeping"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = format!("{e:#}"), "housekeeping failed"),
        }
    }
}
