//! A phone call taken at the service desk (issue 16, finding 8): the ticket registered for
//! the caller and, when the agent solved it while on the line, resolved in the same use case,
//! so the reports count it as first-contact resolution (resolved at L1, never escalated,
//! never reopened: `report::rollup`).
//!
//! Registration goes through the group-commit intake like every other ticket; the
//! resolution is one more write of that ticket that walks new → analysis → solution →
//! validation through the state machine, each step with its own history entry (the machine
//! stays the only judge of a status change). The resolution code and text are checked before
//! anything is registered, so a refused resolution never leaves a half-taken call behind.

use ventanilla_domain::ticket::{
    Status, Ticket, TransitionFields, TransitionRequest, actor_kind_for, take_step,
};
use ventanilla_domain::{Caller, Permission, Text, ValidationError};
use ventanilla_store::tickets::Effects;

use super::access::require;
use super::register::{RegisterTicket, register_ticket};
use crate::App;
use crate::desk::{DeskError, DeskResult};

/// What the agent says about a call solved while the caller was on the line.
#[derive(Debug, Clone)]
pub struct CallResolution {
    /// A code from the editable list of resolution codes (issue 17).
    pub code: Text,
    /// What was done, as the requester will read it when asked to confirm.
    pub text: Text,
}

/// A call: the ticket, and its resolution when it was solved during the call.
#[derive(Debug, Clone)]
pub struct TakeCall {
    pub ticket: RegisterTicket,
    pub resolved: Option<CallResolution>,
}

/// A file the agent attaches while registering the call (name as uploaded, bytes); checked
/// beforehand with [`super::check_file`].
pub type CallFile<'a> = (&'a str, &'a [u8]);

impl CallResolution {
    /// Validates the two texts of a resolution (both required, as the machine requires them
    /// for a move to validation).
    pub fn parse(code: &str, text: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            code: Text::parse("resolution_code", code, 100)?,
            text: Text::parse("resolution", text, 100_000)?,
        })
    }
}

/// Registers the caller's ticket, attaches `files` and, when `resolved`, resolves it at once
/// (staff only). The files go in before the resolution because a ticket in validation is
/// locked to agents.
pub async fn register_call(
    app: &App,
    caller: &Caller,
    call: &TakeCall,
    files: &[CallFile<'_>],
) -> DeskResult<Ticket> {
    require(caller, Permission::TicketsWork)?;
    if let Some(r) = &call.resolved {
        crate::desk::resolution::check(app, Some(r.code.as_str())).await?;
    }
    let (ticket, _) = register_ticket(app, caller, &call.ticket, None).await?;
    for (name, data) in files {
        super::attach_file(app, caller, &ticket, name, None, data).await?;
    }
    let Some(r) = &call.resolved else {
        return Ok(ticket);
    };
    let by =
        actor_kind_for(&caller.actor, &ticket, Status::Validation).ok_or(DeskError::Forbidden)?;
    let close = app.config.tickets.close_requirements;
    let now = app.now();
    let steps = [
        (Status::Analysis, TransitionFields::default()),
        (Status::Solution, TransitionFields::default()),
        (
            Status::Validation,
            TransitionFields {
                resolution_code: Some(r.code.clone()),
                resolution: Some(r.text.clone()),
                ..TransitionFields::default()
            },
        ),
    ];
    let after = super::write(app, ticket.id, None, Some(caller.user_id()), |t| {
        let mut effects = Effects::default();
        for (to, fields) in &steps {
            let request = TransitionRequest::MoveTo {
                to: *to,
                fields: fields.clone(),
            };
            effects
                .events
                .extend(take_step(t, &request, by, &close, now)?);
        }
        Ok::<_, DeskError>(effects)
    })
    .await?;
    Ok(crate::desk::hooks::after_update(app, caller, &ticket, after).await)
}
