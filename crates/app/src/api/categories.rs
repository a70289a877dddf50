//! `/categories` (the editable classification tree) and `/settings/priority-matrix` (the
//! editable impact × urgency matrix), SPEC C2.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{Category, PriorityMatrix, parse_category_code};
use ventanilla_domain::{CategoryId, Permission, Text};
use ventanilla_store::categories::{CategoryPatch, NewCategory};

use super::types::{audit, double_option};
use super::users::{conflict_on, not_found_as};
use crate::AppState;
use crate::auth::Auth;
use crate::desk::tickets::matrix;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategory {
    /// Stable code, e.g. `hardware.printer`.
    pub code: String,
    pub parent_id: Option<i64>,
    pub name_es: String,
    pub name_en: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategory {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    pub name_es: Option<String>,
    pub name_en: Option<String>,
    pub active: Option<bool>,
}

/// The category tree (every signed-in user: the portal's form needs it).
#[utoipa::path(get, path = "/categories", tag = "configuration",
    responses((status = 200, body = Vec<Category>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _auth: Auth) -> AppResult<Json<Vec<Category>>> {
    Ok(Json(state.store.categories().list().await?))
}

/// Adds a category.
#[utoipa::path(post, path = "/categories", tag = "configuration", request_body = CreateCategory,
    responses((status = 201, body = Category), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateCategory>,
) -> AppResult<(StatusCode, Json<Category>)> {
    auth.require(Permission::ConfigManage)?;
    let parent_id = match req.parent_id {
        Some(p) => Some(
            state
                .store
                .categories()
                .get(CategoryId(p))
                .await
                .map_err(|e| not_found_as(e, "parent_id", "does not exist"))?
                .id,
        ),
        None => None,
    };
    let new = NewCategory {
        code: parse_category_code(&req.code)?,
        parent_id,
        name_es: Text::parse("name_es", &req.name_es, 200)?.into_string(),
        name_en: Text::parse("name_en", &req.name_en, 200)?.into_string(),
    };
    let entry = audit(&state, &auth, "category.create")
        .target("category", None)
        .detail(serde_json::json!({ "code": new.code }));
    let c = state
        .store
        .categories()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "code"))?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Renames, moves or retires a category (retired ones stay on old tickets).
#[utoipa::path(patch, path = "/categories/{id}", tag = "configuration", params(("id" = i64, Path)), request_body = UpdateCategory,
    responses((status = 200, body = Category), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<UpdateCategory>,
) -> AppResult<Json<Category>> {
    auth.require(Permission::ConfigManage)?;
    let patch = CategoryPatch {
        parent_id: match req.parent_id {
            Some(Some(p)) => Some(Some(
                state
                    .store
                    .categories()
                    .get(CategoryId(p))
                    .await
                    .map_err(|e| not_found_as(e, "parent_id", "does not exist"))?
                    .id,
            )),
            Some(None) => Some(None),
            None => None,
        },
        name_es: req
            .name_es
            .as_deref()
            .map(|n| Text::parse("name_es", n, 200).map(Text::into_string))
            .transpose()?,
        name_en: req
            .name_en
            .as_deref()
            .map(|n| Text::parse("name_en", n, 200).map(Text::into_string))
            .transpose()?,
        active: req.active,
    };
    let entry = audit(&state, &auth, "category.update").target("category", Some(id));
    Ok(Json(
        state
            .store
            .categories()
            .update(CategoryId(id), &patch, &entry)
            .await?,
    ))
}

/// The impact × urgency matrix in force.
#[utoipa::path(get, path = "/settings/priority-matrix", tag = "configuration",
    responses((status = 200, body = PriorityMatrix), (status = 401, body = ErrorBody)))]
pub async fn get_matrix(
    State(state): State<AppState>,
    _auth: Auth,
) -> AppResult<Json<PriorityMatrix>> {
    Ok(Json(matrix::load(&state.store).await?))
}

/// Replaces the matrix. Existing tickets keep their priority; new ones and re-derived ones
/// use the new matrix.
#[utoipa::path(put, path = "/settings/priority-matrix", tag = "configuration", request_body = PriorityMatrix,
    responses((status = 200, body = PriorityMatrix), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn put_matrix(
    State(state): State<AppState>,
    auth: Auth,
    Json(m): Json<PriorityMatrix>,
) -> AppResult<Json<PriorityMatrix>> {
    auth.require(Permission::ConfigManage)?;
    let entry = audit(&state, &auth, "settings.priority_matrix")
        .detail(serde_json::to_value(m).unwrap_or_default());
    matrix::save(&state, &m, &entry).await?;
    Ok(Json(m))
}
