//! Administration of organisations and their departments: the new-organisation page, one
//! page per organisation (name, code, active, its departments and a form for a new one) and
//! one per department (its name; the API offers no move between organisations and no
//! deletion). Saves go through the API's handlers; refusals come back beside the fields.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::directory::{Department, Organisation, PageRequest};
use ventanilla_domain::{DepartmentId, OrganisationId, Permission};

use super::edit::{checked, opt, submit};
use crate::AppState;
use crate::desk::directory::departments::{CreateDepartment, UpdateDepartment};
use crate::desk::directory::organisations::{CreateOrganisation, UpdateOrganisation};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

type IdPath = Path<i64>;

const ORG_FIELDS: &[&str] = &["name", "code"];

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct OrganisationForm {
    pub name: String,
    pub code: String,
    pub active: String,
}

impl OrganisationForm {
    fn of(o: &Organisation) -> Self {
        OrganisationForm {
            name: o.name.clone(),
            code: o.code.clone().unwrap_or_default(),
            active: if o.active { "on" } else { "" }.into(),
        }
    }
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct DepartmentForm {
    pub organisation_id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "admin/organisation.html")]
struct OrganisationPage {
    c: Ctx,
    org: Option<Organisation>,
    form: OrganisationForm,
    errors: FieldErrors,
    departments: Vec<Department>,
    /// The new-department form, as typed, and its errors.
    department: DepartmentForm,
    department_errors: FieldErrors,
}

impl OrganisationPage {
    async fn load(
        state: &AppState,
        viewer: &Viewer,
        org: Option<Organisation>,
        form: OrganisationForm,
    ) -> WebResult<OrganisationPage> {
        let mut c = viewer.ctx(if org.is_some() {
            "edit-organisation"
        } else {
            "new-organisation"
        });
        let departments = match &org {
            Some(o) => {
                c.title = format!("{} · {}", c.title, o.name);
                state
                    .store
                    .departments()
                    .list(Some(o.id), PageRequest::new(None, Some(200))?)
                    .await?
                    .items
            }
            None => Vec::new(),
        };
        Ok(OrganisationPage {
            c,
            org,
            form,
            errors: FieldErrors::default(),
            departments,
            department: DepartmentForm::default(),
            department_errors: FieldErrors::default(),
        })
    }
}

pub async fn new_page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::OrganisationsManage)?;
    let form = OrganisationForm {
        active: "on".into(),
        ..OrganisationForm::default()
    };
    render(&OrganisationPage::load(&state, &viewer, None, form).await?)
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<OrganisationForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::OrganisationsManage)?;
    let save = async {
        let req = CreateOrganisation {
            name: form.name.clone(),
            code: opt(&form.code),
        };
        let o = crate::desk::directory::organisations::create_organisation(
            &state,
            &viewer.caller(),
            req,
        )
        .await?;
        Ok(format!("/admin/organisations/{}", o.id))
    };
    let page = OrganisationPage::load(&state, &viewer, None, form.clone());
    submit(viewer.lang, ORG_FIELDS, save, page, |p, errors| {
        p.errors = errors
    })
    .await
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): IdPath,
) -> WebResult<Response> {
    viewer.auth.require(Permission::OrganisationsManage)?;
    let org = state.store.organisations().get(OrganisationId(id)).await?;
    let form = OrganisationForm::of(&org);
    render(&OrganisationPage::load(&state, &viewer, Some(org), form).await?)
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): IdPath,
    CsrfForm { viewer, form }: CsrfForm<OrganisationForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::OrganisationsManage)?;
    let current = state.store.organisations().get(OrganisationId(id)).await?;
    let save = async {
        let code = opt(&form.code);
        let active = checked(&form.active);
        let req = UpdateOrganisation {
            name: (form.name.trim() != current.name).then(|| form.name.clone()),
            code: (code != current.code).then_some(code),
            active: (active != current.active).then_some(active),
        };
        if req.name.is_some() || req.code.is_some() || req.active.is_some() {
            crate::desk::directory::organisations::update_organisation(
                &state,
                &viewer.caller(),
                id,
                req,
            )
            .await?;
        }
        Ok(format!("/admin/organisations/{id}"))
    };
    let page = OrganisationPage::load(&state, &viewer, Some(current.clone()), form.clone());
    submit(viewer.lang, ORG_FIELDS, save, page, |p, errors| {
        p.errors = errors
    })
    .await
}

/// A new department, from its organisation's page (refusals are shown there).
pub async fn create_department(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<DepartmentForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::OrganisationsManage)?;
    let org_id: i64 = form.organisation_id.trim().parse().map_err(|_| {
        crate::AppError::from(ventanilla_domain::ValidationError::new(
            "organisation_id",
            "must be an organisation id",
        ))
    })?;
    let save = async {
        let req = CreateDepartment {
            organisation_id: org_id,
            name: form.name.clone(),
        };
        crate::desk::directory::departments::create_department(&state, &viewer.caller(), req)
            .await?;
        Ok(format!("/admin/organisations/{org_id}#departments"))
    };
    let page = async {
        let org = state
            .store
            .organisations()
            .get(OrganisationId(org_id))
            .await?;
        let org_form = OrganisationForm::of(&org);
        let mut page = OrganisationPage::load(&state, &viewer, Some(org), org_form).await?;
        page.department = form.clone();
        Ok(page)
    };
    submit(viewer.lang, &["name"], save, page, |p, errors| {
        p.department_errors = errors
    })
    .await
}

#[derive(Template)]
#[template(path = "admin/department.html")]
struct DepartmentPage {
    c: Ctx,
    department: Department,
    org: Organisation,
    form: DepartmentForm,
    errors: FieldErrors,
}

async fn department_page(
    state: &AppState,
    viewer: &Viewer,
    department: Department,
    form: DepartmentForm,
) -> WebResult<DepartmentPage> {
    let org = state
        .store
        .organisations()
        .get(department.organisation_id)
        .await?;
    let mut c = viewer.ctx("edit-department");
    c.title = format!("{} · {}", c.title, department.name);
    Ok(DepartmentPage {
        c,
        department,
        org,
        form,
        errors: FieldErrors::default(),
    })
}

pub async fn department_edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): IdPath,
) -> WebResult<Response> {
    viewer.auth.require(Permission::OrganisationsManage)?;
    let department = state.store.departments().get(DepartmentId(id)).await?;
    let form = DepartmentForm {
        organisation_id: department.organisation_id.to_string(),
        name: department.name.clone(),
    };
    render(&department_page(&state, &viewer, department, form).await?)
}

pub async fn department_save(
    State(state): State<AppState>,
    Path(id): IdPath,
    CsrfForm { viewer, form }: CsrfForm<DepartmentForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::OrganisationsManage)?;
    let department = state.store.departments().get(DepartmentId(id)).await?;
    let save = async {
        if form.name.trim() != department.name {
            let req = UpdateDepartment {
                name: form.name.clone(),
            };
            crate::desk::directory::departments::update_department(
                &state,
                &viewer.caller(),
                id,
                req,
            )
            .await?;
        }
        Ok(format!("/admin/departments/{id}"))
    };
    let page = department_page(&state, &viewer, department.clone(), form.clone());
    submit(viewer.lang, &["name"], save, page, |p, errors| {
        p.errors = errors
    })
    .await
}
