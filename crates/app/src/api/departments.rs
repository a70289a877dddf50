//! `/departments`: the departments inside organisations.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::directory::{Department, NAME_MAX, NewDepartment, Page};
use ventanilla_domain::{DepartmentId, OrganisationId, Permission, Text};

use super::types::{PageQuery, audit};
use super::users::{conflict_on, not_found_as};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub organisation_id: Option<i64>,
    /// The `next` value of the previous page.
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDepartment {
    pub organisation_id: i64,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDepartment {
    pub name: String,
}

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
    auth.require(Permission::OrganisationsManage)?;
    let organisation_id = OrganisationId(req.organisation_id);
    state
        .store
        .organisations()
        .get(organisation_id)
        .await
        .map_err(|e| not_found_as(e, "organisation_id", "does not exist"))?;
    let new = NewDepartment {
        organisation_id,
        name: Text::parse("name", &req.name, NAME_MAX)?,
    };
    let entry = audit(&state, &auth, "department.create")
        .target("department", None)
        .detail(serde_json::json!({ "organisation_id": organisation_id, "name": new.name }));
    let dept = state
        .store
        .departments()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    Ok((StatusCode::CREATED, Json(dept)))
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
    auth.require(Permission::OrganisationsManage)?;
    let name = Text::parse("name", &req.name, NAME_MAX)?;
    let entry = audit(&state, &auth, "department.update")
        .target("department", Some(id))
        .detail(serde_json::json!({ "name": name }));
    let (_, after) = state
        .store
        .departments()
        .rename(DepartmentId(id), &name, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    Ok(Json(after))
}
