//! Ticket use cases (SPEC C1–C6, C9) and the machinery they share: who may see a ticket
//! (`access`), the one write path (`write`), the state machine applied to stored tickets
//! (`lifecycle`), registration's group commit (`intake`), the reference data cache
//! (`refdata`), the priority matrix in force (`matrix`) and the SLA record (`sla`).

pub mod access;
pub mod actions;
pub mod attachments;
pub mod bulk;
pub mod call;
pub mod escalate;
pub mod facts;
pub mod intake;
pub mod lifecycle;
pub mod links;
pub mod matrix;
pub mod moves;
pub mod patch;
pub mod queue;
pub mod refdata;
pub mod register;
pub mod sla;
pub mod sla_check;
pub mod timeline;
pub mod write;

pub use actions::{ActionBody, AddAction, add_action};
pub use attachments::{attach_file, check_file, may_attach};
pub use call::{CallResolution, TakeCall, register_call};
pub use escalate::{Escalation, EscalationBody, MajorBody, MajorFlag, escalate_ticket, set_major};
pub use links::{LinkBody, link_child, unlink_child};
pub use moves::{
    ConfirmationBody, SurveyBody, TransitionBody, confirm_solution, move_ticket, rate_ticket,
};
pub use patch::{PatchTicket, UpdateTicket, patch_ticket};
pub use register::{
    CreateTicket, FactsInput, RegisterTicket, RequesterInput, register_ticket, register_ticket_with,
};
pub use write::{write, write_with};
