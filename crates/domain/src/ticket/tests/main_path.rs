//! Unit tests for the main path of the state machine: analysis, solution, validation and
//! step `[4]` "no solution".

use super::*;

#[test]
fn main_path_from_new_to_closed() {
    let mut life = bare(Status::New);
    let mut kinds = Vec::new();
    let steps: [(TransitionRequest, ActorKind); 6] = [
        (mv(Status::Analysis), Agent),
        (mv(Status::Solution), Agent),
        (
            mv_resolved(Some("fixed"), Some("Replaced the toner.")),
            Agent,
        ),
        (
            TransitionRequest::Confirm {
                solved: true,
                reason: None,
            },
            Requester,
        ),
        (TransitionRequest::SurveySubmitted, Requester),
        (mv(Status::Closed), Supervisor),
    ];
    for (req, by) in steps {
        if life.status == Status::Review {
            life.has_category = true; // the owner completes the record in review
        }
        let t = ok(&life, &req, by);
        assert_eq!(t.from, life.status);
        assert_eq!(t.lifecycle.status, t.to);
        kinds.push(t.kind);
        life = t.lifecycle;
    }
    use TransitionKind as K;
    assert_eq!(
        kinds,
        [
            K::Taken,
            K::SolutionStarted,
            K::Resolved,
            K::Confirmed,
            K::SurveySubmitted,
            K::Closed
        ]
    );
    assert_eq!(life.status, Status::Closed);
    assert_eq!(life.reopen_count, 0);
    assert_eq!(life.resolution_code, Some(text("fixed")));
}

#[test]
fn staff_drive_the_working_steps_others_may_not() {
    for (from, to) in [
        (Status::New, Status::Analysis),
        (Status::Analysis, Status::Solution),
        (Status::Solution, Status::Analysis),
    ] {
        for by in [Agent, Supervisor] {
            assert_eq!(ok(&at(from), &mv(to), by).to, to);
        }
        for by in [Requester, System] {
            assert_eq!(
                code(&at(from), &mv(to), by),
                "not_allowed",
                "{from}→{to} by {by}"
            );
        }
    }
    assert_eq!(
        ok(&at(Status::Solution), &mv(Status::Analysis), Agent).kind,
        TransitionKind::BackToAnalysis
    );
}

#[test]
fn steps_cannot_be_skipped_or_repeated() {
    for (from, to) in [
        (Status::New, Status::Solution),
        (Status::New, Status::Closed),
        (Status::Analysis, Status::Validation),
        (Status::Analysis, Status::New),
        (Status::Solution, Status::Survey),
        (Status::Survey, Status::Closed),
        (Status::Review, Status::Survey),
        (Status::Analysis, Status::Analysis),
    ] {
        for by in ActorKind::ALL {
            assert_eq!(
                code(&at(from), &mv_reason(to), *by),
                "invalid_transition",
                "{from}→{to} by {by}"
            );
        }
    }
}

#[test]
fn resolving_needs_a_resolution_code_and_text() {
    let life = bare(Status::Solution);
    let err = transition(&life, &mv_resolved(None, None), Agent).unwrap_err();
    assert_eq!(err.code(), "resolution_required");
    assert_eq!(err.fields(), ["resolution_code", "resolution"]);
    assert!(
        err.to_string().contains("resolution_code, resolution"),
        "{err}"
    );
    let err = transition(&life, &mv_resolved(Some("fixed"), None), Agent).unwrap_err();
    assert_eq!(
        err,
        TransitionError::ResolutionRequired {
            missing: vec!["resolution"]
        }
    );

    let t = ok(
        &life,
        &mv_resolved(Some("workaround"), Some("Restarted the spooler.")),
        Agent,
    );
    assert_eq!(t.kind, TransitionKind::Resolved);
    assert_eq!(t.fields.resolution_code, Some(text("workaround")));
    assert_eq!(t.lifecycle.resolution, Some(text("Restarted the spooler.")));
    assert_eq!(t.steps(), [2, 3]);
}

#[test]
fn resolving_may_use_what_is_already_on_the_ticket_and_the_request_wins() {
    let life = at(Status::Solution);
    let t = ok(&life, &mv(Status::Validation), Supervisor);
    assert_eq!(
        t.fields.resolution_code,
        Some(text("fixed")),
        "history shows what was offered"
    );
    let t = ok(&life, &mv_resolved(Some("workaround"), None), Agent);
    assert_eq!(t.lifecycle.resolution_code, Some(text("workaround")));
    assert_eq!(t.lifecycle.resolution, Some(text("Replaced the toner.")));
}

