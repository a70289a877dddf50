//! `/calendars` (business hours, holidays, exceptions; holidays importable from `.ics`),
//! `/sla-policies` (targets per priority, organisation and category, with the actions at
//! warning and breach) and `/jobs` (the job queue, dead jobs retried by admins).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::sla::{
    Calendar, CalendarSpec, Holiday, SlaActions, SlaPolicy, SlaPolicySpec,
};
use ventanilla_domain::{Permission, Text, ValidationError};
use ventanilla_store::jobs::Job;
use ventanilla_store::sla::{StoredCalendar, StoredPolicy};

use super::types::audit;
use super::users::conflict_on;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarBody {
    pub name: String,
    /// `{"time_zone":"Europe/Madrid","weekly":{"mon":[["09:00","18:00"]],…},"holidays":[{"date":"2026-12-25","yearly":true}],"exceptions":[{"date":"2026-12-24","windows":[["09:00","14:00"]]}]}`
    #[schema(value_type = Object)]
    pub calendar: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    /// `{"name","priority","organisation"?,"category"?,"calendar_id","targets":{"first_response":"PT1H","resolution":"PT8H"},"warn_percent"?,…}`
    #[schema(value_type = Object)]
    pub policy: serde_json::Value,
    /// `{"warning":[{"type":"notify_assignee"}],"breach":[{"type":"escalate"},{"type":"notify_supervisors"}]}`
    #[schema(value_type = Option<Object>)]
    pub actions: Option<serde_json::Value>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn spec_error(field: &str, e: serde_json::Error) -> AppError {
    ValidationError::new(field, e.to_string()).into()
}

/// Business calendars.
#[utoipa::path(get, path = "/calendars", tag = "sla", responses((status = 200, body = Vec<StoredCalendar>), (status = 403, body = ErrorBody)))]
pub async fn list_calendars(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<StoredCalendar>>> {
    auth.require(Permission::TicketsWork)?;
    Ok(Json(state.store.sla().calendars().await?))
}

/// Creates a calendar.
#[utoipa::path(post, path = "/calendars", tag = "sla", request_body = CalendarBody,
    responses((status = 201, body = StoredCalendar), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_calendar(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<CalendarBody>,
) -> AppResult<(StatusCode, Json<StoredCalendar>)> {
    Ok((
        StatusCode::CREATED,
        Json(put_calendar(&state, &auth, None, b).await?),
    ))
}

/// Replaces a calendar. Tickets measured on it follow the new hours from their next change.
#[utoipa::path(put, path = "/calendars/{id}", tag = "sla", params(("id" = i64, Path)), request_body = CalendarBody,
    responses((status = 200, body = StoredCalendar), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_calendar(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<CalendarBody>,
) -> AppResult<Json<StoredCalendar>> {
    state.store.sla().calendar(id).await?;
    Ok(Json(put_calendar(&state, &auth, Some(id), b).await?))
}

pub async fn put_calendar(
    state: &AppState,
    auth: &Auth,
    id: Option<i64>,
    b: CalendarBody,
) -> AppResult<StoredCalendar> {
    auth.require(Permission::ConfigManage)?;
    let name = Text::parse("name", &b.name, 200)?;
    let spec: CalendarSpec =
        serde_json::from_value(b.calendar).map_err(|e| spec_error("calendar", e))?;
    // Validate through the domain (windows, zone, holidays) before storing.
    Calendar::new(spec.clone())?;
    let entry = audit(
        state,
        auth,
        if id.is_some() {
            "calendar.update"
        } else {
            "calendar.create"
        },
    )
    .target("calendar", id)
    .detail(serde_json::json!({ "name": name }));
    let saved = state
        .store
        .sla()
        .put_calendar(id, name.as_str(), &spec, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    state.refdata.invalidate();
    crate::jobs::reapply_sla_later(state, state.now()).await?;
    Ok(saved)
}

/// Adds the holidays of an iCalendar (`.ics`) file to a calendar: each all-day event becomes
/// a holiday, yearly when it repeats yearly.
#[utoipa::path(post, path = "/calendars/{id}/holidays/import", tag = "sla", params(("id" = i64, Path)),
    request_body(content = String, content_type = "text/calendar"),
    responses((status = 200, body = StoredCalendar), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_holidays(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    body: String,
) -> AppResult<Json<StoredCalendar>> {
    Ok(Json(import_holidays_text(&state, &auth, id, &body).await?))
}

/// The holiday import of the API and the admin page: `ics` is the file's text as uploaded
/// (read through `domain::textfile` by [`super::ics::holidays`]).
pub async fn import_holidays_text(
    state: &AppState,
    auth: &Auth,
    id: i64,
    ics: &str,
) -> AppResult<StoredCalendar> {
    auth.require(Permission::ConfigManage)?;
    let current = state.store.sla().calendar(id).await?;
    let mut spec: CalendarSpec = serde_json::from_value(
        serde_json::to_value(&current.calendar).map_err(AppError::internal)?,
    )
    .map_err(AppError::internal)?;
    let found = super::ics::holidays(ics)?;
    for h in found {
        if !spec.holidays.iter().any(|x| x.date == h.date) {
            spec.holidays.push(h);
        }
    }
    spec.holidays.sort_by_key(|h: &Holiday| h.date);
    Calendar::new(spec.clone())?;
    let entry = audit(state, auth, "calendar.import_holidays").target("calendar", Some(id));
    let saved = state
        .store
        .sla()
        .put_calendar(Some(id), &current.name, &spec, &entry)
        .await?;
    state.refdata.invalidate();
    crate::jobs::reapply_sla_later(state, state.now()).await?;
    Ok(saved)
}

/// SLA policies.
#[utoipa::path(get, path = "/sla-policies", tag = "sla", responses((status = 200, body = Vec<StoredPolicy>), (status = 403, body = ErrorBody)))]
pub async fn list_policies(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<StoredPolicy>>> {
    auth.require(Permission::TicketsWork)?;
    Ok(Json(state.store.sla().policies().await?))
}

/// Creates a policy.
#[utoipa::path(post, path = "/sla-policies", tag = "sla", request_body = PolicyBody,
    responses((status = 201, body = StoredPolicy), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_policy(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<PolicyBody>,
) -> AppResult<(StatusCode, Json<StoredPolicy>)> {
    Ok((
        StatusCode::CREATED,
        Json(put_policy(&state, &auth, None, b).await?),
    ))
}

/// Replaces a policy. Open tickets are re-measured from their recorded history by a pass
/// queued with the change.
#[utoipa::path(put, path = "/sla-policies/{id}", tag = "sla", params(("id" = i64, Path)), request_body = PolicyBody,
    responses((status = 200, body = StoredPolicy), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_policy(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(b): Json<PolicyBody>,
) -> AppResult<Json<StoredPolicy>> {
    if !state
        .store
        .sla()
        .policies()
        .await?
        .iter()
        .any(|p| p.id == id)
    {
        return Err(AppError::NotFound);
    }
    Ok(Json(put_policy(&state, &auth, Some(id), b).await?))
}

pub async fn put_policy(
    state: &AppState,
    auth: &Auth,
    id: Option<i64>,
    b: PolicyBody,
) -> AppResult<StoredPolicy> {
    auth.require(Permission::ConfigManage)?;
    let spec: SlaPolicySpec =
        serde_json::from_value(b.policy).map_err(|e| spec_error("policy", e))?;
    let policy = SlaPolicy::new(spec)?;
    policy
        .priority
        .parse::<ventanilla_domain::ticket::Priority>()
        .map_err(|_| ValidationError::new("policy.priority", "is not a priority"))?;
    let actions: SlaActions = match b.actions {
        Some(a) => serde_json::from_value(a).map_err(|e| spec_error("actions", e))?,
        None => SlaActions::standard(),
    };
    let entry = audit(
        state,
        auth,
        if id.is_some() {
            "sla_policy.update"
        } else {
            "sla_policy.create"
        },
    )
    .target("sla_policy", id)
    .detail(serde_json::json!({ "name": policy.name, "priority": policy.priority }));
    let saved = state
        .store
        .sla()
        .put_policy(id, &policy, &actions, b.active, &entry)
        .await
        .map_err(|e| match e {
            ventanilla_store::StoreError::Invalid(m) => {
                ValidationError::new("policy.calendar_id", m).into()
            }
            other => conflict_on(other, "name"),
        })?;
    state.refdata.invalidate();
    crate::jobs::reapply_sla_later(state, state.now()).await?;
    Ok(saved)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// `queued`, `running`, `done` or `dead`.
    pub status: Option<String>,
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// The job queue (newest first): admins look here for dead jobs.
#[utoipa::path(get, path = "/jobs", tag = "sla", params(JobsQuery), responses((status = 200, body = Vec<Job>), (status = 403, body = ErrorBody)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<JobsQuery>,
) -> AppResult<Json<Vec<Job>>> {
    auth.require(Permission::ConfigManage)?;
    let page = ventanilla_domain::directory::PageRequest::new(q.after, q.limit)?;
    Ok(Json(
        state
            .store
            .jobs()
            .list(q.status.as_deref(), q.after, i64::from(page.limit))
            .await?,
    ))
}

/// Puts a dead job back in the queue.
#[utoipa::path(post, path = "/jobs/{id}/retry", tag = "sla", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn retry_job(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    auth.require(Permission::ConfigManage)?;
    state.store.jobs().retry(id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
