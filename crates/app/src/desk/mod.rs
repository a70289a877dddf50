//! The use cases: every operation a person, a mail, a monitoring event, a rule, a job or the
//! command line can perform on the desk, one module per aggregate, verb_noun functions.
//!
//! Each takes the [`Caller`] (the domain actor and its origin) and a domain-typed command,
//! and returns [`DeskError`], which knows nothing of HTTP. The surfaces only translate:
//!
//! ```text
//!   api/ (JSON → command → use case → view)      web/ (form → command → use case → page)
//!   jobs/ (SLA scan, survey timeout)             CLI (user add, token create, demo)
//!                      \            |             /
//!                       desk::{tickets, directory, sla, tokens}
//!                          |                    |
//!                 ventanilla_domain          ventanilla_store
//!        (rules: machine, patch, escalation)  (SQL, one transaction per change)
//! ```
//!
//! No surface calls another surface's handler; none of these modules imports axum.

pub mod canned;
pub mod classifier;
pub mod collab;
pub mod directory;
pub mod error;
pub mod events;
// Automation hooks (issue 13).
pub mod hooks;
pub mod ics;
pub mod kb;
pub mod mail;
pub mod notify;
// Reports (issue 14).
pub mod reports;
pub mod resolution;
pub mod routing;
pub mod rules;
pub mod sla;
pub mod tickets;
pub mod time;
pub mod webhooks;

pub use error::{DeskError, DeskResult, Refusal, missing_as};
pub use ventanilla_domain::{Caller, Origin};

/// An audit entry for an action `caller` takes now (written in the change's transaction).
pub fn audit(app: &crate::App, caller: &Caller, action: &str) -> ventanilla_store::audit::NewAudit {
    ventanilla_store::audit::NewAudit::new(
        app.now(),
        Some(caller.user_id()),
        action,
        caller.ip.clone(),
    )
}

/// Refuses unless the caller's role grants `p`.
pub fn require(caller: &Caller, p: ventanilla_domain::Permission) -> DeskResult<()> {
    if caller.can(p) {
        Ok(())
    } else {
        Err(DeskError::Forbidden)
    }
}
