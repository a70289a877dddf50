//! A ticket's SLA record under the policy in force: which policy measures it, its clocks
//! driven by the ticket's status, and the state, due instants and next check derived from
//! the clocks at `now`.
//!
//! The state is always what the policy in force says at `now`, never a leftover of an
//! earlier policy: when another policy starts to apply, the crossings flagged under the old
//! one are forgotten (they stay in the ticket's history and reports, which the application
//! writes when they fire) and the new policy's thresholds fire on their own; when the same
//! policy is edited, a flag whose threshold is no longer reached is forgotten. The next
//! check is every threshold not yet flagged that is (or, running, will be) reached, so a
//! running target is always checked again and a crossing missed by the scan (the ticket
//! paused right after it) is still recorded.

use jiff::{SignedDuration, Timestamp};

use super::actions::{SlaState, TicketSla};
use super::calendar::Calendar;
use super::policy::{SlaKind, SlaPolicy};
use super::stopwatch::{ClockAction, SlaEvent, Stopwatch, StopwatchState, percent_of};

/// The two targets, in the order they are checked.
pub const SLA_KINDS: [SlaKind; 2] = [SlaKind::FirstResponse, SlaKind::Resolution];

/// The policy that measures a ticket: its stored id, its rules and its calendar.
#[derive(Debug, Clone, Copy)]
pub struct InForce<'a> {
    pub id: i64,
    pub policy: &'a SlaPolicy,
    pub calendar: &'a Calendar,
}

impl InForce<'_> {
    fn target(&self, kind: SlaKind) -> SignedDuration {
        self.policy.targets.get(kind)
    }

    fn warn(&self, kind: SlaKind) -> SignedDuration {
        percent_of(self.target(kind), self.policy.warn_percent)
    }
}

/// What the clocks follow of a ticket.
#[derive(Debug, Clone, Copy)]
pub struct ClockFacts<'a> {
    /// The status's stable name (`ticket::Status::as_str`).
    pub status: &'a str,
    /// Whether an agent has replied publicly (the first-response target is met).
    pub replied: bool,
    /// Whether the ticket is still `new` (a clock a policy stops in `new` is not created).
    pub is_new: bool,
    /// When the ticket was registered: a policy's first clocks start there.
    pub created_at: Timestamp,
}

/// A threshold crossed under one policy, with the instant it was crossed: what the
/// timeline and the breach reports record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crossing {
    pub policy_id: i64,
    pub kind: SlaKind,
    pub event: SlaEvent,
}

impl TicketSla {
    fn watch(&self, kind: SlaKind) -> Option<&Stopwatch> {
        match kind {
            SlaKind::FirstResponse => self.response.as_ref(),
            SlaKind::Resolution => self.resolution.as_ref(),
        }
    }

    fn watch_mut(&mut self, kind: SlaKind) -> &mut Option<Stopwatch> {
        match kind {
            SlaKind::FirstResponse => &mut self.response,
            SlaKind::Resolution => &mut self.resolution,
        }
    }

