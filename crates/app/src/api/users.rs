//! `/users`: the people directory. Requesters see only themselves; listing needs
//! `users.read` (scoped in the SQL); creating and changing others needs `users.manage`.

pub use crate::desk::directory::users::{CreateUser, ListQuery, SetPassword, UpdateUser};
use axum::extract::State;
use axum::http::StatusCode;
use ventanilla_domain::access::Scope;
use ventanilla_domain::directory::{Page, User};
use ventanilla_domain::{OrganisationId, Permission, UserId, ValidationError};
use ventanilla_store::users::UserFilter;

use super::types::{PageQuery, audit};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

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
    Ok((
        StatusCode::CREATED,
        Json(crate::desk::directory::users::create_user(&state, &auth.caller(), req).await?),
    ))
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
    // Identity (issue 19): changing a role or deactivating needs a recent sign-in.
    if req.role.is_some() || req.active.is_some() {
        auth.require_recent(state.now(), state.config.identity.reauth_minutes)?;
    }
    Ok(Json(
        crate::desk::directory::users::update_user(&state, &auth.caller(), id, req).await?,
    ))
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
        // Identity (issue 19): a sensitive action needs a recent sign-in.
        auth.require_recent(state.now(), state.config.identity.reauth_minutes)?;
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
