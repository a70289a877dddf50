//! What happens when an SLA target is at risk or breached, and the SLA state a ticket shows.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Stopwatch;

/// An action a policy runs at the warning threshold or at the breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SlaAction {
    /// Notify the supervisors of the ticket's group (every supervisor if it has none).
    NotifySupervisors,
    /// Notify the assignee (or the group's members when unassigned).
    NotifyAssignee,
    /// Functional escalation: to the named group, or to the first group of the next tier.
    Escalate {
        #[serde(default)]
        group_id: Option<i64>,
    },
    /// Raise the priority one level (a priority already critical stays).
    RaisePriority,
}

/// The actions of a policy at each threshold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaActions {
    pub warning: Vec<SlaAction>,
    pub breach: Vec<SlaAction>,
}

impl SlaActions {
    /// Notify at the warning, notify and escalate at the breach: what most desks start with.
    pub fn standard() -> Self {
        Self {
            warning: vec![SlaAction::NotifyAssignee, SlaAction::NotifySupervisors],
            breach: vec![
                SlaAction::NotifySupervisors,
                SlaAction::Escalate { group_id: None },
            ],
        }
    }
}

/// The SLA standing shown on tickets and used by queue filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    Ok,
    AtRisk,
    Breached,
}

impl SlaState {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::Ok => "ok",
            SlaState::AtRisk => "at_risk",
            SlaState::Breached => "breached",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ok" => Some(SlaState::Ok),
            "at_risk" => Some(SlaState::AtRisk),
            "breached" => Some(SlaState::Breached),
            _ => None,
        }
    }
}

/// A ticket's service-level record: the policy in force and one stopwatch per target, with
/// the instants the queues and the due scan index.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketSla {
    pub policy_id: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub response: Option<Stopwatch>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub resolution: Option<Stopwatch>,
    /// When each target falls due while its clock runs.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub response_due_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolution_due_at: Option<Timestamp>,
    /// The earliest due instant among the running targets.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
    /// When the next warning or breach falls due (what the scan looks for).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub next_check_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub state: Option<SlaState>,
}
