//! Property tests of the stopwatch: pauses never bring a deadline forward, snapshots
//! always match a recomputation from history, thresholds fire at most once.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::strategies::{calendar_and_instant, duration};
use crate::sla::record::{StopwatchData, last_event};
use crate::sla::{Calendar, ClockAction, SlaEvent, Stopwatch, StopwatchState};

/// Up to 48 hours between transitions, to the nanosecond.
fn gap() -> impl Strategy<Value = SignedDuration> {
    (0i64..48 * 3_600, 0i64..1_000_000_000).prop_map(|(s, n)| SignedDuration::new(s, n as i32))
}

fn steps() -> impl Strategy<Value = Vec<(SignedDuration, ClockAction)>> {
    let action = prop::sample::select(vec![
        ClockAction::Run,
        ClockAction::Pause,
        ClockAction::Stop,
    ]);
    prop::collection::vec((gap(), action), 0..12)
}

fn target() -> impl Strategy<Value = SignedDuration> {
    duration().prop_map(|d| d.max(SignedDuration::from_secs(1)))
}

/// Plays a history from `start`; returns the watch and the instant of the last step.
fn play(
    cal: &Calendar,
    start: Timestamp,
    steps: &[(SignedDuration, ClockAction)],
) -> (Stopwatch, Timestamp) {
    let mut sw = Stopwatch::new();
    sw.start(start, cal);
    let mut now = start;
    for (gap, action) in steps {
        now = now.checked_add(*gap).unwrap();
        sw.apply(now, *action, cal);
    }
    (sw, now)
}

proptest! {
    #[test]
    fn pausing_never_makes_a_due_instant_earlier(
        (cal, start) in calendar_and_instant(),
        history in steps(),
        (p, q) in (gap(), gap()),
        target in target(),
    ) {
        let (mut sw, last) = play(&cal, start, &history);
        sw.resume(last, &cal);
        let due = sw.due_at(target, &cal).unwrap();
        // Never earlier than if it had run without a break since the start …
        prop_assert!(due >= cal.add_business(start, target).unwrap());
        // … and one more pause never brings it forward.
        let mut paused = sw.clone();
        let pause_at = last.checked_add(p).unwrap();
        paused.pause(pause_at, &cal);
        prop_assert_eq!(paused.due_at(target, &cal), None);
        paused.resume(pause_at.checked_add(q).unwrap(), &cal);
        prop_assert!(paused.due_at(target, &cal).unwrap() >= due);
    }

    #[test]
    fn snapshots_match_a_recomputation_from_history(
        (cal, start) in calendar_and_instant(),
        history in steps(),
        later in gap(),
    ) {
        let (sw, last) = play(&cal, start, &history);
        let mut again = sw.clone();
        again.recompute(&cal);
        prop_assert_eq!(&again, &sw);
        // Snapshots run to the last recorded transition (a no-op step records nothing).
        let end = last_event(&StopwatchData::from(sw.clone())).unwrap();
        prop_assert_eq!(sw.elapsed() + sw.paused(), cal.business_between(start, end));
        // Under another calendar nothing is lost: runs and gaps still cover the life.
        let mut plain = sw.clone();
        plain.recompute(&Calendar::always());
        let ran: SignedDuration = sw.runs().iter().map(|r| r.to.duration_since(r.from)).sum();
        prop_assert_eq!(plain.elapsed(), ran);
        prop_assert_eq!(plain.elapsed() + plain.paused(), end.duration_since(start));
        // Live totals add up to the business time since the start, unless stopped.
        let now = last.checked_add(later).unwrap();
        if sw.state() != StopwatchState::Stopped {
            prop_assert_eq!(
                sw.elapsed_at(now, &cal) + sw.paused_at(now, &cal),
                cal.business_between(start, now)
            );
        }
    }

    #[test]
    fn the_due_instant_is_where_the_count_reaches_the_target(
        (cal, start) in calendar_and_instant(),
        history in steps(),
        target in target(),
    ) {
        let (sw, _) = play(&cal, start, &history);
        match sw.due_at(target, &cal) {
            Some(due) => prop_assert_eq!(sw.elapsed_at(due, &cal), target),
            None => prop_assert_ne!(sw.state(), StopwatchState::Running),
        }
    }

    #[test]
    fn each_threshold_fires_at_most_once_and_in_order(
        (cal, start) in calendar_and_instant(),
        history in steps(),
        target in target(),
        warn_pct in 1u8..100,
    ) {
        let mut sw = Stopwatch::new();
        sw.start(start, &cal);
        let mut now = start;
        let mut events = Vec::new();
        for (gap, action) in &history {
            now = now.checked_add(*gap).unwrap();
            for e in sw.evaluate(now, target, &cal, warn_pct) {
                let at = match e { SlaEvent::Warning { at } | SlaEvent::Breach { at } => at };
                prop_assert!(at <= now && at >= start);
                events.push(e);
            }
            sw.apply(now, *action, &cal);
        }
        events.extend(sw.evaluate(now, target, &cal, warn_pct));
        let warnings: Vec<_> = events.iter().filter(|e| matches!(e, SlaEvent::Warning { .. })).collect();
        let breaches: Vec<_> = events.iter().filter(|e| matches!(e, SlaEvent::Breach { .. })).collect();
        prop_assert!(warnings.len() <= 1 && breaches.len() <= 1);
        let reached = sw.elapsed_at(now, &cal) >= target;
        prop_assert_eq!(breaches.len() == 1, reached);
        if reached {
            prop_assert_eq!(warnings.len(), 1);
            prop_assert!(sw.warned_at() <= sw.breached_at());
        }
        prop_assert_eq!(sw.evaluate(now, target, &cal, warn_pct), vec![]);
    }
}
