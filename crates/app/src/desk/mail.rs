//! Who a mail speaks for: its sender's account (found by address, or created as a
//! requester when the desk's policy allows it), as a [`Caller`] of origin `mail`, so
//! mail goes through the same use cases and permission checks as the API.

use ventanilla_domain::directory::{NAME_MAX, NewUser};
use ventanilla_domain::{Caller, Email, Language, Origin, Text};
use ventanilla_store::StoreError;
use ventanilla_store::audit::NewAudit;

use crate::App;
use crate::config::UnknownSenders;
use crate::desk::DeskResult;

/// The sender as the desk sees them.
#[derive(Debug)]
pub enum MailSender {
    /// An active user: the caller mail acts as.
    Known(Caller),
    /// Refused: a stable reason code for the mail log (`unknown_sender`,
    /// `domain_not_allowed`, `inactive_sender`, `bad_address`).
    Refused(&'static str),
}

/// Finds the sender's account, creating a requester when `create` is true and the
/// `mail.intake.unknown_senders` policy allows it.
///
/// # Errors
/// When the database fails.
pub async fn mail_sender(
    app: &App,
    address: &str,
    name: Option<&str>,
    create: bool,
) -> DeskResult<MailSender> {
    let Ok(email) = Email::parse(address) else {
        return Ok(MailSender::Refused("bad_address"));
    };
    let user = match app.store.users().by_email(&email).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => {
            if !create {
                return Ok(MailSender::Refused("unknown_sender"));
            }
            let intake = &app.config.mail.intake;
            match intake.unknown_senders {
                UnknownSenders::Create => {}
                UnknownSenders::Reject => return Ok(MailSender::Refused("unknown_sender")),
                UnknownSenders::AllowDomains => {
                    let domain = address.rsplit('@').next().unwrap_or_default();
                    if !intake
                        .allowed_domains
                        .iter()
                        .any(|d| d.trim().eq_ignore_ascii_case(domain))
                    {
                        return Ok(MailSender::Refused("domain_not_allowed"));
                    }
                }
            }
            create_requester(app, &email, name).await?
        }
        Err(e) => return Err(e.into()),
    };
    Ok(match app.store.users().actor(user.id).await? {
        Some(actor) => MailSender::Known(Caller::new(actor, Origin::Mail)),
        None => MailSender::Refused("inactive_sender"),
    })
}

async fn create_requester(
    app: &App,
    email: &Email,
    name: Option<&str>,
) -> DeskResult<ventanilla_domain::directory::User> {
    let local = email.as_str().split('@').next().unwrap_or("?").to_owned();
    let name = name
        .and_then(|n| Text::parse("name", n, NAME_MAX).ok())
        .or_else(|| Text::parse("name", &local, NAME_MAX).ok())
        .ok_or_else(|| ventanilla_domain::ValidationError::new("name", "is required"))?;
    let role = app
        .store
        .roles()
        .by_name(ventanilla_domain::access::REQUESTER)
        .await?;
    let new = NewUser {
        email: email.clone(),
        name,
        phone: None,
        organisation_id: None,
        department_id: None,
        language: Language::Es,
        time_zone: app.config.defaults.time_zone()?,
        role_id: role.id,
        organisation_manager: false,
        password_hash: None,
    };
    let entry = NewAudit::new(
        app.now(),
        None,
        "user.create",
        Some(Origin::Mail.as_str().into()),
    )
    .target("user", None)
    .detail(serde_json::json!({ "email": new.email, "role": "requester", "via": "mail" }));
    match app.store.users().create(&new, &entry).await {
        Ok(u) => Ok(u),
        Err(StoreError::Conflict { .. }) => Ok(app.store.users().by_email(email).await?),
        Err(e) => Err(e.into()),
    }
}

/// The mail log (received), newest first, for administrators.
///
/// # Errors
/// Forbidden without `config.manage`; store failures.
pub async fn mail_log(
    app: &App,
    caller: &Caller,
    state: Option<ventanilla_store::mail_in::InboundState>,
    before: Option<i64>,
    limit: i64,
) -> DeskResult<Vec<ventanilla_store::mail_in::InboundMail>> {
    crate::desk::require(caller, ventanilla_domain::Permission::ConfigManage)?;
    Ok(app.store.mail_in().list(state, before, limit).await?)
}

/// One received mail as it arrived, byte for byte, for administrators.
///
/// # Errors
/// Forbidden without `config.manage`; not found.
pub async fn mail_raw(app: &App, caller: &Caller, id: i64) -> DeskResult<Vec<u8>> {
    crate::desk::require(caller, ventanilla_domain::Permission::ConfigManage)?;
    Ok(app.store.mail_in().raw(id).await?)
}

/// Processes a received mail again (after fixing what made it fail), audited.
///
/// # Errors
/// Forbidden without `config.manage`; a refusal when it already made a ticket or reply;
/// internal when the database is unavailable.
pub async fn retry_mail(
    app: &App,
    caller: &Caller,
    id: i64,
) -> DeskResult<ventanilla_store::mail_in::InboundState> {
    use ventanilla_store::mail_in::InboundState;
    crate::desk::require(caller, ventanilla_domain::Permission::ConfigManage)?;
    let row = app.store.mail_in().get(id).await?;
    if matches!(row.state, InboundState::Ticket | InboundState::Reply) {
        return Err(crate::desk::DeskError::refused(
            crate::desk::Refusal::State,
            "mail_already_processed",
            "the mail already made a ticket or a reply",
        ));
    }
    let entry = crate::desk::audit(app, caller, "mail.retry")
        .target("mail", Some(id))
        .detail(serde_json::json!({ "state": row.state }));
    app.store.audit().record(&entry).await?;
    crate::mail::intake::retry(app, id)
        .await
        .map_err(crate::desk::DeskError::internal)
}
