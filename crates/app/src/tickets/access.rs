//! Who may see a ticket and in which role they act on it. The data scope goes into the SQL
//! of every list; single reads check the same scope and answer 404 outside it.

use ventanilla_domain::access::Scope;
use ventanilla_domain::ticket::{ActorKind, Status, Ticket, allowed_targets};
use ventanilla_domain::{Permission, TicketId};
use ventanilla_store::tickets::TicketScope;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};

pub fn scope(state: &AppState, auth: &Auth) -> TicketScope {
    let me = auth.actor.user_id;
    match auth.actor.effective_scope() {
        Scope::Own => TicketScope::Own(me),
        Scope::Organisation => match auth.actor.organisation_id {
            Some(org) => TicketScope::Organisation(me, org),
            None => TicketScope::Own(me),
        },
        Scope::Group if state.config.tickets.agents_see_all => TicketScope::All,
        Scope::Group => TicketScope::Groups(me),
        Scope::All => TicketScope::All,
    }
}

/// Whether the caller sees internal notes and agent-only data.
pub fn sees_internal(auth: &Auth) -> bool {
    auth.actor.can(Permission::TicketsReadInternal)
}

/// Loads a ticket the caller may see; anything else is 404, so ids cannot be probed.
pub async fn load(state: &AppState, auth: &Auth, id: TicketId) -> AppResult<Ticket> {
    auth.require(Permission::TicketsRead)?;
    let ticket = state.store.tickets().get(id).await?;
    let me = auth.actor.user_id;
    let visible = match scope(state, auth) {
        TicketScope::All => true,
        TicketScope::Own(_) => ticket.requester_id == me,
        TicketScope::Organisation(_, org) => {
            ticket.requester_id == me || ticket.organisation_id == Some(org)
        }
        s @ TicketScope::Groups(_) => {
            ticket.requester_id == me
                || ticket.assignee_id == Some(me)
                || state.store.tickets().visible(id, &s).await?
        }
    };
    if visible {
        Ok(ticket)
    } else {
        Err(AppError::NotFound)
    }
}

/// The role the caller plays on this ticket for the state machine: a supervisor, an agent,
/// its requester — or nobody.
pub fn actor_kind(auth: &Auth, ticket: &Ticket) -> Option<ActorKind> {
    let a = &auth.actor;
    if a.can(Permission::TicketsClose) {
        Some(ActorKind::Supervisor)
    } else if a.can(Permission::TicketsWork) {
        Some(ActorKind::Agent)
    } else if ticket.requester_id == a.user_id {
        Some(ActorKind::Requester)
    } else {
        None
    }
}

/// The role for moving to `to`: the owner of the case (its assignee) closes it after review
/// like a supervisor (seed 002 [6]), and only that step borrows the supervisor's role.
pub fn actor_kind_for(auth: &Auth, ticket: &Ticket, to: Status) -> Option<ActorKind> {
    let kind = actor_kind(auth, ticket)?;
    if kind == ActorKind::Agent && to == Status::Closed && is_owner(auth, ticket) {
        Some(ActorKind::Supervisor)
    } else {
        Some(kind)
    }
}

pub fn is_owner(auth: &Auth, ticket: &Ticket) -> bool {
    auth.actor.can(Permission::TicketsWork) && ticket.assignee_id == Some(auth.actor.user_id)
}

/// The statuses the caller may move the ticket to now, owner's close included.
pub fn allowed(auth: &Auth, ticket: &Ticket) -> Vec<Status> {
    let lc = super::lifecycle::lifecycle_of(ticket);
    let Some(kind) = actor_kind(auth, ticket) else {
        return Vec::new();
    };
    let mut out = allowed_targets(&lc, kind);
    if kind == ActorKind::Agent
        && is_owner(auth, ticket)
        && allowed_targets(&lc, ActorKind::Supervisor).contains(&Status::Closed)
    {
        out.push(Status::Closed);
    }
    out
}

/// The role for the requester's own steps (confirmation, survey): the requester if it is
/// their ticket, otherwise a supervisor answering for them.
pub fn requester_or_supervisor(auth: &Auth, ticket: &Ticket) -> Option<ActorKind> {
    if ticket.requester_id == auth.actor.user_id {
        Some(ActorKind::Requester)
    } else if auth.actor.can(Permission::TicketsClose) {
        Some(ActorKind::Supervisor)
    } else {
        None
    }
}
