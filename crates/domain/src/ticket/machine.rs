//! The one state machine of SPEC C3: every status change of every ticket is decided by
//! [`transition_with`], and the UI's choices come from the same table via
//! [`allowed_targets`].
//!
//! The table, with who may take each edge (staff = agent or supervisor):
//!
//! | from                  | to         | who                           | needs                  |
//! |-----------------------|------------|-------------------------------|------------------------|
//! | new                   | analysis   | staff                         |                        |
//! | analysis              | solution   | staff                         |                        |
//! | solution              | validation | staff                         | resolution code + text |
//! | solution              | analysis   | staff                         |                        |
//! | validation            | survey     | requester; supervisor         | supervisor: reason     |
//! | validation            | analysis   | requester; supervisor         | supervisor: reason     |
//! | survey                | review     | requester; system; supervisor | supervisor: reason     |
//! | review                | closed     | supervisor                    | complete record        |
//! | review                | analysis   | supervisor                    | reason                 |
//! | new/analysis/solution | pending    | staff                         | reason                 |
//! | pending               | remembered | staff; system                 |                        |
//! | new/analysis/pending  | cancelled  | staff; requester              | staff: reason          |
//! | solution              | cancelled  | staff                         | reason                 |
//!
//! validation → analysis is step `[4]` "no solution"; survey → review by the system is the
//! survey timeout; a requester cancelling is a withdrawal.
//!
//! Outside the table, a child linked under a parent (a major incident) follows it: when the
//! parent is resolved or closed, the system moves every open child to the same status with
//! the parent's resolution (`TransitionRequest::FollowParent`, system only, from any open
//! status; the parent's record stands for the child's, so no texts are checked).
//!
//! Choices where SPEC and seeds are silent:
//! - A supervisor may answer validation and the survey for the requester (a confirmation or
//!   a rating taken by phone, seed 003 "por teléfono"), but must say so in a reason. A plain
//!   agent may not: that is the lock of step `[3]`. The system may not either; there is no
//!   validation timeout in the model.
//! - Pending resumes only to the remembered status, by staff or by the system (the requester
//!   replied, a supplier answered); the requester's reply reaches the machine as `system`.
//! - The requester may withdraw (no reason needed) while new, analysis or pending, not once
//!   a solution is being implemented; staff may cancel until validation.
//! - "No solution" clears the resolution on the ticket (history keeps the old one), so the
//!   next move to validation must document the solution that actually works.
//! - Going back from review does not count as a reopening; only step `[4]` does.

use super::error::TransitionError;
use super::lifecycle::{
    CloseRequirements, Lifecycle, Transition, TransitionFields, TransitionRequest,
};
use super::status::{ActorKind, Status, TransitionKind};

/// Decides a transition with the default [`CloseRequirements`] (everything required).
pub fn transition(
    current: &Lifecycle,
    request: &TransitionRequest,
    by: ActorKind,
) -> Result<Transition, TransitionError> {
    transition_with(current, request, by, &CloseRequirements::default())
}

/// Decides whether `by` may do `request` to a ticket in `current`, and if so returns the
/// history entry and the lifecycle to store. Pure: the caller writes both in one
/// transaction.
///
/// Checks run in a fixed order so the error is the most fundamental one: terminal status,
/// then the validation lock, then whether the move exists at all, then whether this actor
/// may make it, then the texts it needs.
pub fn transition_with(
    current: &Lifecycle,
    request: &TransitionRequest,
    by: ActorKind,
    close: &CloseRequirements,
) -> Result<Transition, TransitionError> {
    let from = current.status;
    if let Some(refusal) = locked(current, by) {
        return Err(refusal);
    }
    if let TransitionRequest::FollowParent {
        to,
        resolution_code,
        resolution,
    } = request
    {
        return follow_parent(current, *to, resolution_code, resolution, by);
    }
    let (to, mut fields, only) = target_of(current, request)?;
    let rule = rule(current, to, by)?;
    if only.is_some_and(|kind| kind != rule.kind) {
        // A named event sent by the wrong kind of actor, e.g. a requester "timing out".
        return Err(TransitionError::NotAllowed { from, to, by });
    }
    if rule.needs_reason && fields.reason.is_none() {
        return Err(TransitionError::ReasonRequired { from, to });
    }

    let mut after = current.clone();
    match rule.kind {
        TransitionKind::Resolved | TransitionKind::Closed => {
            // The request's texts win; otherwise whatever is already on the ticket counts.
            fields.resolution_code = fields
                .resolution_code
                .or_else(|| current.resolution_code.clone());
            fields.resolution = fields.resolution.or_else(|| current.resolution.clone());
            check_resolution(rule.kind, current, &fields, close)?;
            after.resolution_code = fields.resolution_code.clone();
            after.resolution = fields.resolution.clone();
        }
        kind => {
            // Resolution texts only mean something when resolving or closing; dropping them
            // elsewhere keeps a requester or a stray form field from rewriting them.
            fields.resolution_code = None;
            fields.resolution = None;
            if kind == TransitionKind::NoSolution {
                after.reopen_count = current.reopen_count.saturating_add(1);
                after.resolution_code = None;
                after.resolution = None;
            }
        }
    }
    after.status = to;
    after.resume_to = (to == Status::Pending).then_some(from);

    Ok(Transition {
        from,
        to,
        kind: rule.kind,
        by,
        fields,
        lifecycle: after,
    })
}

