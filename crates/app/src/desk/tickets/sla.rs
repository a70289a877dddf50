//! Service levels on tickets (SPEC C6): choosing the policy, running each target's
//! stopwatch from the ticket's status, and the warning and breach with their actions. The
//! record is updated in the same transaction as every ticket change (see [`super::write`]).

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use ventanilla_domain::sla::{
    Calendar, ClockAction, SlaAction, SlaActions, SlaEvent, SlaKind, SlaPolicy, SlaState,
    Stopwatch, StopwatchState, TicketSla, select_policy,
};
use ventanilla_domain::ticket::{Status, Ticket};
use ventanilla_store::Store;

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

fn watch_mut(sla: &mut TicketSla, kind: SlaKind) -> &mut Option<Stopwatch> {
    match kind {
        SlaKind::FirstResponse => &mut sla.response,
        SlaKind::Resolution => &mut sla.resolution,
    }
}

const KINDS: [SlaKind; 2] = [SlaKind::FirstResponse, SlaKind::Resolution];

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
/// due instants and the next check.
pub fn refresh(t: &mut Ticket, ctx: &SlaContext, now: Timestamp) {
    let view = SlaView {
        priority: t.priority.as_str(),
        organisation: t.organisation_id,
        category: t.category_id.map(|c| c.get()),
        status: t.status,
        replied: t.first_response_at.is_some(),
        created_at: t.created_at,
    };
    refresh_parts(&mut t.sla, &view, ctx, now);
}

fn refresh_parts(sla: &mut TicketSla, t: &SlaView<'_>, ctx: &SlaContext, now: Timestamp) {
    let chosen = select_policy(&ctx.policies, t.priority, t.organisation, t.category)
        .and_then(|p| ctx.policies.iter().position(|x| std::ptr::eq(x, p)))
        .map(|i| ctx.ids[i]);
    let Some((policy, _)) = chosen.and_then(|id| ctx.by_id(id)) else {
        // No policy applies (any more): the clocks stop where they are.
        for kind in KINDS {
            if let Some(w) = watch_mut(sla, kind) {
                w.stop(now, &Calendar::always());
            }
        }
        sla.policy_id = None;
        sla.due_at = None;
        sla.next_check_at = None;
        return;
    };
    let cal = ctx.calendar(policy);
    if sla.policy_id != chosen {
        // A new policy (priority, organisation or category changed): the recorded runs are
        // measured again on its calendar, so paused time is never lost.
        for kind in KINDS {
            if let Some(w) = watch_mut(sla, kind) {
                w.recompute(&cal);
            }
        }
        sla.policy_id = chosen;
    }
    let status = t.status.as_str();
    let replied = t.replied;
    // The first time a policy applies, its clocks start when the ticket was registered.
    let start = if sla.response.is_none() && sla.resolution.is_none() {
        t.created_at.min(now)
    } else {
        now
    };
    for kind in KINDS {
        let action = match kind {
            SlaKind::FirstResponse => policy.response_action(status, replied),
            SlaKind::Resolution => policy.resolution_action(status),
        };
        let slot = watch_mut(sla, kind);
        if slot.is_none() && action == ClockAction::Stop && t.status == Status::New {
            continue;
        }
        let w = slot.get_or_insert_with(Stopwatch::new);
        w.apply(start, action, &cal);
    }
    summarise(sla, policy, &cal);
}

/// Due instant, next check and state from the stopwatches.
fn summarise(sla: &mut TicketSla, policy: &SlaPolicy, cal: &Calendar) {
    let mut due: Option<Timestamp> = None;
    sla.response_due_at = None;
    sla.resolution_due_at = None;
    let mut next: Option<Timestamp> = None;
    let mut warned = false;
    let mut breached = false;
    for kind in KINDS {
        let Some(w) = (match kind {
            SlaKind::FirstResponse => sla.response.clone(),
            SlaKind::Resolution => sla.resolution.clone(),
        }) else {
            continue;
        };
        breached |= w.breached_at().is_some();
        warned |= w.warned_at().is_some() && w.breached_at().is_none();
        if w.state() != StopwatchState::Running {
            continue;
        }
        let target = policy.targets.get(kind);
        let d = w.due_at(target, cal);
        due = min_opt(due, d);
        match kind {
            SlaKind::FirstResponse => sla.response_due_at = d,
            SlaKind::Resolution => sla.resolution_due_at = d,
        }
        let check = if w.warned_at().is_none() {
            w.reached_at(percent(target, policy.warn_percent), cal)
        } else if w.breached_at().is_none() {
            d
        } else {
            None
        };
        next = min_opt(next, check);
    }
    sla.due_at = due;
    sla.next_check_at = next;
    sla.state = Some(if breached {
        SlaState::Breached
    } else if warned {
        SlaState::AtRisk
    } else {
        SlaState::Ok
    });
}

fn min_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn percent(d: SignedDuration, pct: u8) -> SignedDuration {
    SignedDuration::from_secs(d.as_secs() * i64::from(pct) / 100)
}

/// Checks the thresholds at `now` and returns each crossing (once in a watch's life) with
/// the actions the policy runs for it.
pub fn evaluate(
    t: &mut Ticket,
    ctx: &SlaContext,
    now: Timestamp,
) -> Vec<(SlaKind, SlaEvent, Vec<SlaAction>)> {
    let Some((policy, actions)) = t.sla.policy_id.and_then(|id| ctx.by_id(id)) else {
        return Vec::new();
    };
    let cal = ctx.calendar(policy);
    let mut out = Vec::new();
    for kind in KINDS {
        let target = policy.targets.get(kind);
        let warn = policy.warn_percent;
        if let Some(w) = watch_mut(&mut t.sla, kind) {
            for e in w.evaluate(now, target, &cal, warn) {
                let acts = match e {
                    SlaEvent::Warning { .. } => actions.warning.clone(),
                    SlaEvent::Breach { .. } => actions.breach.clone(),
                };
                out.push((kind, e, acts));
            }
        }
    }
    let policy = policy.clone();
    summarise(&mut t.sla, &policy, &cal);
    out
}

pub fn kind_name(kind: SlaKind) -> &'static str {
    match kind {
        SlaKind::FirstResponse => "first_response",
        SlaKind::Resolution => "resolution",
    }
}
