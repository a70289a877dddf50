//! `/organisations`: customers (or the company itself) whose people raise tickets.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::directory::{
    Department, NAME_MAX, NewOrganisation, Organisation, OrganisationPatch, Page,
};
use ventanilla_domain::{OrganisationId, Permission, Text};
use ventanilla_store::directory::OrganisationFilter;

use super::types::{PageQuery, audit, double_option};
use super::users::conflict_on;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub q: Option<String>,
    pub active: Option<bool>,
    /// The `next` value of the previous page.
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisation {
    pub name: String,
    /// Optional short code, unique (e.g. `ACME`).
    pub code: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganisation {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Lists organisations.
#[utoipa::path(get, path = "/organisations", tag = "people", params(ListQuery),
    responses((status = 200, body = Page<Organisation>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Page<Organisation>>> {
    auth.require(Permission::OrganisationsRead)?;
    let filter = OrganisationFilter {
        q: q.q,
        active: q.active,
        only: None,
    };
    Ok(Json(
        state
            .store
            .organisations()
            .list(&filter, PageQuery::of(q.after, q.limit)?)
            .await?,
    ))
}

/// Creates an organisation.
#[utoipa::path(post, path = "/organisations", tag = "people", request_body = CreateOrganisation,
    responses((status = 201, body = Organisation), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateOrganisation>,
) -> AppResult<(StatusCode, Json<Organisation>)> {
    auth.require(Permission::OrganisationsManage)?;
    let new = NewOrganisation::parse(&req.name, req.code.as_deref())?;
    let entry = audit(&state, &auth, "organisation.create")
        .target("organisation", None)
        .detail(serde_json::json!({ "name": new.name, "code": new.code }));
    let org = state
        .store
        .organisations()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "name or code"))?;
    Ok((StatusCode::CREATED, Json(org)))
}

/// Reads an organisation: with `organisations.read`, or one's own.
#[utoipa::path(get, path = "/organisations/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Organisation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Organisation>> {
    let id = OrganisationId(id);
    if auth.actor.organisation_id != Some(id) {
        auth.require(Permission::OrganisationsRead)?;
    }
    Ok(Json(state.store.organisations().get(id).await?))
}

/// Changes an organisation (deactivate with `"active": false`).
#[utoipa::path(patch, path = "/organisations/{id}", tag = "people", params(("id" = i64, Path)), request_body = UpdateOrganisation,
    responses((status = 200, body = Organisation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<UpdateOrganisation>,
) -> AppResult<Json<Organisation>> {
    auth.require(Permission::OrganisationsManage)?;
    let patch = OrganisationPatch {
        name: req
            .name
            .as_deref()
            .map(|n| Text::parse("name", n, NAME_MAX))
            .transpose()?,
        code: req
            .code
            .as_ref()
            .map(|c| Text::parse_optional("code", c.as_deref(), 50))
            .transpose()?,
        active: req.active,
    };
    let entry = audit(&state, &auth, "organisation.update")
        .target("organisation", Some(id))
        .detail(serde_json::json!({
            "name": patch.name, "code": patch.code, "active": patch.active,
        }));
    let (_, after) = state
        .store
        .organisations()
        .update(OrganisationId(id), &patch, &entry)
        .await
        .map_err(|e| conflict_on(e, "name or code"))?;
    Ok(Json(after))
}

/// Lists the departments of an organisation.
#[utoipa::path(get, path = "/organisations/{id}/departments", tag = "people", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<Department>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn departments(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(page): Query<PageQuery>,
) -> AppResult<Json<Page<Department>>> {
    let id = OrganisationId(id);
    if auth.actor.organisation_id != Some(id) {
        auth.require(Permission::OrganisationsRead)?;
    }
    state
        .store
        .organisations()
        .get(id)
        .await
        .map_err(|_| AppError::NotFound)?;
    Ok(Json(
        state
            .store
            .departments()
            .list(Some(id), page.page()?)
            .await?,
    ))
}
