//! Why the state machine refused a transition, with stable codes for the API and messages
//! for people.

use super::status::{ActorKind, Status};

/// A refused transition. `code()` is stable (API clients and tests match on it); the message
/// is for people and may be reworded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the ticket is {status} and can no longer change")]
    Terminal { status: Status },

    #[error("a ticket cannot move from {from} to {to}")]
    InvalidTransition { from: Status, to: Status },

    /// A named event (confirmation, survey) arrived while the ticket is not in the status
    /// that event belongs to, e.g. a late survey for a ticket already reopened.
    #[error("this step needs the ticket in {expected}, but it is in {actual}")]
    WrongStatus { expected: Status, actual: Status },

    #[error("agents cannot change the ticket while the requester validates the solution")]
    ValidationLocked,

    #[error("the {by} may not move a ticket from {from} to {to}")]
    NotAllowed {
        from: Status,
        to: Status,
        by: ActorKind,
    },

    #[error("a reason is required to move a ticket from {from} to {to}")]
    ReasonRequired { from: Status, to: Status },

    #[error("a resolution is required before validation; missing: {}", .missing.join(", "))]
    ResolutionRequired { missing: Vec<&'static str> },

    #[error("the record is incomplete for closing; missing: {}", .missing.join(", "))]
    IncompleteForClose { missing: Vec<&'static str> },
}

impl TransitionError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::Terminal { .. } => "terminal",
            // A mistimed event is an invalid transition as far as a client is concerned;
            // the separate variant only gives a clearer message.
            TransitionError::InvalidTransition { .. } | TransitionError::WrongStatus { .. } => {
                "invalid_transition"
            }
            TransitionError::ValidationLocked => "validation_locked",
            TransitionError::NotAllowed { .. } => "not_allowed",
            TransitionError::ReasonRequired { .. } => "reason_required",
            TransitionError::ResolutionRequired { .. } => "resolution_required",
            TransitionError::IncompleteForClose { .. } => "incomplete_for_close",
        }
    }

    /// The request or ticket fields the error is about, for forms to highlight.
    pub fn fields(&self) -> Vec<&'static str> {
        match self {
            TransitionError::ReasonRequired { .. } => vec!["reason"],
            TransitionError::ResolutionRequired { missing }
            | TransitionError::IncompleteForClose { missing } => missing.clone(),
            _ => Vec::new(),
        }
    }
}
