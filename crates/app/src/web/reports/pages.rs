//! The dashboard pages: a filter form (period, group, organisation, category), the KPI
//! tiles with their definitions, created/resolved per day and breakdowns as SVG with their
//! tables, survey results and open follow-ups; drill-down links open the console's list.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::svg::{Series, bars, lines};
use crate::AppState;
use crate::desk::reports::PeriodQuery;
use crate::desk::reports::dashboard::{Dashboard, DayPoint, Slice, View, agent_view, dashboard};
use crate::extract::Query;
use crate::web::kit::ctx::Ctx;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Viewer, render};
use crate::web::kit::path::Path;

/// The filter form's fields as typed (kept when the page is shown again).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FilterForm {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub group_id: String,
    #[serde(default)]
    pub organisation_id: String,
    #[serde(default)]
    pub category_id: String,
}

fn id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

impl FilterForm {
    fn query(&self) -> PeriodQuery {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        PeriodQuery {
            from: text(&self.from),
            to: text(&self.to),
            group_id: id(&self.group_id),
            organisation_id: id(&self.organisation_id),
            category_id: id(&self.category_id),
        }
    }
}

/// One KPI tile: its key (for the name, definition and formula messages) and value.
pub struct Tile {
    pub key: &'static str,
    pub value: String,
}

/// One breakdown as the page shows it.
pub struct Panel {
    pub dim: &'static str,
    pub svg: String,
    pub slices: Vec<Slice>,
    /// The console's list for each slice (drill-down), where the queue filters by it.
    pub links: Vec<Option<String>>,
}

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
struct DashboardPage {
    c: Ctx,
    manager: bool,
    f: FilterForm,
    from: String,
    to: String,
    tiles: Vec<Tile>,
    trend: String,
    days: Vec<DayPoint>,
    panels: Vec<Panel>,
    d: Dashboard,
    csv: String,
}

fn num(c: &Ctx, v: Option<f64>, decimals: usize) -> String {
    match v {
        None => "—".into(),
        Some(x) => {
            let s = format!("{x:.decimals$}");
            if c.lang.decimal_comma() {
                s.replace('.', ",")
            } else {
                s
            }
        }
    }
}

fn pct(c: &Ctx, v: Option<f64>) -> String {
    v.map_or("—".into(), |x| {
        format!("{} %", num(c, Some(x * 100.0), 1))
    })
}

fn tiles(c: &Ctx, d: &Dashboard) -> Vec<Tile> {
    let k = &d.kpis;
    let t = |key: &'static str, value: String| Tile { key, value };
    vec![
        t("tickets_created", k.tickets_created.to_string()),
        t("tickets_resolved", k.tickets_resolved.to_string()),
        t(
            "first_contact_resolution_rate",
            pct(c, k.first_contact_resolution_rate),
        ),
        t("sla_response_compliance", pct(c, k.sla_response_compliance)),
        t(
            "sla_resolution_compliance",
            pct(c, k.sla_resolution_compliance),
        ),
        t(
            "mean_first_response_minutes",
            num(c, k.mean_first_response_minutes, 0),
        ),
        t(
            "mean_time_to_resolve_minutes",
            num(c, k.mean_time_to_resolve_minutes, 0),
        ),
        t(
            "average_handling_minutes",
            num(c, k.average_handling_minutes, 0),
        ),
        t("csat_average", num(c, k.csat_average, 2)),
        t("reopen_rate", pct(c, k.reopen_rate)),
        t("escalation_rate", pct(c, k.escalation_rate)),
        t("backlog_open", k.backlog_open.to_string()),
        t(
            "backlog_mean_age_minutes",
            num(c, k.backlog_mean_age_minutes, 0),
        ),
        t("deflections", k.deflections.to_string()),
        t(
            "knowledge_contributions",
            k.knowledge_contributions.to_string(),
        ),
    ]
}

