//! Applying the service model to stored tickets: every status change goes through the
//! domain's state machine (`take_step`), is written with its timeline entry in one
//! transaction, and cascades from a parent (a major incident) to its children.

use ventanilla_domain::ticket::{
    ActorKind, Entry, Status, Ticket, TransitionRequest, follow_parent, take_step,
};
use ventanilla_domain::{TicketId, UserId};
use ventanilla_store::tickets::Effects;

use crate::App;
use crate::desk::{DeskError, DeskResult};

/// Decides and stores one transition. `extra` may change the ticket further (a rating) and
/// add entries; it runs after the machine has accepted the move.
pub async fn apply(
    app: &App,
    id: TicketId,
    expected_version: Option<i64>,
    actor: Option<UserId>,
    by: ActorKind,
    request: &TransitionRequest,
    extra: impl Fn(&mut Ticket) -> Vec<Entry>,
) -> DeskResult<Ticket> {
    apply_effects(app, id, expected_version, actor, by, request, |t| Effects {
        events: extra(t),
        ..Effects::default()
    })
    .await
}

/// [`apply`] whose `extra` adds any effects (a survey answer, notifications) after the
/// step's entries.
pub async fn apply_effects(
    app: &App,
    id: TicketId,
    expected_version: Option<i64>,
    actor: Option<UserId>,
    by: ActorKind,
    request: &TransitionRequest,
    extra: impl Fn(&mut Ticket) -> Effects,
) -> DeskResult<Ticket> {
    // Resolution codes come from the editable list (issue 17).
    if let TransitionRequest::MoveTo { fields, .. } = request {
        crate::desk::resolution::check(app, fields.resolution_code.as_ref().map(|c| c.as_str()))
            .await?;
    }
    let now = app.now();
    let close = app.config.tickets.close_requirements;
    let ticket = super::write(app, id, expected_version, actor, |t| {
        let step = take_step(t, request, by, &close, now)?;
        let mut effects = extra(t);
        effects.events.splice(0..0, step);
        Ok::<_, DeskError>(effects)
    })
    .await?;
    if matches!(ticket.status, Status::Validation | Status::Closed) {
        cascade_to_children(app, &ticket).await?;
    }
    Ok(ticket)
}

/// Resolving or closing a parent resolves or closes its open children with the parent's
/// resolution (the domain's `follow_parent`, as the system).
async fn cascade_to_children(app: &App, parent: &Ticket) -> DeskResult<()> {
    let now = app.now();
    for child in app.store.tickets().children(parent.id).await? {
        if child.status.is_terminal() {
            continue;
        }
        super::write(app, child.id, None, None, |t| {
            Ok::<_, DeskError>(match follow_parent(t, parent, now) {
                Some(e) => Effects::default().event(e),
                None => Effects::default(),
            })
        })
        .await?;
    }
    Ok(())
}

/// Moves tickets whose survey has waited longer than the configured timeout on to review.
/// Safe to run on several nodes at once: a ticket already moved is refused by the machine.
pub async fn expire_surveys(app: &App) -> DeskResult<usize> {
    let now = app.now();
    let hours = i64::from(app.config.tickets.survey_timeout_hours);
    let before = now
        .saturating_sub(jiff::SignedDuration::from_hours(hours))
        .unwrap_or(now);
    let mut moved = 0;
    for id in app.store.tickets().survey_expired(before, 500).await? {
        match apply(
            app,
            id,
            None,
            None,
            ActorKind::System,
            &TransitionRequest::SurveyTimedOut,
            |_| Vec::new(),
        )
        .await
        {
            Ok(_) => moved += 1,
            Err(DeskError::Refused { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(moved)
}
