//! The business calendar: time zone, weekly windows, holidays and dated exceptions, with
//! validation and the JSON form the store saves and the admin API accepts.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::window::{Window, normalise_day};
use crate::text::ValidationError;

/// A business calendar: when a service desk counts time against its service levels.
///
/// Windows are civil (wall-clock) times in `time_zone`, so "09:00" stays 09:00 across DST
/// changes. Built only through [`Calendar::new`] (or deserialisation, which calls it), so
/// every value is valid. Time arithmetic lives in `timeline.rs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarSpec", into = "CalendarSpec")]
pub struct Calendar {
    /// The IANA name, kept because `TimeZone` does not promise to give it back verbatim.
    zone_name: String,
    pub(super) tz: TimeZone,
    /// Indexed Monday = 0 … Sunday = 6, each sorted and non-overlapping.
    weekly: [Vec<Window>; 7],
    /// Sorted by date; a holiday closes its whole day.
    holidays: Vec<Holiday>,
    /// A dated exception replaces that day's windows (and wins over a holiday).
    exceptions: BTreeMap<Date, Vec<Window>>,
}

/// A non-working day. A yearly holiday repeats on the same month and day every year
/// (29 February then only falls in leap years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub date: Date,
    #[serde(default)]
    pub yearly: bool,
}

/// One date with its own windows, e.g. a Saturday opened or a short Christmas Eve. No
/// windows means closed that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub date: Date,
    #[serde(default)]
    pub windows: Vec<Window>,
}

/// The windows of each weekday; a missing day is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklySpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<Window>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<Window>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<Window>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<Window>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<Window>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<Window>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<Window>,
}

impl WeeklySpec {
    /// The same windows Monday to Friday, weekend closed.
    pub fn weekdays(windows: &[Window]) -> Self {
        let w = windows.to_vec();
        Self {
            mon: w.clone(),
            tue: w.clone(),
            wed: w.clone(),
            thu: w.clone(),
            fri: w,
            ..Self::default()
        }
    }

    /// The same windows every day of the week.
    pub fn every_day(windows: &[Window]) -> Self {
        Self {
            sat: windows.to_vec(),
            sun: windows.to_vec(),
            ..Self::weekdays(windows)
        }
    }

    fn into_days(self) -> [(&'static str, Vec<Window>); 7] {
        [
            ("mon", self.mon),
            ("tue", self.tue),
            ("wed", self.wed),
            ("thu", self.thu),
            ("fri", self.fri),
            ("sat", self.sat),
            ("sun", self.sun),
        ]
    }
}

/// The unvalidated shape of a calendar: what the admin API accepts and the store saves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    pub time_zone: String,
    pub weekly: WeeklySpec,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    #[serde(default)]
    pub exceptions: Vec<Exception>,
}

impl Calendar {
    /// Validates a spec: a known zone, well-formed non-overlapping windows, at least one
    /// weekly window (a calendar that is never open would make every deadline infinite),
    /// no date listed twice as a holiday or as an exception.
    pub fn new(spec: CalendarSpec) -> Result<Self, ValidationError> {
        let zone_name = spec.time_zone.trim().to_owned();
        let tz = TimeZone::get(&zone_name).map_err(|_| {
            ValidationError::new("calendar.time_zone", "is not a known IANA time zone")
        })?;

        let mut weekly: [Vec<Window>; 7] = Default::default();
        for (slot, (day, windows)) in weekly.iter_mut().zip(spec.weekly.into_days()) {
            *slot = normalise_day(&format!("calendar.weekly.{day}"), windows)?;
        }
        if weekly.iter().all(Vec::is_empty) {
            return Err(ValidationError::new(
                "calendar.weekly",
                "must open at least one window in the week",
            ));
        }

        let mut holidays = spec.holidays;
        holidays.sort();
        if holidays.windows(2).any(|p| p[0].date == p[1].date) {
            return Err(ValidationError::new(
                "calendar.holidays",
                "lists a date twice",
            ));
        }

        let mut exceptions = BTreeMap::new();
        for e in spec.exceptions {
            let windows = normalise_day(&format!("calendar.exceptions.{}", e.date), e.windows)?;
            if exceptions.insert(e.date, windows).is_some() {
                return Err(ValidationError::new(
                    "calendar.exceptions",
                    format!("lists {} twice", e.date),
                ));
            }
        }

        Ok(Self {
            zone_name,
            tz,
            weekly,
            holidays,
            exceptions,
        })
    }

    /// Open 24 hours a day, 7 days a week, in UTC: the calendar of a target measured in
    /// plain elapsed time.
    pub fn always() -> Self {
        Self {
            zone_name: "UTC".to_owned(),
            tz: TimeZone::UTC,
            weekly: std::array::from_fn(|_| vec![Window::FULL_DAY]),
            holidays: Vec::new(),
            exceptions: BTreeMap::new(),
        }
    }

    /// The IANA name of the calendar's zone.
    pub fn time_zone_name(&self) -> &str {
        &self.zone_name
    }

    /// The calendar's zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// The holidays, sorted by date.
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// The regular windows of a weekday.
    pub fn weekly_windows(&self, day: Weekday) -> &[Window] {
        &self.weekly[weekday_index(day)]
    }

    /// Whether `date` is a holiday (one-off or yearly). An exception on the same date
    /// still opens it: see [`Calendar::windows_on`].
    pub fn is_holiday(&self, date: Date) -> bool {
        self.holidays.iter().any(|h| {
            h.date == date
                || (h.yearly && h.date.month() == date.month() && h.date.day() == date.day())
        })
    }

    /// The civil windows that apply on `date`: its exception if any (the most specific
    /// rule), otherwise none on a holiday, otherwise the weekday's windows.
    pub fn windows_on(&self, date: Date) -> &[Window] {
        if let Some(w) = self.exceptions.get(&date) {
            w
        } else if self.is_holiday(date) {
            &[]
        } else {
            &self.weekly[weekday_index(date.weekday())]
        }
    }

    /// Whether the calendar counts every instant (24×7, no holidays or exceptions), which
    /// lets callers skip the walk entirely.
    pub fn is_always_open(&self) -> bool {
        self.holidays.is_empty()
            && self.exceptions.is_empty()
            && self
                .weekly
                .iter()
                .all(|d| d.as_slice() == [Window::FULL_DAY])
    }
}

fn weekday_index(day: Weekday) -> usize {
    // `to_monday_zero_offset` is 0..=6 by construction, so the cast cannot wrap.
    day.to_monday_zero_offset().unsigned_abs() as usize
}

impl TryFrom<CalendarSpec> for Calendar {
    type Error = ValidationError;
    fn try_from(spec: CalendarSpec) -> Result<Self, Self::Error> {
        Self::new(spec)
    }
}

impl From<Calendar> for CalendarSpec {
    fn from(cal: Calendar) -> Self {
        let [mon, tue, wed, thu, fri, sat, sun] = cal.weekly;
        CalendarSpec {
            time_zone: cal.zone_name,
            weekly: WeeklySpec {
                mon,
                tue,
                wed,
                thu,
                fri,
                sat,
                sun,
            },
            holidays: cal.holidays,
            exceptions: cal
                .exceptions
                .into_iter()
                .map(|(date, windows)| Exception { date, windows })
                .collect(),
        }
    }
}
