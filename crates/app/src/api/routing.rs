//! Routing (issue 17): the caller's availability, who is available (supervisors), each
//! group's auto-assignment setting and each agent's skills.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::{GroupId, Permission, UserId};
use ventanilla_store::routing::{GroupRouting, TeamMember};

use crate::AppState;
use crate::auth::Auth;
pub use crate::desk::routing::{RoutingInput, SkillInput};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

/// An agent's availability.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityBody {
    /// `available`, `busy`, `away` or `off_shift`.
    pub availability: String,
}

/// The caller's availability (agents).
#[utoipa::path(get, path = "/me/availability", tag = "routing",
    responses((status = 200, body = AvailabilityBody), (status = 403, body = ErrorBody)))]
pub async fn get_availability(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<AvailabilityBody>> {
    let a = crate::desk::routing::my_availability(&state, &auth.caller()).await?;
    Ok(Json(AvailabilityBody {
        availability: a.as_str().to_owned(),
    }))
}

/// Sets the caller's availability (agents); only available agents are routed tickets.
#[utoipa::path(put, path = "/me/availability", tag = "routing", request_body = AvailabilityBody,
    responses((status = 200, body = AvailabilityBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_availability(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<AvailabilityBody>,
) -> AppResult<Json<AvailabilityBody>> {
    // Access before the body is judged: no refusal of a value to whom may not set it.
    auth.require(Permission::TicketsWork)?;
    let wanted = body.availability.parse()?;
    let a = crate::desk::routing::set_my_availability(&state, &auth.caller(), wanted).await?;
    Ok(Json(AvailabilityBody {
        availability: a.as_str().to_owned(),
    }))
}

/// Who is available: members of every group (supervisors, administrators) or of the groups
/// the caller supervises, with their open tickets.
#[utoipa::path(get, path = "/team", tag = "routing",
    responses((status = 200, body = Vec<TeamMember>), (status = 403, body = ErrorBody)))]
pub async fn team(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<TeamMember>>> {
    Ok(Json(
        crate::desk::routing::team(&state, &auth.caller()).await?,
    ))
}

/// A group's auto-assignment setting.
#[utoipa::path(get, path = "/groups/{id}/routing", tag = "routing", params(("id" = i64, Path)),
    responses((status = 200, body = GroupRouting), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_group(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<GroupRouting>> {
    Ok(Json(
        crate::desk::routing::group_routing(&state, &auth.caller(), GroupId(id)).await?,
    ))
}

/// Sets a group's auto-assignment (administrators).
#[utoipa::path(put, path = "/groups/{id}/routing", tag = "routing", params(("id" = i64, Path)), request_body = RoutingInput,
    responses((status = 200, body = GroupRouting), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_group(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<RoutingInput>,
) -> AppResult<Json<GroupRouting>> {
    auth.require(Permission::GroupsManage)?;
    let cmd = body.command()?;
    Ok(Json(
        crate::desk::routing::set_group_routing(&state, &auth.caller(), GroupId(id), cmd).await?,
    ))
}

/// An agent's skills.
#[utoipa::path(get, path = "/users/{id}/skills", tag = "routing", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<SkillInput>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_skills(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<SkillInput>>> {
    Ok(Json(
        crate::desk::routing::skills(&state, &auth.caller(), UserId(id)).await?,
    ))
}

/// Replaces an agent's skills (administrators).
#[utoipa::path(put, path = "/users/{id}/skills", tag = "routing", params(("id" = i64, Path)), request_body = Vec<SkillInput>,
    responses((status = 200, body = Vec<SkillInput>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_skills(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<Vec<SkillInput>>,
) -> AppResult<Json<Vec<SkillInput>>> {
    Ok(Json(
        crate::desk::routing::set_skills(&state, &auth.caller(), UserId(id), &body).await?,
    ))
}