    /// Brings the record in line with the ticket at `now` under `next`, the policy that
    /// applies now (`None`: none applies, the clocks stop where they are and the ticket has
    /// no SLA state). `previous` is the policy the record was measured under, when it is
    /// still known: if `next` is another policy, `previous` is first checked at `now`, and
    /// the crossings it reached that the scan had not yet recorded are returned (they
    /// happened; the caller records them, without the old policy's actions).
    pub fn refresh(
        &mut self,
        previous: Option<InForce<'_>>,
        next: Option<InForce<'_>>,
        facts: &ClockFacts<'_>,
        now: Timestamp,
    ) -> Vec<Crossing> {
        let mut settled = Vec::new();
        let changing = next.map(|p| p.id) != self.policy_id;
        if changing && let Some(prev) = previous.filter(|p| Some(p.id) == self.policy_id) {
            settled = self.evaluate(prev, now);
        }
        let Some(p) = next else {
            for kind in SLA_KINDS {
                if let Some(w) = self.watch_mut(kind) {
                    w.stop(now, &Calendar::always());
                }
            }
            self.policy_id = None;
            self.response_due_at = None;
            self.resolution_due_at = None;
            self.due_at = None;
            self.next_check_at = None;
            self.state = None;
            return settled;
        };
        for kind in SLA_KINDS {
            let (target, warn_pct) = (p.target(kind), p.policy.warn_percent);
            if let Some(w) = self.watch_mut(kind) {
                if changing {
                    // The recorded runs are measured again on the new calendar, so paused
                    // time is never lost; the old policy's flags do not apply to it.
                    w.recompute(p.calendar);
                    w.forget_crossings();
                } else {
                    w.forget_unreached(now, target, p.calendar, warn_pct);
                }
            }
        }
        // The first time a policy applies, its clocks start when the ticket was registered.
        let start = if self.response.is_none() && self.resolution.is_none() {
            facts.created_at.min(now)
        } else {
            now
        };
        self.policy_id = Some(p.id);
        for kind in SLA_KINDS {
            let action = match kind {
                SlaKind::FirstResponse => p.policy.response_action(facts.status, facts.replied),
                SlaKind::Resolution => p.policy.resolution_action(facts.status),
            };
            let slot = self.watch_mut(kind);
            if slot.is_none() && action == ClockAction::Stop && facts.is_new {
                continue;
            }
            slot.get_or_insert_with(Stopwatch::new)
                .apply(start, action, p.calendar);
        }
        self.summarise(p, now);
        settled
    }

    /// The scan: checks each threshold of `p` at `now`, flags each crossing once (per
    /// policy applied) and returns them; then the state, due instants and next check.
    pub fn evaluate(&mut self, p: InForce<'_>, now: Timestamp) -> Vec<Crossing> {
        let mut out = Vec::new();
        for kind in SLA_KINDS {
            let target = p.target(kind);
            if let Some(w) = self.watch_mut(kind) {
                for event in w.evaluate(now, target, p.calendar, p.policy.warn_percent) {
                    out.push(Crossing {
                        policy_id: p.id,
                        kind,
                        event,
                    });
                }
            }
        }
        self.summarise(p, now);
        out
    }

    /// What `p` says of the ticket at `now`: breached when a target's elapsed business time
    /// has reached it, at risk when a target not stopped has reached its warning. A paused
    /// target is on hold, not met (it resumes with less than the warning margin left), so it
    /// is at risk; a stopped one is met or no longer measured and never is. The watches
    /// follow the clock rules of `p` for the ticket's status (`refresh` applies them), so a
    /// watch stopped while no policy applied is paused again when `p` pauses the status.
    pub fn state_at(&self, p: InForce<'_>, now: Timestamp) -> SlaState {
        let mut state = SlaState::Ok;
        for kind in SLA_KINDS {
            let Some(w) = self.watch(kind).filter(|w| w.started_at().is_some()) else {
                continue;
            };
            let elapsed = w.elapsed_at(now, p.calendar);
            if elapsed >= p.target(kind) {
                return SlaState::Breached;
            }
            if elapsed >= p.warn(kind) && w.state() != StopwatchState::Stopped {
                state = SlaState::AtRisk;
            }
        }
        state
    }

    /// Due instants, next check and state under `p` at `now`.
    fn summarise(&mut self, p: InForce<'_>, now: Timestamp) {
        let mut due: Option<Timestamp> = None;
        let mut next: Option<Timestamp> = None;
        self.response_due_at = None;
        self.resolution_due_at = None;
        for kind in SLA_KINDS {
            let Some(w) = self.watch(kind) else {
                continue;
            };
            let d = w.due_at(p.target(kind), p.calendar);
            due = min_opt(due, d);
            // Every threshold not flagged yet that is or will be reached: a running target
            // is always checked again, and a crossing the scan missed is still recorded.
            let warn = w
                .warned_at()
                .is_none()
                .then(|| w.reached_at(p.warn(kind), p.calendar))
                .flatten();
            let breach = w
                .breached_at()
                .is_none()
                .then(|| w.reached_at(p.target(kind), p.calendar))
                .flatten();
            next = min_opt(next, min_opt(warn, breach));
            match kind {
                SlaKind::FirstResponse => self.response_due_at = d,
                SlaKind::Resolution => self.resolution_due_at = d,
            }
        }
        self.due_at = due;
        self.next_check_at = next;
        self.state = Some(self.state_at(p, now));
    }
}

fn min_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}
