//! Support groups (SPEC C5): creating and changing groups and their members.

use crate::App;
use crate::desk::require;
use crate::desk::{DeskError, DeskResult, audit, missing_as};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::Caller;
use ventanilla_domain::directory::{
    DESCRIPTION_MAX, GroupMember, GroupPatch, NAME_MAX, NewGroup, SupportGroup,
};
use ventanilla_domain::{Email, GroupId, Permission, Text, UserId, ValidationError};

use super::{conflict_on, double_option};

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

/// Creates a group, optionally with its first members.
pub async fn create_group(
    app: &App,
    caller: &Caller,
    req: CreateGroup,
) -> DeskResult<GroupWithMembers> {
    require(caller, Permission::GroupsManage)?;
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
        ensure_agent(app, UserId(m.user_id)).await?;
    }
    let entry = audit(app, caller, "group.create")
        .target("group", None)
        .detail(serde_json::json!({ "name": new.name, "tier": new.tier }));
    let group = app
        .store
        .groups()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    app.refdata.invalidate();
    for m in &req.members {
        let entry = audit(app, caller, "group.member.put")
            .target("group", Some(group.id.get()))
            .detail(serde_json::json!({ "user_id": m.user_id, "supervisor": m.supervisor }));
        app.store
            .groups()
            .put_member(group.id, UserId(m.user_id), m.supervisor, &entry)
            .await?;
    }
    let members = app.store.groups().members(group.id).await?;
    Ok(GroupWithMembers { group, members })
}

/// Changes a group.
pub async fn update_group(
    app: &App,
    caller: &Caller,
    id: i64,
    req: UpdateGroup,
) -> DeskResult<GroupWithMembers> {
    require(caller, Permission::GroupsManage)?;
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
    let entry = audit(app, caller, "group.update")
        .target("group", Some(id))
        .detail(serde_json::json!({
            "name": patch.name, "tier": patch.tier, "description": patch.description,
            "email": patch.email, "active": patch.active,
        }));
    let (_, group) = app
        .store
        .groups()
        .update(GroupId(id), &patch, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    app.refdata.invalidate();
    let members = app.store.groups().members(group.id).await?;
    Ok(GroupWithMembers { group, members })
}

/// Adds a member to a group, or changes whether they supervise it.
pub async fn put_member(
    app: &App,
    caller: &Caller,
    id: i64,
    user_id: i64,
    supervisor: bool,
) -> DeskResult<GroupWithMembers> {
    require(caller, Permission::GroupsManage)?;
    let group = app.store.groups().get(GroupId(id)).await?;
    ensure_agent(app, UserId(user_id)).await?;
    let entry = audit(app, caller, "group.member.put")
        .target("group", Some(id))
        .detail(serde_json::json!({ "user_id": user_id, "supervisor": supervisor }));
    app.store
        .groups()
        .put_member(group.id, UserId(user_id), supervisor, &entry)
        .await?;
    let members = app.store.groups().members(group.id).await?;
    Ok(GroupWithMembers { group, members })
}

/// Removes a member from a group.
pub async fn remove_member(app: &App, caller: &Caller, id: i64, user_id: i64) -> DeskResult<()> {
    require(caller, Permission::GroupsManage)?;
    let entry = audit(app, caller, "group.member.remove")
        .target("group", Some(id))
        .detail(serde_json::json!({ "user_id": user_id }));
    app.store
        .groups()
        .remove_member(GroupId(id), UserId(user_id), &entry)
        .await?;
    unassign_from_group(app, caller, GroupId(id), UserId(user_id)).await
}

/// A ticket's assignee is always a member of its group (SPEC C5): someone leaving a group
/// gives back their open tickets in it, each with an entry saying why, so the group's
/// unassigned queue shows them again.
async fn unassign_from_group(
    app: &App,
    caller: &Caller,
    group: GroupId,
    user: UserId,
) -> DeskResult<()> {
    use ventanilla_domain::ticket::{Entry, Said, Status};
    use ventanilla_store::tickets::{Effects, TicketFilter, TicketScope, TicketSort};
    let filter = TicketFilter {
        group_id: Some(group),
        assignee_id: Some(Some(user)),
        statuses: Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect(),
        ..TicketFilter::default()
    };
    loop {
        let page = app
            .store
            .tickets()
            .list(&TicketScope::All, &filter, TicketSort::default(), None, 200)
            .await?;
        if page.items.is_empty() {
            return Ok(());
        }
        for t in page.items {
            crate::desk::tickets::write(app, t.id, None, Some(caller.user_id()), |t| {
                if t.group_id != Some(group) || t.assignee_id != Some(user) {
                    return Ok(Effects::default());
                }
                t.assignee_id = None;
                Ok::<_, DeskError>(
                    Effects::default().event(
                        Entry::change("assignee_id", Some(user.to_string()), None, false)
                            .saying(&Said::AssigneeNotMember),
                    ),
                )
            })
            .await?;
        }
    }
}

/// Only people who can work tickets belong in support groups.
pub async fn ensure_agent(app: &App, user: UserId) -> DeskResult<()> {
    let actor = app
        .store
        .users()
        .actor(user)
        .await
        .map_err(|e| missing_as(e, "user_id", "does not exist"))?
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
