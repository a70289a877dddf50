//! `/departments`: the departments inside organisations.

pub use crate::desk::directory::departments::{CreateDepartment, ListQuery, UpdateDepartment};
use axum::extract::State;
use axum::http::StatusCode;
use ventanilla_domain::directory::{Department, Page};
use ventanilla_domain::{DepartmentId, OrganisationId, Permission};

use super::types::PageQuery;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

/// Lists departments, optionally of one organisation.
#[utoipa::path(get, path = "/departments", tag = "people", params(ListQuery),
    responses((status = 200, body = Page<Department>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Page<Department>>> {
    auth.require(Permission::OrganisationsRead)?;
    Ok(Json(
        state
            .store
            .departments()
            .list(
                q.organisation_id.map(OrganisationId),
                PageQuery::of(q.after, q.limit)?,
            )
            .await?,
    ))
}

/// Creates a department.
#[utoipa::path(post, path = "/departments", tag = "people", request_body = CreateDepartment,
    responses((status = 201, body = Department), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateDepartment>,
) -> AppResult<(StatusCode, Json<Department>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            crate::desk::directory::departments::create_department(&state, &auth.caller(), req)
                .await?,
        ),
    ))
}

/// Reads a department.
#[utoipa::path(get, path = "/departments/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Department), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Department>> {
    let dept = state.store.departments().get(DepartmentId(id)).await?;
    if auth.actor.organisation_id != Some(dept.organisation_id) {
        auth.require(Permission::OrganisationsRead)?;
    }
    Ok(Json(dept))
}

/// Renames a department.
#[utoipa::path(patch, path = "/departments/{id}", tag = "people", params(("id" = i64, Path)), request_body = UpdateDepartment,
    responses((status = 200, body = Department), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<UpdateDepartment>,
) -> AppResult<Json<Department>> {
    Ok(Json(
        crate::desk::directory::departments::update_department(&state, &auth.caller(), id, req)
            .await?,
    ))
}
