//! The data the state machine reads and writes: a ticket's lifecycle state, a transition
//! request, the resulting transition for the history, and what closing requires.

use serde::{Deserialize, Serialize};

use super::status::{ActorKind, Status, TransitionKind};
use crate::text::Text;

/// The part of a ticket the state machine looks at. The store builds it from the ticket row
/// and writes back the `lifecycle` of a successful [`Transition`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    pub status: Status,
    /// While `pending`: the status to resume to (new, analysis or solution). `None` otherwise.
    pub resume_to: Option<Status>,
    /// How many times the requester said the solution did not work (step `[4]`). Feeds the
    /// reopen-rate report; a supervisor sending a ticket back from review does not count,
    /// since that is about the record, not about the service.
    pub reopen_count: u32,
    /// Whether the ticket has a category. Categories change through ticket edits, not
    /// transitions; closing checks this.
    pub has_category: bool,
    /// The resolution code and text currently on the ticket (set when resolving, or filled
    /// in by the owner during review).
    pub resolution_code: Option<Text>,
    pub resolution: Option<Text>,
}

impl Lifecycle {
    /// A freshly registered ticket.
    pub fn new(has_category: bool) -> Self {
        Self {
            status: Status::New,
            resume_to: None,
            reopen_count: 0,
            has_category,
            resolution_code: None,
            resolution: None,
        }
    }

    /// Where a pending ticket goes back to. Falls back to analysis if the stored value is
    /// missing or is not one a ticket can be put on hold from: that would be a data error,
    /// and analysis is the one status from which every path is still open.
    pub fn resume_target(&self) -> Status {
        match self.resume_to {
            Some(s @ (Status::New | Status::Analysis | Status::Solution)) => s,
            _ => Status::Analysis,
        }
    }
}

/// The optional texts that travel with a transition.
///
/// Which are needed depends on the step: a reason to put on hold, cancel, reopen from review
/// or act for the requester; a resolution code and text to move to validation and to close.
/// `summary` is never required and is recorded as given (e.g. a handover note).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TransitionFields {
    pub reason: Option<Text>,
    pub resolution_code: Option<Text>,
    pub resolution: Option<Text>,
    pub summary: Option<Text>,
}

/// What someone asks the state machine to do.
///
/// `MoveTo` is the general form the API uses ("move to STATE"). The other variants are the
/// named events of the service model, for callers that know what happened rather than where
/// the ticket should go (the portal's yes/no buttons, the survey form, the timeout job).
/// Both forms go through the same rules: the requester moving a ticket in validation to
/// `survey` *is* confirming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionRequest {
    MoveTo {
        to: Status,
        fields: TransitionFields,
    },
    /// The answer to "is service back to normal?" while in validation. `reason` is the
    /// requester's comment (required when a supervisor answers for them).
    Confirm { solved: bool, reason: Option<Text> },
    /// The satisfaction survey was submitted while in survey. The rating itself belongs to
    /// the survey record (SPEC C11), not to the lifecycle.
    SurveySubmitted,
    /// The survey's configurable timeout passed while in survey (system only).
    SurveyTimedOut,
    /// A child follows its parent (a major incident) to `to` — validation or closed — with
    /// the parent's resolution (system only: linking a ticket under a parent means it
    /// follows the parent, not its own path).
    FollowParent {
        to: Status,
        resolution_code: Option<Text>,
        resolution: Option<Text>,
    },
}

impl TransitionRequest {
    /// `MoveTo` with no texts.
    pub fn move_to(to: Status) -> Self {
        Self::MoveTo {
            to,
            fields: TransitionFields::default(),
        }
    }

    /// `MoveTo` with a reason.
    pub fn move_with_reason(to: Status, reason: Text) -> Self {
        let fields = TransitionFields {
            reason: Some(reason),
            ..TransitionFields::default()
        };
        Self::MoveTo { to, fields }
    }
}

/// A successful transition: the history entry and the new lifecycle to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: Status,
    pub to: Status,
    pub kind: TransitionKind,
    pub by: ActorKind,
    /// The texts given with the request, as recorded in history. Resolution fields appear
    /// here only on the steps that record a resolution (resolving and closing); elsewhere
    /// they are ignored, so a requester can never set them.
    pub fields: TransitionFields,
    /// The lifecycle after the transition.
    pub lifecycle: Lifecycle,
}

impl Transition {
    /// True when this transition is step `[4]` "no solution" (validation → analysis).
    pub fn no_solution(&self) -> bool {
        self.kind == TransitionKind::NoSolution
    }

    /// The service-model steps this transition passes through, for the timeline: e.g.
    /// `[3, 4, 1]` for "no solution", `[2, 3]` for resolving, `[]` between side statuses.
    pub fn steps(&self) -> Vec<u8> {
        let mut steps: Vec<u8> = self.from.step().into_iter().collect();
        if self.no_solution() {
            steps.push(4);
        }
        steps.extend(self.to.step());
        steps
    }
}

/// What the owner must have on the record before closing (SPEC C3 `[6]`). A desk can relax
/// these in its configuration; all are required by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CloseRequirements {
    pub category: bool,
    pub resolution_code: bool,
    pub resolution: bool,
}

impl Default for CloseRequirements {
    fn default() -> Self {
        Self {
            category: true,
            resolution_code: true,
            resolution: true,
        }
    }
}
