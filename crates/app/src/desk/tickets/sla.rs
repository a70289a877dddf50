//! Service levels on tickets (SPEC C6): choosing the policy, running each target's
//! stopwatch from the ticket's status, and the warning and breach with their actions. The
//! record is updated in the same transaction as every ticket change (see [`super::write`]).

use std::collections::HashMap;

/// The job that checks one ticket now (a threshold already due after a write).
pub const SLA_CHECK: &str = "sla.check";
/// The job that re-measures every open ticket after a policy or calendar save.
pub const SLA_REAPPLY: &str = "sla.reapply";

use jiff::Timestamp;
use ventanilla_domain::sla::{
    Calendar, ClockFacts, Crossing, InForce, SlaAction, SlaActions, SlaEvent, SlaKind, SlaPolicy,
    TicketSla, select_policy,
};
use ventanilla_domain::ticket::{EventKind, Status, Ticket};
use ventanilla_store::Store;
use ventanilla_store::jobs::NewJob;
use ventanilla_store::sla_breaches::NewSlaBreach;
use ventanilla_store::tickets::{Effects, NewEvent};

use crate::desk::DeskResult;

/// The active policies and their calendars, loaded once per change.
#[derive(Debug, Default, Clone)]
pub struct SlaContext {
    ids: Vec<i64>,
    policies: Vec<SlaPolicy>,
    actions: Vec<SlaActions>,
    calendars: HashMap<i64, Calendar>,
}

impl SlaContext {
    pub async fn load(store: &Store) -> DeskResult<Self> {
        let mut ctx = SlaContext::default();
        for p in store
            .sla()
            .policies()
            .await?
            .into_iter()
            .filter(|p| p.active)
        {
            ctx.ids.push(p.id);
            ctx.policies.push(p.policy);
            ctx.actions.push(p.actions);
        }
        if !ctx.policies.is_empty() {
            ctx.calendars = store
                .sla()
                .calendars()
                .await?
                .into_iter()
                .map(|c| (c.id, c.calendar))
                .collect();
        }
        Ok(ctx)
    }

