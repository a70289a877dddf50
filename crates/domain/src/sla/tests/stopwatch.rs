//! Stopwatch scenarios: the Friday-evening ticket, pending time, warning and breach once,
//! a policy change mid-life, reopening, idempotence and the stored form.

use super::*;
use crate::sla::record::StopwatchData;
use crate::sla::{ClockAction, ClockRule, Run, SlaEvent, Stopwatch, StopwatchState};

fn friday_ticket(cal: &Calendar) -> Stopwatch {
    let mut sw = Stopwatch::new();
    assert!(sw.start(ts("2026-03-06T17:55:00+01:00"), cal));
    sw
}

#[test]
fn a_running_watch_is_due_after_the_target_in_business_time() {
    let cal = madrid_office();
    let sw = friday_ticket(&cal);
    assert_eq!(sw.state(), StopwatchState::Running);
    assert_eq!(
        sw.due_at(hours(4), &cal),
        Some(ts("2026-03-09T12:55:00+01:00"))
    );
    let monday_ten = ts("2026-03-09T10:00:00+01:00");
    assert_eq!(sw.elapsed_at(monday_ten, &cal), mins(65));
    assert!((sw.fraction(monday_ten, hours(4), &cal) - 65.0 / 240.0).abs() < 1e-9);
}

#[test]
fn three_business_hours_pending_move_the_deadline_three_business_hours() {
    let cal = madrid_office();
    let mut sw = friday_ticket(&cal);
    assert!(sw.pause(ts("2026-03-09T10:00:00+01:00"), &cal));
    assert_eq!(sw.state(), StopwatchState::Paused);
    assert_eq!(sw.due_at(hours(4), &cal), None);
    assert_eq!(sw.elapsed(), mins(65));
    assert_eq!(
        sw.paused_at(ts("2026-03-09T12:00:00+01:00"), &cal),
        hours(2)
    );
    assert!(sw.resume(ts("2026-03-09T13:00:00+01:00"), &cal));
    assert_eq!(sw.paused(), hours(3));
    assert_eq!(
        sw.due_at(hours(4), &cal),
        Some(ts("2026-03-09T15:55:00+01:00"))
    );
}

#[test]
fn pending_overnight_counts_only_business_hours_as_paused() {
    let cal = madrid_office();
    let mut sw = friday_ticket(&cal);
    sw.pause(ts("2026-03-09T10:00:00+01:00"), &cal);
    // Monday 10:00–18:00 and Tuesday 09:00–10:00: nine business hours paused.
    sw.resume(ts("2026-03-10T10:00:00+01:00"), &cal);
    assert_eq!(sw.paused(), hours(9));
    // 1 h 05 counted, 2 h 55 left from Tuesday 10:00.
    assert_eq!(
        sw.due_at(hours(4), &cal),
        Some(ts("2026-03-10T12:55:00+01:00"))
    );
}

#[test]
fn warning_at_75_percent_and_breach_at_100_percent_fire_exactly_once() {
    let cal = madrid_office();
    let mut sw = friday_ticket(&cal);
    let target = hours(4);
    let mut at = |s: &str| sw.evaluate(ts(s), target, &cal, 75);
    assert_eq!(at("2026-03-09T11:00:00+01:00"), vec![]);
    assert_eq!(
        at("2026-03-09T12:00:00+01:00"),
        vec![SlaEvent::Warning {
            at: ts("2026-03-09T11:55:00+01:00")
        }]
    );
    assert_eq!(at("2026-03-09T12:30:00+01:00"), vec![]);
    assert_eq!(
        at("2026-03-09T13:00:00+01:00"),
        vec![SlaEvent::Breach {
            at: ts("2026-03-09T12:55:00+01:00")
        }]
    );
    assert_eq!(at("2026-03-09T14:00:00+01:00"), vec![]);
    assert_eq!(at("2026-03-12T14:00:00+01:00"), vec![]);
    assert_eq!(sw.warned_at(), Some(ts("2026-03-09T11:55:00+01:00")));
    assert_eq!(sw.breached_at(), Some(ts("2026-03-09T12:55:00+01:00")));
}

