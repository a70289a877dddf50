//! Tests of the service-level module: scenarios with exact instants, then properties.

mod calendar;
mod dst;
mod policy;
mod props;
mod props_policy_change;
mod props_stopwatch;
mod stopwatch;
mod strategies;

use jiff::{SignedDuration, Timestamp};

use super::{Calendar, CalendarSpec, Exception, Holiday, WeeklySpec, Window};

/// An instant from RFC 3339 with offset, e.g. "2026-03-06T17:55:00+01:00".
fn ts(s: &str) -> Timestamp {
    s.parse().unwrap_or_else(|e| panic!("bad instant {s}: {e}"))
}

fn w(start: &str, end: &str) -> Window {
    Window::parse(start, end).unwrap()
}

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

fn spec(zone: &str, weekly: WeeklySpec) -> CalendarSpec {
    CalendarSpec {
        time_zone: zone.to_owned(),
        weekly,
        holidays: Vec::new(),
        exceptions: Vec::new(),
    }
}

/// Mon–Fri 09:00–18:00, Europe/Madrid: the office calendar of the scenarios.
fn madrid_office() -> Calendar {
    Calendar::new(spec(
        "Europe/Madrid",
        WeeklySpec::weekdays(&[w("09:00", "18:00")]),
    ))
    .unwrap()
}

/// The same windows every day in `zone`, with no holidays.
fn daily(zone: &str, windows: &[Window]) -> Calendar {
    Calendar::new(spec(zone, WeeklySpec::every_day(windows))).unwrap()
}

fn holiday(date: &str, yearly: bool) -> Holiday {
    Holiday {
        date: date.parse().unwrap(),
        yearly,
    }
}

fn exception(date: &str, windows: &[Window]) -> Exception {
    Exception {
        date: date.parse().unwrap(),
        windows: windows.to_vec(),
    }
}