    /// Groups named by escalation actions, so the check can read them before it writes.
    pub fn escalation_groups(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .actions
            .iter()
            .flat_map(|a| a.warning.iter().chain(a.breach.iter()))
            .filter_map(|a| match a {
                SlaAction::Escalate { group_id } => *group_id,
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn by_id(&self, id: i64) -> Option<(&SlaPolicy, &SlaActions)> {
        let i = self.ids.iter().position(|x| *x == id)?;
        Some((&self.policies[i], &self.actions[i]))
    }

    fn calendar(&self, p: &SlaPolicy) -> Calendar {
        // A policy's calendar cannot be deleted; the fallback only guards a hand edit.
        self.calendars
            .get(&p.calendar_id)
            .cloned()
            .unwrap_or_else(Calendar::always)
    }
}

/// What the SLA record depends on.
pub struct SlaView<'a> {
    pub priority: &'a str,
    pub organisation: Option<ventanilla_domain::OrganisationId>,
    pub category: Option<i64>,
    pub status: Status,
    pub replied: bool,
    pub created_at: Timestamp,
}

/// A fresh ticket's record at registration.
pub fn initial(
    new: &ventanilla_domain::ticket::NewTicket,
    ctx: &SlaContext,
    now: Timestamp,
) -> TicketSla {
    let mut sla = TicketSla::default();
    let view = SlaView {
        priority: new.priority.as_str(),
        organisation: new.organisation_id,
        category: new.category_id.map(|c| c.get()),
        status: Status::New,
        replied: false,
        created_at: now,
    };
    refresh_parts(&mut sla, &view, ctx, now);
    sla
}

/// Brings the record in line with the ticket as it is now: the policy for its priority,
/// organisation and category; each clock running, paused or stopped by its status; the
/// state, due instants and next check under that policy (see `domain::sla::standing`).
/// Returns the crossings of the policy that stopped applying that the scan had not yet
/// recorded; [`record`] writes them.
pub fn refresh(t: &mut Ticket, ctx: &SlaContext, now: Timestamp) -> Vec<Crossing> {
    let view = SlaView {
        priority: t.priority.as_str(),
        organisation: t.organisation_id,
        category: t.category_id.map(|c| c.get()),
        status: t.status,
        replied: t.first_response_at.is_some(),
        created_at: t.created_at,
    };
    refresh_parts(&mut t.sla, &view, ctx, now)
}

fn refresh_parts(
    sla: &mut TicketSla,
    t: &SlaView<'_>,
    ctx: &SlaContext,
    now: Timestamp,
) -> Vec<Crossing> {
    let chosen = select_policy(&ctx.policies, t.priority, t.organisation, t.category)
        .and_then(|p| ctx.policies.iter().position(|x| std::ptr::eq(x, p)))
        .map(|i| ctx.ids[i]);
    let previous_cal;
    let previous = match sla.policy_id.and_then(|id| ctx.by_id(id)) {
        Some((p, _)) => {
            previous_cal = ctx.calendar(p);
            sla.policy_id.map(|id| InForce {
                id,
                policy: p,
                calendar: &previous_cal,
            })
        }
        None => None,
    };
    let next_cal;
    let next = match chosen.and_then(|id| ctx.by_id(id).map(|(p, _)| (id, p))) {
        Some((id, p)) => {
            next_cal = ctx.calendar(p);
            Some(InForce {
                id,
                policy: p,
                calendar: &next_cal,
            })
        }
        None => None,
    };
    let facts = ClockFacts {
        status: t.status.as_str(),
        replied: t.replied,
        is_new: t.status == Status::New,
        created_at: t.created_at,
    };
    sla.refresh(previous, next, &facts, now)
}

/// Checks the thresholds at `now` and returns each crossing (once per policy applied) with
/// the actions the policy runs for it.
pub fn evaluate(
    t: &mut Ticket,
    ctx: &SlaContext,
    now: Timestamp,
) -> Vec<(Crossing, Vec<SlaAction>)> {
    let Some(id) = t.sla.policy_id else {
        return Vec::new();
    };
    let Some((policy, actions)) = ctx.by_id(id) else {
        return Vec::new();
    };
    let cal = ctx.calendar(policy);
    let p = InForce {
        id,
        policy,
        calendar: &cal,
    };
    t.sla
        .evaluate(p, now)
        .into_iter()
        .map(|c| {
            let acts = match c.event {
                SlaEvent::Warning { .. } => actions.warning.clone(),
                SlaEvent::Breach { .. } => actions.breach.clone(),
            };
            (c, acts)
        })
        .collect()
}

/// Records a crossing with the change: a timeline entry, and for a breach a row the
/// reports count under the policy whose target was missed.
pub fn record(fx: &mut Effects, c: &Crossing) {
    let (crossing, at) = match c.event {
        SlaEvent::Warning { at } => (ventanilla_domain::ticket::Crossing::Warning, at),
        SlaEvent::Breach { at } => (ventanilla_domain::ticket::Crossing::Breach, at),
    };
    fx.events
        .push(ventanilla_domain::ticket::sla_crossed(c.kind, crossing, at));
    if let SlaEvent::Breach { at } = c.event {
        fx.sla_breaches.push(NewSlaBreach {
            policy_id: c.policy_id,
            target: kind_name(c.kind),
            breached_at: at,
        });
    }
}

/// What a write records beside the change for the SLA: the old policy's settled crossings,
/// the policy change itself, and, when a threshold is already due (a change that made the
/// ticket overdue at once), a check job so the crossing and its actions run now rather
/// than at the next scan. The job's key names the ticket and the version written, so a
/// retried write queues one check; the check itself acts once per crossing.
pub fn after_write(
    fx: &mut Effects,
    id: ventanilla_domain::TicketId,
    before: Option<i64>,
    t: &Ticket,
    settled: &[Crossing],
    now: Timestamp,
) {
    for c in settled {
        record(fx, c);
    }
    if before != t.sla.policy_id {
        fx.events.push(NewEvent {
            kind: EventKind::Sla,
            ..NewEvent::change(
                "sla_policy",
                before.map(|p| p.to_string()),
                t.sla.policy_id.map(|p| p.to_string()),
                false,
            )
        });
    }
    if t.sla.next_check_at.is_some_and(|at| at <= now) {
        fx.jobs.push(
            NewJob::new(SLA_CHECK, serde_json::json!({ "ticket_id": id.get() }), now)
                .dedupe(format!("sla.check:{}:v{}", id.get(), t.version)),
        );
    }
}

pub fn kind_name(kind: SlaKind) -> &'static str {
    match kind {
        SlaKind::FirstResponse => "first_response",
        SlaKind::Resolution => "resolution",
    }
}
