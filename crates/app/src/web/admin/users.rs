//! Administration of users: the new-user page and one page per user to change every field (name, email, phone, role, organisation, department,
//! language, time zone, organisation manager, active) and to set a password. Every save
//! goes through the API's own handlers, so permissions, validation and audit are the API's;
//! a refusal comes back next to its field with what was typed kept.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_domain::access::Role;
use ventanilla_domain::directory::{Department, Organisation, PageRequest, User};
use ventanilla_store::directory::OrganisationFilter;

use super::edit::{Refused, checked, id_field, opt, submit};
use crate::AppState;
use crate::desk::directory::users::{CreateUser, UpdateUser};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

/// The fields of the user forms, as typed.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct UserForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub role: String,
    pub organisation_id: String,
    pub department_id: String,
    pub language: String,
    pub time_zone: String,
    pub organisation_manager: String,
    pub active: String,
    /// New users only: an optional first password.
    pub password: String,
}

const FIELDS: &[&str] = &[
    "name",
    "email",
    "phone",
    "role",
    "organisation_id",
    "department_id",
    "language",
    "time_zone",
    "organisation_manager",
    "active",
    "password",
];

impl UserForm {
    /// An empty form; `time_zone` is the desk's default (`defaults.time_zone`).
    fn blank(time_zone: &str) -> Self {
        UserForm {
            role: ventanilla_domain::access::REQUESTER.into(),
            language: "es".into(),
            time_zone: time_zone.into(),
            active: "on".into(),
            ..UserForm::default()
        }
    }

    fn of(u: &User) -> Self {
        UserForm {
            name: u.name.clone(),
            email: u.email.as_str().to_owned(),
            phone: u.phone.clone().unwrap_or_default(),
            role: u.role.clone(),
            organisation_id: u.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
            department_id: u.department_id.map(|d| d.to_string()).unwrap_or_default(),
            language: u.language.code().into(),
            time_zone: u.time_zone.as_str().to_owned(),
            organisation_manager: if u.organisation_manager { "on" } else { "" }.into(),
            active: if u.active { "on" } else { "" }.into(),
            password: String::new(),
        }
    }

    pub fn is(&self, field: &str, value: &str) -> bool {
        let v = match field {
            "role" => &self.role,
            "organisation_id" => &self.organisation_id,
            "department_id" => &self.department_id,
            "language" => &self.language,
            _ => return false,
        };
        v == value
    }

    pub fn ticked(&self, field: &str) -> bool {
        checked(match field {
            "organisation_manager" => &self.organisation_manager,
            "active" => &self.active,
            _ => "",
        })
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    c: Ctx,
    /// `None` on the new-user page.
    user: Option<User>,
    form: UserForm,
    errors: FieldErrors,
    password_errors: FieldErrors,
    roles: Vec<Role>,
    organisations: Vec<Organisation>,
    departments: Vec<Department>,
    zones: Vec<String>,
    me: ventanilla_domain::UserId,
}

impl UserPage {
    /// One's own password is changed with the current one, not from here.
    fn is_me(&self, u: &User) -> bool {
        u.id == self.me
    }

    async fn load(
        state: &AppState,
        viewer: &Viewer,
        user: Option<User>,
        form: UserForm,
    ) -> WebResult<UserPage> {
        let page = || PageRequest::new(None, Some(200));
        let title = if user.is_some() {
            "edit-user"
        } else {
            "new-user"
        };
        let mut c = viewer.ctx(title);
        if let Some(u) = &user {
            c.title = format!("{} · {}", c.title, u.name);
        }
        Ok(UserPage {
            c,
            user,
            form,
            errors: FieldErrors::default(),
            password_errors: FieldErrors::default(),
            roles: state.store.roles().list().await?,
            organisations: state
                .store
                .organisations()
                .list(&OrganisationFilter::default(), page()?)
                .await?
                .items,
            departments: state.store.departments().list(None, page()?).await?.items,
            me: viewer.auth.user_id(),
            zones: jiff::tz::db()
                .available()
                .map(|z| z.as_str().to_owned())
                .collect(),
        })
    }

