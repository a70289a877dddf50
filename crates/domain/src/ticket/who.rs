//! The role a person plays on one ticket for the state machine, and what that lets them do
//! there. The API, the pages and the jobs all ask here, so a form never offers a move the
//! machine would refuse nor hides one it allows.

use super::apply::lifecycle_of;
use super::machine::{allowed_targets, needs_reason};
use super::record::Ticket;
use super::status::{ActorKind, Status};
use crate::access::{Actor, Permission};

/// A supervisor (may close), an agent, the ticket's requester — or nobody.
pub fn actor_kind(actor: &Actor, ticket: &Ticket) -> Option<ActorKind> {
    if actor.can(Permission::TicketsClose) {
        Some(ActorKind::Supervisor)
    } else if actor.can(Permission::TicketsWork) {
        Some(ActorKind::Agent)
    } else if ticket.requester_id == actor.user_id {
        Some(ActorKind::Requester)
    } else {
        None
    }
}

/// Whether `actor` owns the case: the agent it is assigned to.
pub fn is_owner(actor: &Actor, ticket: &Ticket) -> bool {
    actor.can(Permission::TicketsWork) && ticket.assignee_id == Some(actor.user_id)
}

/// The role for moving to `to`: the owner of the case (its assignee) closes it after review
/// like a supervisor (seed 002 [6]); only that step borrows the supervisor's role.
pub fn actor_kind_for(actor: &Actor, ticket: &Ticket, to: Status) -> Option<ActorKind> {
    let kind = actor_kind(actor, ticket)?;
    if kind == ActorKind::Agent && to == Status::Closed && is_owner(actor, ticket) {
        Some(ActorKind::Supervisor)
    } else {
        Some(kind)
    }
}

/// The statuses `actor` may move the ticket to now, the owner's close included.
pub fn allowed(actor: &Actor, ticket: &Ticket) -> Vec<Status> {
    let lc = lifecycle_of(ticket);
    Status::ALL
        .iter()
        .copied()
        .filter(|&to| {
            actor_kind_for(actor, ticket, to)
                .is_some_and(|by| allowed_targets(&lc, by).contains(&to))
        })
        .collect()
}

/// Whether `actor` must give a reason to move the ticket to `to` (false when not allowed).
pub fn move_needs_reason(actor: &Actor, ticket: &Ticket, to: Status) -> bool {
    actor_kind_for(actor, ticket, to).is_some_and(|by| needs_reason(&lifecycle_of(ticket), to, by))
}

/// The role for the requester's own steps (confirmation, survey): the requester if it is
/// their ticket, otherwise a supervisor answering for them (with a reason).
pub fn requester_or_supervisor(actor: &Actor, ticket: &Ticket) -> Option<ActorKind> {
    if ticket.requester_id == actor.user_id {
        Some(ActorKind::Requester)
    } else if actor.can(Permission::TicketsClose) {
        Some(ActorKind::Supervisor)
    } else {
        None
    }
}
