//! `/categories` (the editable classification tree) and `/settings/priority-matrix` (the
//! editable impact × urgency matrix), SPEC C2.

pub use crate::desk::directory::categories::{CreateCategory, UpdateCategory};
use axum::extract::State;
use axum::http::StatusCode;
use ventanilla_domain::ticket::{Category, PriorityMatrix};

use crate::AppState;
use crate::auth::Auth;
use crate::desk::tickets::matrix;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path};

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
    Ok((
        StatusCode::CREATED,
        Json(
            crate::desk::directory::categories::create_category(&state, &auth.caller(), req)
                .await?,
        ),
    ))
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
    Ok(Json(
        crate::desk::directory::categories::update_category(&state, &auth.caller(), id, req)
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
    Ok(Json(
        crate::desk::directory::categories::save_matrix(&state, &auth.caller(), m).await?,
    ))
}
