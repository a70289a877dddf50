//! Service levels (SPEC C6): business calendars, per-target SLA stopwatches and policies.
//!
//! Everything here is a pure function of recorded instants, a calendar and `now`; the
//! application decides when to call it and the store persists the serde forms.

mod actions;
mod calendar;
mod policy;
mod record;
mod standing;
mod stopwatch;
mod timeline;
mod window;

#[cfg(test)]
mod tests;

pub use actions::{SlaAction, SlaActions, SlaState, TicketSla};
pub use calendar::{Calendar, CalendarSpec, Exception, Holiday, WeeklySpec};
pub use policy::{
    ClockRule, DEFAULT_WARN_PERCENT, SlaKind, SlaPolicy, SlaPolicySpec, SlaTarget, select_policy,
};
pub use standing::{ClockFacts, Crossing, InForce, SLA_KINDS};
pub use stopwatch::{ClockAction, Run, SlaEvent, Stopwatch, StopwatchState};
pub use timeline::MAX_CLOSED_DAYS;
pub use window::{MINUTES_PER_DAY, Window};
