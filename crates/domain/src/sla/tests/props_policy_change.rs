//! Property test of issue 15 (case 1): over any sequence of policy changes (to a laxer, a
//! stricter, the same or no policy), pauses, replies, stops, reopenings and time steps, with
//! the scan run whenever its next check is due, the SLA state is always what the policy in
//! force says at `now`, the next check is scheduled while a target runs unbreached, and
//! each policy applied breaches each target at most once and never silently.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::{hours, madrid_office, mins, ts};
use crate::sla::{
    Calendar, ClockFacts, Crossing, InForce, SLA_KINDS, SlaEvent, SlaKind, SlaPolicy,
    SlaPolicySpec, SlaState, SlaTarget, TicketSla,
};

#[derive(Debug, Clone, Copy)]
enum Op {
    Advance(SignedDuration),
    /// Index into the policies; past the end means no policy applies.
    Policy(usize),
    Pause,
    Resume,
    Reply,
    Stop,
}

/// (first response, resolution, warning %, round the clock or Madrid office hours).
const POLICIES: [(i64, i64, u8, bool); 4] = [
    (1, 1, 75, true),
    (60, 480, 75, true),
    (30, 120, 50, false),
    (120, 480, 90, false),
];

fn policies() -> Vec<(SlaPolicy, Calendar)> {
    POLICIES
        .iter()
        .enumerate()
        .map(|(i, &(response, resolution, warn, always))| {
            let p = SlaPolicy::new(SlaPolicySpec {
                name: format!("p{i}"),
                priority: "high".into(),
                organisation: None,
                category: None,
                calendar_id: i as i64,
                targets: SlaTarget {
                    first_response: mins(response),
                    resolution: mins(resolution),
                },
                warn_percent: warn,
                response_clock: Default::default(),
                resolution_clock: Default::default(),
            })
            .unwrap();
            let cal = if always {
                Calendar::always()
            } else {
                madrid_office()
            };
            (p, cal)
        })
        .collect()
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0i64..10 * 3_600).prop_map(|s| Op::Advance(SignedDuration::from_secs(s))),
        1 => (0i64..300).prop_map(|s| Op::Advance(SignedDuration::from_secs(s))),
        3 => (0usize..=POLICIES.len()).prop_map(Op::Policy),
        1 => Just(Op::Pause),
        1 => Just(Op::Resume),
        1 => Just(Op::Reply),
        1 => Just(Op::Stop),
    ]
}

/// One target's clock in the model: closed runs and the open one, in real instants.
type ModelClock = (Vec<(Timestamp, Timestamp)>, Option<Timestamp>);

/// The ticket as the model sees it: status, reply, policy, and each target's runs in real
/// instants, kept apart from the stopwatch under test.
struct Model {
    status: &'static str,
    replied: bool,
    policy: Option<usize>,
    /// Per kind: closed runs and the open one.
    runs: [ModelClock; 2],
}

impl Model {
    fn runs_now(&self, kind: SlaKind) -> bool {
        self.policy.is_some()
            && matches!(self.status, "new" | "analysis")
            && !(kind == SlaKind::FirstResponse && self.replied)
    }

    fn stopped(&self, kind: SlaKind) -> bool {
        self.status == "validation" || (kind == SlaKind::FirstResponse && self.replied)
    }

    fn sync(&mut self, now: Timestamp) {
        for (i, kind) in SLA_KINDS.into_iter().enumerate() {
            let want = self.runs_now(kind);
            let (closed, open) = &mut self.runs[i];
            match (*open, want) {
                (None, true) => *open = Some(now),
                (Some(from), false) => {
                    closed.push((from, now));
                    *open = None;
                }
                _ => {}
            }
        }
    }

    fn elapsed(&self, kind: SlaKind, cal: &Calendar, now: Timestamp) -> SignedDuration {
        let i = usize::from(kind == SlaKind::Resolution);
        let (closed, open) = &self.runs[i];
        closed
            .iter()
            .chain(open.map(|from| (from, now)).iter())
            .map(|(a, b)| cal.business_between(*a, *b))
            .sum()
    }

