//! `/organisations`: customers (or the company itself) whose people raise tickets.

pub use crate::desk::directory::organisations::{
    CreateOrganisation, ListQuery, UpdateOrganisation,
};
use axum::extract::State;
use axum::http::StatusCode;
use ventanilla_domain::directory::{Department, Organisation, Page};
use ventanilla_domain::{OrganisationId, Permission};
use ventanilla_store::directory::OrganisationFilter;

use super::types::PageQuery;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

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
    Ok((
        StatusCode::CREATED,
        Json(
            crate::desk::directory::organisations::create_organisation(&state, &auth.caller(), req)
                .await?,
        ),
    ))
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
    Ok(Json(
        crate::desk::directory::organisations::update_organisation(&state, &auth.caller(), id, req)
            .await?,
    ))
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