fn trend_svg(c: &Ctx, days: &[DayPoint]) -> String {
    let labels: Vec<String> = days.iter().map(|p| p.day.clone()).collect();
    let created = c.t("kpi-tickets_created");
    let resolved = c.t("kpi-tickets_resolved");
    lines(
        "trend",
        &c.t("report-trend"),
        &c.t("report-trend-desc"),
        &labels,
        &[
            Series {
                name: &created,
                class: "s1",
                values: days.iter().map(|p| p.created).collect(),
            },
            Series {
                name: &resolved,
                class: "s2",
                values: days.iter().map(|p| p.resolved).collect(),
            },
        ],
    )
}

fn label(c: &Ctx, dim: &str, s: &Slice) -> String {
    if dim == "channel" {
        c.word("channel", &s.key)
    } else if s.key == "-1" {
        c.t("report-not-set")
    } else if s.label.is_empty() {
        format!("#{}", s.key)
    } else {
        s.label.clone()
    }
}

fn panels(c: &Ctx, d: &mut Dashboard) -> Vec<Panel> {
    let mut out = Vec::new();
    for (dim, slices) in std::mem::take(&mut d.breakdowns) {
        let mut slices = slices;
        for s in &mut slices {
            s.label = label(c, dim, s);
        }
        let rows: Vec<(String, i64)> = slices
            .iter()
            .map(|s| (s.label.clone(), s.created))
            .collect();
        let svg = bars(
            &format!("by-{dim}"),
            &c.word("report-by", dim),
            &c.t("report-bars-desc"),
            &rows,
        );
        let links = slices
            .iter()
            .map(|s| {
                let param = match dim {
                    "group" => "group_id",
                    "organisation" => "organisation_id",
                    "category" => "category_id",
                    "agent" => "assignee",
                    _ => return None,
                };
                (s.key != "-1").then(|| format!("/console?view=all&{param}={}", s.key))
            })
            .collect();
        out.push(Panel {
            dim,
            svg,
            slices,
            links,
        });
    }
    out
}

async fn show(state: AppState, viewer: Viewer, f: FilterForm, view: View) -> WebResult<Response> {
    let q = f.query();
    let mut d = dashboard(&state, &viewer.auth.caller(), &q, view, viewer.lang.0).await?;
    let title = match view {
        View::Supervisor => "report-supervisor",
        View::Manager => "report-manager",
    };
    let c = viewer.ctx(title);
    let mut csv = format!(
        "/api/v1/reports/kpis.csv?from={}&to={}",
        d.period.from, d.period.to
    );
    for (k, v) in [
        ("group_id", d.period.filter.group),
        ("organisation_id", d.period.filter.organisation),
        ("category_id", d.period.filter.category),
    ] {
        if let Some(v) = v {
            csv.push_str(&format!("&{k}={v}"));
        }
    }
    if c.lang.decimal_comma() {
        csv.push_str("&sep=semicolon");
    }
    let page = DashboardPage {
        manager: view == View::Manager,
        from: d.period.from.to_string(),
        to: d.period.to.to_string(),
        tiles: tiles(&c, &d),
        trend: trend_svg(&c, &d.series),
        days: d.series.clone(),
        panels: panels(&c, &mut d),
        f,
        d,
        csv,
        c,
    };
    render(&page)
}

pub async fn supervisor(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(f): Query<FilterForm>,
) -> WebResult<Response> {
    show(state, viewer, f, View::Supervisor).await
}

pub async fn manager(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(f): Query<FilterForm>,
) -> WebResult<Response> {
    show(state, viewer, f, View::Manager).await
}

#[derive(Template)]
#[template(path = "reports/agent.html")]
struct AgentPage {
    c: Ctx,
    f: FilterForm,
    from: String,
    to: String,
    trend: String,
    days: Vec<DayPoint>,
    mine: Slice,
    aht: String,
    csat: String,
}

