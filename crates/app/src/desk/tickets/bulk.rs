//! Bulk actions from the queue (issue 17): one change — assign, change group, priority or
//! status, or add a note — applied to many tickets, each through the same use case as one
//! ticket (`patch_ticket`, `move_ticket`, `add_action`), so the state machine, access and
//! membership rules decide each ticket on its own. What one ticket refuses is listed with
//! its reason and does not stop the others; an outage stops the run (nothing more is tried).

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{EventKind, Priority, Status, TicketPatch, TransitionFields};
use ventanilla_domain::{Caller, GroupId, Permission, Text, TicketId, UserId, ValidationError};

use super::actions::{AddAction, add_action};
use super::moves::move_ticket;
use super::patch::{PatchTicket, patch_ticket};
use crate::App;
use crate::desk::{DeskError, DeskResult, require};

/// The most tickets one bulk action takes (a queue page is at most 200 rows).
pub const BULK_MAX: usize = 200;

/// A bulk action as received (`POST /tickets/bulk`, or the queue's form).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// The tickets, 1 to 200.
    pub ids: Vec<i64>,
    /// `assign`, `group`, `priority`, `status` or `note`.
    pub action: String,
    /// `assign`: the agent, or none to unassign.
    pub assignee_id: Option<i64>,
    /// `group`: the group to move to.
    pub group_id: Option<i64>,
    /// `priority`: the priority (with `reason`).
    pub priority: Option<String>,
    /// `status`: the status to move to.
    pub to: Option<String>,
    /// `priority`, `status`: why (a priority override needs one, some moves too).
    pub reason: Option<String>,
    /// `status` to validation or closed: the resolution code and text.
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
    /// `note`: the internal note.
    pub body: Option<String>,
}

/// The validated change.
#[derive(Debug, Clone)]
pub enum BulkAction {
    Assign(Option<UserId>),
    Group(GroupId),
    Priority(Priority, Text),
    Status(Status, TransitionFields),
    Note(Text),
}

fn need<T>(field: &str, v: Option<T>) -> Result<T, ValidationError> {
    v.ok_or_else(|| ValidationError::new(field, "is required"))
}

impl BulkBody {
    pub fn command(&self) -> Result<(Vec<TicketId>, BulkAction), ValidationError> {
        if self.ids.is_empty() {
            return Err(ValidationError::new("ids", "select at least one ticket"));
        }
        if self.ids.len() > BULK_MAX {
            return Err(ValidationError::new(
                "ids",
                format!("at most {BULK_MAX} tickets at once"),
            ));
        }
        let mut ids: Vec<TicketId> = Vec::with_capacity(self.ids.len());
        for id in &self.ids {
            if !ids.contains(&TicketId(*id)) {
                ids.push(TicketId(*id));
            }
        }
        let text = |field: &str, v: &Option<String>, max: usize| {
            Text::parse_optional(field, v.as_deref(), max)
        };
        let action = match self.action.as_str() {
            "assign" => BulkAction::Assign(self.assignee_id.map(UserId)),
            "group" => BulkAction::Group(GroupId(need("group_id", self.group_id)?)),
            "priority" => BulkAction::Priority(
                need("priority", self.priority.as_deref())?.parse()?,
                need("reason", text("reason", &self.reason, 2000)?)?,
            ),
            "status" => BulkAction::Status(
                need("to", self.to.as_deref())?
                    .parse()
                    .map_err(|_| ValidationError::new("to", "is not a ticket status"))?,
                TransitionFields {
                    reason: text("reason", &self.reason, 4000)?,
                    resolution_code: text("resolution_code", &self.resolution_code, 100)?,
                    resolution: text("resolution", &self.resolution, 100_000)?,
                    summary: None,
                },
            ),
            "note" => BulkAction::Note(Text::parse(
                "body",
                self.body.as_deref().unwrap_or_default(),
                100_000,
            )?),
            _ => {
                return Err(ValidationError::new(
                    "action",
                    "must be one of: assign, group, priority, status, note",
                ));
            }
        };
        Ok((ids, action))
    }
}

/// What a bulk action did: the tickets changed, and each refusal with its ticket.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    pub done: Vec<TicketId>,
    pub refused: Vec<(TicketId, DeskError)>,
}

/// Applies `action` to each ticket in turn, through the one-ticket use case.
pub async fn bulk_apply(
    app: &App,
    caller: &Caller,
    ids: &[TicketId],
    action: &BulkAction,
) -> DeskResult<BulkOutcome> {
    require(caller, Permission::TicketsWork)?;
    if ids.len() > BULK_MAX {
        return Err(
            ValidationError::new("ids", format!("at most {BULK_MAX} tickets at once")).into(),
        );
    }
    let mut out = BulkOutcome::default();
    for id in ids {
        let one = match action {
            BulkAction::Assign(a) => {
                let cmd = PatchTicket {
                    patch: TicketPatch {
                        assignee_id: Some(*a),
                        ..TicketPatch::default()
                    },
                    kind: None,
                };
                patch_ticket(app, caller, *id, None, &cmd).await
            }
            BulkAction::Group(g) => {
                let cmd = PatchTicket {
                    patch: TicketPatch {
                        group_id: Some(Some(*g)),
                        ..TicketPatch::default()
                    },
                    kind: None,
                };
                patch_ticket(app, caller, *id, None, &cmd).await
            }
            BulkAction::Priority(p, reason) => {
                let cmd = PatchTicket {
                    patch: TicketPatch {
                        priority_override: Some(Some((*p, reason.clone()))),
                        ..TicketPatch::default()
                    },
                    kind: None,
                };
                patch_ticket(app, caller, *id, None, &cmd).await
            }
            BulkAction::Status(to, fields) => {
                move_ticket(app, caller, *id, None, *to, fields.clone()).await
            }
            BulkAction::Note(body) => {
                let cmd = AddAction {
                    kind: EventKind::Note,
                    body: body.clone(),
                    minutes: None,
                };
                add_action(app, caller, *id, &cmd).await
            }
        };
        match one {
            Ok(_) => out.done.push(*id),
            Err(e @ (DeskError::Unavailable(_) | DeskError::Internal(_))) => return Err(e),
            Err(e) => out.refused.push((*id, e)),
        }
    }
    Ok(out)
}