    /// What the policy in force says at `now`, from the model's own runs.
    fn state(&self, p: &SlaPolicy, cal: &Calendar, now: Timestamp) -> SlaState {
        let mut state = SlaState::Ok;
        for kind in SLA_KINDS {
            let elapsed = self.elapsed(kind, cal, now);
            let target = p.targets.get(kind);
            if elapsed >= target {
                return SlaState::Breached;
            }
            let warn = SignedDuration::try_from_nanos_i128(
                target.as_nanos() * i128::from(p.warn_percent) / 100,
            )
            .unwrap();
            if elapsed >= warn && !self.stopped(kind) {
                state = SlaState::AtRisk;
            }
        }
        state
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_state_always_follows_the_policy_in_force(
        first in 0usize..POLICIES.len(),
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let policies = policies();
        let in_force = |i: Option<usize>| {
            i.and_then(|i| policies.get(i)).map(|(p, cal)| InForce {
                id: i64::try_from(i.unwrap_or(0)).unwrap() + 1,
                policy: p,
                calendar: cal,
            })
        };
        let created = ts("2026-03-09T07:00:00Z");
        let mut now = created;
        let mut m = Model { status: "new", replied: false, policy: Some(first), runs: Default::default() };
        m.sync(now);
        let mut sla = TicketSla::default();
        // Which application of a policy each crossing belongs to, and its crossings.
        let mut application = 0usize;
        let mut breaches: Vec<(usize, SlaKind)> = Vec::new();
        let record = |app: usize, cs: &[Crossing], breaches: &mut Vec<(usize, SlaKind)>| {
            for c in cs {
                if let SlaEvent::Breach { .. } = c.event {
                    breaches.push((app, c.kind));
                }
            }
        };
        let facts = |m: &Model| ClockFacts {
            status: m.status,
            replied: m.replied,
            is_new: m.status == "new",
            created_at: created,
        };
        let settled = sla.refresh(None, in_force(m.policy), &facts(&m), now);
        prop_assert!(settled.is_empty());
        for op in ops {
            let previous = m.policy;
            match op {
                Op::Advance(d) => now = now.checked_add(d).unwrap(),
                Op::Policy(i) => m.policy = (i < POLICIES.len()).then_some(i),
                Op::Pause if m.status != "validation" => m.status = "pending",
                Op::Resume => m.status = "analysis",
                Op::Reply => m.replied = true,
                Op::Stop => m.status = "validation",
                Op::Pause => {}
            }
            m.sync(now);
            // The write: the ticket's record brought in line with it.
            let settled = sla.refresh(in_force(previous), in_force(m.policy), &facts(&m), now);
            let changed = previous != m.policy;
            record(application, &settled, &mut breaches);
            if changed {
                application += 1;
            }
            // The scan, when the next check is due.
            if let (Some(p), Some(at)) = (in_force(m.policy), sla.next_check_at)
                && at <= now
            {
                let found = sla.evaluate(p, now);
                record(application, &found, &mut breaches);
            }
            let Some(p) = in_force(m.policy) else {
                prop_assert_eq!(sla.state, None);
                prop_assert_eq!(sla.next_check_at, None);
                prop_assert_eq!(sla.due_at, None);
                continue;
            };
            let expected = m.state(p.policy, p.calendar, now);
            prop_assert_eq!(sla.state, Some(expected), "at {} under {:?}: {:?}", now, m.policy, sla);
            for kind in SLA_KINDS {
                let elapsed = m.elapsed(kind, p.calendar, now);
                let target = p.policy.targets.get(kind);
                if m.runs_now(kind) && elapsed < target {
                    let next = sla.next_check_at;
                    prop_assert!(next.is_some_and(|t| t > now), "no check ahead: {:?}", sla);
                    let due = match kind {
                        SlaKind::FirstResponse => sla.response_due_at,
                        SlaKind::Resolution => sla.resolution_due_at,
                    };
                    prop_assert!(due.is_some() && next <= due, "check after the due instant: {:?}", sla);
                }
                let fired = breaches.iter().filter(|b| **b == (application, kind)).count();
                prop_assert!(fired <= 1, "{:?} breached {} times under one policy", kind, fired);
                if elapsed >= target {
                    prop_assert_eq!(fired, 1, "{:?} overdue but its breach never fired", kind);
                }
            }
        }
    }
}

fn p(id: i64, (policy, calendar): &(SlaPolicy, Calendar)) -> InForce<'_> {
    InForce {
        id,
        policy,
        calendar,
    }
}

