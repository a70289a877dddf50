//! Tickets: registration, reads with the caller's data scope in the SQL, keyset-paginated
//! queues, the timeline, and every change through one optimistic read-modify-write.

pub mod attachments;
mod count;
mod create;
mod events;
mod plan;
mod read;
pub(crate) mod row;
pub(crate) mod write;

pub use create::{MAX_BATCH, Registration};
pub use events::NewEvent;
pub(crate) use events::{params_from_db, params_to_db};
pub use plan::{ListPlan, PlanStep};
pub use read::{TicketFilter, TicketPage, TicketScope, TicketSort};
pub(crate) use read::{push_filter as read_filter, push_scope as read_scope};
// Reports (issue 14): survey mails write their notice as a ticket change does.
pub(crate) use write::insert_notices;
pub use write::{Effects, ModifyError, NewOutbox};

use crate::Store;

pub struct Tickets<'a>(pub(crate) &'a Store);

impl Store {
    pub fn tickets(&self) -> Tickets<'_> {
        Tickets(self)
    }
}
