//! Proptest strategies: calendars in DST-observing and non-observing zones, with windows
//! across the change hour, holidays and exceptions, and instants near DST transitions.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::{holiday, spec, w};
use crate::sla::{Calendar, Exception, Holiday, WeeklySpec, Window};

/// Madrid and New York change at 02:00; Mexico City stopped in 2022; Bogota only had DST
/// in 1992–93 (starting at midnight); UTC never changes.
pub(super) const ZONES: [&str; 5] = [
    "Europe/Madrid",
    "America/Mexico_City",
    "America/Bogota",
    "America/New_York",
    "UTC",
];

/// 2019-01-01 to 2028-01-01, the range of random instants and holidays.
const FROM_SECOND: i64 = 1_546_300_800;
const TO_SECOND: i64 = 1_830_297_600;

fn day_windows() -> impl Strategy<Value = Vec<Window>> {
    let random = prop::collection::btree_set(0u16..=96, 0..=6).prop_map(|set| {
        let b: Vec<u16> = set.into_iter().map(|q| q * 15).collect();
        b.chunks_exact(2)
            .filter_map(|p| Window::from_minutes(p[0], p[1]).ok())
            .collect()
    });
    prop_oneof![
        Just(vec![w("09:00", "18:00")]),
        Just(vec![w("09:00", "14:00"), w("15:00", "18:00")]),
        Just(vec![w("00:00", "04:00")]),
        Just(vec![w("01:00", "04:00"), w("22:00", "24:00")]),
        Just(vec![w("02:00", "02:30"), w("02:30", "03:30")]),
        Just(vec![Window::FULL_DAY]),
        Just(vec![]),
        random.clone(),
        random,
    ]
}

fn date_in_range() -> impl Strategy<Value = jiff::civil::Date> {
    (0i64..3_287).prop_map(|d| {
        let first: jiff::civil::Date = "2019-01-01".parse().unwrap();
        first.checked_add(jiff::Span::new().days(d)).unwrap()
    })
}

fn holidays() -> impl Strategy<Value = Vec<Holiday>> {
    prop::collection::btree_map(date_in_range(), any::<bool>(), 0..8).prop_map(|m| {
        m.into_iter()
            .map(|(date, yearly)| Holiday { date, yearly })
            .collect()
    })
}

fn exceptions() -> impl Strategy<Value = Vec<Exception>> {
    prop::collection::btree_map(date_in_range(), day_windows(), 0..6).prop_map(|m| {
        m.into_iter()
            .map(|(date, windows)| Exception { date, windows })
            .collect()
    })
}

/// Any valid calendar: seven days of windows (a week with none is rejected and redrawn).
pub(super) fn calendar() -> impl Strategy<Value = Calendar> {
    (
        prop::sample::select(&ZONES[..]),
        prop::collection::vec(day_windows(), 7),
        holidays(),
        exceptions(),
    )
        .prop_filter_map(
            "a week with no window",
            |(zone, days, holidays, exceptions)| {
                let [mon, tue, wed, thu, fri, sat, sun]: [Vec<Window>; 7] = days.try_into().ok()?;
                let weekly = WeeklySpec {
                    mon,
                    tue,
                    wed,
                    thu,
                    fri,
                    sat,
                    sun,
                };
                let mut s = spec(zone, weekly);
                s.holidays = holidays;
                s.exceptions = exceptions;
                Calendar::new(s).ok()
            },
        )
}

/// Round the clock in a zone, with a holiday in 2099 so the day-by-day walk is used.
pub(super) fn round_the_clock() -> impl Strategy<Value = Calendar> {
    prop::sample::select(&ZONES[..]).prop_map(|zone| {
        let mut s = spec(zone, WeeklySpec::every_day(&[Window::FULL_DAY]));
        s.holidays = vec![holiday("2099-06-01", false)];
        Calendar::new(s).unwrap()
    })
}

/// The zone's transitions from 2015 to 2028, plus those of 1990–93 (Bogota's only DST,
/// which began at midnight).
fn transitions(cal: &Calendar) -> Vec<Timestamp> {
    let second = |s| Timestamp::from_second(s).unwrap();
    let (early_end, recent) = (second(757_382_400), second(1_420_070_400)); // 1994, 2015
    cal.time_zone()
        .following(second(631_152_000)) // 1990
        .map(|t| t.timestamp())
        .take_while(|t| *t < second(TO_SECOND))
        .filter(|t| *t < early_end || *t >= recent)
        .collect()
}

/// An instant anywhere in 2019–2027, or within three days of one of the zone's DST
/// transitions, with nanoseconds so precision is exercised too.
pub(super) fn instant_for(cal: &Calendar) -> BoxedStrategy<Timestamp> {
    let uniform = (FROM_SECOND..TO_SECOND, 0i64..1_000_000_000)
        .prop_map(|(s, n)| Timestamp::new(s, n as i32).unwrap());
    let near = transitions(cal);
    if near.is_empty() {
        return uniform.boxed();
    }
    let around = (
        prop::sample::select(near),
        -72 * 3_600i64..72 * 3_600,
        0i64..1_000_000_000,
    )
        .prop_map(|(t, s, n)| t.checked_add(SignedDuration::new(s, n as i32)).unwrap());
    prop_oneof![uniform, around.clone(), around].boxed()
}

/// A calendar with an instant suited to its zone.
pub(super) fn calendar_and_instant() -> impl Strategy<Value = (Calendar, Timestamp)> {
    calendar().prop_flat_map(|cal| {
        let at = instant_for(&cal);
        (Just(cal), at)
    })
}

/// A business duration up to 200 hours, to the nanosecond.
pub(super) fn duration() -> impl Strategy<Value = SignedDuration> {
    (0i64..200 * 3_600, 0i64..1_000_000_000).prop_map(|(s, n)| SignedDuration::new(s, n as i32))
}
