//! Daylight-saving days: windows across the change hour shrink or grow in real time,
//! windows inside a skipped hour vanish, and 24×7 counts real hours.

use jiff::SignedDuration;

use super::*;

/// Business time of one civil day, midnight to midnight, given as instants.
fn day(cal: &Calendar, from: &str, to: &str) -> SignedDuration {
    cal.business_between(ts(from), ts(to))
}

#[test]
fn madrid_spring_forward_shortens_a_night_window() {
    let cal = daily("Europe/Madrid", &[w("01:00", "04:00")]);
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    assert_eq!(
        day(&cal, "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00"),
        hours(2)
    );
    assert_eq!(
        day(&cal, "2026-03-28T00:00+01:00", "2026-03-29T00:00+01:00"),
        hours(3)
    );
    let open = ts("2026-03-29T01:00+01:00");
    assert_eq!(
        cal.add_business(open, hours(2)),
        Some(ts("2026-03-29T04:00+02:00"))
    );
    assert_eq!(
        cal.add_business(open, mins(150)),
        Some(ts("2026-03-30T01:30+02:00"))
    );
    assert!(cal.is_open(ts("2026-03-29T03:30+02:00")));
}

#[test]
fn madrid_fall_back_lengthens_a_night_window() {
    let cal = daily("Europe/Madrid", &[w("00:00", "04:00")]);
    // 25 October 2026: 03:00 CEST goes back to 02:00 CET, so 02:00–03:00 happens twice.
    assert_eq!(
        day(&cal, "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00"),
        hours(5)
    );
    let open = ts("2026-10-25T00:00+02:00");
    assert_eq!(
        cal.add_business(open, hours(5)),
        Some(ts("2026-10-25T04:00+01:00"))
    );
    assert!(cal.is_open(ts("2026-10-25T02:30+01:00"))); // the second 02:30
}

#[test]
fn a_window_inside_the_skipped_hour_vanishes_and_one_across_it_shrinks() {
    let cal = daily("Europe/Madrid", &[w("02:00", "02:30"), w("03:00", "04:00")]);
    assert_eq!(
        day(&cal, "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00"),
        hours(1)
    );
    assert_eq!(
        day(&cal, "2026-03-30T00:00+02:00", "2026-03-31T00:00+02:00"),
        mins(90)
    );
    let across = daily("Europe/Madrid", &[w("02:30", "03:30")]);
    assert_eq!(
        day(&across, "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00"),
        mins(30)
    );
    assert_eq!(
        across.next_open(ts("2026-03-29T00:00+01:00")),
        Some(ts("2026-03-29T03:00+02:00"))
    );
}

#[test]
fn a_window_opening_inside_the_repeated_hour_opens_at_its_first_occurrence() {
    let cal = daily("Europe/Madrid", &[w("02:30", "04:00")]);
    // 02:30 CEST to 04:00 CET: two and a half real hours, the repeated 02:15 CET included.
    assert_eq!(
        day(&cal, "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00"),
        mins(150)
    );
    assert!(cal.is_open(ts("2026-10-25T02:15+01:00")));
    assert!(!cal.is_open(ts("2026-10-25T02:15+02:00")));
}

#[test]
fn new_york_changes_at_two_in_the_morning() {
    let cal = daily("America/New_York", &[w("00:00", "04:00")]);
    assert_eq!(
        day(&cal, "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00"),
        hours(3)
    );
    assert_eq!(
        day(&cal, "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00"),
        hours(5)
    );
    assert_eq!(
        day(&cal, "2026-07-01T00:00-04:00", "2026-07-02T00:00-04:00"),
        hours(4)
    );
}

#[test]
fn mexico_city_had_dst_until_2022_only() {
    let cal = daily("America/Mexico_City", &[w("00:00", "04:00")]);
    assert_eq!(
        day(&cal, "2021-04-04T00:00-06:00", "2021-04-05T00:00-05:00"),
        hours(3)
    );
    assert_eq!(
        day(&cal, "2022-10-30T00:00-05:00", "2022-10-31T00:00-06:00"),
        hours(5)
    );
    assert_eq!(
        day(&cal, "2023-04-02T00:00-06:00", "2023-04-03T00:00-06:00"),
        hours(4)
    );
}

#[test]
fn bogota_1992_skipped_midnight() {
    // Colombia's only DST began at midnight on 3 May 1992: that day had no 00:00–01:00.
    let cal = daily("America/Bogota", &[w("00:00", "04:00")]);
    assert_eq!(
        day(&cal, "1992-05-03T00:00-05:00", "1992-05-04T00:00-04:00"),
        hours(3)
    );
    // The day opens at the jump, 01:00 in the new offset.
    assert_eq!(
        cal.next_open(ts("1992-05-02T23:30-05:00")),
        Some(ts("1992-05-03T01:00-04:00"))
    );
    assert_eq!(
        day(&cal, "2026-05-03T00:00-05:00", "2026-05-04T00:00-05:00"),
        hours(4)
    );
}

#[test]
fn round_the_clock_in_a_dst_zone_counts_real_hours() {
    // A far-away holiday keeps the day-by-day walk instead of the 24×7 shortcut.
    let mut s = spec("Europe/Madrid", WeeklySpec::every_day(&[Window::FULL_DAY]));
    s.holidays = vec![holiday("2099-06-01", false)];
    let cal = Calendar::new(s).unwrap();
    assert!(!cal.is_always_open());
    assert_eq!(
        day(&cal, "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00"),
        hours(23)
    );
    assert_eq!(
        day(&cal, "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00"),
        hours(25)
    );
    let start = ts("2026-03-28T12:00+01:00");
    let due = cal.add_business(start, hours(48)).unwrap();
    assert_eq!(due, start.checked_add(hours(48)).unwrap());
    assert_eq!(due, ts("2026-03-30T13:00+02:00"));
}