#[test]
fn a_late_monitor_reports_both_thresholds_at_the_instants_they_were_crossed() {
    let cal = madrid_office();
    let mut sw = friday_ticket(&cal);
    sw.stop(ts("2026-03-09T14:00:00+01:00"), &cal);
    let events = sw.evaluate(ts("2026-03-10T09:30:00+01:00"), hours(4), &cal, 75);
    assert_eq!(
        events,
        vec![
            SlaEvent::Warning {
                at: ts("2026-03-09T11:55:00+01:00")
            },
            SlaEvent::Breach {
                at: ts("2026-03-09T12:55:00+01:00")
            },
        ]
    );
}

#[test]
fn no_threshold_fires_while_paused_below_it() {
    let cal = madrid_office();
    let mut sw = friday_ticket(&cal);
    sw.pause(ts("2026-03-09T10:00:00+01:00"), &cal);
    assert_eq!(
        sw.evaluate(ts("2026-03-20T10:00:00+01:00"), hours(4), &cal, 75),
        vec![]
    );
    let mut fresh = Stopwatch::new();
    assert_eq!(
        fresh.evaluate(ts("2026-03-20T10:00:00+01:00"), hours(4), &cal, 75),
        vec![]
    );
}

#[test]
fn a_policy_change_recomputes_from_history_and_keeps_paused_time() {
    let office = madrid_office();
    let mut sw = friday_ticket(&office);
    sw.pause(ts("2026-03-09T10:00:00+01:00"), &office);
    sw.resume(ts("2026-03-09T13:00:00+01:00"), &office);
    // New target under the same calendar: 6 h 55 left from 13:00.
    assert_eq!(
        sw.due_at(hours(8), &office),
        Some(ts("2026-03-10T10:55:00+01:00"))
    );
    // New calendar, 08:00–20:00: the runs now hold 2 h 05 + 2 h, the pause still 3 h.
    let long = Calendar::new(spec(
        "Europe/Madrid",
        WeeklySpec::weekdays(&[w("08:00", "20:00")]),
    ))
    .unwrap();
    sw.recompute(&long);
    assert_eq!(sw.elapsed(), mins(245));
    assert_eq!(sw.paused(), hours(3));
    assert_eq!(
        sw.due_at(hours(8), &long),
        Some(ts("2026-03-09T16:55:00+01:00"))
    );
    // A shorter target already exceeded is due in the past, inside the first run.
    assert_eq!(
        sw.due_at(hours(2), &long),
        Some(ts("2026-03-06T19:55:00+01:00"))
    );
}

#[test]
fn a_reopened_ticket_continues_its_count() {
    let cal = madrid_office();
    let mut sw = Stopwatch::new();
    sw.start(ts("2026-03-09T09:00:00+01:00"), &cal);
    assert!(sw.stop(ts("2026-03-09T11:00:00+01:00"), &cal));
    assert_eq!(sw.state(), StopwatchState::Stopped);
    assert_eq!(sw.due_at(hours(4), &cal), None);
    assert!(sw.start(ts("2026-03-09T14:00:00+01:00"), &cal)); // "no solution": reopened
    assert_eq!(sw.elapsed(), hours(2));
    assert_eq!(sw.paused(), hours(3));
    assert_eq!(
        sw.due_at(hours(4), &cal),
        Some(ts("2026-03-09T16:00:00+01:00"))
    );
    assert_eq!(sw.started_at(), Some(ts("2026-03-09T09:00:00+01:00")));
}

#[test]
fn a_stopped_watch_paused_by_its_status_is_paused_not_met() {
    let cal = madrid_office();
    let mut sw = Stopwatch::new();
    sw.start(ts("2026-03-09T09:00:00+01:00"), &cal);
    sw.pause(ts("2026-03-09T10:00:00+01:00"), &cal);
    assert!(sw.stop(ts("2026-03-09T11:00:00+01:00"), &cal));
    // The status now pauses the clock (e.g. a policy that pauses it applies again).
    assert!(sw.pause(ts("2026-03-09T12:00:00+01:00"), &cal));
    assert_eq!(sw.state(), StopwatchState::Paused);
    assert_eq!(sw.stopped_at(), None);
    assert!(!sw.pause(ts("2026-03-09T12:30:00+01:00"), &cal));
    // Nothing counted while stopped or paused; the whole gap is paused time.
    assert_eq!(
        (sw.elapsed(), sw.paused()),
        (hours(1), SignedDuration::ZERO)
    );
    assert_eq!(
        sw.paused_at(ts("2026-03-09T13:00:00+01:00"), &cal),
        hours(3)
    );
    sw.resume(ts("2026-03-09T14:00:00+01:00"), &cal);
    assert_eq!((sw.elapsed(), sw.paused()), (hours(1), hours(4)));
    assert_eq!(
        sw.due_at(hours(2), &cal),
        Some(ts("2026-03-09T15:00:00+01:00"))
    );
}

