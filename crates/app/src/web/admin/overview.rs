//! The administration overview: the priority matrix (edited here), and the directory (users,
//! organisations, departments, groups and members), the category tree and the SLA policies,
//! each linking to its own pages. Each list loads once (no per-row queries).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_domain::directory::{
    Department, GroupMember, Organisation, PageRequest, SupportGroup, User,
};
use ventanilla_domain::ticket::{Category, Impact, Priority, PriorityMatrix, Urgency};
use ventanilla_store::directory::OrganisationFilter;
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::sla::{StoredCalendar, StoredPolicy};
use ventanilla_store::users::UserFilter;

use crate::AppState;
use crate::desk::tickets::matrix;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, Viewer, render};

pub const LEVELS: [&str; 3] = ["high", "medium", "low"];
/// The overview lists the first users only; the users page searches and pages them all.
const OVERVIEW_USERS: u32 = 25;

pub const PRIORITIES: [&str; 5] = ["critical", "high", "medium", "low", "informational"];

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct AdminPage {
    c: Ctx,
    users: Vec<User>,
    organisations: Vec<Organisation>,
    departments: Vec<Department>,
    groups: Vec<(SupportGroup, Vec<GroupMember>)>,
    categories: Vec<(Category, usize)>,
    calendars: Vec<StoredCalendar>,
    policies: Vec<StoredPolicy>,
    matrix: PriorityMatrix,
}

impl AdminPage {
    /// The matrix cell for an impact and urgency, as its priority's code.
    fn cell(&self, impact: &str, urgency: &str) -> &'static str {
        match (impact.parse::<Impact>(), urgency.parse::<Urgency>()) {
            (Ok(i), Ok(u)) => self.matrix.get(i, u).as_str(),
            _ => "",
        }
    }

    fn has_departments(&self, id: &ventanilla_domain::OrganisationId) -> bool {
        self.departments.iter().any(|d| d.organisation_id == *id)
    }

    fn calendar_json(c: &StoredCalendar) -> String {
        serde_json::to_string_pretty(&c.calendar).unwrap_or_default()
    }

    fn hours(&self, d: &jiff::SignedDuration) -> String {
        crate::web::kit::duration::span(self.c.lang, d)
    }
}

pub async fn page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let page = || PageRequest::new(None, Some(200));
    let users = state
        .store
        .users()
        .list(
            &viewer.auth.actor,
            &UserFilter::default(),
            PageRequest::new(None, Some(OVERVIEW_USERS))?,
        )
        .await?
        .items;
    let organisations = state
        .store
        .organisations()
        .list(&OrganisationFilter::default(), page()?)
        .await?
        .items;
    let departments = state.store.departments().list(None, page()?).await?.items;
    let groups = state
        .store
        .groups()
        .list(&GroupFilter::default(), page()?)
        .await?
        .items;
    render(&AdminPage {
        c: viewer.ctx("nav-admin"),
        users,
        organisations,
        departments,
        groups,
        categories: super::categories::tree(&state.store.categories().list().await?),
        calendars: state.store.sla().calendars().await?,
        policies: state.store.sla().policies().await?,
        matrix: matrix::load(&state.store).await?,
    })
}

/// The matrix form: one field per impact × urgency cell, named `high_low` etc.
#[derive(Deserialize)]
pub struct MatrixForm {
    #[serde(flatten)]
    cells: std::collections::HashMap<String, String>,
}

pub async fn save_matrix(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<MatrixForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let mut m = matrix::load(&state.store).await?;
    for i in LEVELS {
        for u in LEVELS {
            let Some(v) = form.cells.get(&format!("{i}_{u}")) else {
                continue;
            };
            let p: Priority = v.parse()?;
            m.set(i.parse()?, u.parse()?, p);
        }
    }
    let entry = crate::desk::audit(&state, &viewer.caller(), "settings.priority_matrix")
        .detail(serde_json::to_value(m).unwrap_or_default());
    matrix::save(&state, &m, &entry).await?;
    Ok(Redirect::to("/admin?flash=saved").into_response())
}
