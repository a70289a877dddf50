//! Collaboration use cases (issue 17): watchers and CC requesters of a ticket, @mentions in
//! internal notes, who to tell about a new reply or note, and merging a duplicate into
//! another ticket (both timelines say so, the duplicate's requester is told, the duplicate
//! is cancelled through the state machine).

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{
    Entry, EventKind, Notice, Said, Status, Ticket, TransitionFields, TransitionRequest,
    lifecycle_of,
};
use ventanilla_domain::{Caller, Email, Permission, Text, TicketId, UserId, ValidationError};
use ventanilla_store::collab::{List, Listed};
use ventanilla_store::tickets::Effects;

use crate::App;
use crate::desk::tickets::access;
use crate::desk::{DeskError, DeskResult, require};

/// Who to add to a list: a user by id, or by e-mail (an existing user).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRef {
    pub user_id: Option<i64>,
    pub email: Option<String>,
}

async fn resolve(app: &App, who: &PersonRef) -> DeskResult<UserId> {
    match (who.user_id, who.email.as_deref()) {
        (Some(id), _) => Ok(app
            .store
            .users()
            .get(UserId(id))
            .await
            .map_err(|e| crate::desk::missing_as(e, "user_id", "does not exist"))?
            .id),
        (None, Some(email)) => {
            let email =
                Email::parse(email).map_err(|e| ValidationError::new("email", e.message))?;
            Ok(app
                .store
                .users()
                .by_email(&email)
                .await
                .map_err(|e| crate::desk::missing_as(e, "email", "is not a user of the desk"))?
                .id)
        }
        (None, None) => Err(ValidationError::new("user_id", "is required (or email)").into()),
    }
}

/// A ticket's watchers or CC list (anyone who sees the ticket and works tickets).
pub async fn list(
    app: &App,
    caller: &Caller,
    id: TicketId,
    which: List,
) -> DeskResult<Vec<Listed>> {
    require(caller, Permission::TicketsWork)?;
    access::load(app, caller, id).await?;
    Ok(app.store.collab().list(id, which).await?)
}

/// Adds a watcher (an agent) or a CC'd person (anyone with an account). Staff only.
pub async fn add(
    app: &App,
    caller: &Caller,
    id: TicketId,
    which: List,
    who: &PersonRef,
) -> DeskResult<Vec<Listed>> {
    require(caller, Permission::TicketsWork)?;
    let t = access::load(app, caller, id).await?;
    let user = resolve(app, who).await?;
    if which == List::Watchers {
        let actor = app.store.users().actor(user).await?;
        if !actor.is_some_and(|a| a.can(Permission::TicketsWork)) {
            return Err(ValidationError::new("user_id", "watchers are agents").into());
        }
    } else if user == t.requester_id {
        return Err(ValidationError::new("user_id", "is the requester already").into());
    }
    app.store.collab().add(id, which, user, app.now()).await?;
    Ok(app.store.collab().list(id, which).await?)
}

/// Removes someone from a list. Staff only.
pub async fn remove(
    app: &App,
    caller: &Caller,
    id: TicketId,
    which: List,
    user: UserId,
) -> DeskResult<Vec<Listed>> {
    require(caller, Permission::TicketsWork)?;
    access::load(app, caller, id).await?;
    if !app.store.collab().remove(id, which, user).await? {
        return Err(DeskError::NotFound);
    }
    Ok(app.store.collab().list(id, which).await?)
}

/// Who to tell about a new reply or note on `t` written by `author`: agents mentioned in
/// a note (`ticket.mentioned`), watchers (`ticket.watched`) and, for a public reply only,
/// the CC'd people (`ticket.cc`, with the reply). Each person once, never the author.
/// Read before the write; the notices go out in its transaction.
pub async fn notices_for_action(
    app: &App,
    t: &Ticket,
    author: UserId,
    kind: EventKind,
    body: &str,
) -> DeskResult<Vec<Notice>> {
    let mut out: Vec<Notice> = Vec::new();
    let mut told: Vec<UserId> = vec![author];
    if kind == EventKind::Note {
        let handles = ventanilla_domain::mention::mentions(body);
        for (user, _) in app.store.collab().staff_by_handles(&handles).await? {
            if !told.contains(&user) {
                told.push(user);
                out.push(Notice::about(user, "ticket.mentioned", t).body_opt(Some(body)));
            }
        }
    }
    for w in app.store.collab().list(t.id, List::Watchers).await? {
        if !told.contains(&w.user_id) {
            told.push(w.user_id);
            out.push(Notice::about(w.user_id, "ticket.watched", t));
        }
    }
    if kind == EventKind::Reply {
        for p in app.store.collab().list(t.id, List::Cc).await? {
            if !told.contains(&p.user_id) {
                told.push(p.user_id);
                out.push(Notice::about(p.user_id, "ticket.cc", t).body_opt(Some(body)));
            }
        }
    }
    Ok(out)
}