#[test]
fn transitions_are_idempotent_and_never_go_back_in_time() {
    let cal = madrid_office();
    let mut sw = Stopwatch::new();
    assert!(!sw.stop(ts("2026-03-09T09:00:00+01:00"), &cal));
    assert!(sw.start(ts("2026-03-09T10:00:00+01:00"), &cal));
    assert!(!sw.resume(ts("2026-03-09T10:30:00+01:00"), &cal));
    // A pause stamped before the start (a skewed clock) is clamped: an empty run.
    assert!(sw.pause(ts("2026-03-09T09:30:00+01:00"), &cal));
    assert!(!sw.pause(ts("2026-03-09T11:00:00+01:00"), &cal));
    assert!(sw.runs().is_empty());
    sw.resume(ts("2026-03-09T12:00:00+01:00"), &cal);
    sw.pause(ts("2026-03-09T13:00:00+01:00"), &cal);
    sw.resume(ts("2026-03-09T13:00:00+01:00"), &cal); // resumed at once: one run
    sw.pause(ts("2026-03-09T14:00:00+01:00"), &cal);
    let expected = Run {
        from: ts("2026-03-09T12:00:00+01:00"),
        to: ts("2026-03-09T14:00:00+01:00"),
    };
    assert_eq!(sw.runs(), &[expected]);
    assert_eq!((sw.elapsed(), sw.paused()), (hours(2), hours(2)));
}

#[test]
fn statuses_drive_the_watch_through_clock_rules() {
    let cal = madrid_office();
    let rule = ClockRule::default();
    let mut sw = Stopwatch::new();
    let steps = [
        ("2026-03-09T09:00:00+01:00", "new", ClockAction::Run),
        ("2026-03-09T10:00:00+01:00", "Analysis", ClockAction::Run),
        ("2026-03-09T11:00:00+01:00", "pending", ClockAction::Pause),
        ("2026-03-09T12:00:00+01:00", "solution", ClockAction::Run),
        ("2026-03-09T13:00:00+01:00", "validation", ClockAction::Stop),
    ];
    for (at, status, expected) in steps {
        assert_eq!(rule.action(status), expected, "{status}");
        sw.apply(ts(at), rule.action(status), &cal);
    }
    assert_eq!(
        sw.elapsed_at(ts("2026-03-10T00:00:00+01:00"), &cal),
        hours(3)
    );
    assert_eq!(sw.paused(), hours(1));
    // Created straight into pending: started, paused, nothing counted.
    let mut p = Stopwatch::new();
    p.apply(ts("2026-03-09T09:00:00+01:00"), ClockAction::Pause, &cal);
    assert_eq!(p.state(), StopwatchState::Paused);
    assert_eq!(p.paused_at(ts("2026-03-09T10:00:00+01:00"), &cal), hours(1));
}

#[test]
fn the_stored_form_is_validated_when_read_back() {
    let cal = madrid_office();
    let mut sw = friday_ticket(&cal);
    sw.pause(ts("2026-03-09T10:00:00+01:00"), &cal);
    let data = StopwatchData::from(sw.clone());
    assert_eq!(Stopwatch::try_from(data.clone()), Ok(sw));

    let mut overlapping = data.clone();
    overlapping.runs.push(Run {
        from: ts("2026-03-09T09:30:00+01:00"),
        to: ts("2026-03-09T11:00:00+01:00"),
    });
    assert!(Stopwatch::try_from(overlapping).is_err());
    let mut both = data.clone();
    both.running_since = Some(ts("2026-03-09T12:00:00+01:00"));
    both.stopped_at = Some(ts("2026-03-09T12:00:00+01:00"));
    assert!(Stopwatch::try_from(both).is_err());
    let orphan = StopwatchData {
        started_at: None,
        ..data
    };
    assert!(Stopwatch::try_from(orphan).is_err());
    assert_eq!(
        Stopwatch::try_from(StopwatchData::default()),
        Ok(Stopwatch::new())
    );
}
