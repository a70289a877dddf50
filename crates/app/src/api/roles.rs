//! `/roles`: the built-in roles and custom roles made of named permissions.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::access::{Role, Scope};
use ventanilla_domain::{Permission, Text, ValidationError};

use super::types::audit;
use super::users::conflict_on;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppResult, ErrorBody};
use crate::extract::Json;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRole {
    pub name: String,
    /// `own`, `organisation`, `group` or `all`.
    pub scope: String,
    /// Permission names, e.g. `tickets.read`.
    pub permissions: Vec<String>,
}

/// Lists roles with their permissions and data scope.
#[utoipa::path(get, path = "/roles", tag = "access",
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Role>>> {
    if !auth.actor.can(Permission::RolesManage) {
        auth.require(Permission::UsersManage)?;
    }
    Ok(Json(state.store.roles().list().await?))
}

/// Creates a custom role.
#[utoipa::path(post, path = "/roles", tag = "access", request_body = CreateRole,
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateRole>,
) -> AppResult<(StatusCode, Json<Role>)> {
    auth.require(Permission::RolesManage)?;
    let name = Text::parse("name", &req.name, 50)?;
    if !name
        .as_str()
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(ValidationError::new("name", "use lowercase letters, digits, - and _").into());
    }
    let scope: Scope = req.scope.parse()?;
    let permissions = req
        .permissions
        .iter()
        .map(|p| p.parse::<Permission>())
        .collect::<Result<_, _>>()?;
    let role = state
        .store
        .roles()
        .create(name.as_str(), scope, &permissions)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    let entry = audit(&state, &auth, "role.create")
        .target("role", Some(role.id.get()))
        .detail(serde_json::json!({ "name": role.name, "scope": role.scope, "permissions": role.permissions }));
    state.store.audit().record(&entry).await?;
    Ok((StatusCode::CREATED, Json(role)))
}
