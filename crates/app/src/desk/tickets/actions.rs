//! Actions on the timeline (SPEC C4): public replies, internal notes and time spent. A
//! requester may only reply; their reply to a ticket on hold resumes it (the desk was
//! waiting for them).

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{
    ActorKind, BODY_MAX, Entry, EventKind, Status, Ticket, TransitionRequest, lifecycle_of,
    take_step,
};
use ventanilla_domain::{Caller, Permission, Text, TicketId, ValidationError};
use ventanilla_store::tickets::Effects;

use super::access::load;
use super::patch::guard_agent_change;
use crate::App;
use crate::desk::{DeskError, DeskResult};

/// Longest time one action may log, in minutes (a working day and a half would be a typo).
pub const MAX_MINUTES: i64 = 24 * 60;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// `reply` (public, the requester sees it) or `note` (internal).
    pub kind: String,
    pub body: String,
    /// Time spent, in minutes (staff only).
    pub minutes: Option<i64>,
}

/// The validated command.
#[derive(Debug, Clone)]
pub struct AddAction {
    /// `Reply` or `Note`.
    pub kind: EventKind,
    pub body: Text,
    pub minutes: Option<i64>,
}

impl ActionBody {
    pub fn command(&self) -> Result<AddAction, ValidationError> {
        let kind = match self.kind.as_str() {
            "reply" => EventKind::Reply,
            "note" => EventKind::Note,
            _ => return Err(ValidationError::new("kind", "must be reply or note")),
        };
        let minutes = match self.minutes {
            None | Some(0) => None,
            Some(m) if (1..=MAX_MINUTES).contains(&m) => Some(m),
            Some(_) => {
                return Err(ValidationError::new(
                    "minutes",
                    format!("must be from 0 to {MAX_MINUTES}"),
                ));
            }
        };
        Ok(AddAction {
            kind,
            body: Text::parse("body", &self.body, BODY_MAX)?,
            minutes,
        })
    }
}

/// Adds a reply, a note or time spent.
pub async fn add_action(
    app: &App,
    caller: &Caller,
    id: TicketId,
    cmd: &AddAction,
) -> DeskResult<Ticket> {
    let ticket = load(app, caller, id).await?;
    let staff = caller.can(Permission::TicketsWork);
    if !staff {
        if cmd.kind != EventKind::Reply || ticket.requester_id != caller.user_id() {
            return Err(DeskError::Forbidden);
        }
        if cmd.minutes.is_some() {
            return Err(ValidationError::new("minutes", "only staff log time").into());
        }
    }
    let now = app.now();
    let close = app.config.tickets.close_requirements;
    let kind = cmd.kind;
    // Mentioned agents, watchers and CC'd people (issue 17), told in the same transaction.
    let notices = crate::desk::collab::notices_for_action(
        app,
        &ticket,
        caller.user_id(),
        kind,
        cmd.body.as_str(),
    )
    .await?;
    super::write(app, ticket.id, None, Some(caller.user_id()), |t| {
        if staff {
            guard_agent_change(t.status)?;
        } else if t.status.is_terminal() {
            return Err(DeskError::ticket_closed());
        }
        let mut fx = Effects::default().event(
            Entry::new(kind, kind == EventKind::Reply)
                .body(cmd.body.as_str())
                .minutes(cmd.minutes),
        );
        if staff && kind == EventKind::Reply && t.first_response_at.is_none() {
            t.first_response_at = Some(now);
        }
        if !staff && t.status == Status::Pending {
            // The requester answered what the desk was waiting for: resume.
            let to = lifecycle_of(t).resume_target();
            let entries = take_step(
                t,
                &TransitionRequest::move_to(to),
                ActorKind::System,
                &close,
                now,
            )?;
            fx.events.extend(entries);
        }
        fx.notifications.extend(notices.iter().cloned());
        Ok::<_, DeskError>(fx)
    })
    .await
}
