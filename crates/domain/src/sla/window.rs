//! Working windows: a `[start, end)` span of civil time inside one day, written "HH:MM".

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::ValidationError;

/// Minutes in a civil day; also the largest end a window may have ("24:00").
pub const MINUTES_PER_DAY: u16 = 24 * 60;

/// One working window of a day, in civil (wall-clock) time of the calendar's zone.
///
/// Minutes are enough resolution for opening hours and keep the value `Copy` and tiny.
/// The end may be `24:00`, which means "until the next day starts"; that cannot be a
/// `jiff::civil::Time`, which is why windows have their own type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "(String, String)", into = "(String, String)")]
pub struct Window {
    start: u16,
    end: u16,
}

impl Window {
    /// The whole day, `00:00`–`24:00`.
    pub const FULL_DAY: Window = Window {
        start: 0,
        end: MINUTES_PER_DAY,
    };

    /// A window from minutes after midnight; `start < end <= 1440`.
    pub fn from_minutes(start: u16, end: u16) -> Result<Self, ValidationError> {
        if end > MINUTES_PER_DAY {
            return Err(ValidationError::new(
                "window",
                "must end at or before 24:00",
            ));
        }
        if start >= end {
            return Err(ValidationError::new("window", "must start before it ends"));
        }
        Ok(Self { start, end })
    }

    /// A window from two "HH:MM" strings, e.g. `Window::parse("09:00", "18:00")`.
    pub fn parse(start: &str, end: &str) -> Result<Self, ValidationError> {
        Self::from_minutes(parse_hhmm(start)?, parse_hhmm(end)?)
    }

    /// Start, in minutes after midnight.
    pub fn start_minute(self) -> u16 {
        self.start
    }

    /// End, in minutes after midnight (1440 for "24:00").
    pub fn end_minute(self) -> u16 {
        self.end
    }

    /// Length in civil minutes (the real length can differ on a DST day).
    pub fn minutes(self) -> u16 {
        self.end - self.start
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", format_hhmm(self.start), format_hhmm(self.end))
    }
}

impl TryFrom<(String, String)> for Window {
    type Error = ValidationError;
    fn try_from((start, end): (String, String)) -> Result<Self, Self::Error> {
        Self::parse(&start, &end)
    }
}

impl From<Window> for (String, String) {
    fn from(w: Window) -> Self {
        (format_hhmm(w.start), format_hhmm(w.end))
    }
}

/// Parses "HH:MM" (00:00–24:00) into minutes after midnight.
fn parse_hhmm(raw: &str) -> Result<u16, ValidationError> {
    let bad = || ValidationError::new("window", format!("\"{raw}\" is not a time HH:MM"));
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn format_hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Sorts a day's windows and refuses overlaps, so later code can walk them in order.
///
/// Touching windows (`09:00–14:00`, `14:00–18:00`) are allowed: they do not overlap and
/// the walk treats them as one stretch of open time.
pub(crate) fn normalise_day(
    field: &str,
    mut windows: Vec<Window>,
) -> Result<Vec<Window>, ValidationError> {
    windows.sort();
    for pair in windows.windows(2) {
        if pair[0].end > pair[1].start {
            return Err(ValidationError::new(
                field,
                format!("windows {} and {} overlap", pair[0], pair[1]),
            ));
        }
    }
    Ok(windows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let w = Window::parse("09:00", "24:00").unwrap();
        assert_eq!((w.start_minute(), w.end_minute()), (540, 1440));
        assert_eq!(w.to_string(), "09:00–24:00");
        // Serde goes through these two conversions.
        let pair: (String, String) = w.into();
        assert_eq!(pair, ("09:00".to_owned(), "24:00".to_owned()));
        assert_eq!(Window::try_from(pair), Ok(w));
    }

    #[test]
    fn refuses_bad_windows() {
        for (s, e) in [
            ("18:00", "09:00"),
            ("09:00", "09:00"),
            ("9:00", "10:00"),
            ("09:60", "10:00"),
            ("24:30", "10:00"),
            ("00:00", "24:01"),
            ("ab:cd", "10:00"),
        ] {
            assert!(Window::parse(s, e).is_err(), "{s}-{e} accepted");
        }
    }

    #[test]
    fn normalise_sorts_and_refuses_overlap() {
        let a = Window::parse("15:00", "18:00").unwrap();
        let b = Window::parse("09:00", "15:00").unwrap();
        assert_eq!(normalise_day("mon", vec![a, b]).unwrap(), vec![b, a]);
        let c = Window::parse("14:00", "16:00").unwrap();
        assert!(normalise_day("mon", vec![a, b, c]).is_err());
    }
}
