//! Property tests for the state machine: random sequences of requests by random actors,
//! starting from `new`, checked against the invariants of the service model (SPEC C3).

use proptest::prelude::*;

use super::*;

fn maybe_text(s: &'static str) -> impl Strategy<Value = Option<Text>> {
    // Mostly present, so runs get past the reason and resolution checks and go deep.
    prop::bool::weighted(0.8).prop_map(move |b| b.then(|| text(s)))
}

fn arb_fields() -> impl Strategy<Value = TransitionFields> {
    (
        maybe_text("why"),
        maybe_text("fixed"),
        maybe_text("did this"),
        maybe_text("summary"),
    )
        .prop_map(
            |(reason, resolution_code, resolution, summary)| TransitionFields {
                reason,
                resolution_code,
                resolution,
                summary,
            },
        )
}

fn arb_status() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

fn arb_actor() -> impl Strategy<Value = ActorKind> {
    prop::sample::select(ActorKind::ALL.to_vec())
}

fn arb_request() -> impl Strategy<Value = TransitionRequest> {
    prop_oneof![
        3 => (arb_status(), arb_fields())
            .prop_map(|(to, fields)| TransitionRequest::MoveTo { to, fields }),
        1 => (any::<bool>(), maybe_text("comment"))
            .prop_map(|(solved, reason)| TransitionRequest::Confirm { solved, reason }),
        1 => Just(TransitionRequest::SurveySubmitted),
        1 => Just(TransitionRequest::SurveyTimedOut),
    ]
}

/// One thing that happens to a ticket.
#[derive(Debug, Clone)]
enum Op {
    /// Any request by any actor: mostly refused, which is the point.
    Request(TransitionRequest, ActorKind),
    /// A move to the `n`-th status the UI offers this actor: keeps runs on legal paths so
    /// they reach validation, review and closed often.
    Offered(usize, ActorKind, TransitionFields),
    /// Staff set the category, a ticket edit the app only allows where agents may modify.
    SetCategory,
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (arb_request(), arb_actor()).prop_map(|(r, a)| Op::Request(r, a)),
        5 => (0..8usize, arb_actor(), arb_fields()).prop_map(|(n, a, f)| Op::Offered(n, a, f)),
        1 => Just(Op::SetCategory),
    ]
}

/// A history entry as the store would write it.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    from: Status,
    to: Status,
    kind: TransitionKind,
    by: ActorKind,
}

/// The lifecycle's own invariants: a known status; a resume point exactly while pending,
/// and one a ticket can be put on hold from.
fn check_state(life: &Lifecycle) -> Result<(), TestCaseError> {
    prop_assert!(Status::ALL.contains(&life.status));
    match life.resume_to {
        Some(r) => {
            prop_assert_eq!(life.status, Status::Pending);
            prop_assert!(
                matches!(r, Status::New | Status::Analysis | Status::Solution),
                "{r}"
            );
        }
        None => prop_assert_ne!(life.status, Status::Pending),
    }
    Ok(())
}

/// Checks one successful transition against the model.
fn check_success(before: &Lifecycle, t: &Transition, by: ActorKind) -> Result<(), TestCaseError> {
    let after = &t.lifecycle;
    prop_assert_eq!(t.from, before.status);
    prop_assert_eq!(t.to, after.status);
    prop_assert_ne!(t.from, t.to, "every transition changes the status");
    prop_assert_eq!(t.by, by);
    prop_assert!(!before.status.is_terminal(), "terminal states never change");
    prop_assert!(
        !(before.status == Status::Validation && by == ActorKind::Agent),
        "agents never change anything in validation"
    );
    prop_assert!(
        allowed_targets(before, by).contains(&t.to),
        "offered == accepted"
    );
    prop_assert_eq!(after.has_category, before.has_category);

    if t.kind == TransitionKind::NoSolution {
        prop_assert_eq!((t.from, t.to), (Status::Validation, Status::Analysis));
        prop_assert_eq!(after.reopen_count, before.reopen_count + 1);
        prop_assert!(t.no_solution() && t.steps() == [3, 4, 1]);
    } else {
        prop_assert_eq!(after.reopen_count, before.reopen_count);
        prop_assert!(!t.no_solution());
    }
    if t.from == Status::Validation {
        prop_assert!(matches!(
            t.kind,
            TransitionKind::Confirmed | TransitionKind::NoSolution
        ));
    }
    if t.to == Status::Validation {
        prop_assert_eq!(t.from, Status::Solution);
        prop_assert!(after.resolution_code.is_some() && after.resolution.is_some());
    }
    if t.to == Status::Closed {
        prop_assert_eq!(t.from, Status::Review);
        prop_assert_eq!(by, ActorKind::Supervisor);
        prop_assert!(after.has_category, "closed without a category");
        prop_assert!(after.resolution_code.is_some() && after.resolution.is_some());
    }
    if t.from == Status::Pending && t.to != Status::Cancelled {
        prop_assert_eq!(
            Some(t.to),
            before.resume_to,
            "pending resumes where it left"
        );
    }
    if t.to == Status::Pending {
        prop_assert_eq!(after.resume_to, Some(t.from));
    }
    Ok(())
}

