//! `/users`: the people directory. Requesters see only themselves; listing needs
//! `users.read` (scoped in the SQL); creating and changing others needs `users.manage`.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::access::Scope;
use ventanilla_domain::directory::{NAME_MAX, NewUser, PHONE_MAX, Page, User, UserPatch};
use ventanilla_domain::{
    DepartmentId, Email, Language, OrganisationId, Permission, Text, TimeZoneName, UserId,
    ValidationError,
};
use ventanilla_store::users::UserFilter;

use super::types::{PageQuery, audit, double_option};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name or email.
    pub q: Option<String>,
    pub organisation_id: Option<i64>,
    /// Role name, e.g. `agent`.
    pub role: Option<String>,
    pub active: Option<bool>,
    /// The `next` value of the previous page.
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub organisation_id: Option<i64>,
    pub department_id: Option<i64>,
    /// `es` (default) or `en`.
    pub language: Option<String>,
    /// IANA time zone, default `Europe/Madrid`.
    pub time_zone: Option<String>,
    /// Role name: `requester` (default), `agent`, `supervisor`, `admin` or a custom role.
    pub role: Option<String>,
    #[serde(default)]
    pub organisation_manager: bool,
    /// Optional initial password (at least 10 characters). Without one the user cannot sign
    /// in with a password until one is set.
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub email: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub organisation_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    pub role: Option<String>,
    pub organisation_manager: Option<bool>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
    /// Required when changing one's own password.
    pub current_password: Option<String>,
}

/// Lists users visible to the caller.
#[utoipa::path(get, path = "/users", tag = "people", params(ListQuery),
    responses((status = 200, body = Page<User>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Page<User>>> {
    auth.require(Permission::UsersRead)?;
    let filter = UserFilter {
        q: q.q,
        organisation_id: q.organisation_id.map(OrganisationId),
        role: q.role,
        active: q.active,
    };
    Ok(Json(
        state
            .store
            .users()
            .list(&auth.actor, &filter, PageQuery::of(q.after, q.limit)?)
            .await?,
    ))
}

/// Creates a user.
#[utoipa::path(post, path = "/users", tag = "people", request_body = CreateUser,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateUser>,
) -> AppResult<(StatusCode, Json<User>)> {
    auth.require(Permission::UsersManage)?;
    let role = state
        .store
        .roles()
        .by_name(
            req.role
                .as_deref()
                .unwrap_or(ventanilla_domain::access::REQUESTER),
        )
        .await
        .map_err(|e| not_found_as(e, "role", "is not a known role"))?;
    let organisation_id = req.organisation_id.map(OrganisationId);
    let department_id = req.department_id.map(DepartmentId);
    check_placement(&state, organisation_id, department_id).await?;
    let password_hash = match req.password {
        Some(p) => Some(state.passwords.hash(p).await?),
        None => None,
    };
    let new = NewUser {
        email: Email::parse(&req.email)?,
        name: Text::parse("name", &req.name, NAME_MAX)?,
        phone: Text::parse_optional("phone", req.phone.as_deref(), PHONE_MAX)?,
        organisation_id,
        department_id,
        language: req
            .language
            .as_deref()
            .map_or(Ok(Language::Es), str::parse)?,
        time_zone: match req.time_zone.as_deref() {
            Some(z) => TimeZoneName::parse(z)?,
            None => state.config.defaults.time_zone()?,
        },
        role_id: role.id,
        organisation_manager: req.organisation_manager,
        password_hash,
    };
    let entry = audit(&state, &auth, "user.create")
        .target("user", None)
        .detail(serde_json::json!({
            "email": new.email, "name": new.name, "role": role.name,
            "organisation_id": new.organisation_id, "department_id": new.department_id,
        }));
    let user = state
        .store
        .users()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "email"))?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Reads one user: oneself always; others with `users.read` within the caller's scope.
#[utoipa::path(get, path = "/users/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<User>> {
    let id = UserId(id);
    if !auth.actor.is_self(id) {
        auth.require(Permission::UsersRead)?;
    }
    let user = state.store.users().get(id).await?;
    ensure_visible(&auth, &user)?;
    Ok(Json(user))
}