pub async fn agent(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(f): Query<FilterForm>,
) -> WebResult<Response> {
    let (p, days, mine) = agent_view(&state, &viewer.auth.caller(), &f.query()).await?;
    let c = viewer.ctx("report-agent");
    let aht = num(
        &c,
        (mine.resolved > 0).then(|| mine.handling_minutes as f64 / mine.resolved as f64),
        0,
    );
    let csat = num(&c, mine.csat_average, 2);
    render(&AgentPage {
        from: p.from.to_string(),
        to: p.to.to_string(),
        trend: trend_svg(&c, &days),
        days,
        mine,
        aht,
        csat,
        f,
        c,
    })
}

#[derive(Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    note: String,
}

pub async fn follow_up_done(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<DoneForm>,
) -> WebResult<Response> {
    let note = Some(form.note.trim()).filter(|n| !n.is_empty());
    crate::desk::reports::surveys::close_follow_up(&state, &viewer.auth.caller(), id, note).await?;
    Ok(Redirect::to("/reports?flash=saved#follow-ups").into_response())
}

/// A mean for a table cell: two decimals in the viewer's style, a dash when there is none.
pub fn avg(c: &Ctx, v: &Option<f64>) -> String {
    num(c, *v, 2)
}

/// A staffing cell: agents needed, agents scheduled, and whether that is too few.
type Cell = (u32, u32, bool);

#[derive(Template)]
#[template(path = "reports/staffing.html")]
struct StaffingPage {
    c: Ctx,
    s: crate::desk::reports::staffing::Staffing,
    aht: String,
    days: [&'static str; 7],
    /// Per hour: (hour, per weekday (needed, scheduled, short)).
    rows: Vec<(u32, Vec<Cell>)>,
    schedule: String,
    error: String,
}

async fn staffing_page(
    state: &AppState,
    viewer: &Viewer,
    q: &crate::desk::reports::staffing::StaffingQuery,
    schedule_text: Option<String>,
    error: String,
) -> WebResult<Response> {
    use crate::desk::reports::staffing::{WEEKDAYS, schedule, staffing};
    let s = staffing(state, &viewer.auth.caller(), q).await?;
    let c = viewer.ctx("staffing-title");
    let rows = (0..24u32)
        .map(|h| {
            let cells = WEEKDAYS
                .iter()
                .map(|d| {
                    s.cells
                        .iter()
                        .find(|x| x.weekday == *d && x.hour == h)
                        .map_or((0, 0, false), |x| {
                            (
                                x.agents_needed,
                                x.agents_scheduled,
                                x.agents_scheduled < x.agents_needed,
                            )
                        })
                })
                .collect();
            (h, cells)
        })
        .collect();
    let stored = schedule(state).await?;
    let text = schedule_text.unwrap_or_else(|| {
        WEEKDAYS
            .iter()
            .map(|d| {
                stored
                    .get(*d)
                    .map(|v| v.iter().map(u32::to_string).collect::<Vec<_>>().join(" "))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let aht = num(&c, Some(s.aht_secs / 60.0), 1);
    let page = StaffingPage {
        s,
        aht,
        days: WEEKDAYS,
        rows,
        schedule: text,
        error: error.clone(),
        c,
    };
    if error.is_empty() {
        render(&page)
    } else {
        crate::web::kit::page::render_as(&page, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    }
}

pub async fn staffing(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<crate::desk::reports::staffing::StaffingQuery>,
) -> WebResult<Response> {
    staffing_page(&state, &viewer, &q, None, String::new()).await
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    schedule: String,
}

pub async fn save_schedule(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<ScheduleForm>,
) -> WebResult<Response> {
    use crate::desk::reports::staffing::{parse_schedule, save_schedule};
    match parse_schedule(&form.schedule) {
        Ok(s) => {
            save_schedule(&state, &viewer.auth.caller(), &s).await?;
            Ok(Redirect::to("/reports/staffing?flash=saved").into_response())
        }
        Err(e) => {
            let q = crate::desk::reports::staffing::StaffingQuery::default();
            staffing_page(&state, &viewer, &q, Some(form.schedule), e.message).await
        }
    }
}
