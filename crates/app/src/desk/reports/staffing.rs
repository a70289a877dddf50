//! Staffing (seed 003, "factores de dotación de personal"; SPEC C14): arrivals by weekday
//! and hour (desk time zone) per requester language, handling time per category and
//! channel, and the agents needed each hour to answer a share of arrivals within a target
//! wait by Erlang C (`domain::report::erlang`), beside the agents scheduled (a weekly grid
//! kept in the settings table).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use ventanilla_domain::report::{Measure, agents_needed};
use ventanilla_domain::{Caller, Permission, ValidationError};

use super::period::PeriodQuery;
use crate::App;
use crate::desk::{DeskResult, require};

/// Weekdays as the schedule names them, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// The handling time assumed when nothing was logged in the period.
const DEFAULT_AHT_SECS: f64 = 600.0;
const SCHEDULE_KEY: &str = "staffing_schedule";

/// Agents scheduled per weekday (`mon`…`sun`) and hour (24 numbers).
pub type Schedule = BTreeMap<String, Vec<u32>>;

/// `GET /reports/staffing` parameters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffingQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    /// The wait within which `target_share` of arrivals are answered, seconds (default 20).
    pub target_secs: Option<f64>,
    /// 0..1 (default 0.8: the "80/20" service level).
    pub target_share: Option<f64>,
    /// `es`, `en`, or all languages (default).
    pub language: Option<String>,
}

/// One weekday and hour.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffingCell {
    /// `mon`…`sun`.
    pub weekday: String,
    /// 0..23, desk time zone.
    pub hour: u32,
    /// Mean arrivals in that hour of that weekday over the period.
    pub arrivals_per_hour: f64,
    pub agents_needed: u32,
    pub agents_scheduled: u32,
}

/// Handling time of a slice (category or channel).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Handling {
    pub key: String,
    pub resolved: i64,
    /// Minutes logged per resolved ticket.
    pub average_handling_minutes: Option<f64>,
}

/// The staffing answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Staffing {
    pub from: String,
    pub to: String,
    pub language: Option<String>,
    pub target_secs: f64,
    pub target_share: f64,
    /// The handling time used (seconds): minutes logged per resolved ticket in the period.
    pub aht_secs: f64,
    pub cells: Vec<StaffingCell>,
    pub by_category: Vec<Handling>,
    pub by_channel: Vec<Handling>,
}

/// The stored schedule (zeros where none is set).
pub async fn schedule(app: &App) -> DeskResult<Schedule> {
    let mut s: Schedule = app
        .store
        .settings()
        .get(SCHEDULE_KEY)
        .await?
        .unwrap_or_default();
    for d in WEEKDAYS {
        let v = s.entry(d.to_owned()).or_default();
        v.resize(24, 0);
    }
    Ok(s)
}

/// Parses the schedule form: one line per weekday, Monday first, 24 numbers each.
pub fn parse_schedule(text: &str) -> Result<Schedule, ValidationError> {
    let mut s = Schedule::new();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() != 7 {
        return Err(ValidationError::new(
            "schedule",
            "needs 7 lines, Monday to Sunday",
        ));
    }
    for (d, line) in WEEKDAYS.iter().zip(lines) {
        let nums: Result<Vec<u32>, _> = line
            .split([',', ';', ' ', '\t'])
            .filter(|x| !x.is_empty())
            .map(|x| x.parse::<u32>())
            .collect();
        match nums {
            Ok(v) if v.len() == 24 && v.iter().all(|n| *n <= 10_000) => {
                s.insert((*d).to_owned(), v);
            }
            _ => {
                return Err(ValidationError::new(
                    "schedule",
                    format!("the {d} line needs 24 whole numbers"),
                ));
            }
        }
    }
    Ok(s)
}

/// Saves the schedule (`config.manage`, or a supervisor's `tickets.close`).
pub async fn save_schedule(app: &App, caller: &Caller, s: &Schedule) -> DeskResult<()> {
    if !caller.can(Permission::ConfigManage) {
        require(caller, Permission::TicketsClose)?;
    }
    let audit = crate::desk::audit(app, caller, "reports.staffing_schedule");
    app.store.settings().put(SCHEDULE_KEY, s, &audit).await?;
    Ok(())
}

