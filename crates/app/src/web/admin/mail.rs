//! Outbound mail for admins: the mail log (`/admin/mail`: state, attempts, errors, a
//! "send again" on dead or skipped mail) and the SMTP relay settings in force
//! (`/admin/mail/smtp`, from the configuration file) with a "send a test mail" form.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::{Language, Permission};
use ventanilla_store::outbox::OutboxEntry;

use super::edit::opt;
use crate::AppState;
use crate::mail::{MailConfig, Security, Transport};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render, render_as};
use crate::web::kit::path::Path;

/// Mails per page of the log.
const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "admin/mail_log.html")]
struct LogPage {
    c: Ctx,
    state: String,
    items: Vec<OutboxEntry>,
    counts: Vec<(String, i64)>,
    next: Option<i64>,
    /// Which tab of `admin/mail_tabs.html` is current.
    received_tab: bool,
}

impl LogPage {
    /// The notice kind of a row, in words (`notification.ticket.replied` → its preference
    /// label; a test mail → "test mail").
    fn kind_words(&self, kind: &str) -> String {
        let k = kind.strip_prefix("notification.").unwrap_or(kind);
        let key = format!("pref-{}", k.replace('.', "-"));
        if self.c.lang.has(&key) {
            self.c.t(&key)
        } else {
            let notice = format!("notice-{}", k.replace('.', "-"));
            if self.c.lang.has(&notice) {
                self.c.t(&notice)
            } else {
                k.to_owned()
            }
        }
    }

    /// Why a mail was skipped, in words, or the error as the relay said it.
    fn error_words(&self, m: &OutboxEntry) -> String {
        match (&m.state[..], m.last_error.as_deref()) {
            ("skipped", Some(code)) => {
                let key = format!("mail-skip-{code}");
                if self.c.lang.has(&key) {
                    self.c.t(&key)
                } else {
                    code.to_owned()
                }
            }
            (_, Some(e)) => e.to_owned(),
            (_, None) => String::new(),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct LogQuery {
    state: String,
    after: String,
}

pub async fn log(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<LogQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let filter = crate::api::mail::parse_state(opt(&q.state).as_deref())
        .map_err(crate::AppError::Validation)?
        .map(str::to_owned);
    let after = opt(&q.after).and_then(|a| a.parse().ok());
    let mut items = state
        .store
        .outbox()
        .mail_log(filter.as_deref(), after, PAGE + 1)
        .await?;
    let next = if items.len() > PAGE as usize {
        items.truncate(PAGE as usize);
        items.last().map(|m| m.id)
    } else {
        None
    };
    render(&LogPage {
        c: viewer.ctx("mail-log-title"),
        state: filter.unwrap_or_default(),
        counts: state.store.outbox().mail_counts().await?,
        items,
        next,
        received_tab: false,
    })
}

pub async fn resend(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<crate::web::kit::notices::Empty>,
) -> WebResult<Response> {
    crate::desk::notify::resend_mail(&state, &viewer.caller(), id).await?;
    Ok(Redirect::to("/admin/mail?flash=mail-resent").into_response())
}

#[derive(Template)]
#[template(path = "admin/mail_smtp.html")]
struct SmtpPage {
    c: Ctx,
    mail: MailConfig,
    public_url: String,
    to: String,
    errors: FieldErrors,
}

impl SmtpPage {
    fn transport(&self) -> &'static str {
        match self.mail.transport {
            Transport::Off => "off",
            Transport::Smtp => "smtp",
            Transport::File => "file",
        }
    }

    fn security(&self) -> &'static str {
        match self.mail.smtp.security {
            Security::Starttls => "STARTTLS",
            Security::Tls => "TLS",
            Security::None => "—",
        }
    }

    fn templates(&self) -> String {
        self.mail
            .templates_dir
            .as_ref()
            .map(|d| d.display().to_string())
            .unwrap_or_default()
    }
}

fn smtp_page(state: &AppState, viewer: &Viewer, to: String, errors: FieldErrors) -> SmtpPage {
    let mut mail = state.config.mail.clone();
    // The password is never shown.
    mail.smtp.password = String::new();
    SmtpPage {
        c: viewer.ctx("smtp-title"),
        public_url: crate::mail::send::public_url(state),
        mail,
        to,
        errors,
    }
}

pub async fn smtp(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let to = viewer.user.email.to_string();
    render(&smtp_page(&state, &viewer, to, FieldErrors::default()))
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct TestForm {
    to: String,
}

/// Queues a test mail to the address given, in the admin's language.
pub async fn test(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<TestForm>,
) -> WebResult<Response> {
    let lang: Language = viewer.user.language;
    match crate::desk::notify::queue_test_mail(&state, &viewer.caller(), &form.to, lang).await {
        Ok(_) => Ok(Redirect::to("/admin/mail?flash=smtp-test-queued").into_response()),
        Err(crate::desk::DeskError::Invalid(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("to", viewer.lang.t("smtp-test-invalid"));
            render_as(
                &smtp_page(&state, &viewer, form.to, errors),
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}