#[test]
fn validation_locks_agents_out_of_everything() {
    let life = at(Status::Validation);
    assert!(!agent_may_modify(Status::Validation));
    assert!(allowed_targets(&life, Agent).is_empty());
    let mut requests: Vec<TransitionRequest> = Status::ALL.iter().map(|s| mv_reason(*s)).collect();
    requests.push(TransitionRequest::Confirm {
        solved: true,
        reason: Some(text("called")),
    });
    requests.push(TransitionRequest::Confirm {
        solved: false,
        reason: Some(text("called")),
    });
    requests.push(TransitionRequest::SurveySubmitted);
    for req in requests {
        assert_eq!(code(&life, &req, Agent), "validation_locked", "{req:?}");
    }
}

#[test]
fn requester_confirms_and_moves_on_to_the_survey() {
    let life = at(Status::Validation);
    let by_event = ok(
        &life,
        &TransitionRequest::Confirm {
            solved: true,
            reason: None,
        },
        Requester,
    );
    let by_move = ok(&life, &mv(Status::Survey), Requester);
    for t in [by_event, by_move] {
        assert_eq!((t.to, t.kind), (Status::Survey, TransitionKind::Confirmed));
        assert!(!t.no_solution());
        assert_eq!(t.lifecycle.reopen_count, 0);
        assert_eq!(t.steps(), [3, 5]);
    }
}

#[test]
fn no_solution_goes_back_to_analysis_and_counts_a_reopening() {
    let mut life = at(Status::Validation);
    life.reopen_count = 2;
    let reason = Some(text("Still cannot print"));
    let by_event = ok(
        &life,
        &TransitionRequest::Confirm {
            solved: false,
            reason: reason.clone(),
        },
        Requester,
    );
    let by_move = ok(&life, &mv(Status::Analysis), Requester);
    for t in [by_event, by_move] {
        assert_eq!(t.to, Status::Analysis);
        assert_eq!(t.kind, TransitionKind::NoSolution);
        assert!(t.no_solution());
        assert_eq!(t.steps(), [3, 4, 1], "history shows step [4]");
        assert_eq!(t.lifecycle.reopen_count, 3);
        assert_eq!(
            t.lifecycle.resolution_code, None,
            "the failed resolution is cleared"
        );
        assert_eq!(t.lifecycle.resolution, None);
    }
    let t = ok(
        &life,
        &TransitionRequest::Confirm {
            solved: false,
            reason: reason.clone(),
        },
        Requester,
    );
    assert_eq!(
        t.fields.reason, reason,
        "the requester's comment is recorded"
    );
}

#[test]
fn reopen_count_saturates_instead_of_overflowing() {
    let mut life = at(Status::Validation);
    life.reopen_count = u32::MAX;
    let t = ok(&life, &mv(Status::Analysis), Requester);
    assert_eq!(t.lifecycle.reopen_count, u32::MAX);
}

#[test]
fn supervisor_may_answer_for_the_requester_with_a_reason() {
    let life = at(Status::Validation);
    for solved in [true, false] {
        let bare_answer = TransitionRequest::Confirm {
            solved,
            reason: None,
        };
        assert_eq!(code(&life, &bare_answer, Supervisor), "reason_required");
        let answer = TransitionRequest::Confirm {
            solved,
            reason: Some(text("Confirmed by phone")),
        };
        assert_eq!(ok(&life, &answer, Supervisor).by, Supervisor);
        assert_eq!(code(&life, &answer, System), "not_allowed");
    }
}

#[test]
fn events_must_arrive_in_their_status() {
    let confirm = TransitionRequest::Confirm {
        solved: false,
        reason: None,
    };
    let err = transition(&at(Status::Analysis), &confirm, Requester).unwrap_err();
    assert_eq!(
        err,
        TransitionError::WrongStatus {
            expected: Status::Validation,
            actual: Status::Analysis
        }
    );
    assert_eq!(err.code(), "invalid_transition");
    for ev in [
        TransitionRequest::SurveySubmitted,
        TransitionRequest::SurveyTimedOut,
    ] {
        assert_eq!(
            code(&at(Status::Review), &ev, System),
            "invalid_transition",
            "late survey"
        );
    }
    assert_eq!(code(&at(Status::Closed), &confirm, Requester), "terminal");
}
