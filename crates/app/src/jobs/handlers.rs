//! What each job kind does. Handlers are idempotent: a job may run twice (a lease expired
//! while it was still working), and running it again must change nothing more.

use jiff::SignedDuration;
use ventanilla_store::jobs::Job;

use crate::App;

pub const SLA_SCAN: &str = "sla.scan";
pub const SLA_CHECK: &str = "sla.check";
/// Brings every open ticket's SLA record in line with the policies and calendars as they
/// are now (after one was edited): see [`super::sla::reapply_all`].
pub const SLA_REAPPLY: &str = "sla.reapply";
pub const SURVEY_TIMEOUT: &str = "survey.timeout";
pub const HOUSEKEEPING: &str = "housekeeping";

/// Tickets handled per SLA scan pass; a scan keeps passing until nothing is due.
const SCAN_BATCH: i64 = 500;

pub async fn run_job(app: &App, job: &Job) -> anyhow::Result<()> {
    match job.kind.as_str() {
        SLA_SCAN => {
            let ctx = crate::tickets::sla::SlaContext::load(&app.store)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            loop {
                let due = app.store.tickets().sla_due(app.now(), SCAN_BATCH).await?;
                let n = due.len();
                for id in due {
                    super::sla::check_with(app, &ctx, id).await?;
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
            super::sla::check_ticket(app, ventanilla_domain::TicketId(id)).await
        }
        SLA_REAPPLY => super::sla::reapply_all(app).await,
        SURVEY_TIMEOUT => {
            crate::tickets::lifecycle::expire_surveys(app)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(())
        }
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
        other => anyhow::bail!("unknown job kind {other:?}"),
    }
}
