//! The administration's list of users: searched by name or email, filtered by role, paged
//! by key, with a quick (de)activation through the API's handler.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_domain::directory::{PageRequest, User};
use ventanilla_store::users::UserFilter;

use super::edit::{opt, saved};
use crate::AppState;
use crate::desk::directory::users::UpdateUser;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

#[derive(Template)]
#[template(path = "admin/users.html")]
struct ListPage {
    c: Ctx,
    q: ListQuery,
    users: Vec<User>,
    next: Option<i64>,
    roles: Vec<ventanilla_domain::access::Role>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    role: String,
    after: String,
}

/// The users, searched by name or email and paged by key.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    let filter = UserFilter {
        q: opt(&q.q),
        role: opt(&q.role),
        ..UserFilter::default()
    };
    let after = opt(&q.after).and_then(|a| a.parse().ok());
    let page = state
        .store
        .users()
        .list(
            &viewer.auth.actor,
            &filter,
            PageRequest::new(after, Some(50))?,
        )
        .await?;
    render(&ListPage {
        c: viewer.ctx("users"),
        q,
        users: page.items,
        next: page.next,
        roles: state.store.roles().list().await?,
    })
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    active: String,
}

/// The quick (de)activation from the lists.
pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<ActiveForm>,
) -> WebResult<Response> {
    let req = UpdateUser {
        active: Some(form.active == "true"),
        ..UpdateUser::default()
    };
    crate::desk::directory::users::update_user(&state, &viewer.caller(), id, req).await?;
    Ok(saved("/admin/users"))
}
