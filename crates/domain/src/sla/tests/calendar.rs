//! Calendar scenarios with exact instants: office hours, split days, holidays, exceptions,
//! a calendar that never opens, validation and the stored form.

use jiff::{SignedDuration, Timestamp};

use super::*;

#[test]
fn friday_1755_plus_four_hours_is_monday_1255() {
    let cal = madrid_office();
    let opened = ts("2026-03-06T17:55:00+01:00"); // a Friday
    let due = cal.add_business(opened, hours(4)).unwrap();
    assert_eq!(due, ts("2026-03-09T12:55:00+01:00"));
    assert_eq!(cal.business_between(opened, due), hours(4));
}

#[test]
fn counting_from_closed_hours_starts_at_the_next_opening() {
    let cal = madrid_office();
    let saturday = ts("2026-03-07T10:00:00+01:00");
    assert!(!cal.is_open(saturday));
    assert_eq!(
        cal.next_open(saturday),
        Some(ts("2026-03-09T09:00:00+01:00"))
    );
    assert_eq!(
        cal.add_business(saturday, hours(1)),
        Some(ts("2026-03-09T10:00:00+01:00"))
    );
    // Zero business time adds nothing, even from closed hours.
    assert_eq!(
        cal.add_business(saturday, SignedDuration::ZERO),
        Some(saturday)
    );
    assert_eq!(cal.add_business(saturday, hours(-3)), Some(saturday));
}

#[test]
fn a_target_ending_at_closing_time_is_due_at_closing_time() {
    let cal = madrid_office();
    let due = cal
        .add_business(ts("2026-03-06T17:00:00+01:00"), hours(1))
        .unwrap();
    assert_eq!(due, ts("2026-03-06T18:00:00+01:00"));
    assert!(!cal.is_open(due));
    assert!(cal.is_open(ts("2026-03-06T17:59:59.999999999+01:00")));
    assert!(cal.is_open(ts("2026-03-06T09:00:00+01:00")));
    assert!(!cal.is_open(ts("2026-03-06T08:59:59+01:00")));
}

#[test]
fn business_between_counts_only_open_time() {
    let cal = madrid_office();
    let a = ts("2026-03-06T17:00:00+01:00");
    let b = ts("2026-03-09T10:00:00+01:00");
    assert_eq!(cal.business_between(a, b), hours(2));
    assert_eq!(cal.business_between(b, a), SignedDuration::ZERO);
    assert_eq!(cal.business_between(a, a), SignedDuration::ZERO);
    // A whole week is 45 hours.
    let monday = ts("2026-03-09T00:00:00+01:00");
    let next = ts("2026-03-16T00:00:00+01:00");
    assert_eq!(cal.business_between(monday, next), hours(45));
}

#[test]
fn split_day_skips_the_lunch_break() {
    let windows = [w("15:00", "18:00"), w("09:00", "14:00")]; // unsorted on purpose
    let cal = Calendar::new(spec("Europe/Madrid", WeeklySpec::weekdays(&windows))).unwrap();
    let start = ts("2026-03-09T13:30:00+01:00");
    assert_eq!(
        cal.add_business(start, hours(1)),
        Some(ts("2026-03-09T15:30:00+01:00"))
    );
    assert!(!cal.is_open(ts("2026-03-09T14:30:00+01:00")));
    assert_eq!(
        cal.weekly_windows(jiff::civil::Weekday::Monday),
        &windows[..].iter().rev().copied().collect::<Vec<_>>()[..]
    );
}

fn christmas_calendar() -> Calendar {
    let mut s = spec(
        "Europe/Madrid",
        WeeklySpec::weekdays(&[w("09:00", "18:00")]),
    );
    s.holidays = vec![holiday("2026-12-25", true), holiday("2026-01-06", false)];
    s.exceptions = vec![
        exception("2026-12-24", &[w("09:00", "14:00")]),
        exception("2026-03-07", &[w("10:00", "12:00")]), // a Saturday opened
    ];
    Calendar::new(s).unwrap()
}

#[test]
fn holidays_close_the_day_and_a_short_day_counts_its_own_windows() {
    let cal = christmas_calendar();
    // Thursday 24th is a short day, Friday 25th a holiday, then the weekend.
    let start = ts("2026-12-24T12:00:00+01:00");
    assert_eq!(
        cal.add_business(start, hours(4)),
        Some(ts("2026-12-28T11:00:00+01:00"))
    );
    assert!(!cal.is_open(ts("2026-12-24T15:00:00+01:00")));
    assert!(!cal.is_open(ts("2026-12-25T10:00:00+01:00")));
    // Yearly: Monday 25 December 2028 is closed too; the one-off 6 January is not repeated.
    assert!(!cal.is_open(ts("2028-12-25T10:00:00+01:00")));
    assert!(cal.is_open(ts("2028-12-26T10:00:00+01:00")));
    assert!(!cal.is_open(ts("2026-01-06T10:00:00+01:00")));
    assert!(cal.is_open(ts("2027-01-06T10:00:00+01:00")));
    // The short day was a one-off exception: 24 December 2027 (a Friday) is a full day.
    assert!(cal.is_open(ts("2027-12-24T17:00:00+01:00")));
}

