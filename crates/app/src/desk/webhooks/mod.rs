//! Outbound webhooks (issue 13): administrators subscribe URLs to ticket events; the
//! dispatcher turns the timeline into deliveries, each sent by a job, signed, retried with
//! backoff and logged; the guard keeps calls away from internal addresses.

pub mod dispatch;
pub mod guard;
pub mod send;

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::{Caller, Permission, Text, ValidationError};
use ventanilla_store::webhooks::{Delivery, Webhook};

use crate::App;
use crate::desk::{DeskError, DeskResult, require};

/// The sealing "owner" of webhook signing keys (`identity::sealing`).
pub(crate) const SEALING_OWNER: &str = "webhook";

/// Seals the signing keys stored in clear (see `identity::sealing::seal_stored`).
pub(crate) async fn seal_stored_secrets(
    app: &App,
    sealer: &crate::identity::sealing::Sealer,
) -> Result<u64, crate::AppError> {
    let store = app.store.webhooks();
    let mut sealed = 0;
    for (id, plain) in store
        .plain_secrets(crate::identity::sealing::PREFIX)
        .await?
    {
        let new = sealer.seal(SEALING_OWNER, &plain)?;
        if store.reseal(id, &plain, &new).await? {
            sealed += 1;
        }
    }
    Ok(sealed)
}

/// The periodic job that turns the timeline into deliveries.
pub const DISPATCH_JOB: &str = "webhooks.dispatch";
pub use ventanilla_store::webhooks::DELIVER_JOB;

/// The body of `POST /webhooks`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    pub name: String,
    /// An `https://` (or `http://`) URL; its host must not resolve to a refused range
    /// (see `[webhooks]`).
    pub url: String,
    /// `ticket.created`, `ticket.transition`, `ticket.change`, `ticket.reply`, `ticket.note`,
    /// `ticket.escalation`, `ticket.link`, `ticket.attachment`, `ticket.confirmation`,
    /// `ticket.survey`, `ticket.sla`, or `ticket.*`.
    pub events: Vec<String>,
}

/// The answer to creating a webhook: the signing secret, shown this once.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The HMAC-SHA256 key of `X-Ventanilla-Signature`.
    pub secret: String,
}

/// The ticket events one may subscribe to.
pub const EVENTS: &[&str] = &[
    "ticket.*",
    "ticket.created",
    "ticket.reply",
    "ticket.note",
    "ticket.change",
    "ticket.transition",
    "ticket.escalation",
    "ticket.link",
    "ticket.attachment",
    "ticket.confirmation",
    "ticket.survey",
    "ticket.sla",
];

/// Checks a webhook URL as given: http or https, a host, and no refused address literal.
pub fn check_url(app: &App, url: &str) -> Result<String, ValidationError> {
    let url = url.trim();
    let uri: http::Uri = url
        .parse()
        .map_err(|_| ValidationError::new("url", "is not a URL"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(ValidationError::new(
            "url",
            "must be an http:// or https:// URL",
        ));
    }
    let host = uri
        .host()
        .ok_or_else(|| ValidationError::new("url", "has no host"))?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<std::net::IpAddr>()
        && let Err(r) = guard::allowed(ip, &app.config.webhooks)
    {
        return Err(ValidationError::new(
            "url",
            format!("points to a {} address, which is not allowed", r.as_str()),
        ));
    }
    if bare.eq_ignore_ascii_case("localhost") && !app.config.webhooks.allow_loopback {
        return Err(ValidationError::new(
            "url",
            "points to a loopback address, which is not allowed",
        ));
    }
    Ok(url.to_owned())
}

/// Subscribes a URL to ticket events (administrators).
pub async fn create_webhook(
    app: &App,
    caller: &Caller,
    input: &CreateWebhook,
) -> DeskResult<CreatedWebhook> {
    require(caller, Permission::ConfigManage)?;
    let name = Text::parse("name", &input.name, 100)?;
    let url = check_url(app, &input.url)?;
    if input.events.is_empty() {
        return Err(ValidationError::new("events", "must name at least one event").into());
    }
    if let Some(e) = input.events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
        return Err(ValidationError::new("events", format!("{e:?} is not a ticket event")).into());
    }
    let secret = crate::auth::secret::random_token()
        .map_err(|e| DeskError::internal(anyhow::anyhow!("{e}")))?;
    let stored = crate::identity::sealing::to_store(app.sealer.as_ref(), SEALING_OWNER, &secret)
        .map_err(|e| DeskError::internal(anyhow::anyhow!("{e}")))?;
    let webhook = app
        .store
        .webhooks()
        .create(name.as_str(), &url, &stored, &input.events, app.now())
        .await?;
    let entry = crate::desk::audit(app, caller, "webhook.create")
        .target("webhook", Some(webhook.id))
        .detail(serde_json::json!({ "url": webhook.url, "events": webhook.events }));
    app.store.audit().record(&entry).await?;
    Ok(CreatedWebhook { webhook, secret })
}

pub async fn list_webhooks(app: &App, caller: &Caller) -> DeskResult<Vec<Webhook>> {
    require(caller, Permission::ConfigManage)?;
    Ok(app.store.webhooks().list().await?)
}

/// A webhook's delivery log, newest first (administrators).
pub async fn list_deliveries(
    app: &App,
    caller: &Caller,
    webhook: i64,
    before: Option<i64>,
) -> DeskResult<Vec<Delivery>> {
    require(caller, Permission::ConfigManage)?;
    app.store.webhooks().get(webhook).await?;
    Ok(app
        .store
        .webhooks()
        .deliveries(webhook, before, DELIVERIES_PAGE as i64)
        .await?)
}

/// How many deliveries a page of the log holds.
pub const DELIVERIES_PAGE: usize = 100;

/// Stops (`active` false) or resumes a webhook's deliveries (administrators). A stopped
/// webhook gets no new deliveries; those already queued are still tried.
pub async fn set_webhook_active(
    app: &App,
    caller: &Caller,
    id: i64,
    active: bool,
) -> DeskResult<Webhook> {
    require(caller, Permission::ConfigManage)?;
    app.store
        .webhooks()
        .set_active(id, active, app.now())
        .await?;
    let entry = crate::desk::audit(app, caller, "webhook.update")
        .target("webhook", Some(id))
        .detail(serde_json::json!({ "active": active }));
    app.store.audit().record(&entry).await?;
    Ok(app.store.webhooks().get(id).await?)
}

/// What follows a delivery's end: an automation hook's call that never reached its
/// automation (refused, attempts spent) is a failed call, recorded on its ticket.
async fn after_delivery(app: &App, d: &Delivery, ok: bool) -> anyhow::Result<()> {
    if ok || d.event != crate::desk::hooks::CALL_EVENT {
        return Ok(());
    }
    let ended = app.store.webhooks().delivery(d.id).await?;
    let error = ended.error.unwrap_or_else(|| ended.status.clone());
    crate::desk::hooks::call::unreachable(app, &d.payload, &error).await
}