/// The ticket to merge into, named by id or by number (`None`: neither given). A number
/// that names no ticket the caller may see is refused on `field`.
pub async fn into_of(
    app: &App,
    caller: &Caller,
    id: Option<i64>,
    number: Option<&str>,
    field: &str,
) -> DeskResult<Option<TicketId>> {
    match (id, number.map(str::trim).filter(|n| !n.is_empty())) {
        (Some(id), _) => Ok(Some(TicketId(id))),
        (None, Some(n)) => {
            // Resolved within the caller's scope: a number they may not see is refused in
            // the same words as one that does not exist (no oracle for other scopes).
            let unseen = || ValidationError::new(field, "is not a ticket you can see").into();
            let found = match app.store.tickets().by_number(&n.to_uppercase()).await {
                Ok(t) => t,
                Err(ventanilla_store::StoreError::NotFound) => return Err(unseen()),
                Err(e) => return Err(e.into()),
            };
            match access::load(app, caller, found.id).await {
                Ok(t) => Ok(Some(t.id)),
                Err(DeskError::NotFound) => Err(unseen()),
                Err(e) => Err(e),
            }
        }
        (None, None) => Ok(None),
    }
}

/// Merges the duplicate `from` into `into`: its replies and notes are copied onto `into`'s
/// timeline, its attachments, watchers and CC list move, its requester is CC'd, both
/// timelines say so, the duplicate's requester is told, and the duplicate is cancelled
/// through the state machine (which must allow it: staff cancel until validation).
pub async fn merge_ticket(
    app: &App,
    caller: &Caller,
    from: TicketId,
    into: TicketId,
) -> DeskResult<Ticket> {
    require(caller, Permission::TicketsWork)?;
    if from == into {
        return Err(ValidationError::new("into", "is the ticket itself").into());
    }
    let dup = access::load_to_change(app, caller, from).await?;
    let target = access::load_to_change(app, caller, into)
        .await
        .map_err(|e| match e {
            DeskError::NotFound => {
                ValidationError::new("into", "is not a ticket you can see").into()
            }
            other => other,
        })?;
    if target.status.is_terminal() {
        return Err(ValidationError::new("into", "is closed or cancelled").into());
    }
    if app.store.collab().merged_into(target.id).await?.is_some() {
        return Err(ValidationError::new("into", "was merged into another ticket").into());
    }
    let reason = Text::parse("reason", &format!("→ {}", target.number), 4000)?;
    let request = TransitionRequest::MoveTo {
        to: Status::Cancelled,
        fields: TransitionFields {
            reason: Some(reason),
            ..TransitionFields::default()
        },
    };
    // The machine decides first (pure), so a duplicate it would not cancel is left whole.
    let by = ventanilla_domain::ticket::actor_kind_for(&caller.actor, &dup, Status::Cancelled)
        .ok_or(DeskError::Forbidden)?;
    ventanilla_domain::ticket::transition(&lifecycle_of(&dup), &request, by)?;
    app.store
        .collab()
        .merge(
            dup.id,
            target.id,
            &dup.number,
            Some(caller.user_id()),
            app.now(),
        )
        .await
        .map_err(|e| match e {
            ventanilla_store::StoreError::Conflict { .. } => {
                DeskError::Conflict("the ticket was merged already".into())
            }
            other => other.into(),
        })?;
    let from_number = dup.number.clone();
    crate::desk::tickets::write(app, target.id, None, Some(caller.user_id()), |_| {
        Ok::<_, DeskError>(Effects::default().event(Entry::said(
            EventKind::Link,
            true,
            &Said::MergedFrom {
                from: from_number.clone(),
            },
        )))
    })
    .await?;
    let into_number = target.number.clone();
    let requester = dup.requester_id;
    let after = crate::desk::tickets::lifecycle::apply(
        app,
        dup.id,
        None,
        Some(caller.user_id()),
        by,
        &request,
        |_| {
            vec![Entry::said(
                EventKind::Link,
                true,
                &Said::MergedInto {
                    into: into_number.clone(),
                },
            )]
        },
    )
    .await?;
    // The requester of the duplicate is told where their request went.
    let notice =
        Notice::about(requester, "ticket.merged", &after).param("into", into_number.clone());
    crate::desk::tickets::write(app, after.id, None, Some(caller.user_id()), |_| {
        Ok::<_, DeskError>(Effects {
            notifications: vec![notice.clone()],
            ..Effects::default()
        })
    })
    .await?;
    Ok(app.store.tickets().get(target.id).await?)
}
