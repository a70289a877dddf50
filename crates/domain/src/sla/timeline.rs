//! Business-time arithmetic on a [`Calendar`]: turning civil windows into instants (DST
//! included), walking open spans, adding and measuring business time.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use super::calendar::Calendar;
use super::window::MINUTES_PER_DAY;

/// How many consecutive closed days a walk tolerates before deciding the calendar never
/// opens again (about ten years). A validated calendar has a weekly window, so only a
/// pathological holiday list (every open weekday a yearly holiday) reaches it.
pub const MAX_CLOSED_DAYS: u32 = 3_660;

/// A stretch of open time as real instants, `[start, end)`, never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Calendar {
    /// The instant at which `d` of business time has elapsed after `start`.
    ///
    /// If `start` is in closed hours, counting begins at the next opening. A zero or
    /// negative `d` returns `start` unchanged (nothing is left to count). For a positive
    /// `d` the result is always open or the exact end of an open span, never inside closed
    /// hours. `None` when the calendar stays closed for [`MAX_CLOSED_DAYS`] in a row or the
    /// result would fall outside the range of `Timestamp`.
    pub fn add_business(&self, start: Timestamp, d: SignedDuration) -> Option<Timestamp> {
        if d <= SignedDuration::ZERO {
            return Some(start);
        }
        if self.is_always_open() {
            return start.checked_add(d).ok();
        }
        let mut remaining = d;
        for span in self.spans(start, None) {
            let from = span.start.max(start);
            let len = span.end.duration_since(from);
            if remaining <= len {
                return from.checked_add(remaining).ok();
            }
            remaining -= len;
        }
        None
    }

    /// Business time in `[a, b)`; zero when `b <= a`.
    pub fn business_between(&self, a: Timestamp, b: Timestamp) -> SignedDuration {
        if b <= a {
            return SignedDuration::ZERO;
        }
        if self.is_always_open() {
            return b.duration_since(a);
        }
        let mut total = SignedDuration::ZERO;
        for span in self.spans(a, Some(b)) {
            if span.start >= b {
                break;
            }
            total += span.end.min(b).duration_since(span.start.max(a));
        }
        total
    }

    /// Whether `t` falls inside an open span.
    pub fn is_open(&self, t: Timestamp) -> bool {
        if self.is_always_open() {
            return true;
        }
        // Spans of earlier days end by the start of t's civil day and spans of later days
        // begin after t (the civil-to-instant map is monotonic), so one day is enough.
        let date = self.tz.to_datetime(t).date();
        self.day_spans(date)
            .iter()
            .any(|s| s.start <= t && t < s.end)
    }

    /// `t` itself if open, otherwise the next instant the calendar opens; `None` if it
    /// stays closed for [`MAX_CLOSED_DAYS`].
    pub fn next_open(&self, t: Timestamp) -> Option<Timestamp> {
        if self.is_always_open() {
            return Some(t);
        }
        self.spans(t, None).next().map(|s| s.start.max(t))
    }

    /// Open spans that end after `from`, in order, walking day by day. With `until`, the
    /// walk stops after the civil day of `until` (callers stop at `until` themselves);
    /// without it, after [`MAX_CLOSED_DAYS`] closed days in a row.
    fn spans(&self, from: Timestamp, until: Option<Timestamp>) -> impl Iterator<Item = Span> {
        let mut date = Some(self.tz.to_datetime(from).date());
        let last = until.map(|u| self.tz.to_datetime(u).date());
        let mut closed_days = 0u32;
        let mut day = Vec::new().into_iter();
        std::iter::from_fn(move || {
            loop {
                if let Some(span) = day.next() {
                    return Some(span);
                }
                let d = date?;
                match last {
                    Some(last) if d > last => return None,
                    None if closed_days >= MAX_CLOSED_DAYS => return None,
                    _ => {}
                }
                let spans = self.day_spans(d);
                closed_days = if spans.is_empty() { closed_days + 1 } else { 0 };
                day = spans.into_iter();
                date = d.tomorrow().ok();
            }
        })
        .filter(move |s| s.end > from)
    }

    /// The open spans of one civil day as instants, sorted, touching spans merged.
    ///
    /// Each window boundary goes through [`civil_to_instant`], which is monotonic, so
    /// sorted non-overlapping civil windows give sorted non-overlapping spans, and a day's
    /// spans never reach into the next day's.
    pub(super) fn day_spans(&self, date: Date) -> Vec<Span> {
        let mut spans: Vec<Span> = Vec::new();
        for w in self.windows_on(date) {
            let (Some(start), Some(end)) = (
                boundary(&self.tz, date, w.start_minute()),
                boundary(&self.tz, date, w.end_minute()),
            ) else {
                continue; // only at the very edge of the representable range
            };
            if start >= end {
                continue; // a window wholly inside a spring-forward gap does not exist
            }
            match spans.last_mut() {
                Some(prev) if prev.end == start => prev.end = end,
                _ => spans.push(Span { start, end }),
            }
        }
        spans
    }
}

/// The instant of `minute` after midnight on `date`; minute 1440 is the next day's 00:00.
fn boundary(tz: &TimeZone, date: Date, minute: u16) -> Option<Timestamp> {
    let (date, minute) = if minute >= MINUTES_PER_DAY {
        (date.tomorrow().ok()?, 0)
    } else {
        (date, minute)
    };
    let h = i8::try_from(minute / 60).ok()?;
    let m = i8::try_from(minute % 60).ok()?;
    let time = Time::new(h, m, 0, 0).ok()?;
    civil_to_instant(tz, date.to_datetime(time))
}

/// Resolves a civil datetime to an instant so that the map is monotonic in civil time.
///
/// - In a fold (fall back, the hour happens twice) the *earlier* instant is used, so a
///   window `00:00–04:00` spans the repeated hour and lasts five real hours.
/// - In a gap (spring forward, the hour never happens) the instant of the jump is used,
///   so `01:00–04:00` lasts two real hours and a window inside the gap is empty. jiff's
///   "compatible" rule would move a gap time an hour later instead, which could make a
///   window inside the gap overlap the next one.
pub(super) fn civil_to_instant(tz: &TimeZone, dt: DateTime) -> Option<Timestamp> {
    let amb = tz.to_ambiguous_timestamp(dt);
    match amb.offset() {
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => amb.earlier().ok(),
        AmbiguousOffset::Gap { .. } => {
            // `earlier()` reads the skipped time with the post-jump offset, landing just
            // before the transition; the next transition after it is the jump itself.
            let before_jump = amb.earlier().ok()?;
            tz.following(before_jump).next().map(|t| t.timestamp())
        }
    }
}
