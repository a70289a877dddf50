//! Time totals and resolution codes (issue 17).

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use ventanilla_domain::{TicketId, UserId, ValidationError};
use ventanilla_store::resolution_codes::ResolutionCode;

use crate::AppState;
use crate::auth::Auth;
pub use crate::desk::resolution::ResolutionCodeInput;
pub use crate::desk::time::{AgentDay, TicketTime, Total};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

/// Time spent on a ticket, by agent (user id) and by kind of entry.
#[utoipa::path(get, path = "/tickets/{id}/time", tag = "agent work", params(("id" = i64, Path)),
    responses((status = 200, body = TicketTime), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn ticket_time(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<TicketTime>> {
    Ok(Json(
        crate::desk::time::ticket_time(&state, &auth.caller(), TicketId(id)).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD` (at most 62 days after `from`).
    pub to: String,
    /// One agent; absent: everyone (supervisors and report readers).
    pub user_id: Option<i64>,
}

/// Minutes per agent per day, in the caller's time zone.
#[utoipa::path(get, path = "/time/days", tag = "agent work", params(DaysQuery),
    responses((status = 200, body = Vec<AgentDay>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn days(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DaysQuery>,
) -> AppResult<Json<Vec<AgentDay>>> {
    let day = |field: &str, v: &str| {
        v.parse::<jiff::civil::Date>()
            .map_err(|_| ValidationError::new(field, "must be a date YYYY-MM-DD"))
    };
    let (from, to) = (day("from", &q.from)?, day("to", &q.to)?);
    let me = state.store.users().get(auth.user_id()).await?;
    let tz = me.time_zone.zone();
    Ok(Json(
        crate::desk::time::agent_days(&state, &auth.caller(), q.user_id.map(UserId), from, to, &tz)
            .await?,
    ))
}

/// The list resolution codes are chosen from.
#[utoipa::path(get, path = "/resolution-codes", tag = "agent work",
    responses((status = 200, body = Vec<ResolutionCode>), (status = 403, body = ErrorBody)))]
pub async fn list_codes(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<ResolutionCode>>> {
    Ok(Json(
        crate::desk::resolution::list(&state, &auth.caller()).await?,
    ))
}

/// Adds or changes a resolution code (administrators); retire one with `active: false`.
#[utoipa::path(put, path = "/resolution-codes/{code}", tag = "agent work", params(("code" = String, Path)), request_body = ResolutionCodeInput,
    responses((status = 200, body = ResolutionCode), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_code(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Json(body): Json<ResolutionCodeInput>,
) -> AppResult<Json<ResolutionCode>> {
    Ok(Json(
        crate::desk::resolution::put(&state, &auth.caller(), &code, &body).await?,
    ))
}
