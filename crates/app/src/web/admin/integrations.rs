//! Administration of the monitoring integrations (issue 13): every integration with the
//! incidents it keeps open, and the form for a new one (Alertmanager or any monitoring system
//! through the generic intake; how alerts are grouped, what a resolved alert does, the group
//! its incidents go to). The token that authenticates its calls is shown once, on the page
//! that answers the save. Saves go through `desk::events::integrations`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_domain::directory::{PageRequest, SupportGroup};
use ventanilla_store::events::Integration;
use ventanilla_store::groups::GroupFilter;

use super::edit::{Refused, id_field, opt, submit};
use crate::AppState;
use crate::desk::events::integrations::{
    self, CreateIntegration, CreatedIntegration, IntegrationSettings, ON_RESOLVED,
};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};

const FIELDS: &[&str] = &["kind", "name", "group_by", "on_resolved", "group_id"];

/// The intakes an integration may be (`POST /events/alertmanager`, `POST /events`).
pub const KINDS: [&str; 2] = ["alertmanager", "generic"];
/// How alerts are grouped into incidents.
pub const GROUP_BY: [&str; 2] = ["fingerprint", "group_key"];

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct IntegrationForm {
    pub kind: String,
    pub name: String,
    /// Empty: the desk's `[events]` setting.
    pub group_by: String,
    pub on_resolved: String,
    pub group_id: String,
}

#[derive(Template)]
#[template(path = "admin/integrations.html")]
struct ListPage {
    c: Ctx,
    integrations: Vec<Integration>,
    groups: Vec<SupportGroup>,
    form: IntegrationForm,
    errors: FieldErrors,
    created: Option<CreatedIntegration>,
}

impl ListPage {
    /// A setting of an integration as stored, or "the desk's default".
    fn setting(&self, i: &Integration, key: &str) -> String {
        match i.settings.get(key) {
            Some(serde_json::Value::String(s)) => self.c.word(&format!("integration-{key}"), s),
            Some(serde_json::Value::Number(n)) => self.group_name(n.as_i64().unwrap_or(0)),
            _ => self.c.t("integration-default"),
        }
    }

    fn group_name(&self, id: i64) -> String {
        self.groups
            .iter()
            .find(|g| g.id.get() == id)
            .map_or_else(|| id.to_string(), |g| g.name.clone())
    }
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    form: IntegrationForm,
) -> WebResult<ListPage> {
    Ok(ListPage {
        c: viewer.ctx("integrations-title"),
        integrations: integrations::list_integrations(state, &viewer.caller()).await?,
        groups: state
            .store
            .groups()
            .list(&GroupFilter::default(), PageRequest::new(None, Some(200))?)
            .await?
            .items
            .into_iter()
            .map(|(g, _)| g)
            .collect(),
        form,
        errors: FieldErrors::default(),
        created: None,
    })
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let form = IntegrationForm {
        kind: "alertmanager".into(),
        ..IntegrationForm::default()
    };
    render(&list_page(&state, &viewer, form).await?)
}

impl IntegrationForm {
    fn input(&self, viewer: &Viewer) -> Result<CreateIntegration, Refused> {
        let mut errors = FieldErrors::default();
        let group_id = id_field(viewer.lang, &mut errors, "group_id", &self.group_id);
        if !errors.is_empty() {
            return Err(Refused::Fields(errors));
        }
        Ok(CreateIntegration {
            kind: self.kind.trim().to_owned(),
            name: self.name.clone(),
            settings: Some(IntegrationSettings {
                group_by: opt(&self.group_by),
                on_resolved: opt(&self.on_resolved),
                group_id: group_id.flatten(),
            }),
        })
    }
}

/// The use case's field names (`settings.group_by`) as this form's.
fn placed(e: crate::desk::DeskError) -> Refused {
    match e {
        crate::desk::DeskError::Invalid(mut v) => {
            if let Some(f) = v.field.strip_prefix("settings.") {
                v.field = f.to_owned();
            }
            Refused::from(crate::desk::DeskError::Invalid(v))
        }
        other => Refused::from(other),
    }
}

/// Saves a new integration and answers with the list and its token (never shown again).
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<IntegrationForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let made = match form.input(&viewer) {
        Ok(input) => integrations::create_integration(&state, &viewer.caller(), &input)
            .await
            .map_err(placed),
        Err(refused) => Err(refused),
    };
    match made {
        Ok(created) => {
            let mut page = list_page(&state, &viewer, IntegrationForm::default()).await?;
            page.form.kind = "alertmanager".into();
            page.created = Some(created);
            render(&page)
        }
        Err(refused) => {
            let save = async { Err::<String, Refused>(refused) };
            let shown = list_page(&state, &viewer, form.clone());
            submit(viewer.lang, FIELDS, save, shown, |p, errors| {
                p.errors = errors
            })
            .await
        }
    }
}

/// What a resolved alert may do, for the select.
pub fn on_resolved() -> &'static [&'static str] {
    ON_RESOLVED
}
