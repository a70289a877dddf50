//! Unit tests for the end of the main path: survey, review and closing.

use super::*;

#[test]
fn survey_moves_to_review_on_rating_or_timeout() {
    let life = at(Status::Survey);
    let t = ok(&life, &TransitionRequest::SurveySubmitted, Requester);
    assert_eq!(
        (t.to, t.kind),
        (Status::Review, TransitionKind::SurveySubmitted)
    );
    let t = ok(&life, &TransitionRequest::SurveyTimedOut, System);
    assert_eq!(
        (t.to, t.kind),
        (Status::Review, TransitionKind::SurveyTimedOut)
    );
    assert_eq!(
        ok(&life, &mv(Status::Review), System).kind,
        TransitionKind::SurveyTimedOut
    );
    assert_eq!(
        ok(&life, &mv(Status::Review), Requester).kind,
        TransitionKind::SurveySubmitted
    );
    assert_eq!(
        ok(&life, &mv_reason(Status::Review), Supervisor).kind,
        TransitionKind::SurveySubmitted
    );
    assert_eq!(
        code(&life, &mv(Status::Review), Supervisor),
        "reason_required"
    );

    assert_eq!(
        code(&life, &TransitionRequest::SurveyTimedOut, Requester),
        "not_allowed"
    );
    assert_eq!(
        code(&life, &TransitionRequest::SurveySubmitted, System),
        "not_allowed"
    );
    assert_eq!(
        code(&life, &TransitionRequest::SurveySubmitted, Agent),
        "not_allowed"
    );
    assert_eq!(code(&life, &mv(Status::Review), Agent), "not_allowed");
    assert!(
        agent_may_modify(Status::Survey),
        "agents may still add notes"
    );
}

#[test]
fn only_a_supervisor_closes_from_review() {
    let life = at(Status::Review);
    for by in [Agent, Requester, System] {
        assert_eq!(code(&life, &mv(Status::Closed), by), "not_allowed", "{by}");
    }
    let t = ok(&life, &mv(Status::Closed), Supervisor);
    assert_eq!(
        (t.from, t.to, t.kind),
        (Status::Review, Status::Closed, TransitionKind::Closed)
    );
    assert_eq!(t.steps(), [6]);
}

#[test]
fn closing_checks_the_record_is_complete() {
    let life = bare(Status::Review);
    let err = transition(&life, &mv(Status::Closed), Supervisor).unwrap_err();
    assert_eq!(
        err,
        TransitionError::IncompleteForClose {
            missing: vec!["category", "resolution_code", "resolution"],
        }
    );
    assert_eq!(err.code(), "incomplete_for_close");
    assert!(
        err.to_string()
            .contains("category, resolution_code, resolution"),
        "{err}"
    );

    // The owner may fill in the resolution while closing; the category is a ticket edit.
    let fields = TransitionFields {
        resolution_code: Some(text("fixed")),
        resolution: Some(text("Done")),
        ..TransitionFields::default()
    };
    let req = TransitionRequest::MoveTo {
        to: Status::Closed,
        fields,
    };
    let err = transition(&life, &req, Supervisor).unwrap_err();
    assert_eq!(err.fields(), ["category"]);
    let with_category = Lifecycle {
        has_category: true,
        ..life.clone()
    };
    let t = ok(&with_category, &req, Supervisor);
    assert_eq!(t.lifecycle.resolution, Some(text("Done")));
}

#[test]
fn close_requirements_are_configurable() {
    let life = bare(Status::Review);
    let lax = CloseRequirements {
        category: false,
        resolution_code: false,
        resolution: false,
    };
    assert!(transition_with(&life, &mv(Status::Closed), Supervisor, &lax).is_ok());
    let only_category = CloseRequirements {
        category: true,
        ..lax
    };
    let err = transition_with(&life, &mv(Status::Closed), Supervisor, &only_category).unwrap_err();
    assert_eq!(err.fields(), ["category"]);
    assert_eq!(
        CloseRequirements::default(),
        CloseRequirements {
            category: true,
            resolution_code: true,
            resolution: true
        }
    );
}

#[test]
fn supervisor_may_send_an_incomplete_record_back_to_analysis() {
    let mut life = at(Status::Review);
    life.reopen_count = 1;
    assert_eq!(
        code(&life, &mv(Status::Analysis), Supervisor),
        "reason_required"
    );
    let t = ok(&life, &mv_reason(Status::Analysis), Supervisor);
    assert_eq!(t.kind, TransitionKind::ReviewReopened);
    assert_eq!(t.lifecycle.reopen_count, 1, "not a step [4] reopening");
    assert_eq!(
        t.lifecycle.resolution_code, life.resolution_code,
        "kept for the rework"
    );
    for by in [Agent, Requester, System] {
        assert_eq!(code(&life, &mv_reason(Status::Analysis), by), "not_allowed");
    }
}
