//! Applying the service-model state machine to stored tickets: every status change goes
//! through `ventanilla_domain::ticket::transition_with`, is written with its timeline entry
//! in one transaction, and cascades from a major incident to its children.

use jiff::Timestamp;
use ventanilla_domain::ticket::{
    ActorKind, EventKind, Lifecycle, Status, Ticket, Transition, TransitionRequest, transition_with,
};
use ventanilla_domain::{Text, TicketId, UserId};
use ventanilla_store::tickets::{Effects, NewEvent};

use super::transition_error;
use crate::App;
use crate::error::{AppError, AppResult};

/// The part of a stored ticket the state machine reads.
pub fn lifecycle_of(t: &Ticket) -> Lifecycle {
    let text = |s: &Option<String>, field: &str| {
        s.as_deref()
            .and_then(|v| Text::parse(field, v, 100_000).ok())
    };
    Lifecycle {
        status: t.status,
        resume_to: t.resume_to,
        reopen_count: t.reopen_count,
        has_category: t.category_id.is_some(),
        resolution_code: text(&t.resolution_code, "resolution_code"),
        resolution: text(&t.resolution, "resolution"),
    }
}

/// Copies a decided transition onto the ticket and returns its timeline entry.
pub fn apply_to(t: &mut Ticket, tr: &Transition, now: Timestamp) -> NewEvent {
    let lc = &tr.lifecycle;
    t.status = lc.status;
    t.resume_to = lc.resume_to;
    t.reopen_count = lc.reopen_count;
    t.resolution_code = lc.resolution_code.as_ref().map(|x| x.to_string());
    t.resolution = lc.resolution.as_ref().map(|x| x.to_string());
    t.pending_reason = if tr.to == Status::Pending {
        tr.fields.reason.as_ref().map(|r| r.to_string())
    } else {
        None
    };
    match tr.to {
        Status::Validation => t.resolved_at = Some(now),
        Status::Analysis if tr.no_solution() => t.resolved_at = None,
        Status::Closed | Status::Cancelled => t.closed_at = Some(now),
        _ => {}
    }
    let steps: Vec<String> = tr.steps().iter().map(|s| format!("[{s}]")).collect();
    let mut body = Vec::new();
    if tr.no_solution() {
        body.push(format!("no solution: reopened ({})", t.reopen_count));
    }
    // The summary is a handover between agents: it goes to an internal note
    // ([`summary_note`]), never into this public entry.
    for text in [&tr.fields.reason, &tr.fields.resolution]
        .into_iter()
        .flatten()
    {
        body.push(text.to_string());
    }
    let mut e = NewEvent::change(
        "status",
        Some(tr.from.as_str().into()),
        Some(tr.to.as_str().into()),
        true,
    );
    e.kind = EventKind::Transition;
    e.body = Some(if steps.is_empty() {
        body.join("\n")
    } else {
        format!("{} {}", steps.join("→"), body.join("\n"))
            .trim()
            .to_owned()
    });
    e
}

/// A transition's `summary` (documented as a handover) as an internal note: staff read it
/// in the timeline, the requester never does (portal and API filter non-public entries).
pub fn summary_note(tr: &Transition) -> Option<NewEvent> {
    tr.fields
        .summary
        .as_ref()
        .map(|s| NewEvent::new(EventKind::Note, false).body(s.to_string()))
}

/// Decides and stores one transition. `extra` may change the ticket further (a rating) and
/// add entries; it runs after the machine has accepted the move.
pub async fn apply(
    app: &App,
    id: TicketId,
    expected_version: Option<i64>,
    actor: Option<UserId>,
    by: ActorKind,
    request: &TransitionRequest,
    extra: impl Fn(&mut Ticket) -> Vec<NewEvent>,
) -> AppResult<Ticket> {
    let now = app.now();
    let close = app.config.tickets.close_requirements;
    let ticket = crate::tickets::write(app, id, expected_version, actor, |t| {
        let tr =
            transition_with(&lifecycle_of(t), request, by, &close).map_err(transition_error)?;
        let mut effects = Effects::default().event(apply_to(t, &tr, now));
        effects.events.extend(summary_note(&tr));
        effects.events.extend(extra(t));
        Ok::<_, AppError>(effects)
    })
    .await?;
    if matches!(ticket.status, Status::Validation | Status::Closed) {
        cascade_to_children(app, &ticket, actor).await?;
    }
    Ok(ticket)
}

/// Resolving or closing a parent (a major incident) resolves or closes its open children
/// with the parent's resolution and a note naming the parent. Children follow the parent,
/// not their own path: that is what linking them to it means.
async fn cascade_to_children(app: &App, parent: &Ticket, actor: Option<UserId>) -> AppResult<()> {
    let now = app.now();
    for child in app.store.tickets().children(parent.id).await? {
        if child.status.is_terminal()
            || (parent.status == Status::Validation && !child.status.is_open())
        {
            continue;
        }
        let target = parent.status;
        crate::tickets::write(app, child.id, None, actor, |t| {
            if t.status.is_terminal() {
                return Ok(Effects::default());
            }
            let from = t.status;
            t.status = target;
            t.resume_to = None;
            t.pending_reason = None;
            t.resolution_code = parent.resolution_code.clone();
            t.resolution = parent.resolution.clone();
            if target == Status::Validation {
                t.resolved_at = Some(now);
            } else {
                t.closed_at = Some(now);
            }
            let verb = if target == Status::Closed {
                "Closed"
            } else {
                "Resolved"
            };
            let mut e = NewEvent::change(
                "status",
                Some(from.as_str().into()),
                Some(target.as_str().into()),
                true,
            );
            e.kind = EventKind::Transition;
            e.body = Some(format!(
                "{verb} with parent {}: {}",
                parent.number,
                parent.resolution.as_deref().unwrap_or("")
            ));
            Ok::<_, AppError>(Effects::default().event(e))
        })
        .await?;
    }
    Ok(())
}

/// Moves tickets whose survey has waited longer than the configured timeout on to review.
/// Safe to run on several nodes at once: a ticket already moved is refused by the machine.
pub async fn expire_surveys(app: &App) -> AppResult<usize> {
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
            Err(AppError::Refused { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(moved)
}
