//! Administration forms for the directory: new users, activating and deactivating them, new
//! organisations, new support groups and their members. Each form calls the API's own
//! handler, so permissions, validation and the audit log are exactly the API's.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::error::WebResult;
use super::form::CsrfForm;
use crate::AppState;
use crate::api::groups::{self, CreateGroup};
use crate::api::organisations::{self, CreateOrganisation};
use crate::api::users::{self, CreateUser, UpdateUser};
use crate::extract::{Json, Path};

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn saved(anchor: &str) -> Response {
    Redirect::to(&format!("/admin?flash=saved#{anchor}")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserForm {
    email: String,
    name: String,
    role: String,
    language: String,
    organisation_id: String,
    password: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<UserForm>,
) -> WebResult<Response> {
    let req = CreateUser {
        email: form.email,
        name: form.name,
        phone: None,
        organisation_id: opt(&form.organisation_id).and_then(|o| o.parse().ok()),
        department_id: None,
        language: opt(&form.language),
        time_zone: None,
        role: opt(&form.role),
        organisation_manager: false,
        password: opt(&form.password),
    };
    users::create(State(state), viewer.auth, Json(req)).await?;
    Ok(saved("users"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<ActiveForm>,
) -> WebResult<Response> {
    let req = UpdateUser {
        active: Some(form.active == "true"),
        ..UpdateUser::default()
    };
    users::update(State(state), viewer.auth, Path(id), Json(req)).await?;
    Ok(saved("users"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrganisationForm {
    name: String,
    code: String,
}

pub async fn create_organisation(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<OrganisationForm>,
) -> WebResult<Response> {
    let req = CreateOrganisation {
        name: form.name,
        code: opt(&form.code),
    };
    organisations::create(State(state), viewer.auth, Json(req)).await?;
    Ok(saved("orgs"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GroupForm {
    name: String,
    tier: String,
}

pub async fn create_group(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<GroupForm>,
) -> WebResult<Response> {
    let req = CreateGroup {
        name: form.name,
        tier: form.tier,
        description: None,
        email: None,
        members: Vec::new(),
    };
    groups::create(State(state), viewer.auth, Json(req)).await?;
    Ok(saved("groups"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    group_id: String,
    user_id: String,
    supervisor: String,
}

pub async fn put_member(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<MemberForm>,
) -> WebResult<Response> {
    let num = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
    let body = serde_json::json!({ "supervisor": form.supervisor == "on" }).to_string();
    groups::put_member(
        State(state),
        viewer.auth,
        Path((num(&form.group_id), num(&form.user_id))),
        axum::body::Bytes::from(body),
    )
    .await?;
    Ok(saved("groups"))
}
