//! `/groups`: support groups with a tier (L1 service desk, L2/L3 specialists and external
//! suppliers) and their members.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::directory::{
    DESCRIPTION_MAX, GroupMember, GroupPatch, NAME_MAX, NewGroup, Page, SupportGroup,
};
use ventanilla_domain::{Email, GroupId, Permission, Text, Tier, UserId, ValidationError};
use ventanilla_store::groups::GroupFilter;

use super::types::{PageQuery, audit, double_option};
use super::users::{conflict_on, not_found_as};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupWithMembers {
    #[serde(flatten)]
    pub group: SupportGroup,
    pub members: Vec<GroupMember>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub q: Option<String>,
    /// `L1`, `L2` or `L3`.
    pub tier: Option<String>,
    pub active: Option<bool>,
    /// Only groups this user belongs to.
    pub member: Option<i64>,
    /// The `next` value of the previous page.
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub user_id: i64,
    #[serde(default)]
    pub supervisor: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    pub name: String,
    /// `L1`, `L2` or `L3`.
    pub tier: String,
    pub description: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub members: Vec<MemberInput>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroup {
    pub name: Option<String>,
    pub tier: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutMember {
    #[serde(default)]
    pub supervisor: bool,
}

/// Lists groups with their members.
#[utoipa::path(get, path = "/groups", tag = "people", params(ListQuery),
    responses((status = 200, body = Page<GroupWithMembers>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Page<GroupWithMembers>>> {
    auth.require(Permission::GroupsRead)?;
    let filter = GroupFilter {
        q: q.q,
        tier: q.tier.as_deref().map(str::parse::<Tier>).transpose()?,
        active: q.active,
        member: q.member.map(UserId),
    };
    let page = state
        .store
        .groups()
        .list(&filter, PageQuery::of(q.after, q.limit)?)
        .await?;
    Ok(Json(Page {
        next: page.next,
        items: page
            .items
            .into_iter()
            .map(|(group, members)| GroupWithMembers { group, members })
            .collect(),
    }))
}

/// Creates a group, optionally with its first members.
#[utoipa::path(post, path = "/groups", tag = "people", request_body = CreateGroup,
    responses((status = 201, body = GroupWithMembers), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateGroup>,
) -> AppResult<(StatusCode, Json<GroupWithMembers>)> {
    auth.require(Permission::GroupsManage)?;
    let new = NewGroup {
        name: Text::parse("name", &req.name, NAME_MAX)?,
        tier: req.tier.parse()?,
        description: Text::parse_optional(
            "description",
            req.description.as_deref(),
            DESCRIPTION_MAX,
        )?,
        email: req.email.as_deref().map(Email::parse).transpose()?,
    };
    // Check every member before creating anything, so a bad member id creates nothing.
    for m in &req.members {
        ensure_agent(&state, UserId(m.user_id)).await?;
    }
    let entry = audit(&state, &auth, "group.create")
        .target("group", None)
        .detail(serde_json::json!({ "name": new.name, "tier": new.tier }));
    let group = state
        .store
        .groups()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    state.refdata.invalidate();
    for m in &req.members {
        let entry = audit(&state, &auth, "group.member.put")
            .target("group", Some(group.id.get()))
            .detail(serde_json::json!({ "user_id": m.user_id, "supervisor": m.supervisor }));
        state
            .store
            .groups()
            .put_member(group.id, UserId(m.user_id), m.supervisor, &entry)
            .await?;
    }
    let members = state.store.groups().members(group.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(GroupWithMembers { group, members }),
    ))
}

/// Reads a group and its members.
#[utoipa::path(get, path = "/groups/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = GroupWithMembers), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<GroupWithMembers>> {
    auth.require(Permission::GroupsRead)?;
    let group = state.store.groups().get(GroupId(id)).await?;
    let members = state.store.groups().members(group.id).await?;
    Ok(Json(GroupWithMembers { group, members }))
}

/// Changes a group.
#[utoipa::path(patch, path = "/groups/{id}", tag = "people", params(("id" = i64, Path)), request_body = UpdateGroup,
    responses((status = 200, body = GroupWithMembers), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<UpdateGroup>,
) -> AppResult<Json<GroupWithMembers>> {
    auth.require(Permission::GroupsManage)?;
    let patch = GroupPatch {
        name: req
            .name
            .as_deref()
            .map(|n| Text::parse("name", n, NAME_MAX))
            .transpose()?,
        tier: req.tier.as_deref().map(str::parse).transpose()?,
        description: req
            .description
            .as_ref()
            .map(|d| Text::parse_optional("description", d.as_deref(), DESCRIPTION_MAX))
            .transpose()?,
        email: req
            .email
            .as_ref()
            .map(|e| e.as_deref().map(Email::parse).transpose())
            .transpose()?,
        active: req.active,
    };
    let entry = audit(&state, &auth, "group.update")
        .target("group", Some(id))
        .detail(serde_json::json!({
            "name": patch.name, "tier": patch.tier, "description": patch.description,
            "email": patch.email, "active": patch.active,
        }));
    let (_, group) = state
        .store
        .groups()
        .update(GroupId(id), &patch, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    state.refdata.invalidate();
    let members = state.store.groups().members(group.id).await?;
    Ok(Json(GroupWithMembers { group, members }))
}

/// Adds a member to a group, or changes whether they supervise it.
#[utoipa::path(put, path = "/groups/{id}/members/{user_id}", tag = "people",
    params(("id" = i64, Path), ("user_id" = i64, Path)), request_body = PutMember,
    responses((status = 200, body = GroupWithMembers), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, user_id)): Path<(i64, i64)>,
    body: axum::body::Bytes,
) -> AppResult<Json<GroupWithMembers>> {
    auth.require(Permission::GroupsManage)?;
    // The body is optional: an empty PUT adds a plain member.
    let supervisor = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        serde_json::from_slice::<PutMember>(&body)
            .map_err(|e| crate::error::AppError::InvalidJson(e.to_string()))?
            .supervisor
    };
    let group = state.store.groups().get(GroupId(id)).await?;
    ensure_agent(&state, UserId(user_id)).await?;
    let entry = audit(&state, &auth, "group.member.put")
        .target("group", Some(id))
        .detail(serde_json::json!({ "user_id": user_id, "supervisor": supervisor }));
    state
        .store
        .groups()
        .put_member(group.id, UserId(user_id), supervisor, &entry)
        .await?;
    let members = state.store.groups().members(group.id).await?;
    Ok(Json(GroupWithMembers { group, members }))
}

/// Removes a member from a group.
#[utoipa::path(delete, path = "/groups/{id}/members/{user_id}", tag = "people",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, user_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    auth.require(Permission::GroupsManage)?;
    let entry = audit(&state, &auth, "group.member.remove")
        .target("group", Some(id))
        .detail(serde_json::json!({ "user_id": user_id }));
    state
        .store
        .groups()
        .remove_member(GroupId(id), UserId(user_id), &entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Only people who can work tickets belong in support groups.
async fn ensure_agent(state: &AppState, user: UserId) -> AppResult<()> {
    let actor = state
        .store
        .users()
        .actor(user)
        .await
        .map_err(|e| not_found_as(e, "user_id", "does not exist"))?
        .ok_or_else(|| ValidationError::new("user_id", "is not an active user"))?;
    if !actor.can(Permission::TicketsWork) {
        return Err(ValidationError::new(
            "user_id",
            "must be an agent, supervisor or administrator",
        )
        .into());
    }
    Ok(())
}
