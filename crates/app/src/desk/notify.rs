//! Notification use cases (issue #16): a person's notifications and their preferences per
//! kind and channel, and the admin's mail actions (resend a dead mail, queue a test mail).
//! Who gets which notice is the domain's `notify` mapping, applied on the ticket write path.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::ticket::{Audience, NOTICE_KINDS, is_notice_kind};
use ventanilla_domain::{Caller, Email, Language, Permission, ValidationError};
use ventanilla_store::notifications::Preference;
use ventanilla_store::outbox::NewMail;

use crate::App;
use crate::desk::{DeskError, DeskResult, require};

/// One kind with the caller's choice (stored, or the default: both channels on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceItem {
    /// A notification kind, e.g. `ticket.replied`.
    pub kind: String,
    /// Shown in the console or the portal.
    pub in_app: bool,
    /// Sent by e-mail.
    pub email: bool,
}

/// The kinds a caller can receive: requesters those about their own tickets, staff all.
pub fn kinds_for(caller: &Caller) -> Vec<&'static str> {
    let staff = caller.can(Permission::TicketsWork);
    NOTICE_KINDS
        .iter()
        .filter(|(_, a)| staff || *a == Audience::Requester)
        .map(|(k, _)| *k)
        .collect()
}

/// The caller's preferences for every kind they can receive, in the table's order.
pub async fn preferences(app: &App, caller: &Caller) -> DeskResult<Vec<PreferenceItem>> {
    let stored = app
        .store
        .notifications()
        .preferences(caller.user_id())
        .await?;
    Ok(kinds_for(caller)
        .into_iter()
        .map(|kind| {
            let p = stored.iter().find(|p| p.kind == kind);
            PreferenceItem {
                kind: kind.to_owned(),
                in_app: p.is_none_or(|p| p.in_app),
                email: p.is_none_or(|p| p.email),
            }
        })
        .collect())
}

/// Stores the caller's choices for the kinds given (others keep theirs). A kind that does
/// not exist, or is not one the caller can receive, is refused.
pub async fn set_preferences(
    app: &App,
    caller: &Caller,
    items: &[PreferenceItem],
) -> DeskResult<Vec<PreferenceItem>> {
    let mine = kinds_for(caller);
    for (i, p) in items.iter().enumerate() {
        if !is_notice_kind(&p.kind) || !mine.contains(&p.kind.as_str()) {
            return Err(ValidationError::new(
                format!("items[{i}].kind"),
                "is not a notification kind you receive",
            )
            .into());
        }
    }
    let prefs: Vec<Preference> = items
        .iter()
        .map(|p| Preference {
            kind: p.kind.clone(),
            in_app: p.in_app,
            email: p.email,
        })
        .collect();
    app.store
        .notifications()
        .set_preferences(caller.user_id(), &prefs)
        .await?;
    preferences(app, caller).await
}

/// Sends a dead (or skipped) mail again (admins: `config.manage`).
pub async fn resend_mail(app: &App, caller: &Caller, id: i64) -> DeskResult<()> {
    require(caller, Permission::ConfigManage)?;
    app.store
        .outbox()
        .resend(id, app.now())
        .await
        .map_err(|e| match e {
            ventanilla_store::StoreError::NotFound => DeskError::NotFound,
            e => e.into(),
        })
}

/// Queues a test mail to `to` in `lang` (admins): it goes through the outbox like any
/// other, so its fate shows in the mail log.
pub async fn queue_test_mail(
    app: &App,
    caller: &Caller,
    to: &str,
    lang: Language,
) -> DeskResult<i64> {
    require(caller, Permission::ConfigManage)?;
    let to =
        Email::parse(to).map_err(|_| ValidationError::new("to", "is not an e-mail address"))?;
    let mail = NewMail {
        kind: "mail.test".into(),
        ticket_id: None,
        recipient_id: None,
        payload: serde_json::json!({ "to": to.to_string(), "lang": lang.code(), "params": {} }),
    };
    Ok(app.store.outbox().queue(&mail, app.now()).await?)
}
