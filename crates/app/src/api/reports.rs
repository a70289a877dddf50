//! `/reports`: the KPIs of a period and slice as JSON and CSV (the contract of issue 14:
//! field names and meanings are stable; see `docs/REPORTS.md`).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Auth;
use crate::desk::reports::schedules::{self, ScheduleInput};
use crate::desk::reports::{self, KpiReport, PeriodQuery};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::http::download::attachment;
use ventanilla_store::report_schedules::ReportSchedule;

/// The KPIs of a period (`from`..=`to`, desk time zone) and slice. Rates are 0..1,
/// durations in business minutes where an SLA calendar applied, else wall-clock minutes.
#[utoipa::path(get, path = "/reports/kpis", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = KpiReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn kpis(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<KpiReport>> {
    Ok(Json(reports::kpis(&state, &auth.caller(), &q).await?))
}

/// The CSV form's parameters: the period's, and the separator. (Written out rather than
/// flattened: URL-encoded queries cannot carry numbers through `serde(flatten)`.)
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CsvQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub group_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub category_id: Option<i64>,
    /// `comma` (default) or `semicolon` (Spanish Excel; numbers then use a decimal comma).
    pub sep: Option<String>,
}

impl CsvQuery {
    fn period(&self) -> PeriodQuery {
        PeriodQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            group_id: self.group_id,
            organisation_id: self.organisation_id,
            category_id: self.category_id,
        }
    }
}

/// The same KPIs as CSV: UTF-8 with a byte-order mark, a header line of the JSON field
/// names and one line of values.
#[utoipa::path(get, path = "/reports/kpis.csv", tag = "reports", params(CsvQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn kpis_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CsvQuery>,
) -> AppResult<Response> {
    let opts = reports::csv::options(q.sep.as_deref())?;
    let r = reports::kpis(&state, &auth.caller(), &q.period()).await?;
    let body = reports::csv::kpi_document(&r, opts);
    let name = format!("kpis-{}-{}.csv", r.from, r.to);
    Ok(csv_response(&name, body))
}

/// The export's parameters: the period's, the separator, and the language of category names.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub group_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub category_id: Option<i64>,
    /// `comma` (default) or `semicolon`.
    pub sep: Option<String>,
    /// `es` (default) or `en`: the language of category names.
    pub lang: Option<String>,
}

/// Tickets registered in the period and slice as CSV, streamed (any size, constant memory):
/// UTF-8 with a byte-order mark, formula-injection safe, dates in the desk's time zone.
#[utoipa::path(get, path = "/reports/tickets.csv", tag = "reports", params(ExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn tickets_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    use futures_util::StreamExt as _;
    let opts = reports::csv::options(q.sep.as_deref())?;
    let lang = match q.lang.as_deref() {
        None | Some("") => ventanilla_domain::Language::Es,
        Some(l) => l
            .parse()
            .map_err(|_| ventanilla_domain::ValidationError::new("lang", "must be es or en"))?,
    };
    let period = PeriodQuery {
        from: q.from,
        to: q.to,
        group_id: q.group_id,
        organisation_id: q.organisation_id,
        category_id: q.category_id,
    };
    let (p, stream) =
        reports::export::tickets_csv(&state, &auth.caller(), &period, opts, lang).await?;
    let name = format!("tickets-{}-{}.csv", p.from, p.to);
    let body = axum::body::Body::from_stream(stream.map(|r| r.map(axum::body::Bytes::from)));
    Ok(csv_response(&name, body))
}

/// Arrivals by weekday and hour, handling time per category and channel, and the agents
/// needed each hour by Erlang C beside the agents scheduled.
#[utoipa::path(get, path = "/reports/staffing", tag = "reports", params(reports::staffing::StaffingQuery),
    responses((status = 200, body = reports::staffing::Staffing), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn staffing(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<reports::staffing::StaffingQuery>,
) -> AppResult<Json<reports::staffing::Staffing>> {
    Ok(Json(
        reports::staffing::staffing(&state, &auth.caller(), &q).await?,
    ))
}

/// The `month` parameter of the charging report.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `YYYY-MM`.
    pub month: String,
    /// CSV only: `comma` (default) or `semicolon`.
    pub sep: Option<String>,
}

