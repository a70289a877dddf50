//! The key performance indicators of seed 003 ("indicadores de evaluación") as formulas over
//! the rollup's sums. Each formula is written out in `docs/REPORTS.md` and on the dashboard.

use jiff::Timestamp;
use serde::Serialize;

use super::rollup::{Measure, Measures};

/// The KPIs of a period and slice. Rates are 0..1; durations are minutes (business minutes
/// where an SLA calendar applied to the ticket, else wall-clock); `None` when the formula
/// has nothing to divide by.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpis {
    pub tickets_created: i64,
    pub tickets_resolved: i64,
    pub first_contact_resolution_rate: Option<f64>,
    pub sla_response_compliance: Option<f64>,
    pub sla_resolution_compliance: Option<f64>,
    pub mean_first_response_minutes: Option<f64>,
    pub mean_time_to_resolve_minutes: Option<f64>,
    pub average_handling_minutes: Option<f64>,
    pub csat_average: Option<f64>,
    pub reopen_rate: Option<f64>,
    pub escalation_rate: Option<f64>,
    pub backlog_open: i64,
    /// Mean age of the open tickets, in wall-clock minutes, at the time of the query.
    pub backlog_mean_age_minutes: Option<f64>,
    /// Surveys answered (the CSAT denominator).
    pub csat_responses: i64,
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The KPIs from the period's sums and the backlog row, at `now`.
pub fn kpis(period: &Measures, backlog: &Measures, now: Timestamp) -> Kpis {
    let g = |m: Measure| period.get(m);
    let open = backlog.get(Measure::Open);
    let age = (open > 0).then(|| {
        let mean_created = backlog.get(Measure::OpenCreatedSeconds) as f64 / open as f64;
        ((now.as_second() as f64 - mean_created) / 60.0).max(0.0)
    });
    Kpis {
        tickets_created: g(Measure::Created),
        tickets_resolved: g(Measure::Resolved),
        first_contact_resolution_rate: ratio(g(Measure::FirstContact), g(Measure::Resolved)),
        sla_response_compliance: ratio(g(Measure::SlaResponseMet), g(Measure::SlaResponseTotal)),
        sla_resolution_compliance: ratio(
            g(Measure::SlaResolutionMet),
            g(Measure::SlaResolutionTotal),
        ),
        mean_first_response_minutes: ratio(g(Measure::ResponseMinutes), g(Measure::Responded)),
        mean_time_to_resolve_minutes: ratio(g(Measure::ResolveMinutes), g(Measure::Resolved)),
        average_handling_minutes: ratio(g(Measure::HandlingMinutes), g(Measure::Resolved)),
        csat_average: ratio(g(Measure::CsatSum), g(Measure::CsatCount)),
        reopen_rate: ratio(g(Measure::Reopened), g(Measure::Resolved)),
        escalation_rate: ratio(g(Measure::Escalated), g(Measure::Created)),
        backlog_open: open,
        backlog_mean_age_minutes: age,
        csat_responses: g(Measure::CsatCount),
    }
}
