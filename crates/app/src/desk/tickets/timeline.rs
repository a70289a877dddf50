//! A ticket's timeline as its reader may see it. Staff read every entry. A requester (the
//! portal, and the API for anyone without `tickets.read_internal`) reads public entries
//! only, and in them: no minutes spent, no internal status codes (a status change is told in
//! the requester's own words, "in progress → awaiting your confirmation", and dropped when
//! those words do not change), no other field changes and no step lists.

use ventanilla_domain::ticket::{Status, TicketEvent, requester_status};
use ventanilla_domain::{Caller, TicketId};

use super::access::{load, sees_internal};
use crate::App;
use crate::desk::DeskResult;

/// The timeline of a ticket the caller may see, as they may see it.
pub async fn timeline(app: &App, caller: &Caller, id: TicketId) -> DeskResult<Vec<TicketEvent>> {
    let ticket = load(app, caller, id).await?;
    if sees_internal(caller) {
        Ok(app.store.tickets().events(ticket.id, false).await?)
    } else {
        requester_timeline(app, ticket.id).await
    }
}

/// The requester's view of a ticket's timeline (the portal shows this to everyone).
pub async fn requester_timeline(app: &App, id: TicketId) -> DeskResult<Vec<TicketEvent>> {
    Ok(for_requester(app.store.tickets().events(id, true).await?))
}

/// The field a status change is told in to requesters.
pub const REQUESTER_STATUS: &str = "requester_status";

/// Public entries, without what only staff read.
pub fn for_requester(events: Vec<TicketEvent>) -> Vec<TicketEvent> {
    events.into_iter().filter_map(redact).collect()
}

fn redact(mut e: TicketEvent) -> Option<TicketEvent> {
    if !e.public {
        return None;
    }
    e.minutes = None;
    if e.code.as_deref() == Some("steps") {
        e.code = None;
        e.params.clear();
    }
    match e.field.as_deref() {
        None => {}
        Some("status") => {
            let words = |v: &Option<String>| {
                v.as_deref()
                    .and_then(|s| s.parse::<Status>().ok())
                    .map(|s| requester_status(s, false).to_owned())
            };
            let (old, new) = (words(&e.old_value), words(&e.new_value));
            if old == new {
                e.field = None;
                e.old_value = None;
                e.new_value = None;
            } else {
                e.field = Some(REQUESTER_STATUS.to_owned());
                e.old_value = old;
                e.new_value = new;
            }
        }
        Some(_) => {
            e.field = None;
            e.old_value = None;
            e.new_value = None;
        }
    }
    let says_something = e.field.is_some() || e.code.is_some() || e.body.is_some();
    says_something.then_some(e)
}
