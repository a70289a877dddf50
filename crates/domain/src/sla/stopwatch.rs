//! The SLA stopwatch of one target (first response or resolution), the iTop model: it
//! runs in some states, pauses in others, and keeps its history so a policy change can
//! recompute it.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::record::{StopwatchData, last_event};

/// One stretch during which the stopwatch ran, `[from, to)`, in real instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub from: Timestamp,
    pub to: Timestamp,
}

/// Where a stopwatch is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopwatchState {
    NotStarted,
    Running,
    Paused,
    Stopped,
}

/// What a ticket status asks of a stopwatch (see `ClockRule::action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockAction {
    Run,
    Pause,
    Stop,
}

/// A threshold crossed, with the instant it was crossed (which can be earlier than the
/// evaluation if the monitor ran late).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlaEvent {
    Warning { at: Timestamp },
    Breach { at: Timestamp },
}

/// A per-target stopwatch measuring business time.
///
/// The closed `runs` are the source of truth: `elapsed` and `paused` are snapshots under
/// the calendar last applied, for storage and reports. Queries (`elapsed_at`, `due_at`,
/// `evaluate`) recompute from the runs, so they are right for whatever calendar is passed.
/// Transitions are idempotent (pausing a paused watch does nothing and returns `false`)
/// because callers derive them from the ticket's status, and an instant earlier than the
/// last recorded one (a skewed node clock) is clamped so runs never overlap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StopwatchData", into = "StopwatchData")]
pub struct Stopwatch {
    pub(super) data: StopwatchData,
}

