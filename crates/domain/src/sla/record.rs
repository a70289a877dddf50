//! The stored form of a stopwatch, and its validation when read back from the store.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::stopwatch::{Run, Stopwatch};
use crate::text::ValidationError;

/// The stored form of a [`Stopwatch`]; validated when read back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct StopwatchData {
    pub(super) started_at: Option<Timestamp>,
    pub(super) running_since: Option<Timestamp>,
    pub(super) stopped_at: Option<Timestamp>,
    #[serde(default)]
    pub(super) elapsed: SignedDuration,
    #[serde(default)]
    pub(super) paused: SignedDuration,
    #[serde(default)]
    pub(super) runs: Vec<Run>,
    pub(super) warned_at: Option<Timestamp>,
    pub(super) breached_at: Option<Timestamp>,
}

/// The latest instant recorded in the history.
pub(super) fn last_event(d: &StopwatchData) -> Option<Timestamp> {
    [
        d.started_at,
        d.runs.last().map(|r| r.to),
        d.running_since,
        d.stopped_at,
    ]
    .into_iter()
    .flatten()
    .max()
}

impl TryFrom<StopwatchData> for Stopwatch {
    type Error = ValidationError;
    fn try_from(data: StopwatchData) -> Result<Self, Self::Error> {
        let bad = |m: &str| Err(ValidationError::new("stopwatch", m));
        let Some(started) = data.started_at else {
            if data.runs.is_empty() && data.running_since.is_none() && data.stopped_at.is_none() {
                return Ok(Self { data });
            }
            return bad("has history but no start");
        };
        if data.running_since.is_some() && data.stopped_at.is_some() {
            return bad("cannot be running and stopped");
        }
        let mut last = started;
        for r in &data.runs {
            if r.from < last || r.to <= r.from {
                return bad("runs must be ordered, non-empty and after the start");
            }
            last = r.to;
        }
        if data
            .running_since
            .or(data.stopped_at)
            .is_some_and(|t| t < last)
        {
            return bad("the current run or stop must follow the recorded runs");
        }
        Ok(Self { data })
    }
}

impl From<Stopwatch> for StopwatchData {
    fn from(sw: Stopwatch) -> Self {
        sw.data
    }
}
