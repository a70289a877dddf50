//! Applying a decided transition to a ticket, and a child following its parent. The state
//! machine (`machine.rs`) decides; these copy the decision onto the ticket and say what to
//! record, so every status change of every ticket is written the same way.

use jiff::Timestamp;

use super::error::TransitionError;
use super::history::{Entry, Said};
use super::lifecycle::{CloseRequirements, Lifecycle, Transition, TransitionRequest};
use super::machine::transition_with;
use super::record::{EventKind, Ticket};
use super::status::{ActorKind, Status};
use crate::text::Text;

/// The part of a ticket the state machine reads.
pub fn lifecycle_of(t: &Ticket) -> Lifecycle {
    let text = |s: &Option<String>, field: &str| {
        s.as_deref()
            .and_then(|v| Text::parse(field, v, 100_000).ok())
    };
    Lifecycle {
        status: t.status,
        resume_to: t.resume_to,
        reopen_count: t.reopen_count,
        has_category: t.category_id.is_some(),
        resolution_code: text(&t.resolution_code, "resolution_code"),
        resolution: text(&t.resolution, "resolution"),
    }
}

/// Copies a decided transition onto the ticket and returns its timeline entry: the status
/// change, what the step means (steps of seed 002, "no solution", following a parent) and
/// the texts given with it.
pub fn apply_transition(t: &mut Ticket, tr: &Transition, now: Timestamp) -> Entry {
    let lc = &tr.lifecycle;
    t.status = lc.status;
    t.resume_to = lc.resume_to;
    t.reopen_count = lc.reopen_count;
    t.resolution_code = lc.resolution_code.as_ref().map(|x| x.to_string());
    t.resolution = lc.resolution.as_ref().map(|x| x.to_string());
    t.pending_reason = if tr.to == Status::Pending {
        tr.fields.reason.as_ref().map(|r| r.to_string())
    } else {
        None
    };
    match tr.to {
        Status::Validation => t.resolved_at = Some(now),
        Status::Analysis if tr.no_solution() => t.resolved_at = None,
        Status::Closed | Status::Cancelled => t.closed_at = Some(now),
        _ => {}
    }
    let mut e = Entry::change(
        "status",
        Some(tr.from.as_str().into()),
        Some(tr.to.as_str().into()),
        true,
    );
    e.kind = EventKind::Transition;
    let steps = tr.steps();
    if tr.no_solution() {
        e = e.saying(&Said::NoSolution {
            reopened: i64::from(t.reopen_count),
        });
    } else if !steps.is_empty() {
        e = e.saying(&Said::Steps { steps });
    }
    // The summary is a handover between agents: it goes to an internal note
    // ([`summary_note`]), never into this public entry.
    let texts: Vec<String> = [&tr.fields.reason, &tr.fields.resolution]
        .into_iter()
        .flatten()
        .map(|x| x.to_string())
        .collect();
    if !texts.is_empty() {
        e.body = Some(texts.join("\n"));
    }
    e
}

/// A transition's `summary` (documented as a handover) as an internal note: staff read it
/// in the timeline, the requester never does.
pub fn summary_note(tr: &Transition) -> Option<Entry> {
    tr.fields
        .summary
        .as_ref()
        .map(|s| Entry::new(EventKind::Note, false).body(s.to_string()))
}

/// Decides and applies `request` by `by`, returning the entries to record: the step, and
/// the handover summary as an internal note when one was given.
pub fn take_step(
    t: &mut Ticket,
    request: &TransitionRequest,
    by: ActorKind,
    close: &CloseRequirements,
    now: Timestamp,
) -> Result<Vec<Entry>, TransitionError> {
    let tr = transition_with(&lifecycle_of(t), request, by, close)?;
    let mut out = vec![apply_transition(t, &tr, now)];
    out.extend(summary_note(&tr));
    Ok(out)
}

/// A child follows its parent (a major incident) when the parent is resolved or closed: an
/// open child moves to the parent's status with the parent's resolution, through the state
/// machine as the system. `None` when there is nothing to do (the child is closed or
/// cancelled, or already there, or the parent is in neither status).
pub fn follow_parent(child: &mut Ticket, parent: &Ticket, now: Timestamp) -> Option<Entry> {
    if child.status.is_terminal()
        || child.status == parent.status
        || !matches!(parent.status, Status::Validation | Status::Closed)
    {
        return None;
    }
    let text = |s: &Option<String>, field: &str| {
        s.as_deref()
            .and_then(|v| Text::parse(field, v, 100_000).ok())
    };
    let request = TransitionRequest::FollowParent {
        to: parent.status,
        resolution_code: text(&parent.resolution_code, "resolution_code"),
        resolution: text(&parent.resolution, "resolution"),
    };
    let tr = transition_with(
        &lifecycle_of(child),
        &request,
        ActorKind::System,
        &CloseRequirements::default(),
    )
    .ok()?;
    let mut e = apply_transition(child, &tr, now);
    e = e.saying(&Said::WithParent {
        parent: parent.number.clone(),
        to: parent.status,
    });
    Some(e)
}
