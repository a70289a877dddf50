//! Tests of the ticket state machine: unit tests for every edge of the table in
//! `machine.rs`, for every kind of actor and every refusal, and property tests over random
//! runs. This file holds the helpers they share.

mod main_path;
mod notify;
mod props;
mod review;
mod rules;
mod side_paths;

use super::*;
use crate::text::Text;

use ActorKind::{Agent, Requester, Supervisor, System};

fn text(s: &str) -> Text {
    Text::parse("test", s, 500).unwrap()
}

/// A ticket in `status` with a complete record (category and resolution set).
fn at(status: Status) -> Lifecycle {
    Lifecycle {
        status,
        resume_to: (status == Status::Pending).then_some(Status::Analysis),
        reopen_count: 0,
        has_category: true,
        resolution_code: Some(text("fixed")),
        resolution: Some(text("Replaced the toner.")),
    }
}

/// A ticket in `status` with nothing filled in.
fn bare(status: Status) -> Lifecycle {
    Lifecycle {
        status,
        ..Lifecycle::new(false)
    }
}

fn mv(to: Status) -> TransitionRequest {
    TransitionRequest::move_to(to)
}

fn mv_reason(to: Status) -> TransitionRequest {
    TransitionRequest::move_with_reason(to, text("because"))
}

fn mv_resolved(code: Option<&str>, resolution: Option<&str>) -> TransitionRequest {
    let fields = TransitionFields {
        resolution_code: code.map(text),
        resolution: resolution.map(text),
        ..TransitionFields::default()
    };
    TransitionRequest::MoveTo {
        to: Status::Validation,
        fields,
    }
}

fn ok(current: &Lifecycle, req: &TransitionRequest, by: ActorKind) -> Transition {
    match transition(current, req, by) {
        Ok(t) => t,
        Err(e) => panic!("{} {req:?} by {by} refused: {e}", current.status),
    }
}

fn code(current: &Lifecycle, req: &TransitionRequest, by: ActorKind) -> &'static str {
    match transition(current, req, by) {
        Ok(t) => panic!("{} {req:?} by {by} allowed: {t:?}", current.status),
        Err(e) => e.code(),
    }
}