/// Time logged × cost rate per organisation in a month.
#[utoipa::path(get, path = "/reports/charging", tag = "reports", params(MonthQuery),
    responses((status = 200, body = reports::charging::Charges), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn charging(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<MonthQuery>,
) -> AppResult<Json<reports::charging::Charges>> {
    Ok(Json(
        reports::charging::charges(&state, &auth.caller(), &q.month).await?,
    ))
}

/// The month's charges as CSV for invoicing.
#[utoipa::path(get, path = "/reports/charging.csv", tag = "reports", params(MonthQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn charging_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let opts = reports::csv::options(q.sep.as_deref())?;
    let c = reports::charging::charges(&state, &auth.caller(), &q.month).await?;
    let name = format!("charges-{}.csv", c.month);
    Ok(csv_response(
        &name,
        reports::charging::charges_csv(&c, opts),
    ))
}

/// The cost rates (cents per hour per agent, group, and by default).
#[utoipa::path(get, path = "/reports/charging/rates", tag = "reports",
    responses((status = 200, body = reports::charging::Rates), (status = 403, body = ErrorBody)))]
pub async fn get_rates(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<reports::charging::Rates>> {
    Ok(Json(
        reports::charging::rates(&state, &auth.caller()).await?,
    ))
}

/// Replaces the cost rates (`config.manage`).
#[utoipa::path(put, path = "/reports/charging/rates", tag = "reports", request_body = reports::charging::Rates,
    responses((status = 200, body = reports::charging::Rates), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_rates(
    State(state): State<AppState>,
    auth: Auth,
    Json(r): Json<reports::charging::Rates>,
) -> AppResult<Json<reports::charging::Rates>> {
    Ok(Json(
        reports::charging::put_rates(&state, &auth.caller(), &r).await?,
    ))
}

/// The `by` parameter of survey results.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurveyQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    /// `all` (default), `group`, `organisation`, `category` or `agent`.
    pub by: Option<String>,
}

/// Satisfaction survey results (averages of each question) per slice in a period.
#[utoipa::path(get, path = "/reports/surveys", tag = "reports", params(SurveyQuery),
    responses((status = 200, body = Vec<ventanilla_store::surveys::SurveyResult>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn surveys(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SurveyQuery>,
) -> AppResult<Json<Vec<ventanilla_store::surveys::SurveyResult>>> {
    let by = q.by.as_deref().unwrap_or("all");
    if !matches!(by, "all" | "group" | "organisation" | "category" | "agent") {
        return Err(ventanilla_domain::ValidationError::new(
            "by",
            "must be all, group, organisation, category or agent",
        )
        .into());
    }
    let p = PeriodQuery {
        from: q.from,
        to: q.to,
        ..PeriodQuery::default()
    }
    .check(&state)?;
    Ok(Json(
        reports::surveys::results(&state, &auth.caller(), by, &p).await?,
    ))
}

/// The scheduled report mails (`reports.read`).
#[utoipa::path(get, path = "/reports/schedules", tag = "reports",
    responses((status = 200, body = Vec<ReportSchedule>), (status = 403, body = ErrorBody)))]
pub async fn list_schedules(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<ReportSchedule>>> {
    Ok(Json(schedules::list(&state, &auth.caller()).await?))
}

/// Adds a scheduled report: the KPIs of a slice mailed `daily`, `weekly` or `monthly` at
/// 06:00 desk time, for the whole period before, to staff who read reports, with the CSV
/// attached.
#[utoipa::path(post, path = "/reports/schedules", tag = "reports", request_body = ScheduleInput,
    responses((status = 201, body = ReportSchedule), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_schedule(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<ScheduleInput>,
) -> AppResult<(StatusCode, Json<ReportSchedule>)> {
    let s = schedules::create(&state, &auth.caller(), &req).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// One scheduled report.
#[utoipa::path(get, path = "/reports/schedules/{id}", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = ReportSchedule), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_schedule(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<ReportSchedule>> {
    Ok(Json(schedules::get(&state, &auth.caller(), id).await?))
}

/// Replaces a scheduled report; its next run follows its (new) cadence.
#[utoipa::path(put, path = "/reports/schedules/{id}", tag = "reports", params(("id" = i64, Path)), request_body = ScheduleInput,
    responses((status = 200, body = ReportSchedule), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_schedule(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<ScheduleInput>,
) -> AppResult<Json<ReportSchedule>> {
    Ok(Json(
        schedules::update(&state, &auth.caller(), id, &req).await?,
    ))
}

/// Removes a scheduled report.
#[utoipa::path(delete, path = "/reports/schedules/{id}", tag = "reports", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_schedule(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    schedules::delete(&state, &auth.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A CSV download: its type and the application's own file name.
fn csv_response(name: &str, body: impl IntoResponse) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, attachment(name)),
        ],
        body,
    )
        .into_response()
}
