//! Administration of support groups: the new-group page and one page per group (name, tier,
//! description, email, active) with its members — add, make or unmake supervisor, remove.
//! Saves go through the API's handlers; refusals come back beside the fields.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::directory::{GroupMember, SupportGroup, User};
use ventanilla_domain::{GroupId, Permission};

use super::edit::{checked, opt, saved, submit};
use crate::AppState;
use crate::desk::directory::groups::{CreateGroup, UpdateGroup};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;
use crate::web::kit::staff::Staff;

const FIELDS: &[&str] = &["name", "tier", "description", "email", "active"];

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct GroupForm {
    pub name: String,
    pub tier: String,
    pub description: String,
    pub email: String,
    pub active: String,
}

impl GroupForm {
    fn of(g: &SupportGroup) -> Self {
        GroupForm {
            name: g.name.clone(),
            tier: g.tier.code().into(),
            description: g.description.clone().unwrap_or_default(),
            email: g.email.clone().unwrap_or_default(),
            active: if g.active { "on" } else { "" }.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/group.html")]
struct GroupPage {
    c: Ctx,
    group: Option<SupportGroup>,
    form: GroupForm,
    errors: FieldErrors,
    members: Vec<GroupMember>,
    /// Staff who are not members yet (only staff may join a group).
    candidates: Vec<User>,
    member_errors: FieldErrors,
}

impl GroupPage {
    async fn load(
        state: &AppState,
        viewer: &Viewer,
        group: Option<SupportGroup>,
        form: GroupForm,
    ) -> WebResult<GroupPage> {
        let mut c = viewer.ctx(if group.is_some() {
            "edit-group"
        } else {
            "new-group"
        });
        let (members, candidates) = match &group {
            Some(g) => {
                c.title = format!("{} · {}", c.title, g.name);
                let members = state.store.groups().members(g.id).await?;
                let candidates = Staff::load_for(state, viewer)
                    .await?
                    .people
                    .into_iter()
                    .filter(|u| !members.iter().any(|m| m.user_id == u.id))
                    .collect();
                (members, candidates)
            }
            None => (Vec::new(), Vec::new()),
        };
        Ok(GroupPage {
            c,
            group,
            form,
            errors: FieldErrors::default(),
            members,
            candidates,
            member_errors: FieldErrors::default(),
        })
    }
}

pub async fn new_page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::GroupsManage)?;
    let form = GroupForm {
        tier: "L1".into(),
        active: "on".into(),
        ..GroupForm::default()
    };
    render(&GroupPage::load(&state, &viewer, None, form).await?)
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<GroupForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::GroupsManage)?;
    let save = async {
        let req = CreateGroup {
            name: form.name.clone(),
            tier: form.tier.trim().to_owned(),
            description: opt(&form.description),
            email: opt(&form.email),
            members: Vec::new(),
        };
        let g = crate::desk::directory::groups::create_group(&state, &viewer.caller(), req).await?;
        Ok(format!("/admin/groups/{}", g.group.id))
    };
    let page = GroupPage::load(&state, &viewer, None, form.clone());
    submit(viewer.lang, FIELDS, save, page, |p, errors| {
        p.errors = errors
    })
    .await
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::GroupsManage)?;
    let group = state.store.groups().get(GroupId(id)).await?;
    let form = GroupForm::of(&group);
    render(&GroupPage::load(&state, &viewer, Some(group), form).await?)
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<GroupForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::GroupsManage)?;
    let current = state.store.groups().get(GroupId(id)).await?;
    let save = async {
        let description = opt(&form.description);
        let email = opt(&form.email);
        let active = checked(&form.active);
        let req = UpdateGroup {
            name: (form.name.trim() != current.name).then(|| form.name.clone()),
            tier: (form.tier.trim() != current.tier.code()).then(|| form.tier.trim().to_owned()),
            description: (description != current.description).then_some(description),
            email: (email != current.email).then_some(email),
            active: (active != current.active).then_some(active),
        };
        let unchanged = req.name.is_none()
            && req.tier.is_none()
            && req.description.is_none()
            && req.email.is_none()
            && req.active.is_none();
        if !unchanged {
            crate::desk::directory::groups::update_group(&state, &viewer.caller(), id, req).await?;
        }
        Ok(format!("/admin/groups/{id}"))
    };
    let page = GroupPage::load(&state, &viewer, Some(current.clone()), form.clone());
    submit(viewer.lang, FIELDS, save, page, |p, errors| {
        p.errors = errors
    })
    .await
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    group_id: String,
    user_id: String,
    supervisor: String,
    /// Where to go back to: `group` (the group's page) or the overview.
    back: String,
}

fn num(s: &str) -> i64 {
    s.trim().parse::<i64>().unwrap_or(0)
}

/// Adds a member, or changes whether they supervise the group.
pub async fn put_member(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<MemberForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::GroupsManage)?;
    let (gid, uid) = (num(&form.group_id), num(&form.user_id));
    let save = async {
        crate::desk::directory::groups::put_member(
            &state,
            &viewer.caller(),
            gid,
            uid,
            checked(&form.supervisor),
        )
        .await?;
        Ok(if form.back == "group" {
            format!("/admin/groups/{gid}#members")
        } else {
            "/admin#groups".to_owned()
        })
    };
    let page = async {
        let group = state.store.groups().get(GroupId(gid)).await?;
        let form = GroupForm::of(&group);
        GroupPage::load(&state, &viewer, Some(group), form).await
    };
    submit(viewer.lang, &["user_id"], save, page, |p, errors| {
        p.member_errors = errors
    })
    .await
}

/// Removes a member from a group.
pub async fn remove_member(
    State(state): State<AppState>,
    Path((gid, uid)): Path<(i64, i64)>,
    CsrfForm { viewer, .. }: CsrfForm<MemberForm>,
) -> WebResult<Response> {
    crate::desk::directory::groups::remove_member(&state, &viewer.caller(), gid, uid).await?;
    Ok(saved(&format!("/admin/groups/{gid}#members")))
}
