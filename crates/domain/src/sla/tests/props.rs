//! Property tests of business-time arithmetic and of the stopwatch, on random calendars
//! in DST zones, near transitions, with holidays and exceptions.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::strategies::{calendar_and_instant, duration, instant_for, round_the_clock};

const NANO: SignedDuration = SignedDuration::from_nanos(1);

fn after(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap()
}

proptest! {
    #[test]
    fn add_then_measure_round_trips((cal, s) in calendar_and_instant(), d in duration()) {
        let r = cal.add_business(s, d).unwrap();
        prop_assert!(r >= s);
        prop_assert_eq!(cal.business_between(s, r), d);
    }

    #[test]
    fn results_never_fall_in_closed_hours_or_holidays(
        (cal, s) in calendar_and_instant(),
        d in duration(),
    ) {
        prop_assume!(d > SignedDuration::ZERO);
        let r = cal.add_business(s, d).unwrap();
        // The last counted nanosecond is open, so r is open or the exact end of a span.
        let last = after(r, -NANO);
        prop_assert!(cal.is_open(last), "{} not open", last);
        prop_assert!(cal.is_open(r) || cal.business_between(r, after(r, NANO)).is_zero());
        let civil = cal.time_zone().to_datetime(last);
        let windows = cal.windows_on(civil.date());
        prop_assert!(!windows.is_empty(), "counted on closed day {}", civil.date());
        // Away from any offset change, check against the civil windows directly, without
        // the span machinery under test.
        let tz = cal.time_zone();
        let day = SignedDuration::from_hours(26);
        if tz.to_offset(after(last, -day)) == tz.to_offset(after(last, day)) {
            let minute = i32::from(civil.hour()) * 60 + i32::from(civil.minute());
            prop_assert!(windows.iter().any(|w| {
                i32::from(w.start_minute()) <= minute && minute < i32::from(w.end_minute())
            }), "{} is outside {:?}", civil, windows);
        }
    }

    #[test]
    fn more_business_time_is_never_earlier(
        (cal, s) in calendar_and_instant(),
        a in duration(),
        b in duration(),
    ) {
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(cal.add_business(s, lo).unwrap() <= cal.add_business(s, hi).unwrap());
    }

    #[test]
    fn adding_in_two_steps_equals_adding_once(
        (cal, s) in calendar_and_instant(),
        a in duration(),
        b in duration(),
    ) {
        let once = cal.add_business(s, a + b).unwrap();
        let twice = cal.add_business(cal.add_business(s, a).unwrap(), b).unwrap();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn measuring_is_additive((cal, a) in calendar_and_instant(), x in duration(), y in duration()) {
        let b = after(a, x);
        let c = after(b, y);
        prop_assert_eq!(
            cal.business_between(a, c),
            cal.business_between(a, b) + cal.business_between(b, c)
        );
        prop_assert!(cal.business_between(a, c) <= c.duration_since(a));
    }

    #[test]
    fn is_open_and_next_open_agree_with_measuring((cal, t) in calendar_and_instant()) {
        prop_assert_eq!(cal.is_open(t), cal.business_between(t, after(t, NANO)) == NANO);
        let n = cal.next_open(t).unwrap();
        prop_assert!(n >= t && cal.is_open(n));
        prop_assert!(cal.business_between(t, n).is_zero());
    }

    #[test]
    fn round_the_clock_counts_real_time_across_dst(
        (cal, a) in round_the_clock().prop_flat_map(|c| { let t = instant_for(&c); (Just(c), t) }),
        d in duration(),
    ) {
        prop_assert!(cal.is_open(a));
        let b = after(a, d);
        prop_assert_eq!(cal.business_between(a, b), d);
        prop_assert_eq!(cal.add_business(a, d), Some(b));
    }
}
