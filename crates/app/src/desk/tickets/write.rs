//! The one write path of a stored ticket: `f` changes the domain ticket and says what to
//! record, then the SLA record is brought up to date, all in one optimistic transaction
//! (`Tickets::modify`): a stale `expected_version` is refused, a lost race re-read and redone.

use ventanilla_domain::ticket::Ticket;
use ventanilla_domain::{TicketId, UserId};
use ventanilla_store::tickets::Effects;

use super::sla::{self, SlaContext};
use crate::App;
use crate::desk::{DeskError, DeskResult};

/// Changes one ticket through `f`, with the SLA context of this node's reference cache.
pub async fn write<F>(
    app: &App,
    id: TicketId,
    expected_version: Option<i64>,
    actor: Option<UserId>,
    f: F,
) -> DeskResult<Ticket>
where
    F: FnMut(&mut Ticket) -> Result<Effects, DeskError>,
{
    let ctx = app.refdata.sla(&app.store).await?;
    write_with(app, &ctx, id, expected_version, actor, f).await
}

/// [`write`] with the SLA context already loaded (the SLA scan loads it once per pass).
pub async fn write_with<F>(
    app: &App,
    ctx: &SlaContext,
    id: TicketId,
    expected_version: Option<i64>,
    actor: Option<UserId>,
    mut f: F,
) -> DeskResult<Ticket>
where
    F: FnMut(&mut Ticket) -> Result<Effects, DeskError>,
{
    let now = app.now();
    let (ticket, _) = app
        .store
        .tickets()
        .modify(id, expected_version, actor, now, |t| {
            let mut fx = f(t)?;
            let before = t.sla.policy_id;
            let settled = sla::refresh(t, ctx, now);
            sla::after_write(&mut fx, id, before, t, &settled, now);
            Ok::<_, DeskError>(fx)
        })
        .await?;
    Ok(ticket)
}
