//! `/groups`: support groups with a tier (L1 service desk, L2/L3 specialists and external
//! suppliers) and their members.

pub use crate::desk::directory::groups::{
    CreateGroup, GroupWithMembers, ListQuery, MemberInput, PutMember, UpdateGroup,
};
use axum::extract::State;
use axum::http::StatusCode;
use ventanilla_domain::directory::Page;
use ventanilla_domain::{GroupId, Permission, Tier, UserId};
use ventanilla_store::groups::GroupFilter;

use super::types::PageQuery;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

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
    Ok((
        StatusCode::CREATED,
        Json(crate::desk::directory::groups::create_group(&state, &auth.caller(), req).await?),
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
    Ok(Json(
        crate::desk::directory::groups::update_group(&state, &auth.caller(), id, req).await?,
    ))
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
    // The body is optional: an empty PUT adds a plain member.
    let supervisor = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        crate::extract::parse_json::<PutMember>(&body)?.supervisor
    };
    Ok(Json(
        crate::desk::directory::groups::put_member(&state, &auth.caller(), id, user_id, supervisor)
            .await?,
    ))
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
    crate::desk::directory::groups::remove_member(&state, &auth.caller(), id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
