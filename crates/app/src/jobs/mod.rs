//! The job runner every node runs (in `serve`, or alone in `worker`): it enqueues the
//! periodic ticks (deduplicated per period, so one node's tick wins), claims due jobs with
//! a lease, runs their handler and records success, a retry with backoff, or death.

mod handlers;

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use ventanilla_store::jobs::{Job, NewJob};

use crate::App;

pub use crate::desk::tickets::sla_check::reapply_sla_later;
pub use handlers::{SLA_CHECK, SLA_REAPPLY, run_job};

/// Periodic work: (job kind, period in seconds).
fn periodic(app: &App) -> [(&'static str, u64); 8] {
    [
        (
            crate::desk::classifier::TRAIN_JOB,
            app.config.events.retrain_hours.max(1) * 3600,
        ),
        (
            crate::desk::webhooks::DISPATCH_JOB,
            app.config.webhooks.dispatch_secs,
        ),
        (handlers::SLA_SCAN, app.config.jobs.sla_scan_secs),
        (handlers::SURVEY_TIMEOUT, 300),
        // Reports (issue 14): scheduled report mails; a run is due at 06:00, so a pass every
        // five minutes sends it by 06:05.
        (crate::desk::reports::schedules::JOB, 300),
        // Reports (issue 14): ticket changes appended off the commit path, into the rollup.
        (handlers::REPORT_FOLD, app.config.jobs.report_fold_secs),
        (handlers::HOUSEKEEPING, app.config.jobs.housekeeping_secs),
        // Routing (issue 17): tickets nobody picked up go to the next agent.
        (
            crate::desk::routing::REOFFER_JOB,
            app.config.routing.reoffer_scan_secs,
        ),
    ]
}

/// Enqueues this period's tick of each periodic job. The dedupe key names the period, so
/// however many nodes do this, one job per period exists.
pub async fn schedule_ticks(app: &App, now: Timestamp) -> anyhow::Result<()> {
    // Identity (issue 19): the directory sync, when a directory and a period are set.
    let directory = app
        .config
        .identity
        .ldap
        .as_ref()
        .filter(|l| l.sync_every_secs > 0)
        .map(|l| (crate::identity::ldap::SYNC_JOB, l.sync_every_secs));
    for (kind, period) in periodic(app).into_iter().chain(directory) {
        let period = i64::try_from(period.max(1)).unwrap_or(i64::MAX);
        let bucket = now.as_second().div_euclid(period);
        let job = NewJob::new(kind, serde_json::json!({}), now).dedupe(format!("{kind}@{bucket}"));
        app.store.jobs().enqueue(&job, now).await?;
    }
    Ok(())
}

/// Exponential backoff: 10 s, 20 s, 40 s… capped at an hour.
fn backoff(attempts: i64) -> SignedDuration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    SignedDuration::from_secs(10_i64.saturating_mul(2_i64.saturating_pow(exp)).min(3600))
}

/// Claims and runs due jobs until none is left; returns how many ran. Tests call this with
/// the manual clock instead of waiting for the loop.
pub async fn run_pending(app: &App, worker: &str) -> anyhow::Result<usize> {
    let mut ran = 0;
    loop {
        let now = app.now();
        let lease =
            SignedDuration::from_secs(i64::try_from(app.config.jobs.lease_secs).unwrap_or(300));
        let jobs = app.store.jobs().claim(worker, now, lease, 20).await?;
        if jobs.is_empty() {
            return Ok(ran);
        }
        for job in jobs {
            execute(app, worker, job).await?;
            ran += 1;
        }
    }
}

async fn execute(app: &App, worker: &str, job: Job) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    match run_job(app, &job).await {
        Ok(()) => {
            app.store.jobs().complete(job.id, worker, app.now()).await?;
            tracing::debug!(job.id = job.id, job.kind = %job.kind, elapsed_ms = started.elapsed().as_millis() as u64, "job done");
        }
        Err(e) => {
            let now = app.now();
            let retry_at = now.saturating_add(backoff(job.attempts)).unwrap_or(now);
            tracing::warn!(job.id = job.id, job.kind = %job.kind, attempt = job.attempts, error = format!("{e:#}"), "job failed");
            app.store
                .jobs()
                .fail(job.id, worker, &format!("{e:#}"), now, retry_at)
                .await?;
        }
    }
    Ok(())
}

/// A name that tells nodes and processes apart in `locked_by`.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into());
    format!("{host}:{}", std::process::id())
}

/// The runner loop: ticks, claims and runs until the task is dropped.
pub async fn run(app: Arc<App>) {
    let worker = worker_name();
    let poll = Duration::from_millis(app.config.jobs.poll_interval_ms);
    tracing::info!(worker = %worker, "job runner started");
    loop {
        if let Err(e) = schedule_ticks(&app, app.now()).await {
            tracing::warn!(error = format!("{e:#}"), "cannot schedule periodic jobs");
        }
        match run_pending(&app, &worker).await {
            Ok(_) => {}
            Err(e) => tracing::warn!(error = format!("{e:#}"), "job runner pass failed"),
        }
        tokio::time::sleep(poll).await;
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use jiff::SignedDuration;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), SignedDuration::from_secs(10));
        assert_eq!(backoff(2), SignedDuration::from_secs(20));
        assert_eq!(backoff(4), SignedDuration::from_secs(80));
        assert_eq!(backoff(30), SignedDuration::from_secs(3600));
    }
}
