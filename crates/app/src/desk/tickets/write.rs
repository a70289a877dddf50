//! The one write path of a stored ticket: `f` changes the domain ticket and says what to
//! record, then the SLA record is brought up to date, all in one optimistic transaction
//! (`Tickets::modify`): a stale `expected_version` is refused, a lost race re-read and redone.
//! Whom the change tells is decided here, once for every origin, by the domain's
//! `change_notices` (issue #16), joined with what the change's own rule said (escalations).

use ventanilla_domain::ticket::{Concerned, Ticket, change_notices, merge_notices};
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
    let who = concerned(app, id).await?;
    let window = i64::from(app.config.notifications.group_minutes) * 60;
    let (ticket, _) = app
        .store
        .tickets()
        .modify(id, expected_version, actor, now, |t| {
            let before = t.clone();
            let mut fx = f(t)?;
            let derived = change_notices(&before, t, &fx.events, actor, &who);
            fx.notifications = merge_notices(std::mem::take(&mut fx.notifications), derived);
            fx.notice_window_secs = window;
            let before = t.sla.policy_id;
            let settled = sla::refresh(t, ctx, now);
            sla::after_write(&mut fx, id, before, t, &settled, now);
            Ok::<_, DeskError>(fx)
        })
        .await?;
    Ok(ticket)
}

/// The people a change of ticket `id` may tell: its group's members and supervisors (every
/// supervisor when the group has none), read before the change.
pub async fn concerned(app: &App, id: TicketId) -> DeskResult<Concerned> {
    let members = app.store.groups().members_of_ticket(id).await?;
    let mut supervisors: Vec<UserId> = members
        .iter()
        .filter(|m| m.supervisor)
        .map(|m| m.user_id)
        .collect();
    if supervisors.is_empty() {
        supervisors = super::escalate::supervisors_of(app, None).await?;
    }
    Ok(Concerned {
        members: members
            .iter()
            .filter(|m| !m.supervisor)
            .map(|m| m.user_id)
            .collect(),
        supervisors,
    })
}
