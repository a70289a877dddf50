//! Scheduled reports (issue 14, item 4): when a daily, weekly or monthly report is sent and
//! which days it covers. A run covers the whole period that ended before it — yesterday, last
//! week (Monday to Sunday, ISO 8601), last month — so every figure in it is final, and it is
//! sent at [`SEND_HOUR`] in the desk's time zone, when the working day starts.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan as _};

/// The hour of the day (desk time zone) runs are sent at.
pub const SEND_HOUR: i8 = 6;

/// How often a report is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cadence {
    Daily,
    Weekly,
    Monthly,
}

impl Cadence {
    pub const ALL: [Cadence; 3] = [Cadence::Daily, Cadence::Weekly, Cadence::Monthly];

    /// The stored and API code: `daily`, `weekly`, `monthly`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Daily => "daily",
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
        }
    }

    /// The code back; `None` for anything else.
    pub fn parse(code: &str) -> Option<Self> {
        Cadence::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The first day of the period that contains `day` (the day itself, its ISO week's
    /// Monday, the first of its month).
    fn start_of(self, day: Date) -> Date {
        match self {
            Cadence::Daily => day,
            Cadence::Weekly => {
                let back = i64::from(day.weekday().to_monday_zero_offset());
                day.checked_sub(back.days()).unwrap_or(day)
            }
            Cadence::Monthly => day.first_of_month(),
        }
    }

    fn length(self) -> Span {
        match self {
            Cadence::Daily => 1.day(),
            Cadence::Weekly => 1.week(),
            Cadence::Monthly => 1.month(),
        }
    }

    /// The period a run on `run_day` reports: the whole period before the one `run_day` is
    /// in, first and last day inclusive.
    pub fn period_before(self, run_day: Date) -> (Date, Date) {
        let this = self.start_of(run_day);
        let from = this.checked_sub(self.length()).unwrap_or(this);
        let to = this.yesterday().unwrap_or(this);
        (from, to)
    }

    /// The first send time strictly after `now`: the next period's first day at
    /// [`SEND_HOUR`], or today's if that is still ahead and today starts a period.
    pub fn next_run(self, now: Timestamp, tz: &TimeZone) -> Timestamp {
        let today = now.to_zoned(tz.clone()).date();
        let mut day = self.start_of(today);
        loop {
            if let Some(at) = send_time(day, tz)
                && at > now
            {
                return at;
            }
            match day.checked_add(self.length()) {
                Ok(next) => day = next,
                Err(_) => return now,
            }
        }
    }
}

/// `day` at the send hour in `tz` (a gap in the clock moves it later, as jiff's default).
fn send_time(day: Date, tz: &TimeZone) -> Option<Timestamp> {
    day.at(SEND_HOUR, 0, 0, 0)
        .to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn madrid() -> TimeZone {
        TimeZone::get("Europe/Madrid").unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn each_run_reports_the_whole_period_before_it() {
        // Tuesday 2026-03-03.
        let run = date(2026, 3, 3);
        assert_eq!(
            Cadence::Daily.period_before(run),
            (date(2026, 3, 2), date(2026, 3, 2))
        );
        assert_eq!(
            Cadence::Weekly.period_before(run),
            (date(2026, 2, 23), date(2026, 3, 1)),
            "Monday to Sunday of the week before"
        );
        assert_eq!(
            Cadence::Monthly.period_before(run),
            (date(2026, 2, 1), date(2026, 2, 28)),
            "February 2026 has 28 days"
        );
        assert_eq!(
            Cadence::Monthly.period_before(date(2026, 1, 1)),
            (date(2025, 12, 1), date(2025, 12, 31)),
            "across the year"
        );
        assert_eq!(date(2026, 2, 23).weekday(), jiff::civil::Weekday::Monday);
    }

    #[test]
    fn runs_fall_at_six_in_the_desks_zone_on_the_periods_first_day() {
        let tz = madrid();
        // Tuesday 2026-03-03 10:00 in Madrid (09:00 UTC, winter time).
        let now = at("2026-03-03T09:00:00Z");
        assert_eq!(
            Cadence::Daily.next_run(now, &tz),
            at("2026-03-04T05:00:00Z"),
            "tomorrow 06:00 CET"
        );
        assert_eq!(
            Cadence::Weekly.next_run(now, &tz),
            at("2026-03-09T05:00:00Z"),
            "next Monday"
        );
        assert_eq!(
            Cadence::Monthly.next_run(now, &tz),
            at("2026-04-01T04:00:00Z"),
            "1 April, summer time (CEST) by then"
        );
        // Before six on a period's first day, the run is today's.
        let early = at("2026-03-02T04:00:00Z"); // Monday 05:00 CET
        assert_eq!(
            Cadence::Weekly.next_run(early, &tz),
            at("2026-03-02T05:00:00Z")
        );
        // Exactly at the send time, the next one (strictly after).
        assert_eq!(
            Cadence::Daily.next_run(at("2026-03-02T05:00:00Z"), &tz),
            at("2026-03-03T05:00:00Z")
        );
    }

    #[test]
    fn codes_round_trip_and_others_are_refused() {
        for c in Cadence::ALL {
            assert_eq!(Cadence::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cadence::parse("hourly"), None);
        assert_eq!(Cadence::parse("Daily"), None);
    }
}
