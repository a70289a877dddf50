//! Administration of the outbound webhooks (issue 13): the subscriptions with the form for a
//! new one (its signing secret shown once, on the page that answers the save), one page per
//! webhook with its delivery log (newest first, 100 a page, older pages by id) and the switch
//! that stops or resumes its deliveries. Saves go through `desk::webhooks`.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_store::webhooks::{Delivery, Webhook};

use super::edit::{Refused, checked, submit};
use crate::AppState;
use crate::desk::webhooks::{self, CreateWebhook, CreatedWebhook, EVENTS};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

const FIELDS: &[&str] = &["name", "url", "events"];

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct ListPage {
    c: Ctx,
    hooks: Vec<Webhook>,
    form: WebhookForm,
    errors: FieldErrors,
    /// Just created: its secret, shown this once.
    created: Option<CreatedWebhook>,
}

impl ListPage {
    /// What an event code means (`ticket.*` → "every ticket event").
    fn event_words(&self, event: &str) -> String {
        let key = event.replace('.', "-").replace('*', "all");
        self.c.t(&format!("webhook-event-{key}"))
    }

    fn ticked(&self, event: &str) -> bool {
        self.form.events.iter().any(|e| e == event)
    }
}

/// The new-webhook form. Events are the ticked boxes `ev_<event>` (`ev_ticket.created`…).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct WebhookForm {
    pub name: String,
    pub url: String,
    #[serde(skip)]
    pub events: Vec<String>,
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

impl WebhookForm {
    fn with_events(mut self) -> Self {
        self.events = EVENTS
            .iter()
            .filter(|e| {
                self.rest
                    .get(&format!("ev_{e}"))
                    .is_some_and(|v| checked(v))
            })
            .map(|e| (*e).to_owned())
            .collect();
        self
    }
}

async fn list_page(state: &AppState, viewer: &Viewer, form: WebhookForm) -> WebResult<ListPage> {
    Ok(ListPage {
        c: viewer.ctx("webhooks-title"),
        hooks: webhooks::list_webhooks(state, &viewer.caller()).await?,
        form,
        errors: FieldErrors::default(),
        created: None,
    })
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    render(&list_page(&state, &viewer, WebhookForm::default()).await?)
}

/// Saves a new webhook and answers with the list and its secret (never shown again).
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<WebhookForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let form = form.with_events();
    let input = CreateWebhook {
        name: form.name.clone(),
        url: form.url.clone(),
        events: form.events.clone(),
    };
    match webhooks::create_webhook(&state, &viewer.caller(), &input).await {
        Ok(created) => {
            let mut page = list_page(&state, &viewer, WebhookForm::default()).await?;
            page.created = Some(created);
            render(&page)
        }
        Err(e) => {
            let save = async { Err::<String, Refused>(Refused::from(e)) };
            let shown = list_page(&state, &viewer, form.clone());
            submit(viewer.lang, FIELDS, save, shown, |p, errors| {
                p.errors = errors
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "admin/webhook.html")]
struct HookPage {
    c: Ctx,
    hook: Webhook,
    deliveries: Vec<Delivery>,
    /// The id to read older deliveries before, when the page is full.
    older: Option<i64>,
}

/// `?before=<id>` of the delivery log: older deliveries. Anything but a number is the
/// error page's 400 in the viewer's language (not the framework's plain-text rejection).
fn before_of(query: Option<&str>) -> Result<Option<i64>, crate::AppError> {
    let Some(v) = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|kv| kv.strip_prefix("before="))
    else {
        return Ok(None);
    };
    v.parse()
        .map(Some)
        .map_err(|_| crate::AppError::BadRequest("before: must be a delivery id".into()))
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let before = before_of(query.as_deref())?;
    let deliveries = webhooks::list_deliveries(&state, &viewer.caller(), id, before).await?;
    let hook = state.store.webhooks().get(id).await?;
    let older = (deliveries.len() >= webhooks::DELIVERIES_PAGE)
        .then(|| deliveries.last().map(|d| d.id))
        .flatten();
    let mut c = viewer.ctx("webhooks-title");
    c.title = format!("{} · {}", c.title, hook.name);
    render(&HookPage {
        c,
        hook,
        deliveries,
        older,
    })
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    pub active: String,
}

/// Stops or resumes a webhook's deliveries.
pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<ActiveForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    webhooks::set_webhook_active(&state, &viewer.caller(), id, checked(&form.active)).await?;
    Ok(Redirect::to(&format!("/admin/webhooks/{id}?flash=saved")).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_older_page_is_named_by_a_delivery_id() {
        assert_eq!(super::before_of(None).unwrap(), None);
        assert_eq!(super::before_of(Some("flash=saved")).unwrap(), None);
        assert_eq!(super::before_of(Some("before=42")).unwrap(), Some(42));
        assert!(super::before_of(Some("before=abc")).is_err());
    }
}