impl Stopwatch {
    /// A stopwatch that has not started.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn state(&self) -> StopwatchState {
        let d = &self.data;
        match (d.started_at, d.running_since, d.stopped_at) {
            (None, ..) => StopwatchState::NotStarted,
            (_, Some(_), _) => StopwatchState::Running,
            (_, None, Some(_)) => StopwatchState::Stopped,
            (_, None, None) => StopwatchState::Paused,
        }
    }

    pub fn started_at(&self) -> Option<Timestamp> {
        self.data.started_at
    }
    pub fn running_since(&self) -> Option<Timestamp> {
        self.data.running_since
    }
    pub fn stopped_at(&self) -> Option<Timestamp> {
        self.data.stopped_at
    }
    pub fn warned_at(&self) -> Option<Timestamp> {
        self.data.warned_at
    }
    pub fn breached_at(&self) -> Option<Timestamp> {
        self.data.breached_at
    }
    /// The closed runs, oldest first.
    pub fn runs(&self) -> &[Run] {
        &self.data.runs
    }
    /// Snapshot: business time of the closed runs.
    pub fn elapsed(&self) -> SignedDuration {
        self.data.elapsed
    }
    /// Snapshot: business time between the start and the last transition that the watch
    /// was not running (pauses, and a stop later undone by a reopening).
    pub fn paused(&self) -> SignedDuration {
        self.data.paused
    }

    /// Starts the watch; on a watch already started it resumes (a reopened ticket
    /// continues its count rather than starting again).
    pub fn start(&mut self, at: Timestamp, cal: &Calendar) -> bool {
        if self.data.started_at.is_none() {
            self.data.started_at = Some(at);
            self.data.running_since = Some(at);
            return true;
        }
        self.resume(at, cal)
    }

    /// Pauses a running watch. A watch not yet started starts paused (a ticket created
    /// straight into a pausing state). A stopped watch becomes paused: the status in force
    /// pauses the target, so it is on hold, not met (e.g. stopped while no policy applied,
    /// then a policy that pauses in the ticket's status applies). Nothing counted while it
    /// was stopped, and the gap since its last run is paused time, as `resume` would book
    /// it; only the instant of the stop is dropped from the history.
    pub fn pause(&mut self, at: Timestamp, cal: &Calendar) -> bool {
        match self.state() {
            StopwatchState::NotStarted => {
                self.data.started_at = Some(at);
                true
            }
            StopwatchState::Running => {
                self.close_run(at, cal);
                true
            }
            StopwatchState::Stopped => {
                self.data.stopped_at = None;
                // The snapshots now run to the last run's end (or the start).
                self.recompute(cal);
                true
            }
            StopwatchState::Paused => false,
        }
    }

    /// Resumes a paused or stopped watch (starts one not yet started).
    pub fn resume(&mut self, at: Timestamp, cal: &Calendar) -> bool {
        match self.state() {
            StopwatchState::NotStarted => self.start(at, cal),
            StopwatchState::Running => false,
            StopwatchState::Paused | StopwatchState::Stopped => {
                let at = self.clamp(at);
                self.advance(at, SignedDuration::ZERO, cal);
                self.data.stopped_at = None;
                self.data.running_since = Some(at);
                true
            }
        }
    }

    /// Stops the watch: the target is met or no longer applies. A later `resume` (the
    /// ticket reopened) continues the count; the time in between counts as paused.
    pub fn stop(&mut self, at: Timestamp, cal: &Calendar) -> bool {
        match self.state() {
            StopwatchState::NotStarted | StopwatchState::Stopped => false,
            StopwatchState::Running => {
                let at = self.close_run(at, cal);
                self.data.stopped_at = Some(at);
                true
            }
            StopwatchState::Paused => {
                let at = self.clamp(at);
                self.advance(at, SignedDuration::ZERO, cal);
                self.data.stopped_at = Some(at);
                true
            }
        }
    }

    /// Applies what a ticket status asks for.
    pub fn apply(&mut self, at: Timestamp, action: ClockAction, cal: &Calendar) -> bool {
        match action {
            ClockAction::Run => self.start(at, cal),
            ClockAction::Pause => self.pause(at, cal),
            ClockAction::Stop => self.stop(at, cal),
        }
    }

    /// Recomputes the snapshots from the runs under `cal`, after a policy or calendar
    /// change. Paused time is kept because the runs, not the totals, are what is stored.
    pub fn recompute(&mut self, cal: &Calendar) {
        let d = &mut self.data;
        d.elapsed = d
            .runs
            .iter()
            .map(|r| cal.business_between(r.from, r.to))
            .sum();
        d.paused = match (d.started_at, last_event(d)) {
            (Some(s), Some(last)) => cal.business_between(s, last) - d.elapsed,
            _ => SignedDuration::ZERO,
        };
    }

    /// Business time counted up to `now` under `cal`.
    pub fn elapsed_at(&self, now: Timestamp, cal: &Calendar) -> SignedDuration {
        let closed: SignedDuration = self
            .data
            .runs
            .iter()
            .map(|r| cal.business_between(r.from, r.to.min(now)))
            .sum();
        let running = self
            .data
            .running_since
            .map_or(SignedDuration::ZERO, |rs| cal.business_between(rs, now));
        closed + running
    }

    /// Business time not running between the start and `now` (or the stop) under `cal`.
    pub fn paused_at(&self, now: Timestamp, cal: &Calendar) -> SignedDuration {
        let Some(start) = self.data.started_at else {
            return SignedDuration::ZERO;
        };
        let end = match self.state() {
            StopwatchState::Running => self.data.running_since,
            StopwatchState::Stopped => self.data.stopped_at,
            _ => Some(now),
        }
        .unwrap_or(now);
        cal.business_between(start, end) - self.elapsed_at(end, cal)
    }

    /// The instant the count reached (or, running, will reach) `amount`; `None` if it has
    /// not and the watch is not running.
    pub fn reached_at(&self, amount: SignedDuration, cal: &Calendar) -> Option<Timestamp> {
        let started = self.data.started_at?;
        if amount <= SignedDuration::ZERO {
            return Some(started);
        }
        let mut counted = SignedDuration::ZERO;
        for run in &self.data.runs {
            let b = cal.business_between(run.from, run.to);
            if counted + b >= amount {
                return cal.add_business(run.from, amount - counted);
            }
            counted += b;
        }
        let rs = self.data.running_since?;
        cal.add_business(rs, amount - counted)
    }

    /// When the target falls due: `None` while paused, stopped or not started; running,
    /// the instant the count reaches `target` (in the past if already breached).
    pub fn due_at(&self, target: SignedDuration, cal: &Calendar) -> Option<Timestamp> {
        self.data.running_since?;
        self.reached_at(target, cal)
    }

    /// Elapsed business time as a fraction of `target` (1.0 = due); infinite for a
    /// non-positive target, which is due at once.
    pub fn fraction(&self, now: Timestamp, target: SignedDuration, cal: &Calendar) -> f64 {
        if target <= SignedDuration::ZERO {
            return f64::INFINITY;
        }
        self.elapsed_at(now, cal).div_duration_f64(target)
    }

    /// Checks the thresholds at `now`: a warning at `warn_pct` % of `target` and a breach
    /// at 100 %, each yielded once in the watch's life (the flags are stored). The event
    /// carries the instant the threshold was crossed, not `now`.
    pub fn evaluate(
        &mut self,
        now: Timestamp,
        target: SignedDuration,
        cal: &Calendar,
        warn_pct: u8,
    ) -> Vec<SlaEvent> {
        let mut events = Vec::new();
        if self.data.started_at.is_none() {
            return events;
        }
        let elapsed = self.elapsed_at(now, cal);
        let warn = percent_of(target, warn_pct);
        if self.data.warned_at.is_none() && elapsed >= warn {
            let at = self.crossed_at(warn, now, cal);
            self.data.warned_at = Some(at);
            events.push(SlaEvent::Warning { at });
        }
        if self.data.breached_at.is_none() && elapsed >= target {
            let at = self.crossed_at(target, now, cal);
            self.data.breached_at = Some(at);
            events.push(SlaEvent::Breach { at });
        }
        events
    }

    /// Forgets the warning and breach flags: a new policy applies, and its thresholds fire
    /// on their own (the crossings of the old one stay in the ticket's history).
    pub fn forget_crossings(&mut self) {
        self.data.warned_at = None;
        self.data.breached_at = None;
    }

    /// Forgets a flag whose threshold is no longer reached at `now` under `target` and
    /// `cal` (the same policy edited, or its calendar changed), so it can fire again at
    /// the threshold's new instant.
    pub fn forget_unreached(
        &mut self,
        now: Timestamp,
        target: SignedDuration,
        cal: &Calendar,
        warn_pct: u8,
    ) {
        let elapsed = self.elapsed_at(now, cal);
        if elapsed < percent_of(target, warn_pct) {
            self.data.warned_at = None;
        }
        if elapsed < target {
            self.data.breached_at = None;
        }
    }

    fn crossed_at(&self, amount: SignedDuration, now: Timestamp, cal: &Calendar) -> Timestamp {
        self.reached_at(amount, cal).map_or(now, |t| t.min(now))
    }

    /// Never earlier than the last recorded instant, so history stays ordered.
    fn clamp(&self, at: Timestamp) -> Timestamp {
        last_event(&self.data).map_or(at, |last| at.max(last))
    }

    /// Ends the current run at `at` (clamped), recording it; returns the clamped instant.
    fn close_run(&mut self, at: Timestamp, cal: &Calendar) -> Timestamp {
        let at = self.clamp(at);
        let Some(from) = self.data.running_since else {
            return at;
        };
        // While running, the last event is `from`, so this accounts exactly for the run.
        self.advance(at, cal.business_between(from, at), cal);
        self.data.running_since = None;
        if from < at {
            match self.data.runs.last_mut() {
                // Resumed at the very instant it paused: one run, not two.
                Some(prev) if prev.to == from => prev.to = at,
                _ => self.data.runs.push(Run { from, to: at }),
            }
        }
        at
    }

    /// Moves the snapshots from the last event to `to`: `ran` of that business time was
    /// running, the rest was not.
    fn advance(&mut self, to: Timestamp, ran: SignedDuration, cal: &Calendar) {
        if let Some(last) = last_event(&self.data) {
            self.data.elapsed += ran;
            self.data.paused += cal.business_between(last, to) - ran;
        }
    }
}

/// `pct` % of `target`, exact to the nanosecond; `pct` above 100 counts as 100.
pub(super) fn percent_of(target: SignedDuration, pct: u8) -> SignedDuration {
    let pct = i128::from(pct.min(100));
    SignedDuration::try_from_nanos_i128(target.as_nanos() * pct / 100).unwrap_or(target)
}
