//! What each job kind does. Handlers are idempotent: a job may run twice (a lease expired
//! while it was still working), and running it again must change nothing more.

use jiff::SignedDuration;
use ventanilla_store::jobs::Job;

use anyhow::Context as _;

use crate::App;
use crate::desk::tickets::sla_check::{check_sla_with, check_ticket_sla};

/// Queued by the ticket write path and policy saves, so named beside them.
pub use crate::desk::tickets::sla::{SLA_CHECK, SLA_REAPPLY};
pub const SLA_SCAN: &str = "sla.scan";
/// Brings every open ticket's SLA record in line with the policies and calendars as they
/// are now (after one was edited): see [`crate::desk::tickets::sla_check::reapply_all`].
pub const SURVEY_TIMEOUT: &str = "survey.timeout";
pub const HOUSEKEEPING: &str = "housekeeping";
/// Folds the changes appended for the reports into the rollup (store `reports.rs`).
pub const REPORT_FOLD: &str = "reports.fold";

/// Tickets handled per SLA scan pass; a scan keeps passing until nothing is due.
const SCAN_BATCH: i64 = 500;

pub async fn run_job(app: &App, job: &Job) -> anyhow::Result<()> {
    match job.kind.as_str() {
        SLA_SCAN => {
            let ctx = crate::desk::tickets::sla::SlaContext::load(&app.store)
                .await
                .context("loading SLA policies")?;
            loop {
                let due = app.store.tickets().sla_due(app.now(), SCAN_BATCH).await?;
                let n = due.len();
                for id in due {
                    check_sla_with(app, &ctx, id)
                        .await
                        .with_context(|| format!("SLA check of ticket {id}"))?;
                }
                if n < SCAN_BATCH as usize {
                    return Ok(());
                }
            }
        }
        SLA_CHECK => {
            let id = job.payload["ticket_id"]
                .as_i64()
                .ok_or_else(|| anyhow::anyhow!("sla.check without ticket_id"))?;
            check_ticket_sla(app, ventanilla_domain::TicketId(id))
                .await
                .with_context(|| format!("SLA check of ticket {id}"))
        }
        SLA_REAPPLY => crate::desk::tickets::sla_check::reapply_all(app).await,
        crate::desk::classifier::TRAIN_JOB => crate::desk::classifier::train(app)
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e:#}")),
        crate::desk::webhooks::DISPATCH_JOB => crate::desk::webhooks::dispatch::dispatch(app)
            .await
            .map(|_| ()),
        crate::desk::webhooks::DELIVER_JOB => {
            let id = job.payload["delivery_id"]
                .as_i64()
                .ok_or_else(|| anyhow::anyhow!("webhook.deliver without delivery_id"))?;
            crate::desk::webhooks::send::deliver(app, id, job.attempts, job.max_attempts).await
        }
        // Routing (issue 17).
        crate::desk::routing::REOFFER_JOB => crate::desk::routing::reoffer_due(app)
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e:#}")),
        REPORT_FOLD => app
            .store
            .reports()
            .fold_pending()
            .await
            .map(|_| ())
            .context("folding the reports rollup"),
        SURVEY_TIMEOUT => {
            // Reports (issue 14): the survey's mail with its link, and the reminder.
            crate::desk::reports::surveys::send_due_mails(app)
                .await
                .context("survey mails")?;
            crate::desk::tickets::lifecycle::expire_surveys(app)
                .await
                .context("survey timeout")?;
            Ok(())
        }
        crate::desk::reports::schedules::JOB => crate::desk::reports::schedules::send_due(app)
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("scheduled reports: {e:#}")),
        HOUSEKEEPING => {
            crate::maintenance::sweep(app).await?;
            let now = app.now();
            app.store
                .jobs()
                .purge_done(
                    now.saturating_sub(SignedDuration::from_hours(24 * 7))
                        .unwrap_or(now),
                )
                .await?;
            Ok(())
        }
        // Identity (issue 19): the scheduled directory sync.
        crate::identity::ldap::SYNC_JOB => {
            if app.config.identity.ldap.is_some() {
                crate::identity::ldap::sync(app, false)
                    .await
                    .map_err(|e| anyhow::anyhow!("directory sync: {e}"))?;
            }
            Ok(())
        }
        other => anyhow::bail!("unknown job kind {other:?}"),
    }
}
