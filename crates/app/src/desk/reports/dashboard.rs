//! What the dashboards show (issue 14): the KPIs, created and resolved per day, breakdowns
//! per slice with their names, survey results and open follow-ups. Everything comes from
//! the rollup (a few hundred rows whatever the number of tickets) and small tables.

use std::collections::HashMap;

use ventanilla_domain::report::{Measure, Measures};
use ventanilla_domain::{Caller, Language, Permission};
use ventanilla_store::surveys::{FollowUp, SurveyResult};

use super::kpis::{KpiReport, of_period};
use super::period::{Period, PeriodQuery};
use crate::App;
use crate::desk::{DeskResult, require};

/// One day of the series.
#[derive(Debug, Clone, PartialEq)]
pub struct DayPoint {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub created: i64,
    pub resolved: i64,
}

/// One slice of a breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    /// The id (`-1` not set), or the channel's code.
    pub key: String,
    /// The name in the viewer's language (the key's word for channels, empty if unknown).
    pub label: String,
    pub created: i64,
    pub resolved: i64,
    pub handling_minutes: i64,
    pub csat_average: Option<f64>,
    /// Open now (group, organisation and category breakdowns only).
    pub backlog: Option<i64>,
}

/// A dashboard's data.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub period: Period,
    pub kpis: KpiReport,
    pub series: Vec<DayPoint>,
    pub breakdowns: Vec<(&'static str, Vec<Slice>)>,
    pub surveys: Vec<SurveyResult>,
    pub follow_ups: Vec<FollowUp>,
}

fn day_text(day: i32) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day / 10_000,
        day / 100 % 100,
        day % 100
    )
}

/// Every day of the period with its counts (days without tickets are zeros).
fn series(p: &Period, rows: &[(i32, Measures)]) -> Vec<DayPoint> {
    let by: HashMap<i32, &Measures> = rows.iter().map(|(d, m)| (*d, m)).collect();
    let mut out = Vec::new();
    let mut d = p.from;
    while d <= p.to && out.len() < 1200 {
        let n = i32::from(d.year()) * 10_000 + i32::from(d.month()) * 100 + i32::from(d.day());
        let m = by.get(&n).copied().copied().unwrap_or_default();
        out.push(DayPoint {
            day: day_text(n),
            created: m.get(Measure::Created),
            resolved: m.get(Measure::Resolved),
        });
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    out
}

fn csat(m: &Measures) -> Option<f64> {
    let n = m.get(Measure::CsatCount);
    (n > 0).then(|| m.get(Measure::CsatSum) as f64 / n as f64)
}

/// A breakdown with names, largest volume first, at most `limit` slices.
async fn breakdown(
    app: &App,
    dim: &'static str,
    p: &Period,
    lang: Language,
    limit: usize,
) -> DeskResult<Vec<Slice>> {
    let reports = app.store.reports();
    let rows = reports.breakdown(dim, &p.filter, false).await?;
    let backlog: HashMap<String, i64> = if matches!(dim, "group" | "organisation" | "category") {
        reports
            .breakdown(dim, &p.filter, true)
            .await?
            .into_iter()
            .map(|(k, m)| (k, m.get(Measure::Open)))
            .collect()
    } else {
        HashMap::new()
    };
    let mut slices: Vec<Slice> = rows
        .iter()
        .map(|(k, m)| Slice {
            key: k.clone(),
            label: String::new(),
            created: m.get(Measure::Created),
            resolved: m.get(Measure::Resolved),
            handling_minutes: m.get(Measure::HandlingMinutes),
            csat_average: csat(m),
            backlog: matches!(dim, "group" | "organisation" | "category")
                .then(|| backlog.get(k).copied().unwrap_or(0)),
        })
        .filter(|s| s.created != 0 || s.resolved != 0 || s.handling_minutes != 0)
        .collect();
    slices.sort_by_key(|s| std::cmp::Reverse((s.created, s.resolved)));
    slices.truncate(limit);
    if dim != "channel" {
        let ids: Vec<i64> = slices.iter().filter_map(|s| s.key.parse().ok()).collect();
        let names: HashMap<i64, (String, String)> = reports
            .labels(dim, &ids)
            .await?
            .into_iter()
            .map(|(id, es, en)| (id, (es, en)))
            .collect();
        for s in &mut slices {
            if let Some((es, en)) = s.key.parse().ok().and_then(|id: i64| names.get(&id)) {
                s.label = if lang == Language::En {
                    en.clone()
                } else {
                    es.clone()
                };
            }
        }
    }
    Ok(slices)
}

/// Which dashboard: the supervisor's (groups, agents, follow-ups) or the manager's
/// (organisations, categories, channels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Supervisor,
    Manager,
}

/// A supervisor's or manager's dashboard (`reports.read`).
pub async fn dashboard(
    app: &App,
    caller: &Caller,
    q: &PeriodQuery,
    view: View,
    lang: Language,
) -> DeskResult<Dashboard> {
    require(caller, Permission::ReportsRead)?;
    let p = q.check(app)?;
    let (kpis, _) = of_period(app, &p).await?;
    let rows = app.store.reports().daily(&p.filter).await?;
    let dims: &[&'static str] = match view {
        View::Supervisor => &["group", "agent", "category"],
        View::Manager => &["organisation", "category", "channel"],
    };
    let mut breakdowns = Vec::new();
    for d in dims {
        breakdowns.push((*d, breakdown(app, d, &p, lang, 15).await?));
    }
    let (from, to) = p.instants(app);
    let survey_dim = match view {
        View::Supervisor => "group",
        View::Manager => "organisation",
    };
    let surveys = app.store.surveys().results(survey_dim, from, to).await?;
    let follow_ups = app.store.surveys().follow_ups(true, 20).await?;
    Ok(Dashboard {
        series: series(&p, &rows),
        period: p,
        kpis,
        breakdowns,
        surveys,
        follow_ups,
    })
}

/// An agent's own figures: per day, their tickets created and resolved, and the totals
/// (`tickets.work`; the agent breakdown's line of the caller only).
pub async fn agent_view(
    app: &App,
    caller: &Caller,
    q: &PeriodQuery,
) -> DeskResult<(Period, Vec<DayPoint>, Slice)> {
    require(caller, Permission::TicketsWork)?;
    let p = q.check(app)?;
    let me = caller.user_id().get().to_string();
    let rows = app
        .store
        .reports()
        .daily_by("agent", &me, p.filter.from_day, p.filter.to_day)
        .await?;
    let mut total = Measures::default();
    for (_, m) in &rows {
        total.add_all(m);
    }
    let mine = Slice {
        key: me,
        label: String::new(),
        created: total.get(Measure::Created),
        resolved: total.get(Measure::Resolved),
        handling_minutes: total.get(Measure::HandlingMinutes),
        csat_average: csat(&total),
        backlog: None,
    };
    Ok((p, series(&p, &rows), mine))
}