/// Checks a refusal: the first checks of the machine always win.
fn check_refusal(
    before: &Lifecycle,
    e: &TransitionError,
    by: ActorKind,
) -> Result<(), TestCaseError> {
    if before.status.is_terminal() {
        prop_assert_eq!(
            e,
            &TransitionError::Terminal {
                status: before.status
            }
        );
    } else if before.status == Status::Validation && by == ActorKind::Agent {
        prop_assert_eq!(e, &TransitionError::ValidationLocked);
    }
    let known = [
        "terminal",
        "invalid_transition",
        "validation_locked",
        "not_allowed",
        "reason_required",
        "resolution_required",
        "incomplete_for_close",
    ];
    prop_assert!(known.contains(&e.code()));
    Ok(())
}

/// Runs `ops` from a new ticket, checking every step; returns the final state and history.
fn run(ops: &[Op]) -> Result<(Lifecycle, Vec<Entry>), TestCaseError> {
    let mut life = Lifecycle::new(false);
    let mut history: Vec<Entry> = Vec::new();
    for op in ops {
        let (request, by) = match op {
            Op::SetCategory => {
                if agent_may_modify(life.status) {
                    life.has_category = true;
                }
                continue;
            }
            Op::Request(r, by) => (r.clone(), *by),
            Op::Offered(n, by, fields) => {
                let offered = allowed_targets(&life, *by);
                let Some(&to) = offered.get(n % offered.len().max(1)) else {
                    continue;
                };
                (
                    TransitionRequest::MoveTo {
                        to,
                        fields: fields.clone(),
                    },
                    *by,
                )
            }
        };
        match transition(&life, &request, by) {
            Ok(t) => {
                check_success(&life, &t, by)?;
                history.push(Entry {
                    from: t.from,
                    to: t.to,
                    kind: t.kind,
                    by: t.by,
                });
                life = t.lifecycle;
            }
            Err(e) => check_refusal(&life, &e, by)?,
        }
        check_state(&life)?;
    }
    Ok((life, history))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_runs_respect_the_service_model(ops in prop::collection::vec(arb_op(), 0..80)) {
        let (life, history) = run(&ops)?;

        // The history is complete and consistent: a chain from `new` to the current status.
        let mut at = Status::New;
        for entry in &history {
            prop_assert_eq!(entry.from, at, "history has a gap");
            at = entry.to;
        }
        prop_assert_eq!(at, life.status);

        // Reopenings are exactly the "no solution" steps.
        let no_solution = history.iter().filter(|e| e.kind == TransitionKind::NoSolution).count();
        prop_assert_eq!(u32::try_from(no_solution).ok(), Some(life.reopen_count));

        // Nothing follows a terminal status.
        if let Some(i) = history.iter().position(|e| e.to.is_terminal()) {
            prop_assert_eq!(i + 1, history.len());
        }
    }

    #[test]
    fn offered_targets_are_exactly_the_accepted_ones(
        status in arb_status(),
        resume in prop::sample::select(vec![Status::New, Status::Analysis, Status::Solution]),
        by in arb_actor(),
    ) {
        // With a complete record and every text given, the only refusals left are the
        // table's own: so a target is accepted if and only if it is offered.
        let life = Lifecycle {
            status,
            resume_to: (status == Status::Pending).then_some(resume),
            reopen_count: 0,
            has_category: true,
            resolution_code: Some(text("fixed")),
            resolution: Some(text("did this")),
        };
        let fields = TransitionFields {
            reason: Some(text("why")),
            resolution_code: Some(text("fixed")),
            resolution: Some(text("did this")),
            summary: None,
        };
        let offered = allowed_targets(&life, by);
        for to in Status::ALL {
            let request = TransitionRequest::MoveTo { to: *to, fields: fields.clone() };
            let accepted = transition(&life, &request, by).is_ok();
            prop_assert_eq!(accepted, offered.contains(to), "{} → {} by {}", status, to, by);
        }
    }
}

#[test]
fn random_runs_reach_every_status_and_transition() {
    // Guards the generators: if runs stopped reaching review or closed, the properties
    // above would pass vacuously. Deterministic: a fixed walk of offered moves.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = prop::collection::vec(arb_op(), 40..80);
    let mut seen = std::collections::HashSet::new();
    let mut kinds = std::collections::HashSet::new();
    for _ in 0..300 {
        let ops = strategy.new_tree(&mut runner).unwrap().current();
        let (_, history) = run(&ops).unwrap();
        seen.insert(Status::New);
        seen.extend(history.iter().map(|e| e.to));
        kinds.extend(history.iter().map(|e| e.kind));
    }
    for status in Status::ALL {
        assert!(seen.contains(status), "no run reached {status}");
    }
    // A child following its parent needs a parent: `rules.rs` covers that kind.
    for kind in TransitionKind::ALL
        .iter()
        .filter(|k| **k != TransitionKind::FollowedParent)
    {
        assert!(kinds.contains(kind), "no run made a {kind} transition");
    }
}