/// A user outside the caller's data scope is reported as absent, not forbidden, so ids
/// cannot be probed.
fn ensure_visible(auth: &Auth, user: &User) -> AppResult<()> {
    let visible = auth.actor.is_self(user.id)
        || match auth.actor.effective_scope() {
            Scope::Own => false,
            Scope::Organisation => {
                user.organisation_id.is_some() && user.organisation_id == auth.actor.organisation_id
            }
            Scope::Group | Scope::All => true,
        };
    if visible {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Changes a user. Users may change their own name, phone, language and time zone; all
/// other changes, and changes to others, need `users.manage`.
#[utoipa::path(patch, path = "/users/{id}", tag = "people", params(("id" = i64, Path)), request_body = UpdateUser,
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<UpdateUser>,
) -> AppResult<Json<User>> {
    let id = UserId(id);
    let admin_fields = req.email.is_some()
        || req.organisation_id.is_some()
        || req.department_id.is_some()
        || req.role.is_some()
        || req.organisation_manager.is_some()
        || req.active.is_some();
    if !auth.actor.is_self(id) || admin_fields {
        auth.require(Permission::UsersManage)?;
    }
    let current = state.store.users().get(id).await?;
    let role_id = match &req.role {
        Some(name) => Some(
            state
                .store
                .roles()
                .by_name(name)
                .await
                .map_err(|e| not_found_as(e, "role", "is not a known role"))?
                .id,
        ),
        None => None,
    };
    // An administrator cannot lock themself out by accident.
    if auth.actor.is_self(id)
        && (req.active == Some(false) || role_id.is_some_and(|r| r != current.role_id))
    {
        return Err(AppError::Conflict(
            "you cannot deactivate yourself or change your own role".into(),
        ));
    }
    let patch = UserPatch {
        email: req.email.as_deref().map(Email::parse).transpose()?,
        name: req
            .name
            .as_deref()
            .map(|n| Text::parse("name", n, NAME_MAX))
            .transpose()?,
        phone: req
            .phone
            .as_ref()
            .map(|p| Text::parse_optional("phone", p.as_deref(), PHONE_MAX))
            .transpose()?,
        organisation_id: req.organisation_id.map(|o| o.map(OrganisationId)),
        department_id: req.department_id.map(|d| d.map(DepartmentId)),
        language: req.language.as_deref().map(str::parse).transpose()?,
        time_zone: req
            .time_zone
            .as_deref()
            .map(TimeZoneName::parse)
            .transpose()?,
        role_id,
        organisation_manager: req.organisation_manager,
        active: req.active,
    };
    if patch.is_empty() {
        return Ok(Json(current));
    }
    check_placement(
        &state,
        patch.organisation_id.unwrap_or(current.organisation_id),
        patch.department_id.unwrap_or(current.department_id),
    )
    .await?;
    let entry = audit(&state, &auth, "user.update")
        .target("user", Some(id.get()))
        .detail(serde_json::json!({
            "email": patch.email, "name": patch.name, "phone": patch.phone,
            "organisation_id": patch.organisation_id, "department_id": patch.department_id,
            "language": patch.language, "time_zone": patch.time_zone, "role": req.role,
            "organisation_manager": patch.organisation_manager, "active": patch.active,
        }));
    let (_, after) = state
        .store
        .users()
        .update(id, &patch, &entry)
        .await
        .map_err(|e| conflict_on(e, "email"))?;
    Ok(Json(after))
}

/// Sets a password: one's own with the current password, anyone's with `users.manage`.
/// Every session of the user ends.
#[utoipa::path(put, path = "/users/{id}/password", tag = "people", params(("id" = i64, Path)), request_body = SetPassword,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn set_password(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<SetPassword>,
) -> AppResult<StatusCode> {
    let id = UserId(id);
    if auth.actor.is_self(id) {
        let user = state.store.users().get(id).await?;
        let creds = state.store.users().credentials(&user.email).await?;
        let current = req.current_password.unwrap_or_default();
        // A stolen session must not become a password oracle: the current-password check is
        // throttled like sign-in (per user, the account limit), the attempt taken first.
        let key = crate::auth::throttle::password_change_key(id);
        let permit = crate::auth::throttle::take(
            &state,
            &[(key, state.config.auth.max_failures_per_account)],
        )
        .await?;
        if !state.passwords.verify(current, creds.password_hash).await? {
            drop(permit);
            return Err(ValidationError::new("current_password", "is not correct").into());
        }
        crate::auth::throttle::succeeded(&state, permit).await?;
    } else {
        auth.require(Permission::UsersManage)?;
    }
    let hash = state.passwords.hash(req.password).await?;
    let entry = audit(&state, &auth, "user.password").target("user", Some(id.get()));
    state
        .store
        .users()
        .set_password_hash(id, &hash, &entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A department must belong to the user's organisation.
async fn check_placement(
    state: &AppState,
    org: Option<OrganisationId>,
    dept: Option<DepartmentId>,
) -> AppResult<()> {
    if let Some(o) = org {
        state
            .store
            .organisations()
            .get(o)
            .await
            .map_err(|e| not_found_as(e, "organisation_id", "does not exist"))?;
    }
    if let Some(d) = dept {
        let dept = state
            .store
            .departments()
            .get(d)
            .await
            .map_err(|e| not_found_as(e, "department_id", "does not exist"))?;
        if Some(dept.organisation_id) != org {
            return Err(
                ValidationError::new("department_id", "belongs to another organisation").into(),
            );
        }
    }
    Ok(())
}

/// A reference in the body that names nothing is the caller's input error (422), not 404.
pub fn not_found_as(e: ventanilla_store::StoreError, field: &str, message: &str) -> AppError {
    match e {
        ventanilla_store::StoreError::NotFound => ValidationError::new(field, message).into(),
        other => other.into(),
    }
}

/// A unique-constraint conflict reported against the field the caller can change.
pub fn conflict_on(e: ventanilla_store::StoreError, field: &str) -> AppError {
    match e {
        ventanilla_store::StoreError::Conflict { .. } => {
            AppError::Conflict(format!("{field} is already in use"))
        }
        other => other.into(),
    }
}
