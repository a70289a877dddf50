//! The KPI report of `GET /api/v1/reports/kpis` (the contract of issue 14) and its CSV.

use serde::Serialize;
use ventanilla_domain::report::{Kpis, kpis as compute};
use ventanilla_domain::{Caller, Permission};

use super::period::{Period, PeriodQuery};
use crate::App;
use crate::desk::{DeskResult, require};

/// The KPIs of a period and slice. Rates are 0..1; durations in minutes, business minutes
/// where an SLA calendar applied to the ticket, else wall-clock (`docs/REPORTS.md`); `null`
/// when there is nothing to divide by.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct KpiReport {
    /// First day of the period (`YYYY-MM-DD`, desk time zone).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
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
    /// Open tickets now (not closed or cancelled) in the slice, whatever the period.
    pub backlog_open: i64,
    /// Their mean age in wall-clock minutes, now.
    pub backlog_mean_age_minutes: Option<f64>,
    /// Surveys answered on tickets resolved in the period.
    pub csat_responses: i64,
    /// Articles that solved a requester's problem without a ticket (desk-wide: not sliced).
    pub deflections: i64,
    /// Knowledge contributions: article revisions written in the period (desk-wide).
    pub knowledge_contributions: i64,
}

impl KpiReport {
    /// The column names and values, in contract order (for CSV).
    pub fn cells(&self) -> Vec<(&'static str, Cell)> {
        use Cell::*;
        vec![
            ("from", Text(self.from.clone())),
            ("to", Text(self.to.clone())),
            ("tickets_created", Int(self.tickets_created)),
            ("tickets_resolved", Int(self.tickets_resolved)),
            (
                "first_contact_resolution_rate",
                Num(self.first_contact_resolution_rate),
            ),
            ("sla_response_compliance", Num(self.sla_response_compliance)),
            (
                "sla_resolution_compliance",
                Num(self.sla_resolution_compliance),
            ),
            (
                "mean_first_response_minutes",
                Num(self.mean_first_response_minutes),
            ),
            (
                "mean_time_to_resolve_minutes",
                Num(self.mean_time_to_resolve_minutes),
            ),
            (
                "average_handling_minutes",
                Num(self.average_handling_minutes),
            ),
            ("csat_average", Num(self.csat_average)),
            ("reopen_rate", Num(self.reopen_rate)),
            ("escalation_rate", Num(self.escalation_rate)),
            ("backlog_open", Int(self.backlog_open)),
            (
                "backlog_mean_age_minutes",
                Num(self.backlog_mean_age_minutes),
            ),
            ("csat_responses", Int(self.csat_responses)),
            ("deflections", Int(self.deflections)),
            ("knowledge_contributions", Int(self.knowledge_contributions)),
        ]
    }
}

/// A value of a report cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(Option<f64>),
}

/// The KPIs of a checked period.
pub async fn of_period(app: &App, p: &Period) -> DeskResult<(KpiReport, Kpis)> {
    let reports = app.store.reports();
    let sums = reports.totals(&p.filter).await?;
    let backlog = reports.backlog(&p.filter).await?;
    let k = compute(&sums, &backlog, app.now());
    let (start, end) = p.instants(app);
    let report = KpiReport {
        from: p.from.to_string(),
        to: p.to.to_string(),
        tickets_created: k.tickets_created,
        tickets_resolved: k.tickets_resolved,
        first_contact_resolution_rate: k.first_contact_resolution_rate,
        sla_response_compliance: k.sla_response_compliance,
        sla_resolution_compliance: k.sla_resolution_compliance,
        mean_first_response_minutes: k.mean_first_response_minutes,
        mean_time_to_resolve_minutes: k.mean_time_to_resolve_minutes,
        average_handling_minutes: k.average_handling_minutes,
        csat_average: k.csat_average,
        reopen_rate: k.reopen_rate,
        escalation_rate: k.escalation_rate,
        backlog_open: k.backlog_open,
        backlog_mean_age_minutes: k.backlog_mean_age_minutes,
        csat_responses: k.csat_responses,
        deflections: reports.deflections(start, end).await?,
        knowledge_contributions: reports.contributions(start, end, None).await?,
    };
    Ok((report, k))
}

/// The KPIs of a period and slice (`reports.read`).
pub async fn kpis(app: &App, caller: &Caller, q: &PeriodQuery) -> DeskResult<KpiReport> {
    require(caller, Permission::ReportsRead)?;
    let p = q.check(app)?;
    Ok(of_period(app, &p).await?.0)
}
