//! Tickets: kinds and numbers, channels, priorities and the impact × urgency matrix, the
//! default categories, and the service-model state machine (SPEC C1–C3).
//!
//! Everything here is pure: the store persists what these types describe and the app calls
//! [`transition`] before writing any status change.

mod apply;
mod category;
mod error;
mod escalation;
mod history;
mod kind;
mod lifecycle;
mod machine;
pub(crate) mod names;
mod notify;
mod patch;
mod priority;
mod record;
mod status;
mod who;

#[cfg(test)]
mod tests;

pub use apply::{apply_transition, follow_parent, lifecycle_of, summary_note, take_step};
pub use category::{
    CATEGORY_CODE_MAX, CategorySeed, default_categories, implied_parent, parse_category_code,
};
pub use error::TransitionError;
pub use escalation::{
    Handover, Outcome, Receiving, escalate_functional, escalate_hierarchical, flag_major,
    raise_priority, sla_crossed, sla_notices,
};
pub use history::{Crossing, Entry, Notice, Params, Said, target_code};
pub use kind::{Channel, NUMBER_MIN_DIGITS, TicketKind, format_number, parse_number};
pub use lifecycle::{
    CloseRequirements, Lifecycle, Transition, TransitionFields, TransitionRequest,
};
pub use machine::{allowed_targets, needs_reason, transition, transition_with};
pub use notify::{
    Audience, Concerned, NOTICE_KINDS, is_notice_kind, merge as merge_notices,
    on_change as change_notices, on_register as register_notices, on_routed as routed_notices,
};
pub use patch::{GroupFacts, PatchContext, apply_patch, keep_assignee_in_group};
pub use priority::{
    Impact, Priority, PriorityMatrix, PriorityOverride, PriorityRow, Urgency, effective_priority,
};
pub use record::{
    BODY_MAX, Category, EventKind, KeyFacts, NewTicket, REQUESTER_STATUS_ESCALATED, SUBJECT_MAX,
    Ticket, TicketEvent, TicketPatch, requester_status,
};
pub use status::{ActorKind, Status, TransitionKind, agent_may_modify};
pub use who::{
    actor_kind, actor_kind_for, allowed, is_owner, move_needs_reason, requester_or_supervisor,
};
