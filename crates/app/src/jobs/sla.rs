//! The SLA check of one ticket: evaluate the thresholds, and for each warning or breach
//! crossed run the policy's actions — notify, escalate, raise the priority — in the same
//! transaction that records the crossing. The crossing is stored in the ticket's stopwatch,
//! and the write is optimistic, so however many nodes check a ticket at once, each crossing
//! runs its actions exactly once.

use ventanilla_domain::sla::{SlaAction, SlaEvent, SlaKind};
use ventanilla_domain::ticket::{EventKind, Priority, Ticket};
use ventanilla_domain::{GroupId, TicketId, Tier, UserId};
use ventanilla_store::notifications::NewNotification;
use ventanilla_store::tickets::{Effects, NewEvent};

use crate::App;
use crate::error::AppError;
use crate::tickets::sla::{SlaContext, evaluate, kind_name, record};

pub async fn check_ticket(app: &App, id: TicketId) -> anyhow::Result<()> {
    let ctx = SlaContext::load(&app.store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    check_with(app, &ctx, id).await
}

/// Who and where the actions may need, read before the write (it cannot do I/O).
struct Targets {
    supervisors: Vec<UserId>,
    concerned: Vec<UserId>,
    next_group: Option<(GroupId, Tier, String)>,
    named_groups: Vec<(GroupId, Tier, String)>,
}

async fn targets(app: &App, t: &Ticket, ctx_groups: &[i64]) -> anyhow::Result<Targets> {
    let groups = app.store.groups();
    let members = match t.group_id {
        Some(g) => groups.members(g).await?,
        None => Vec::new(),
    };
    let mut supervisors: Vec<UserId> = members
        .iter()
        .filter(|m| m.supervisor)
        .map(|m| m.user_id)
        .collect();
    if supervisors.is_empty() {
        supervisors = app
            .store
            .users()
            .active_with_role(ventanilla_domain::access::SUPERVISOR)
            .await?;
    }
    let concerned = match t.assignee_id {
        Some(a) => vec![a],
        None => members
            .iter()
            .filter(|m| !m.supervisor)
            .map(|m| m.user_id)
            .collect(),
    };
    let current = t.tier.unwrap_or(Tier::L1);
    let next_group = match current.next() {
        Some(next) => {
            let f = ventanilla_store::groups::GroupFilter {
                tier: Some(next),
                active: Some(true),
                ..Default::default()
            };
            let page = groups
                .list(
                    &f,
                    ventanilla_domain::directory::PageRequest::new(None, Some(1))?,
                )
                .await?;
            page.items
                .into_iter()
                .next()
                .map(|(g, _)| (g.id, g.tier, g.name))
        }
        None => None,
    };
    let mut named_groups = Vec::new();
    for id in ctx_groups {
        if let Ok(g) = groups.get(GroupId(*id)).await {
            named_groups.push((g.id, g.tier, g.name));
        }
    }
    Ok(Targets {
        supervisors,
        concerned,
        next_group,
        named_groups,
    })
}

pub async fn check_with(app: &App, ctx: &SlaContext, id: TicketId) -> anyhow::Result<()> {
    let ticket = app.store.tickets().get(id).await?;
    let named: Vec<i64> = ctx.escalation_groups();
    let tg = targets(app, &ticket, &named).await?;
    let now = app.now();
    crate::tickets::write_with(app, ctx, id, None, None, |t| {
        let crossings = evaluate(t, ctx, now);
        let mut fx = Effects::default();
        for (crossing, actions) in crossings {
            let what = match crossing.event {
                SlaEvent::Warning { .. } => "warning",
                SlaEvent::Breach { .. } => "breach",
            };
            record(&mut fx, &crossing);
            for action in actions {
                run_action(t, &tg, crossing.kind, what, action, &mut fx);
            }
        }
        Ok::<_, AppError>(fx)
    })
    .await
    .map_err(|e| anyhow::anyhow!("sla check of ticket {id}: {e}"))?;
    Ok(())
}

fn notify(fx: &mut Effects, who: &[UserId], t: &Ticket, kind: SlaKind, what: &str) {
    for u in who {
        fx.notifications.push(NewNotification {
            user_id: *u,
            kind: format!("sla.{what}"),
            title: format!("SLA {what} on {}: {}", t.number, t.subject),
            body: Some(format!("{} target", kind_name(kind))),
        });
    }
}

fn run_action(
    t: &mut Ticket,
    tg: &Targets,
    kind: SlaKind,
    what: &str,
    action: SlaAction,
    fx: &mut Effects,
) {
    match action {
        SlaAction::NotifySupervisors => notify(fx, &tg.supervisors, t, kind, what),
        SlaAction::NotifyAssignee => notify(fx, &tg.concerned, t, kind, what),
        SlaAction::Escalate { group_id } => {
            let target = match group_id {
                Some(g) => tg
                    .named_groups
                    .iter()
                    .find(|(id, ..)| id.get() == g)
                    .cloned(),
                None => tg.next_group.clone(),
            };
            let Some((group, tier, name)) = target else {
                return;
            };
            if t.group_id == Some(group) {
                return;
            }
            t.group_id = Some(group);
            t.tier = Some(tier);
            t.assignee_id = None;
            t.escalated = true;
            fx.events.push(
                NewEvent::new(EventKind::Escalation, true)
                    .body(format!("escalated to {}", tier.code())),
            );
            fx.events
                .push(NewEvent::new(EventKind::Escalation, false).body(format!(
                    "automatic escalation to {name}: SLA {what} of the {} target",
                    kind_name(kind)
                )));
        }
        SlaAction::RaisePriority => {
            let rank = t.priority.rank();
            if let Some(higher) = Priority::ALL.iter().copied().find(|p| p.rank() + 1 == rank) {
                fx.events.push(NewEvent::change(
                    "priority",
                    Some(t.priority.as_str().into()),
                    Some(higher.as_str().into()),
                    false,
                ));
                t.priority = higher;
                t.priority_override_reason = Some(format!("raised by SLA {what}"));
            }
        }
    }
}

/// Open tickets re-applied per page.
const REAPPLY_PAGE: i64 = 500;

/// Queues [`reapply_all`] after a policy or calendar changed. Not deduplicated: a key
/// would also match a pass that already ran before this change, and a pass over records
/// already in line writes nothing.
pub async fn reapply_sla_later(app: &App, now: jiff::Timestamp) -> Result<(), AppError> {
    let job = ventanilla_store::jobs::NewJob::new(
        super::handlers::SLA_REAPPLY,
        serde_json::json!({}),
        now,
    );
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
            crate::tickets::write_with(app, &ctx, *id, None, None, |_| Ok(Effects::default()))
                .await
                .map_err(|e| anyhow::anyhow!("sla reapply of ticket {id}: {e}"))?;
        }
        match ids.last() {
            Some(last) if ids.len() as i64 == REAPPLY_PAGE => after = last.get(),
            _ => return Ok(()),
        }
    }
}
