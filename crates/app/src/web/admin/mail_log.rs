//! The mail log, received side: every inbound mail newest first with its door, mailbox,
//! sender, subject, state and reason (in the reader's language), filtered by state and paged
//! by key; the raw message for administrators, and a retry for the ones that failed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use ventanilla_store::mail_in::{InboundMail, InboundState};

use super::edit::{opt, saved};
use crate::AppState;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "admin/mail_received.html")]
struct LogPage {
    c: Ctx,
    q: LogQuery,
    mails: Vec<InboundMail>,
    next: Option<i64>,
    states: Vec<&'static str>,
    /// Which tab of `admin/mail_tabs.html` is current.
    received_tab: bool,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct LogQuery {
    state: String,
    before: String,
}

/// The received mails, newest first.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<LogQuery>,
) -> WebResult<Response> {
    let filter = opt(&q.state).and_then(|s| InboundState::parse(&s));
    let before = opt(&q.before).and_then(|b| b.parse().ok());
    let mut mails =
        crate::desk::mail::mail_log(&state, &viewer.caller(), filter, before, PAGE + 1).await?;
    let next = (mails.len() as i64 > PAGE).then(|| {
        mails.truncate(PAGE as usize);
        mails.last().map_or(0, |m| m.id)
    });
    render(&LogPage {
        c: viewer.ctx("mail-log"),
        q,
        mails,
        next,
        states: InboundState::ALL.iter().map(|s| s.as_str()).collect(),
        received_tab: true,
    })
}

/// The raw message, shown as plain text (never rendered, never sniffed).
pub async fn raw(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let bytes = crate::desk::mail::mail_raw(&state, &viewer.caller(), id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CONTENT_SECURITY_POLICY, "sandbox"),
        ],
        String::from_utf8_lossy(&bytes).into_owned(),
    )
        .into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct Empty {}

/// Processes a mail again.
pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    crate::desk::mail::retry_mail(&state, &viewer.caller(), id).await?;
    Ok(saved("/admin/mail/received"))
}

impl LogPage {
    /// A stored reason code in words: `mail-reason-<code>`, or the code itself for codes
    /// the use cases add later, so nothing is ever blank.
    fn reason(&self, code: &str) -> String {
        let key = format!("mail-reason-{}", code.split(':').next().unwrap_or(code));
        let words = self.c.t(&key);
        if words == key { code.to_owned() } else { words }
    }
}