    fn org_name(&self, id: &ventanilla_domain::OrganisationId) -> String {
        self.organisations
            .iter()
            .find(|o| o.id == *id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    }
}

pub async fn new_page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    render(
        &UserPage::load(
            &state,
            &viewer,
            None,
            UserForm::blank(&state.config.defaults.time_zone),
        )
        .await?,
    )
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<UserForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    let save = async {
        let (errors, org, dept) =
            placement(viewer.lang, &form.organisation_id, &form.department_id);
        let (Some(organisation_id), Some(department_id)) = (org, dept) else {
            return Err(Refused::Fields(errors));
        };
        let req = CreateUser {
            email: form.email.trim().to_owned(),
            name: form.name.clone(),
            phone: opt(&form.phone),
            organisation_id,
            department_id,
            language: opt(&form.language),
            time_zone: opt(&form.time_zone),
            role: opt(&form.role),
            organisation_manager: checked(&form.organisation_manager),
            password: opt(&form.password),
        };
        let user =
            crate::desk::directory::users::create_user(&state, &viewer.caller(), req).await?;
        Ok(format!("/admin/users/{}", user.id))
    };
    let page = UserPage::load(&state, &viewer, None, form.clone());
    submit(viewer.lang, FIELDS, save, page, |p, errors| {
        p.form.password.clear();
        p.errors = errors;
    })
    .await
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    let user = state
        .store
        .users()
        .get(ventanilla_domain::UserId(id))
        .await?;
    let form = UserForm::of(&user);
    render(&UserPage::load(&state, &viewer, Some(user), form).await?)
}

/// Only what changed is sent, so the audit log records the change and nothing else.
fn changes(current: &User, form: &UserForm, org: Option<i64>, dept: Option<i64>) -> UpdateUser {
    let differs = |new: &str, old: &str| (new.trim() != old).then(|| new.trim().to_owned());
    let phone = opt(&form.phone);
    let manager = checked(&form.organisation_manager);
    let active = checked(&form.active);
    UpdateUser {
        email: differs(&form.email, current.email.as_str()),
        name: differs(&form.name, &current.name),
        phone: (phone != current.phone).then_some(phone),
        organisation_id: (org != current.organisation_id.map(|o| o.get())).then_some(org),
        department_id: (dept != current.department_id.map(|d| d.get())).then_some(dept),
        language: differs(&form.language, current.language.code()),
        time_zone: differs(&form.time_zone, current.time_zone.as_str()),
        role: differs(&form.role, &current.role),
        organisation_manager: (manager != current.organisation_manager).then_some(manager),
        active: (active != current.active).then_some(active),
    }
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<UserForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    let current = state
        .store
        .users()
        .get(ventanilla_domain::UserId(id))
        .await?;
    let save = async {
        let (errors, org, dept) =
            placement(viewer.lang, &form.organisation_id, &form.department_id);
        let (Some(org), Some(dept)) = (org, dept) else {
            return Err(Refused::Fields(errors));
        };
        let req = changes(&current, &form, org, dept);
        crate::desk::directory::users::update_user(&state, &viewer.caller(), id, req).await?;
        Ok(format!("/admin/users/{id}"))
    };
    let page = UserPage::load(&state, &viewer, Some(current.clone()), form.clone());
    submit(viewer.lang, FIELDS, save, page, |p, errors| {
        p.errors = errors
    })
    .await
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    password: String,
}

/// Sets another user's password (every session of theirs ends).
pub async fn set_password(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<PasswordForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    let current = state
        .store
        .users()
        .get(ventanilla_domain::UserId(id))
        .await?;
    let save = async {
        crate::desk::directory::users::set_password_of(&state, &viewer.caller(), id, form.password)
            .await?;
        Ok(format!("/admin/users/{id}#password"))
    };
    let page = UserPage::load(
        &state,
        &viewer,
        Some(current.clone()),
        UserForm::of(&current),
    );
    submit(viewer.lang, &["password"], save, page, |p, errors| {
        p.password_errors = errors
    })
    .await
}

/// A parsed optional id field: `None` when the text was not an id (see `id_field`).
type IdField = Option<Option<i64>>;

/// The organisation and department fields of a user form, each empty (none) or an id; a
/// value that is neither is a field error.
fn placement(lang: Lang, organisation: &str, department: &str) -> (FieldErrors, IdField, IdField) {
    let mut errors = FieldErrors::default();
    let org = id_field(lang, &mut errors, "organisation_id", organisation);
    let dept = id_field(lang, &mut errors, "department_id", department);
    (errors, org, dept)
}
