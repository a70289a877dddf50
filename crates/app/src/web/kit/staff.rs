//! What console pages share: the staff directory (names for assignees and the timeline, in a
//! fixed number of queries whatever the ticket count), SLA words and the unread count.

use ventanilla_domain::directory::{PageRequest, User};
use ventanilla_domain::sla::SlaState;
use ventanilla_domain::ticket::Ticket;
use ventanilla_domain::{UserId, access};
use ventanilla_store::users::UserFilter;

use super::error::WebResult;
use super::page::Viewer;
use crate::AppState;

/// Agents, supervisors and administrators (up to 200 of each), for names and pickers.
pub struct Staff {
    pub people: Vec<User>,
}

impl Staff {
    pub async fn load_for(state: &AppState, viewer: &Viewer) -> WebResult<Staff> {
        let mut people = Vec::new();
        for role in [access::AGENT, access::SUPERVISOR, access::ADMIN] {
            let f = UserFilter {
                role: Some(role.into()),
                active: Some(true),
                ..UserFilter::default()
            };
            let page = state
                .store
                .users()
                .list(&viewer.auth.actor, &f, PageRequest::new(None, Some(200))?)
                .await?;
            people.extend(page.items);
        }
        people.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Staff { people })
    }

    pub fn name(&self, id: &Option<UserId>) -> String {
        id.and_then(|id| self.people.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }
}

/// The SLA standing of a ticket as a message key suffix: `ok`, `at_risk`, `breached` or
/// `none` (no clock running).
pub fn sla_key(t: &Ticket) -> &'static str {
    match t.sla.state {
        Some(SlaState::Breached) => "breached",
        Some(SlaState::AtRisk) => "at_risk",
        Some(SlaState::Ok) if t.sla.due_at.is_some() => "ok",
        _ => "none",
    }
}

/// The SLA clock in words at `now`: "paused", "in 1 h 30 min", "15 min overdue", or "" (no
/// clock, or a closed ticket). The queue's column and the ticket page's status line say it
/// alike.
pub fn countdown(c: &super::ctx::Ctx, t: &Ticket, now: jiff::Timestamp) -> String {
    let paused = t
        .sla
        .resolution
        .as_ref()
        .is_some_and(|w| w.state() == ventanilla_domain::sla::StopwatchState::Paused);
    if paused {
        return c.t("sla-paused");
    }
    match t.sla.due_at {
        Some(due) if !t.status.is_terminal() => {
            let mins = due.duration_since(now).as_secs() / 60;
            let words = super::duration::minutes(c.lang, mins);
            if mins >= 0 {
                c.t1("sla-due-in", "time", &words)
            } else {
                c.t1("sla-overdue-by", "time", &words)
            }
        }
        _ => String::new(),
    }
}

/// How many notifications the viewer has not read.
pub async fn unread(state: &AppState, viewer: &Viewer) -> WebResult<i64> {
    Ok(header(state, viewer).await?.0)
}

/// The console header's facts in one statement: unread notifications and the viewer's
/// availability code (routing, issue 17).
pub async fn header(state: &AppState, viewer: &Viewer) -> WebResult<(i64, &'static str)> {
    let (n, a) = state.store.routing().header(viewer.auth.user_id()).await?;
    Ok((n, a.as_str()))
}
