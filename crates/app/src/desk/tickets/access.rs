//! Who may see a ticket. The data scope goes into the SQL of every list; single reads check
//! the same scope and answer "not found" outside it, so ids cannot be probed. What a caller
//! may do on a ticket they see is the domain's decision (`ventanilla_domain::ticket::who`).

use ventanilla_domain::access::Scope;
use ventanilla_domain::ticket::Ticket;
use ventanilla_domain::{Caller, Permission, TicketId};
use ventanilla_store::tickets::TicketScope;

use crate::App;
use crate::desk::error::Refusal;
use crate::desk::{DeskError, DeskResult};

pub fn scope(app: &App, caller: &Caller) -> TicketScope {
    let me = caller.actor.user_id;
    match caller.actor.effective_scope() {
        Scope::Own => TicketScope::Own(me),
        Scope::Organisation => match caller.actor.organisation_id {
            Some(org) => TicketScope::Organisation(me, org),
            None => TicketScope::Own(me),
        },
        Scope::Group if app.config.tickets.agents_see_all => TicketScope::All,
        Scope::Group => TicketScope::Groups(me),
        Scope::All => TicketScope::All,
    }
}

/// Whether the caller sees internal notes and agent-only data.
pub fn sees_internal(caller: &Caller) -> bool {
    caller.can(Permission::TicketsReadInternal)
}

pub use crate::desk::require;

/// Loads a ticket the caller may see; anything else is "not found".
pub async fn load(app: &App, caller: &Caller, id: TicketId) -> DeskResult<Ticket> {
    require(caller, Permission::TicketsRead)?;
    let ticket = app.store.tickets().get(id).await?;
    let me = caller.actor.user_id;
    let visible = match scope(app, caller) {
        TicketScope::All => true,
        TicketScope::Own(_) => ticket.requester_id == me,
        TicketScope::Organisation(_, org) => {
            ticket.requester_id == me || ticket.organisation_id == Some(org)
        }
        s @ TicketScope::Groups(_) => {
            ticket.requester_id == me
                || ticket.assignee_id == Some(me)
                || app.store.tickets().visible(id, &s).await?
        }
    };
    if visible {
        Ok(ticket)
    } else {
        Err(DeskError::NotFound)
    }
}

/// Loads a ticket the caller may change: one they see for another reason than following it.
/// A group that escalated a ticket keeps reading it and may still write to it (replies and
/// notes, to keep the caller informed: SPEC C5), but moving, assigning, classifying and
/// escalating it belong to the group it was escalated to (403 `following_only`).
pub async fn load_to_change(app: &App, caller: &Caller, id: TicketId) -> DeskResult<Ticket> {
    let ticket = load(app, caller, id).await?;
    if follows_only(app, caller, &ticket).await? {
        return Err(DeskError::refused(
            Refusal::Role,
            "following_only",
            "your group follows this escalated ticket; the group it was escalated to works it",
        ));
    }
    Ok(ticket)
}

/// Whether the caller sees `ticket` only because one of their groups escalated it.
pub async fn follows_only(app: &App, caller: &Caller, ticket: &Ticket) -> DeskResult<bool> {
    let me = caller.actor.user_id;
    if !matches!(scope(app, caller), TicketScope::Groups(_))
        || ticket.requester_id == me
        || ticket.assignee_id == Some(me)
    {
        return Ok(false);
    }
    let Some(group) = ticket.group_id else {
        return Ok(true);
    };
    Ok(!app.store.groups().ids_of_member(me).await?.contains(&group))
}