/// A child following its parent: system only, to validation or closed, from any other
/// open status; the parent's resolution becomes the child's.
fn follow_parent(
    current: &Lifecycle,
    to: Status,
    resolution_code: &Option<crate::text::Text>,
    resolution: &Option<crate::text::Text>,
    by: ActorKind,
) -> Result<Transition, TransitionError> {
    let from = current.status;
    if !matches!(to, Status::Validation | Status::Closed) || from == to {
        return Err(TransitionError::InvalidTransition { from, to });
    }
    if by != ActorKind::System {
        return Err(TransitionError::NotAllowed { from, to, by });
    }
    let fields = TransitionFields {
        resolution_code: resolution_code.clone(),
        resolution: resolution.clone(),
        ..TransitionFields::default()
    };
    let mut after = current.clone();
    after.status = to;
    after.resume_to = None;
    after.resolution_code = fields.resolution_code.clone();
    after.resolution = fields.resolution.clone();
    Ok(Transition {
        from,
        to,
        kind: TransitionKind::FollowedParent,
        by,
        fields,
        lifecycle: after,
    })
}

/// The statuses `by` may move this ticket to, for the UI to offer. Texts are not checked
/// here (the form collects them; see [`needs_reason`]), so closing is offered to a
/// supervisor in review even when the record is incomplete: the refusal then names what is
/// missing, which is more useful than a missing button.
pub fn allowed_targets(current: &Lifecycle, by: ActorKind) -> Vec<Status> {
    if locked(current, by).is_some() {
        return Vec::new();
    }
    Status::ALL
        .iter()
        .copied()
        .filter(|&to| rule(current, to, by).is_ok())
        .collect()
}

/// Whether moving to `to` needs a reason from `by`, so the form can ask for one up front.
/// False for moves that are not allowed at all.
pub fn needs_reason(current: &Lifecycle, to: Status, by: ActorKind) -> bool {
    locked(current, by).is_none() && rule(current, to, by).is_ok_and(|r| r.needs_reason)
}

/// The refusals that hold whatever is asked: the ticket is terminal, or an agent acts while
/// the requester validates (seed 002 step `[3]`).
fn locked(current: &Lifecycle, by: ActorKind) -> Option<TransitionError> {
    if current.status.is_terminal() {
        Some(TransitionError::Terminal {
            status: current.status,
        })
    } else if current.status == Status::Validation && by == ActorKind::Agent {
        Some(TransitionError::ValidationLocked)
    } else {
        None
    }
}

/// What the table says about one edge for one actor.
#[derive(Debug, Clone, Copy)]
struct Rule {
    kind: TransitionKind,
    needs_reason: bool,
}

