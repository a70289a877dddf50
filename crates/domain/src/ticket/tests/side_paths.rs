//! Unit tests for the side statuses (pending, cancelled, terminal), the UI helpers and the
//! error codes.

use super::*;

#[test]
fn pending_needs_a_reason_and_remembers_where_to_resume() {
    for from in [Status::New, Status::Analysis, Status::Solution] {
        let life = at(from);
        assert_eq!(code(&life, &mv(Status::Pending), Agent), "reason_required");
        for by in [Requester, System] {
            assert_eq!(code(&life, &mv_reason(Status::Pending), by), "not_allowed");
        }
        let t = ok(&life, &mv_reason(Status::Pending), Agent);
        assert_eq!((t.to, t.kind), (Status::Pending, TransitionKind::PutOnHold));
        assert_eq!(t.lifecycle.resume_to, Some(from));
        assert_eq!(t.fields.reason, Some(text("because")));
        assert_eq!(
            allowed_targets(&t.lifecycle, Agent),
            [from, Status::Cancelled]
        );

        for by in [Agent, Supervisor, System] {
            let back = ok(&t.lifecycle, &mv(from), by);
            assert_eq!((back.to, back.kind), (from, TransitionKind::Resumed));
            assert_eq!(back.lifecycle.resume_to, None);
        }
        assert_eq!(code(&t.lifecycle, &mv(from), Requester), "not_allowed");
    }
    for from in [Status::Validation, Status::Survey, Status::Review] {
        assert_eq!(
            code(&at(from), &mv_reason(Status::Pending), Supervisor),
            "invalid_transition"
        );
    }
}

#[test]
fn pending_resumes_only_to_the_remembered_status() {
    let mut life = at(Status::Pending);
    life.resume_to = Some(Status::Solution);
    for to in [
        Status::New,
        Status::Analysis,
        Status::Validation,
        Status::Pending,
        Status::Closed,
    ] {
        assert_eq!(
            code(&life, &mv_reason(to), Agent),
            "invalid_transition",
            "{to}"
        );
    }
    // A missing or impossible remembered status is a data error; resume to analysis.
    for broken in [None, Some(Status::Review)] {
        life.resume_to = broken;
        assert_eq!(life.resume_target(), Status::Analysis);
        assert_eq!(
            ok(&life, &mv(Status::Analysis), System).to,
            Status::Analysis
        );
    }
}

#[test]
fn staff_cancel_with_a_reason() {
    for from in [
        Status::New,
        Status::Analysis,
        Status::Solution,
        Status::Pending,
    ] {
        let life = at(from);
        assert_eq!(
            code(&life, &mv(Status::Cancelled), Agent),
            "reason_required"
        );
        let t = ok(&life, &mv_reason(Status::Cancelled), Agent);
        assert_eq!(
            (t.to, t.kind),
            (Status::Cancelled, TransitionKind::Cancelled)
        );
        assert_eq!(t.lifecycle.resume_to, None);
        assert_eq!(
            code(&life, &mv_reason(Status::Cancelled), System),
            "not_allowed"
        );
    }
    for from in [Status::Survey, Status::Review] {
        assert_eq!(
            code(&at(from), &mv_reason(Status::Cancelled), Supervisor),
            "invalid_transition"
        );
    }
}

#[test]
fn requester_may_withdraw_before_the_solution_is_underway() {
    for from in [Status::New, Status::Analysis, Status::Pending] {
        let t = ok(&at(from), &mv(Status::Cancelled), Requester);
        assert_eq!(t.kind, TransitionKind::Withdrawn);
    }
    assert_eq!(
        code(&at(Status::Solution), &mv(Status::Cancelled), Requester),
        "not_allowed"
    );
    assert_eq!(
        code(&at(Status::Validation), &mv(Status::Cancelled), Requester),
        "invalid_transition"
    );
}

#[test]
fn closed_and_cancelled_never_change() {
    for status in [Status::Closed, Status::Cancelled] {
        let life = at(status);
        for by in ActorKind::ALL {
            assert!(allowed_targets(&life, *by).is_empty());
            for to in Status::ALL {
                let err = transition(&life, &mv_reason(*to), *by).unwrap_err();
                assert_eq!(err, TransitionError::Terminal { status });
            }
        }
        assert!(!agent_may_modify(status));
    }
}

