//! `/calendars` (business hours, holidays, exceptions; holidays importable from `.ics`),
//! `/sla-policies` (targets per priority, organisation and category, with the actions at
//! warning and breach) and `/jobs` (the job queue, dead jobs retried by admins).

pub use crate::desk::sla::{
    CalendarBody, PolicyBody, import_holidays_text, put_calendar, put_policy, spec_error,
};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use ventanilla_domain::Permission;
use ventanilla_store::jobs::Job;
use ventanilla_store::sla::{StoredCalendar, StoredPolicy};

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

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
        Json(put_calendar(&state, &auth.caller(), None, b).await?),
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
    Ok(Json(
        put_calendar(&state, &auth.caller(), Some(id), b).await?,
    ))
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
    Ok(Json(
        import_holidays_text(&state, &auth.caller(), id, &body).await?,
    ))
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
        Json(put_policy(&state, &auth.caller(), None, b).await?),
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
    Ok(Json(put_policy(&state, &auth.caller(), Some(id), b).await?))
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