/// Maps a request to the target status and its texts; named events must arrive in their
/// status and may only produce their own kind of transition.
fn target_of(
    current: &Lifecycle,
    request: &TransitionRequest,
) -> Result<(Status, TransitionFields, Option<TransitionKind>), TransitionError> {
    let in_status = |expected: Status| {
        if current.status == expected {
            Ok(())
        } else {
            Err(TransitionError::WrongStatus {
                expected,
                actual: current.status,
            })
        }
    };
    match request {
        TransitionRequest::MoveTo { to, fields } => Ok((*to, fields.clone(), None)),
        TransitionRequest::Confirm { solved, reason } => {
            in_status(Status::Validation)?;
            let to = if *solved {
                Status::Survey
            } else {
                Status::Analysis
            };
            let fields = TransitionFields {
                reason: reason.clone(),
                ..TransitionFields::default()
            };
            Ok((to, fields, None))
        }
        TransitionRequest::SurveySubmitted => {
            in_status(Status::Survey)?;
            Ok((
                Status::Review,
                TransitionFields::default(),
                Some(TransitionKind::SurveySubmitted),
            ))
        }
        TransitionRequest::SurveyTimedOut => {
            in_status(Status::Survey)?;
            Ok((
                Status::Review,
                TransitionFields::default(),
                Some(TransitionKind::SurveyTimedOut),
            ))
        }
        // Decided by `follow_parent` before the table is consulted.
        TransitionRequest::FollowParent { to, .. } => Err(TransitionError::InvalidTransition {
            from: current.status,
            to: *to,
        }),
    }
}

/// The transition table. `Err(InvalidTransition)` when nobody may take the edge,
/// `Err(NotAllowed)` when someone may but not `by`.
fn rule(current: &Lifecycle, to: Status, by: ActorKind) -> Result<Rule, TransitionError> {
    use ActorKind as A;
    use Status as S;
    use TransitionKind as K;

    let from = current.status;
    let staff = by.is_staff();
    let plain = |kind| Rule {
        kind,
        needs_reason: false,
    };
    let with_reason = |kind| Rule {
        kind,
        needs_reason: true,
    };
    // A supervisor acting for the requester must say how the answer was obtained.
    let for_requester = |kind| match by {
        A::Requester => Some(plain(kind)),
        A::Supervisor => Some(with_reason(kind)),
        A::Agent | A::System => None,
    };

    let decided = match (from, to) {
        (S::New, S::Analysis) => staff.then(|| plain(K::Taken)),
        (S::Analysis, S::Solution) => staff.then(|| plain(K::SolutionStarted)),
        (S::Solution, S::Validation) => staff.then(|| plain(K::Resolved)),
        (S::Solution, S::Analysis) => staff.then(|| plain(K::BackToAnalysis)),
        (S::Validation, S::Survey) => for_requester(K::Confirmed),
        (S::Validation, S::Analysis) => for_requester(K::NoSolution),
        (S::Survey, S::Review) => match by {
            A::System => Some(plain(K::SurveyTimedOut)),
            _ => for_requester(K::SurveySubmitted),
        },
        (S::Review, S::Closed) => (by == A::Supervisor).then(|| plain(K::Closed)),
        (S::Review, S::Analysis) => (by == A::Supervisor).then(|| with_reason(K::ReviewReopened)),
        (S::New | S::Analysis | S::Solution, S::Pending) => {
            staff.then(|| with_reason(K::PutOnHold))
        }
        (S::Pending, _) if to == current.resume_target() => {
            (staff || by == A::System).then(|| plain(K::Resumed))
        }
        (S::New | S::Analysis | S::Pending, S::Cancelled) if by == A::Requester => {
            Some(plain(K::Withdrawn))
        }
        (S::New | S::Analysis | S::Solution | S::Pending, S::Cancelled) => {
            staff.then(|| with_reason(K::Cancelled))
        }
        _ => return Err(TransitionError::InvalidTransition { from, to }),
    };
    decided.ok_or(TransitionError::NotAllowed { from, to, by })
}

/// The completeness checks for resolving (always code and text) and closing (per `close`).
/// `fields` already holds the effective resolution (request or ticket).
fn check_resolution(
    kind: TransitionKind,
    current: &Lifecycle,
    fields: &TransitionFields,
    close: &CloseRequirements,
) -> Result<(), TransitionError> {
    let closing = kind == TransitionKind::Closed;
    let mut missing = Vec::new();
    if closing && close.category && !current.has_category {
        missing.push("category");
    }
    if (!closing || close.resolution_code) && fields.resolution_code.is_none() {
        missing.push("resolution_code");
    }
    if (!closing || close.resolution) && fields.resolution.is_none() {
        missing.push("resolution");
    }
    match (missing.is_empty(), closing) {
        (true, _) => Ok(()),
        (false, true) => Err(TransitionError::IncompleteForClose { missing }),
        (false, false) => Err(TransitionError::ResolutionRequired { missing }),
    }
}