#[test]
fn a_breach_of_a_one_minute_policy_gives_way_to_an_eight_hour_policy() {
    let policies = policies();
    let (minute, eight) = (&policies[0], &policies[1]);
    let created = ts("2026-03-09T08:00:00Z");
    let facts = ClockFacts {
        status: "analysis",
        replied: true,
        is_new: false,
        created_at: created,
    };
    let mut sla = TicketSla::default();
    sla.refresh(None, Some(p(1, minute)), &facts, created);
    let at = created.checked_add(mins(2)).unwrap();
    let crossed = sla.evaluate(p(1, minute), at);
    assert_eq!(
        crossed.len(),
        2,
        "warning and breach of the resolution target"
    );
    assert_eq!(sla.state, Some(SlaState::Breached));
    assert_eq!(sla.next_check_at, None);
    let settled = sla.refresh(Some(p(1, minute)), Some(p(2, eight)), &facts, at);
    assert!(settled.is_empty(), "already recorded by the scan");
    assert_eq!(sla.state, Some(SlaState::Ok));
    assert_eq!(sla.resolution_due_at, created.checked_add(hours(8)).ok());
    assert_eq!(sla.next_check_at, created.checked_add(hours(6)).ok());
}

#[test]
fn a_breach_the_scan_missed_is_settled_under_the_old_policy_when_the_policy_changes() {
    let policies = policies();
    let created = ts("2026-03-09T08:00:00Z");
    let facts = ClockFacts {
        status: "analysis",
        replied: true,
        is_new: false,
        created_at: created,
    };
    let mut sla = TicketSla::default();
    sla.refresh(None, Some(p(1, &policies[0])), &facts, created);
    let at = created.checked_add(mins(5)).unwrap();
    let settled = sla.refresh(
        Some(p(1, &policies[0])),
        Some(p(2, &policies[1])),
        &facts,
        at,
    );
    let breach = settled
        .iter()
        .find(|c| matches!(c.event, SlaEvent::Breach { .. }))
        .copied();
    assert_eq!(
        breach,
        Some(Crossing {
            policy_id: 1,
            kind: SlaKind::Resolution,
            event: SlaEvent::Breach {
                at: created.checked_add(mins(1)).unwrap()
            }
        })
    );
    assert_eq!(sla.state, Some(SlaState::Ok));
}

#[test]
fn a_pending_ticket_past_its_warning_is_at_risk_when_a_policy_applies_again() {
    // The shrunk case of the property: clocks stopped while no policy applied, the ticket
    // put on hold, then a policy that pauses the hold applies with the response target past
    // its warning. Paused is on hold, not met: at risk.
    let policies = policies();
    let created = ts("2026-03-09T07:00:00Z");
    let facts = |status| ClockFacts {
        status,
        replied: false,
        is_new: status == "new",
        created_at: created,
    };
    let at = ts("2026-03-09T08:15:00Z");
    let mut sla = TicketSla::default();
    sla.refresh(None, Some(p(1, &policies[0])), &facts("new"), created);
    sla.refresh(Some(p(1, &policies[0])), None, &facts("new"), at);
    sla.refresh(None, None, &facts("pending"), at);
    assert_eq!(sla.state, None);
    sla.refresh(None, Some(p(3, &policies[2])), &facts("pending"), at);
    let response = sla.response.as_ref().unwrap();
    assert_eq!(response.state(), crate::sla::StopwatchState::Paused);
    // 09:00–09:15 Madrid: a quarter of an hour of the 30-minute target, warning at 50 %.
    assert_eq!(response.elapsed_at(at, &policies[2].1), mins(15));
    assert_eq!(sla.state, Some(SlaState::AtRisk));
    // Stopped by the status (validation), the same record is not at risk.
    sla.refresh(
        Some(p(3, &policies[2])),
        Some(p(3, &policies[2])),
        &facts("validation"),
        at,
    );
    assert_eq!(sla.state, Some(SlaState::Ok));
}