#[test]
fn resolution_texts_are_ignored_outside_resolving_and_closing() {
    let fields = TransitionFields {
        resolution_code: Some(text("hacked")),
        resolution: Some(text("I fixed it myself")),
        summary: Some(text("note")),
        ..TransitionFields::default()
    };
    let req = TransitionRequest::MoveTo {
        to: Status::Survey,
        fields,
    };
    let t = ok(&at(Status::Validation), &req, Requester);
    assert_eq!(t.lifecycle.resolution_code, Some(text("fixed")));
    assert_eq!(t.fields.resolution_code, None);
    assert_eq!(
        t.fields.summary,
        Some(text("note")),
        "summaries are always recorded"
    );
}

#[test]
fn allowed_targets_per_status_and_actor() {
    use Status as S;
    let cases: &[(Status, ActorKind, &[Status])] = &[
        (S::New, Agent, &[S::Analysis, S::Pending, S::Cancelled]),
        (S::New, Requester, &[S::Cancelled]),
        (S::New, System, &[]),
        (
            S::Analysis,
            Supervisor,
            &[S::Solution, S::Pending, S::Cancelled],
        ),
        (
            S::Solution,
            Agent,
            &[S::Analysis, S::Validation, S::Pending, S::Cancelled],
        ),
        (S::Solution, Requester, &[]),
        (S::Validation, Requester, &[S::Analysis, S::Survey]),
        (S::Validation, Supervisor, &[S::Analysis, S::Survey]),
        (S::Validation, System, &[]),
        (S::Survey, Requester, &[S::Review]),
        (S::Survey, System, &[S::Review]),
        (S::Survey, Agent, &[]),
        (S::Review, Supervisor, &[S::Analysis, S::Closed]),
        (S::Review, Agent, &[]),
        (S::Pending, System, &[S::Analysis]),
        (S::Pending, Requester, &[S::Cancelled]),
    ];
    for (status, by, expected) in cases {
        assert_eq!(
            allowed_targets(&at(*status), *by),
            *expected,
            "{status} by {by}"
        );
    }
}

#[test]
fn needs_reason_tells_the_form_what_to_ask() {
    assert!(needs_reason(&at(Status::Analysis), Status::Pending, Agent));
    assert!(!needs_reason(
        &at(Status::Analysis),
        Status::Solution,
        Agent
    ));
    assert!(!needs_reason(
        &at(Status::New),
        Status::Cancelled,
        Requester
    ));
    assert!(needs_reason(&at(Status::New), Status::Cancelled, Agent));
    assert!(needs_reason(
        &at(Status::Validation),
        Status::Survey,
        Supervisor
    ));
    assert!(!needs_reason(
        &at(Status::Validation),
        Status::Survey,
        Requester
    ));
    assert!(
        !needs_reason(&at(Status::Validation), Status::Survey, Agent),
        "not allowed at all"
    );
}

#[test]
fn error_codes_are_stable() {
    use TransitionError as E;
    let cases = [
        (
            E::Terminal {
                status: Status::Closed,
            },
            "terminal",
        ),
        (
            E::InvalidTransition {
                from: Status::New,
                to: Status::Closed,
            },
            "invalid_transition",
        ),
        (
            E::WrongStatus {
                expected: Status::Survey,
                actual: Status::New,
            },
            "invalid_transition",
        ),
        (E::ValidationLocked, "validation_locked"),
        (
            E::NotAllowed {
                from: Status::Review,
                to: Status::Closed,
                by: Agent,
            },
            "not_allowed",
        ),
        (
            E::ReasonRequired {
                from: Status::New,
                to: Status::Pending,
            },
            "reason_required",
        ),
        (
            E::ResolutionRequired {
                missing: vec!["resolution"],
            },
            "resolution_required",
        ),
        (
            E::IncompleteForClose {
                missing: vec!["category"],
            },
            "incomplete_for_close",
        ),
    ];
    for (err, expected) in cases {
        assert_eq!(err.code(), expected);
        assert!(!err.to_string().is_empty());
    }
    let msg = E::NotAllowed {
        from: Status::Review,
        to: Status::Closed,
        by: Agent,
    }
    .to_string();
    assert_eq!(msg, "the agent may not move a ticket from review to closed");
}
