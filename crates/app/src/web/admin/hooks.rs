//! Administration of the automation hooks (issue 13): which category of routine requests
//! calls which webhook, at registration or once a supervisor approves, and whether a
//! reported success sends the ticket to its requester to confirm; the form that sets one
//! and the button that removes it. Saves go through `desk::hooks`.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_domain::ticket::Category;
use ventanilla_store::hooks::CategoryHook;
use ventanilla_store::webhooks::Webhook;

use super::edit::{Refused, checked, id_field, submit};
use crate::AppState;
use crate::desk::hooks::{self, HookInput, TRIGGERS};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors, NoFields};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

const FIELDS: &[&str] = &["category_id", "webhook_id", "trigger_on"];

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct HookForm {
    pub category_id: String,
    pub webhook_id: String,
    pub trigger_on: String,
    pub resolve_on_success: String,
}

#[derive(Template)]
#[template(path = "admin/hooks.html")]
struct HooksPage {
    c: Ctx,
    hooks: Vec<CategoryHook>,
    categories: Vec<(Category, usize)>,
    webhooks: Vec<Webhook>,
    form: HookForm,
    errors: FieldErrors,
}

impl HooksPage {
    fn category(&self, id: &i64) -> String {
        self.categories
            .iter()
            .find(|(c, _)| c.id.get() == *id)
            .map_or_else(
                || id.to_string(),
                |(c, _)| crate::web::kit::view::category_name(&self.c.lang, c),
            )
    }

    fn webhook(&self, id: &i64) -> String {
        self.webhooks
            .iter()
            .find(|w| w.id == *id)
            .map_or_else(|| id.to_string(), |w| w.name.clone())
    }
}

async fn hooks_page(state: &AppState, viewer: &Viewer, form: HookForm) -> WebResult<HooksPage> {
    Ok(HooksPage {
        c: viewer.ctx("hooks-title"),
        hooks: hooks::list_hooks(state, &viewer.caller()).await?,
        categories: super::categories::tree(&state.store.categories().list().await?),
        webhooks: crate::desk::webhooks::list_webhooks(state, &viewer.caller()).await?,
        form,
        errors: FieldErrors::default(),
    })
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let form = HookForm {
        trigger_on: "approval".into(),
        resolve_on_success: "on".into(),
        ..HookForm::default()
    };
    render(&hooks_page(&state, &viewer, form).await?)
}

impl HookForm {
    fn input(&self, viewer: &Viewer) -> Result<(i64, HookInput), Refused> {
        let mut errors = FieldErrors::default();
        let category = id_field(viewer.lang, &mut errors, "category_id", &self.category_id);
        let webhook = id_field(viewer.lang, &mut errors, "webhook_id", &self.webhook_id);
        let (Some(Some(category)), Some(Some(webhook))) = (category, webhook) else {
            if !errors.has("category_id") && self.category_id.trim().is_empty() {
                errors.add("category_id", viewer.lang.t("err-required"));
            }
            if !errors.has("webhook_id") && self.webhook_id.trim().is_empty() {
                errors.add("webhook_id", viewer.lang.t("err-required"));
            }
            return Err(Refused::Fields(errors));
        };
        Ok((
            category,
            HookInput {
                webhook_id: webhook,
                trigger_on: self.trigger_on.trim().to_owned(),
                resolve_on_success: checked(&self.resolve_on_success),
            },
        ))
    }
}

/// Sets a category's hook (replacing the one it had).
pub async fn save(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<HookForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let save = async {
        let (category, input) = form.input(&viewer)?;
        hooks::put_hook(&state, &viewer.caller(), category, &input)
            .await
            .map_err(|e| match e {
                // The category in the address of the API is this form's select.
                crate::desk::DeskError::NotFound => {
                    let mut errors = FieldErrors::default();
                    errors.add("category_id", viewer.lang.t("err-invalid"));
                    Refused::Fields(errors)
                }
                other => Refused::from(other),
            })?;
        Ok("/admin/hooks".to_owned())
    };
    let shown = hooks_page(&state, &viewer, form.clone());
    submit(viewer.lang, FIELDS, save, shown, |p, errors| {
        p.errors = errors
    })
    .await
}

/// Removes a category's hook.
pub async fn delete(
    State(state): State<AppState>,
    Path(category): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    hooks::delete_hook(&state, &viewer.caller(), category).await?;
    Ok(Redirect::to("/admin/hooks?flash=hook-deleted").into_response())
}

/// When a hook may call (for the select).
pub fn triggers() -> &'static [&'static str] {
    TRIGGERS
}
