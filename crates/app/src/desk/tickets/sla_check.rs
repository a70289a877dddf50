//! The SLA check of one ticket (SPEC C6): evaluate the thresholds and, for each warning or
//! breach crossed, run the policy's actions — notify, escalate, raise the priority — in the
//! same transaction that records the crossing. The crossing is stored in the ticket's
//! stopwatch and the write is optimistic, so however many nodes check a ticket at once, each
//! crossing runs its actions exactly once. Escalation goes through the same domain rule as
//! an agent's (`escalate_functional`), so the receiving group is told either way.

use ventanilla_domain::sla::{SlaAction, SlaEvent, SlaKind};
use ventanilla_domain::ticket::{
    Crossing, Handover, Receiving, Ticket, escalate_functional, raise_priority, sla_notices,
};
use ventanilla_domain::{GroupId, TicketId, Tier, UserId};
use ventanilla_store::tickets::Effects;

use super::escalate::{next_tier_group, receiving};
use super::sla::{SlaContext, evaluate, record};
use crate::App;
use crate::desk::{DeskError, DeskResult};

/// Checks one ticket with the SLA context loaded now.
pub async fn check_ticket_sla(app: &App, id: TicketId) -> DeskResult<()> {
    let ctx = SlaContext::load(&app.store).await?;
    check_sla_with(app, &ctx, id).await
}

/// Who and where the actions may need, read before the write (it cannot do I/O).
struct Targets {
    supervisors: Vec<UserId>,
    concerned: Vec<UserId>,
    next_group: Option<Receiving>,
    named_groups: Vec<Receiving>,
}

async fn targets(app: &App, t: &Ticket, named: &[i64]) -> DeskResult<Targets> {
    let members = match t.group_id {
        Some(g) => app.store.groups().members(g).await?,
        None => Vec::new(),
    };
    let mut supervisors: Vec<UserId> = members
        .iter()
        .filter(|m| m.supervisor)
        .map(|m| m.user_id)
        .collect();
    if supervisors.is_empty() {
        supervisors = super::escalate::supervisors_of(app, None).await?;
    }
    let concerned = match t.assignee_id {
        Some(a) => vec![a],
        None => members
            .iter()
            .filter(|m| !m.supervisor)
            .map(|m| m.user_id)
            .collect(),
    };
    let next_group = match t.tier.unwrap_or(Tier::L1).next() {
        Some(next) => next_tier_group(app, next).await?,
        None => None,
    };
    let mut named_groups = Vec::new();
    for id in named {
        // A policy naming a group deleted since is skipped, not an error of the check.
        if let Ok(g) = receiving(app, GroupId(*id)).await {
            named_groups.push(g);
        }
    }
    Ok(Targets {
        supervisors,
        concerned,
        next_group,
        named_groups,
    })
}

/// Checks one ticket with an SLA context loaded once per scan.
pub async fn check_sla_with(app: &App, ctx: &SlaContext, id: TicketId) -> DeskResult<()> {
    let ticket = app.store.tickets().get(id).await?;
    let tg = targets(app, &ticket, &ctx.escalation_groups()).await?;
    let now = app.now();
    super::write_with(app, ctx, id, None, None, |t| {
        let mut fx = Effects::default();
        for (c, actions) in evaluate(t, ctx, now) {
            let crossing = match c.event {
                SlaEvent::Warning { .. } => Crossing::Warning,
                SlaEvent::Breach { .. } => Crossing::Breach,
            };
            record(&mut fx, &c);
            for action in actions {
                run_action(t, &tg, c.kind, crossing, action, &mut fx);
            }
        }
        Ok::<_, DeskError>(fx)
    })
    .await?;
    Ok(())
}

fn run_action(
    t: &mut Ticket,
    tg: &Targets,
    kind: SlaKind,
    crossing: Crossing,
    action: SlaAction,
    fx: &mut Effects,
) {
    match action {
        SlaAction::NotifySupervisors => {
            fx.notifications
                .extend(sla_notices(t, &tg.supervisors, kind, crossing))
        }
        SlaAction::NotifyAssignee => {
            fx.notifications
                .extend(sla_notices(t, &tg.concerned, kind, crossing))
        }
        SlaAction::Escalate { group_id } => {
            let target = match group_id {
                Some(g) => tg.named_groups.iter().find(|r| r.group.id.get() == g),
                None => tg.next_group.as_ref(),
            };
            if let Some(to) = target {
                let why = Handover::Sla {
                    crossing,
                    target: kind,
                };
                let out = escalate_functional(t, to, &why);
                fx.events.extend(out.entries);
                fx.notifications.extend(out.notices);
            }
        }
        SlaAction::RaisePriority => fx.events.extend(raise_priority(t, crossing)),
    }
}

/// Open tickets re-applied per page.
const REAPPLY_PAGE: i64 = 500;

/// Queues [`reapply_all`] after a policy or calendar changed. Not deduplicated: a key
/// would also match a pass that already ran before this change, and a pass over records
/// already in line writes nothing.
pub async fn reapply_sla_later(app: &App, now: jiff::Timestamp) -> DeskResult<()> {
    let job =
        ventanilla_store::jobs::NewJob::new(super::sla::SLA_REAPPLY, serde_json::json!({}), now);
    app.store.jobs().enqueue(&job, now).await?;
    Ok(())
}

/// Brings every open ticket's SLA record in line with the policies and calendars in force:
/// a policy edited or created, or a calendar changed, moves due instants, states and next
/// checks (a relaxed target un-breaches, a tightened one is checked at once). Tickets whose
/// record does not change are not written. Idempotent, so a repeated run changes nothing.
pub async fn reapply_all(app: &App) -> anyhow::Result<()> {
    let ctx = SlaContext::load(&app.store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut after = 0i64;
    loop {
        let ids = app
            .store
            .tickets()
            .open_ids_after(after, REAPPLY_PAGE)
            .await?;
        for id in &ids {
            super::write_with(app, &ctx, *id, None, None, |_| {
                Ok::<_, DeskError>(Effects::default())
            })
            .await
            .map_err(|e| anyhow::anyhow!("sla reapply of ticket {id}: {e}"))?;
        }
        match ids.last() {
            Some(last) if ids.len() as i64 == REAPPLY_PAGE => after = last.get(),
            _ => return Ok(()),
        }
    }
}
