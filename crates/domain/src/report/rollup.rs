//! The daily rollup: what one ticket adds to the sums of a day and a slice (group,
//! organisation, category; channel and agent in the breakdown), and the delta a change
//! makes. Days are desk-local dates written `yyyymmdd`; day [`BACKLOG_DAY`] holds the open
//! tickets now (the backlog), whatever their age.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::people::Tier;
use crate::sla::{Stopwatch, StopwatchState};
use crate::ticket::Ticket;

/// A dimension value meaning "every value" (the pre-summed slice).
pub const ANY: i64 = 0;
/// A dimension value meaning "not set" (no group, no organisation, no category).
pub const NONE: i64 = -1;
/// The day under which the current backlog is kept.
pub const BACKLOG_DAY: i32 = 0;

macro_rules! measures {
    ($($variant:ident => $col:literal,)*) => {
        /// One summed quantity of the rollup; its column name is stable.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Measure { $($variant,)* }

        /// Every measure, in column order.
        pub const MEASURES: &[Measure] = &[$(Measure::$variant,)*];

        impl Measure {
            /// The rollup table's column.
            pub fn column(self) -> &'static str {
                match self { $(Measure::$variant => $col,)* }
            }
        }
    };
}

measures! {
    Created => "created",
    Resolved => "resolved",
    FirstContact => "first_contact",
    Reopened => "reopened",
    Escalated => "escalated",
    Responded => "responded",
    ResponseMinutes => "response_minutes",
    ResolveMinutes => "resolve_minutes",
    HandlingMinutes => "handling_minutes",
    SlaResponseTotal => "sla_response_total",
    SlaResponseMet => "sla_response_met",
    SlaResolutionTotal => "sla_resolution_total",
    SlaResolutionMet => "sla_resolution_met",
    CsatSum => "csat_sum",
    CsatCount => "csat_count",
    Open => "open",
    OpenCreatedSeconds => "open_created_seconds",
}

/// The sums of one rollup row, indexed by [`Measure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Measures(pub [i64; MEASURES.len()]);

impl Measures {
    pub fn get(&self, m: Measure) -> i64 {
        self.0[m as usize]
    }
    pub fn add(&mut self, m: Measure, v: i64) {
        self.0[m as usize] += v;
    }
    pub fn add_all(&mut self, other: &Measures) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
    pub fn sub_all(&mut self, other: &Measures) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a -= b;
        }
    }
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|v| *v == 0)
    }
}

/// The slice a ticket falls in: ids, [`NONE`] when unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dims {
    pub group: i64,
    pub organisation: i64,
    pub category: i64,
    /// The channel's stable name (breakdown only).
    pub channel: &'static str,
    /// The assignee (breakdown only).
    pub agent: i64,
}

impl Dims {
    pub fn of(t: &Ticket) -> Self {
        Self {
            group: t.group_id.map_or(NONE, |g| g.get()),
            organisation: t.organisation_id.map_or(NONE, |o| o.get()),
            category: t.category_id.map_or(NONE, |c| c.get()),
            channel: t.channel.as_str(),
            agent: t.assignee_id.map_or(NONE, |u| u.get()),
        }
    }
}

/// A ticket's contribution: measures per (day, slice).
pub type Contribution = BTreeMap<(i32, Dims), Measures>;

/// One row of the filterable rollup: a day and a slice in which each dimension is an id,
/// [`NONE`] or [`ANY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RollupKey {
    pub day: i32,
    pub group: i64,
    pub organisation: i64,
    pub category: i64,
}

/// `yyyymmdd` of the desk-local date of `at`.
pub fn day_number(at: Timestamp, tz: &TimeZone) -> i32 {
    let d = at.to_zoned(tz.clone()).date();
    i32::from(d.year()) * 10_000 + i32::from(d.month()) * 100 + i32::from(d.day())
}

fn minutes_between(from: Timestamp, to: Timestamp) -> i64 {
    (to.as_second() - from.as_second()).max(0) / 60
}

/// Business minutes of a stopped stopwatch (the SLA calendar's time); `None` if it has not
/// stopped.
fn stopped_minutes(w: Option<&Stopwatch>) -> Option<i64> {
    let w = w?;
    (w.state() == StopwatchState::Stopped).then(|| w.elapsed().as_secs().max(0) / 60)
}