#[test]
fn an_exception_opens_a_saturday() {
    let cal = christmas_calendar();
    let opened = ts("2026-03-06T17:55:00+01:00");
    // 5 min on Friday, 2 h on Saturday, 1 h 55 on Monday.
    assert_eq!(
        cal.add_business(opened, hours(4)),
        Some(ts("2026-03-09T10:55:00+01:00"))
    );
    assert_eq!(
        cal.next_open(ts("2026-03-07T08:00:00+01:00")),
        Some(ts("2026-03-07T10:00:00+01:00"))
    );
}

#[test]
fn an_exception_wins_over_a_holiday_on_the_same_date() {
    let mut s = spec(
        "Europe/Madrid",
        WeeklySpec::weekdays(&[w("09:00", "18:00")]),
    );
    s.holidays = vec![holiday("2020-12-24", true)];
    s.exceptions = vec![exception("2026-12-24", &[w("09:00", "14:00")])];
    let cal = Calendar::new(s).unwrap();
    assert!(cal.is_holiday("2026-12-24".parse().unwrap()));
    assert!(cal.is_open(ts("2026-12-24T10:00:00+01:00")));
    assert!(!cal.is_open(ts("2027-12-24T10:00:00+01:00")));
}

#[test]
fn a_calendar_that_never_opens_again_gives_none_instead_of_looping() {
    // The walk gives up after `MAX_CLOSED_DAYS` closed days rather than looping forever.
    // Every day of a leap year as a yearly holiday: open on paper, never in fact.
    let mut s = spec(
        "Europe/Madrid",
        WeeklySpec::weekdays(&[w("09:00", "18:00")]),
    );
    let first: jiff::civil::Date = "2024-01-01".parse().unwrap();
    s.holidays = (0..366)
        .map(|i| Holiday {
            date: first.checked_add(jiff::Span::new().days(i)).unwrap(),
            yearly: true,
        })
        .collect();
    let cal = Calendar::new(s).unwrap();
    let t = ts("2026-03-06T10:00:00+01:00");
    assert!(!cal.is_open(t));
    assert_eq!(cal.next_open(t), None);
    assert_eq!(cal.add_business(t, hours(1)), None);
    let later = t.checked_add(hours(24 * 365 * 11)).unwrap();
    assert_eq!(cal.business_between(t, later), SignedDuration::ZERO);
}

#[test]
fn always_is_plain_elapsed_time() {
    let cal = Calendar::always();
    assert!(cal.is_always_open());
    let t = ts("2026-03-29T00:30:00+01:00");
    assert!(cal.is_open(t));
    assert_eq!(
        cal.add_business(t, hours(30)),
        Some(t.checked_add(hours(30)).unwrap())
    );
    assert_eq!(
        cal.business_between(t, t.checked_add(mins(90)).unwrap()),
        mins(90)
    );
    assert_eq!(cal.add_business(Timestamp::MAX, hours(1)), None);
}

#[test]
fn validation_refuses_bad_calendars() {
    let office = WeeklySpec::weekdays(&[w("09:00", "18:00")]);
    let cases: Vec<(CalendarSpec, &str)> = vec![
        (spec("Mars/Olympus", office.clone()), "calendar.time_zone"),
        (
            spec("Europe/Madrid", WeeklySpec::default()),
            "calendar.weekly",
        ),
        (
            spec(
                "Europe/Madrid",
                WeeklySpec::weekdays(&[w("09:00", "14:00"), w("13:00", "18:00")]),
            ),
            "calendar.weekly.mon",
        ),
        (
            CalendarSpec {
                holidays: vec![holiday("2026-12-25", true), holiday("2026-12-25", false)],
                ..spec("Europe/Madrid", office.clone())
            },
            "calendar.holidays",
        ),
        (
            CalendarSpec {
                exceptions: vec![exception("2026-12-24", &[]), exception("2026-12-24", &[])],
                ..spec("Europe/Madrid", office.clone())
            },
            "calendar.exceptions",
        ),
        (
            CalendarSpec {
                exceptions: vec![exception(
                    "2026-12-24",
                    &[w("09:00", "12:00"), w("11:00", "13:00")],
                )],
                ..spec("Europe/Madrid", office)
            },
            "calendar.exceptions.2026-12-24",
        ),
    ];
    for (s, field) in cases {
        let err = Calendar::new(s).unwrap_err();
        assert_eq!(err.field, field, "{err}");
    }
}

#[test]
fn the_stored_form_round_trips_and_is_normalised() {
    let cal = christmas_calendar();
    let stored = CalendarSpec::from(cal.clone());
    assert_eq!(stored.time_zone, "Europe/Madrid");
    assert_eq!(stored.weekly.mon, vec![w("09:00", "18:00")]);
    assert!(stored.weekly.sat.is_empty());
    assert_eq!(stored.holidays[0], holiday("2026-01-06", false)); // sorted by date
    assert_eq!(stored.exceptions.len(), 2);
    assert_eq!(Calendar::try_from(stored), Ok(cal));
    assert_eq!(Calendar::always().time_zone_name(), "UTC");
}
