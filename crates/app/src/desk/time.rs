//! Time totals (issue 17): minutes logged on a ticket, by agent and by kind of work (the
//! timeline entry they were logged with: reply, note…), and each agent's minutes per day in
//! the reader's time zone. Logging itself is `add_action` (1 to 1,440 minutes per entry).

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use utoipa::ToSchema;
use ventanilla_domain::{Caller, Permission, TicketId, UserId, ValidationError};

use crate::App;
use crate::desk::{DeskError, DeskResult, require};

/// Minutes of one person or one kind of work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Total {
    /// A user id (by agent) or an entry kind (by activity).
    pub key: String,
    pub minutes: i64,
}

/// Time spent on one ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct TicketTime {
    pub total: i64,
    pub by_agent: Vec<Total>,
    pub by_activity: Vec<Total>,
}

/// Time spent on a ticket the caller sees (staff).
pub async fn ticket_time(app: &App, caller: &Caller, id: TicketId) -> DeskResult<TicketTime> {
    require(caller, Permission::TicketsReadInternal)?;
    crate::desk::tickets::access::load(app, caller, id).await?;
    let rows = app.store.worklog().ticket(id).await?;
    Ok(totals(
        rows.into_iter()
            .map(|r| (r.actor_id, r.kind, r.minutes))
            .collect(),
    ))
}

/// Totals from minutes by (person, kind of entry), as the store sums them.
pub fn totals(rows: Vec<(Option<UserId>, String, i64)>) -> TicketTime {
    let mut by_agent: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_activity: BTreeMap<String, i64> = BTreeMap::new();
    let mut total = 0;
    for (actor, kind, minutes) in rows {
        total += minutes;
        let who = actor.map(|u| u.get().to_string()).unwrap_or_default();
        *by_agent.entry(who).or_default() += minutes;
        *by_activity.entry(kind).or_default() += minutes;
    }
    let list = |m: BTreeMap<String, i64>| {
        m.into_iter()
            .map(|(key, minutes)| Total { key, minutes })
            .collect()
    };
    TicketTime {
        total,
        by_agent: list(by_agent),
        by_activity: list(by_activity),
    }
}

/// One agent's minutes on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AgentDay {
    pub user_id: i64,
    /// `YYYY-MM-DD` in the reader's time zone.
    pub day: String,
    pub minutes: i64,
}

/// The longest span one read of daily totals covers.
pub const DAYS_MAX: i64 = 62;

/// Minutes per agent per day from `from` to `to` (inclusive days, at most [`DAYS_MAX`]) in
/// `tz`. An agent reads their own; supervisors and report readers anyone's, or everyone's
/// with `user` absent.
pub async fn agent_days(
    app: &App,
    caller: &Caller,
    user: Option<UserId>,
    from: Date,
    to: Date,
    tz: &TimeZone,
) -> DeskResult<Vec<AgentDay>> {
    require(caller, Permission::TicketsWork)?;
    let everyone = caller.can(Permission::ReportsRead);
    if !everyone && user != Some(caller.user_id()) {
        return Err(DeskError::Forbidden);
    }
    if to < from {
        return Err(ValidationError::new("to", "is before from").into());
    }
    let span = from.until(to).map_err(DeskError::internal)?.get_days();
    if i64::from(span) >= DAYS_MAX {
        return Err(ValidationError::new("to", format!("at most {DAYS_MAX} days at once")).into());
    }
    let start = from
        .to_zoned(tz.clone())
        .map_err(DeskError::internal)?
        .timestamp();
    let end = to
        .tomorrow()
        .map_err(DeskError::internal)?
        .to_zoned(tz.clone())
        .map_err(DeskError::internal)?
        .timestamp();
    let rows = app.store.worklog().span(start, end, user).await?;
    let mut days: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for (u, at, minutes) in rows {
        let day = at.to_zoned(tz.clone()).date().to_string();
        *days.entry((u.get(), day)).or_default() += minutes;
    }
    Ok(days
        .into_iter()
        .map(|((user_id, day), minutes)| AgentDay {
            user_id,
            day,
            minutes,
        })
        .collect())
}
