//! Parent and child links (SPEC C9): related incidents are linked under a major incident and
//! are resolved and closed with it (`lifecycle`'s cascade). One level deep.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{Entry, EventKind, Said};
use ventanilla_domain::{Caller, Permission, TicketId, ValidationError};
use ventanilla_store::tickets::Effects;

use super::access::{load, require};
use super::patch::guard_agent_change;
use crate::App;
use crate::desk::{DeskError, DeskResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    pub child_id: i64,
}

/// Links `child` under `id`.
pub async fn link_child(
    app: &App,
    caller: &Caller,
    id: TicketId,
    child: TicketId,
) -> DeskResult<()> {
    let parent = super::access::load_to_change(app, caller, id).await?;
    require(caller, Permission::TicketsWork)?;
    let child = load(app, caller, child).await.map_err(|e| match e {
        DeskError::NotFound => ValidationError::new("child_id", "does not exist").into(),
        e => e,
    })?;
    if child.id == parent.id {
        return Err(ValidationError::new("child_id", "a ticket cannot be its own child").into());
    }
    if parent.parent_id.is_some() {
        return Err(ValidationError::new(
            "child_id",
            "the parent is itself linked under another ticket",
        )
        .into());
    }
    if !app.store.tickets().children(child.id).await?.is_empty() {
        return Err(ValidationError::new("child_id", "the ticket has children of its own").into());
    }
    if parent.status.is_terminal() {
        return Err(DeskError::ticket_closed());
    }
    let by = Some(caller.user_id());
    super::write(app, child.id, None, by, |t| {
        guard_agent_change(t.status)?;
        match t.parent_id {
            Some(p) if p == parent.id => Ok(Effects::default()),
            Some(_) => Err(DeskError::Conflict(
                "the ticket is already linked under another ticket".into(),
            )),
            None => {
                t.parent_id = Some(parent.id);
                let mut e = Entry::said(
                    EventKind::Link,
                    false,
                    &Said::LinkedUnder {
                        parent: parent.number.clone(),
                    },
                );
                e.field = Some("parent_id".into());
                e.new_value = Some(parent.id.to_string());
                Ok(Effects::default().event(e))
            }
        }
    })
    .await?;
    let note = Entry::said(
        EventKind::Link,
        false,
        &Said::ChildLinked {
            child: child.number.clone(),
        },
    );
    super::write(app, parent.id, None, by, |_| {
        Ok::<_, DeskError>(Effects::default().event(note.clone()))
    })
    .await?;
    Ok(())
}

/// Unlinks `child` from `id`.
pub async fn unlink_child(
    app: &App,
    caller: &Caller,
    id: TicketId,
    child: TicketId,
) -> DeskResult<()> {
    let parent = super::access::load_to_change(app, caller, id).await?;
    require(caller, Permission::TicketsWork)?;
    let child = load(app, caller, child).await?;
    if child.parent_id != Some(parent.id) {
        return Err(DeskError::NotFound);
    }
    super::write(app, child.id, None, Some(caller.user_id()), |t| {
        t.parent_id = None;
        let mut e = Entry::said(
            EventKind::Link,
            false,
            &Said::UnlinkedFrom {
                parent: parent.number.clone(),
            },
        );
        e.field = Some("parent_id".into());
        e.old_value = Some(parent.id.to_string());
        Ok::<_, DeskError>(Effects::default().event(e))
    })
    .await?;
    Ok(())
}