fn handling(rows: Vec<(String, ventanilla_domain::report::Measures)>) -> Vec<Handling> {
    rows.into_iter()
        .map(|(key, m)| {
            let resolved = m.get(Measure::Resolved);
            Handling {
                key,
                resolved,
                average_handling_minutes: (resolved > 0)
                    .then(|| m.get(Measure::HandlingMinutes) as f64 / resolved as f64),
            }
        })
        .filter(|h| h.resolved > 0)
        .collect()
}

/// Arrivals, handling times and agents needed versus scheduled (`reports.read`).
pub async fn staffing(app: &App, caller: &Caller, q: &StaffingQuery) -> DeskResult<Staffing> {
    require(caller, Permission::ReportsRead)?;
    let period = PeriodQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        ..PeriodQuery::default()
    }
    .check(app)?;
    let target_secs = q.target_secs.unwrap_or(20.0);
    let target_share = q.target_share.unwrap_or(0.8);
    if !(target_secs > 0.0 && target_secs <= 86_400.0) {
        return Err(ValidationError::new("target_secs", "must be from 1 to 86400").into());
    }
    if !(target_share > 0.0 && target_share < 1.0) {
        return Err(ValidationError::new("target_share", "must be between 0 and 1").into());
    }
    let language = match q.language.as_deref().map(str::trim) {
        None | Some("") | Some("all") => None,
        Some(l @ ("es" | "en")) => Some(l.to_owned()),
        Some(_) => return Err(ValidationError::new("language", "must be es, en or all").into()),
    };
    let (from, to) = period.instants(app);
    let tz = app.store.report_zone().clone();
    // Arrivals per (weekday, hour), and how many of each weekday the period has.
    let mut counts: HashMap<(usize, u32), u64> = HashMap::new();
    let mut after = None;
    loop {
        let rows = app.store.exports().arrivals(from, to, after, 5000).await?;
        let Some(last) = rows.last() else { break };
        after = Some((last.0, last.1));
        let n = rows.len();
        for (at, _, lang, _) in rows {
            if language.as_deref().is_some_and(|l| l != lang) {
                continue;
            }
            if let Ok(t) = jiff::Timestamp::from_microsecond(at) {
                let z = t.to_zoned(tz.clone());
                let wd = z.weekday().to_monday_zero_offset() as usize;
                *counts
                    .entry((wd, u32::from(z.hour().unsigned_abs())))
                    .or_default() += 1;
            }
        }
        if n < 5000 {
            break;
        }
    }
    let mut days_of = [0u32; 7];
    let mut d = period.from;
    while d <= period.to {
        days_of[d.weekday().to_monday_zero_offset() as usize] += 1;
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    let reports = app.store.reports();
    let totals = reports.totals(&period.filter).await?;
    let resolved = totals.get(Measure::Resolved);
    let aht_secs = if resolved > 0 && totals.get(Measure::HandlingMinutes) > 0 {
        totals.get(Measure::HandlingMinutes) as f64 * 60.0 / resolved as f64
    } else {
        DEFAULT_AHT_SECS
    };
    let sched = schedule(app).await?;
    let mut cells = Vec::with_capacity(7 * 24);
    for (wd, name) in WEEKDAYS.iter().enumerate() {
        for hour in 0..24u32 {
            let n = counts.get(&(wd, hour)).copied().unwrap_or(0);
            let per_hour = if days_of[wd] > 0 {
                n as f64 / f64::from(days_of[wd])
            } else {
                0.0
            };
            let s = agents_needed(per_hour, aht_secs, target_secs, target_share);
            cells.push(StaffingCell {
                weekday: (*name).to_owned(),
                hour,
                arrivals_per_hour: per_hour,
                agents_needed: s.agents,
                agents_scheduled: sched
                    .get(*name)
                    .and_then(|v| v.get(hour as usize))
                    .copied()
                    .unwrap_or(0),
            });
        }
    }
    Ok(Staffing {
        from: period.from.to_string(),
        to: period.to.to_string(),
        language,
        target_secs,
        target_share,
        aht_secs,
        cells,
        by_category: handling(reports.breakdown("category", &period.filter, false).await?),
        by_channel: handling(reports.breakdown("channel", &period.filter, false).await?),
    })
}
