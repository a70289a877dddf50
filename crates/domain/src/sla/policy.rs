//! SLA policies as data: targets, which statuses run or pause each clock, and choosing the
//! most specific policy for a ticket.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use super::stopwatch::ClockAction;
use crate::ids::OrganisationId;
use crate::text::ValidationError;

/// The default warning threshold, in percent of a target.
pub const DEFAULT_WARN_PERCENT: u8 = 75;

/// The two targets of a policy, in business time of the policy's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaTarget {
    pub first_response: SignedDuration,
    pub resolution: SignedDuration,
}

/// Which of a policy's targets a stopwatch measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaKind {
    FirstResponse,
    Resolution,
}

impl SlaTarget {
    /// The target for one kind of stopwatch.
    pub fn get(&self, kind: SlaKind) -> SignedDuration {
        match kind {
            SlaKind::FirstResponse => self.first_response,
            SlaKind::Resolution => self.resolution,
        }
    }
}

/// Which ticket statuses run a clock and which pause it; every other status stops it.
/// Statuses are the stable names of `ticket::Status` (`as_str`), kept as text so a policy
/// stays plain data the admin can edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRule {
    pub running: Vec<String>,
    #[serde(default)]
    pub paused: Vec<String>,
}

impl Default for ClockRule {
    /// SPEC C3/C6: counts in new, analysis and solution; `pending` pauses; validation,
    /// survey, review, closed and cancelled stop it (a "no solution" back to analysis
    /// resumes it).
    fn default() -> Self {
        Self {
            running: ["new", "analysis", "solution"].map(String::from).to_vec(),
            paused: vec!["pending".to_owned()],
        }
    }
}

impl ClockRule {
    /// What `status` asks of the clock.
    pub fn action(&self, status: &str) -> ClockAction {
        let has = |list: &[String]| list.iter().any(|s| s.eq_ignore_ascii_case(status.trim()));
        if has(&self.running) {
            ClockAction::Run
        } else if has(&self.paused) {
            ClockAction::Pause
        } else {
            ClockAction::Stop
        }
    }

    fn normalise(self, field: &str) -> Result<Self, ValidationError> {
        let clean = |list: Vec<String>| -> Result<Vec<String>, ValidationError> {
            let mut out: Vec<String> = Vec::with_capacity(list.len());
            for s in list {
                let s = s.trim().to_ascii_lowercase();
                if s.is_empty() {
                    return Err(ValidationError::new(field, "lists an empty status"));
                }
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            Ok(out)
        };
        let running = clean(self.running)?;
        let paused = clean(self.paused)?;
        if running.is_empty() {
            return Err(ValidationError::new(
                field,
                "must run in at least one status",
            ));
        }
        if let Some(s) = running.iter().find(|s| paused.contains(s)) {
            return Err(ValidationError::new(
                field,
                format!("\"{s}\" both runs and pauses"),
            ));
        }
        Ok(Self { running, paused })
    }
}

/// A service-level policy: the targets that apply to tickets of one priority, optionally
/// narrowed to an organisation and/or a category, measured on one calendar.
///
/// Built through [`SlaPolicy::new`] (deserialisation calls it), so its values are valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SlaPolicySpec")]
pub struct SlaPolicy {
    pub name: String,
    /// The priority it applies to, by its stable name (`ticket::Priority::as_str`, e.g.
    /// "high"); compared ignoring ASCII case.
    pub priority: String,
    pub organisation: Option<OrganisationId>,
    /// A category id; categories have no newtype in the domain yet.
    pub category: Option<i64>,
    pub calendar_id: i64,
    pub targets: SlaTarget,
    pub warn_percent: u8,
    pub response_clock: ClockRule,
    pub resolution_clock: ClockRule,
}

/// The unvalidated input of a policy, with defaults for the optional parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicySpec {
    pub name: String,
    pub priority: String,
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
    #[serde(default)]
    pub category: Option<i64>,
    pub calendar_id: i64,
    pub targets: SlaTarget,
    #[serde(default = "default_warn_percent")]
    pub warn_percent: u8,
    #[serde(default)]
    pub response_clock: ClockRule,
    #[serde(default)]
    pub resolution_clock: ClockRule,
}

fn default_warn_percent() -> u8 {
    DEFAULT_WARN_PERCENT
}

impl SlaPolicy {
    /// Validates a spec: a name and priority, positive targets with the first response
    /// no later than the resolution, a warning threshold of 1–99 %, sane clock rules.
    pub fn new(spec: SlaPolicySpec) -> Result<Self, ValidationError> {
        let name = spec.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ValidationError::new("name", "must be 1 to 200 characters"));
        }
        let priority = spec.priority.trim().to_owned();
        if priority.is_empty() {
            return Err(ValidationError::new("priority", "must not be empty"));
        }
        let t = spec.targets;
        if t.first_response <= SignedDuration::ZERO || t.resolution <= SignedDuration::ZERO {
            return Err(ValidationError::new(
                "targets",
                "must be positive durations",
            ));
        }
        if t.first_response > t.resolution {
            return Err(ValidationError::new(
                "targets.first_response",
                "must not exceed the resolution target",
            ));
        }
        if !(1..=99).contains(&spec.warn_percent) {
            return Err(ValidationError::new(
                "warn_percent",
                "must be between 1 and 99",
            ));
        }
        Ok(Self {
            name,
            priority,
            organisation: spec.organisation,
            category: spec.category,
            calendar_id: spec.calendar_id,
            targets: t,
            warn_percent: spec.warn_percent,
            response_clock: spec.response_clock.normalise("response_clock")?,
            resolution_clock: spec.resolution_clock.normalise("resolution_clock")?,
        })
    }

    /// What the first-response clock should do in `status`; once an agent has replied
    /// publicly the target is met, so it stops whatever the status.
    pub fn response_action(&self, status: &str, publicly_replied: bool) -> ClockAction {
        if publicly_replied {
            ClockAction::Stop
        } else {
            self.response_clock.action(status)
        }
    }

    /// What the resolution clock should do in `status`.
    pub fn resolution_action(&self, status: &str) -> ClockAction {
        self.resolution_clock.action(status)
    }

    /// How specific the policy is: organisation and category > organisation > category >
    /// priority only.
    fn specificity(&self) -> u8 {
        2 * u8::from(self.organisation.is_some()) + u8::from(self.category.is_some())
    }

    fn matches(&self, priority: &str, org: Option<OrganisationId>, cat: Option<i64>) -> bool {
        self.priority.eq_ignore_ascii_case(priority.trim())
            && self.organisation.is_none_or(|o| Some(o) == org)
            && self.category.is_none_or(|c| Some(c) == cat)
    }
}

impl TryFrom<SlaPolicySpec> for SlaPolicy {
    type Error = ValidationError;
    fn try_from(spec: SlaPolicySpec) -> Result<Self, Self::Error> {
        Self::new(spec)
    }
}

/// The policy for a ticket: among those for its priority whose organisation and category
/// (when set) match, the most specific; on a tie the first in `policies`, so the caller's
/// order (e.g. by id) decides deterministically.
pub fn select_policy<'a>(
    policies: &'a [SlaPolicy],
    priority: &str,
    organisation: Option<OrganisationId>,
    category: Option<i64>,
) -> Option<&'a SlaPolicy> {
    policies
        .iter()
        .filter(|p| p.matches(priority, organisation, category))
        .fold(None, |best: Option<&SlaPolicy>, p| match best {
            Some(b) if b.specificity() >= p.specificity() => Some(b),
            _ => Some(p),
        })
}