/// What one ticket, with `logged_minutes` of time logged on it, adds to the rollup (see
/// `docs/REPORTS.md` for each measure's day and meaning):
/// - created day: created, escalated (now at L2/L3 or escalated);
/// - resolution day (the latest, while resolved): resolved, first contact, reopened,
///   resolution minutes, handling minutes, SLA resolution, satisfaction;
/// - first-response day: responded, response minutes, SLA response;
/// - [`BACKLOG_DAY`]: open, and the sum of open tickets' creation instants (for their age).
pub fn contribution(t: &Ticket, logged_minutes: i64, tz: &TimeZone) -> Contribution {
    let dims = Dims::of(t);
    let mut out = Contribution::new();
    let mut at = |day: i32, m: Measure, v: i64| {
        if v != 0 {
            out.entry((day, dims)).or_default().add(m, v);
        }
    };
    let created = day_number(t.created_at, tz);
    at(created, Measure::Created, 1);
    let escalated = t.escalated || matches!(t.tier, Some(Tier::L2 | Tier::L3));
    at(created, Measure::Escalated, i64::from(escalated));
    if let Some(resolved_at) = t.resolved_at {
        let day = day_number(resolved_at, tz);
        at(day, Measure::Resolved, 1);
        at(
            day,
            Measure::FirstContact,
            i64::from(t.reopen_count == 0 && !escalated),
        );
        at(day, Measure::Reopened, i64::from(t.reopen_count > 0));
        let minutes = stopped_minutes(t.sla.resolution.as_ref())
            .unwrap_or_else(|| minutes_between(t.created_at, resolved_at));
        at(day, Measure::ResolveMinutes, minutes);
        at(day, Measure::HandlingMinutes, logged_minutes);
        if let Some(w) = &t.sla.resolution {
            at(day, Measure::SlaResolutionTotal, 1);
            at(
                day,
                Measure::SlaResolutionMet,
                i64::from(w.breached_at().is_none()),
            );
        }
        if let Some(r) = t.rating {
            at(day, Measure::CsatSum, i64::from(r));
            at(day, Measure::CsatCount, 1);
        }
    }
    if let Some(first) = t.first_response_at {
        let day = day_number(first, tz);
        at(day, Measure::Responded, 1);
        let minutes = stopped_minutes(t.sla.response.as_ref())
            .unwrap_or_else(|| minutes_between(t.created_at, first));
        at(day, Measure::ResponseMinutes, minutes);
        if let Some(w) = &t.sla.response {
            at(day, Measure::SlaResponseTotal, 1);
            at(
                day,
                Measure::SlaResponseMet,
                i64::from(w.breached_at().is_none()),
            );
        }
    }
    if !t.status.is_terminal() {
        at(BACKLOG_DAY, Measure::Open, 1);
        at(
            BACKLOG_DAY,
            Measure::OpenCreatedSeconds,
            t.created_at.as_second(),
        );
    }
    out
}

/// `after − before`, without the entries that cancel out.
pub fn delta(before: Option<&Contribution>, after: Option<&Contribution>) -> Contribution {
    let mut out = after.cloned().unwrap_or_default();
    for (k, m) in before.into_iter().flatten() {
        out.entry(*k).or_default().sub_all(m);
    }
    out.retain(|_, m| !m.is_zero());
    out
}

/// Spreads contributions over the filterable rollup (each of group, organisation and
/// category as itself and as [`ANY`]: eight rows per entry) and the breakdown rows
/// (`("channel", name)` and `("agent", id)`), summed.
#[allow(clippy::type_complexity)]
pub fn expand(
    c: &Contribution,
) -> (
    BTreeMap<RollupKey, Measures>,
    BTreeMap<(i32, &'static str, String), Measures>,
) {
    let mut cube: BTreeMap<RollupKey, Measures> = BTreeMap::new();
    let mut by: BTreeMap<(i32, &'static str, String), Measures> = BTreeMap::new();
    for ((day, d), m) in c {
        for mask in 0..8u8 {
            let pick = |bit: u8, v: i64| if mask & bit != 0 { ANY } else { v };
            let key = RollupKey {
                day: *day,
                group: pick(1, d.group),
                organisation: pick(2, d.organisation),
                category: pick(4, d.category),
            };
            cube.entry(key).or_default().add_all(m);
        }
        by.entry((*day, "channel", d.channel.to_owned()))
            .or_default()
            .add_all(m);
        by.entry((*day, "agent", d.agent.to_string()))
            .or_default()
            .add_all(m);
    }
    cube.retain(|_, m| !m.is_zero());
    by.retain(|_, m| !m.is_zero());
    (cube, by)
}
