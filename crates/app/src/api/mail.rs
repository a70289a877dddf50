//! `/mail`: the outbound mail log for admins (state, attempts, errors), sending a dead mail
//! again, and a test mail through the configured relay.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::{Language, Permission, ValidationError};
use ventanilla_store::outbox::OutboxEntry;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// `pending`, `sent`, `skipped` or `dead`.
    pub state: Option<String>,
    /// The last id of the previous page (newest first).
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailLog {
    pub items: Vec<OutboxEntry>,
    pub next: Option<i64>,
}

/// A state of the mail log, checked.
pub fn parse_state(s: Option<&str>) -> Result<Option<&str>, ValidationError> {
    match s {
        None | Some("") => Ok(None),
        Some(s @ ("pending" | "sent" | "skipped" | "dead")) => Ok(Some(s)),
        Some(_) => Err(ValidationError::new(
            "state",
            "must be pending, sent, skipped or dead",
        )),
    }
}

/// The mail log, newest first (admins).
#[utoipa::path(get, path = "/mail/outbox", tag = "mail", params(LogQuery),
    responses((status = 200, body = MailLog), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn log(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<LogQuery>,
) -> AppResult<Json<MailLog>> {
    auth.require(Permission::ConfigManage)?;
    let page = PageRequest::new(q.after, q.limit)?;
    let filter = parse_state(q.state.as_deref())?;
    let mut items = state
        .store
        .outbox()
        .mail_log(filter, q.after, i64::from(page.limit) + 1)
        .await?;
    let next = if items.len() > page.limit as usize {
        items.truncate(page.limit as usize);
        items.last().map(|m| m.id)
    } else {
        None
    };
    Ok(Json(MailLog { items, next }))
}

/// Sends a dead or skipped mail again, attempts from zero.
#[utoipa::path(post, path = "/mail/outbox/{id}/resend", tag = "mail", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn resend(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    crate::desk::notify::resend_mail(&state, &auth.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestMail {
    /// The address to send to.
    pub to: String,
    /// `es` or `en` (default `es`).
    pub language: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Queued {
    /// The mail log entry to follow.
    pub id: i64,
}

/// Queues a test mail through the configured transport (admins).
#[utoipa::path(post, path = "/mail/test", tag = "mail", request_body = TestMail,
    responses((status = 202, body = Queued), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<TestMail>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    let lang = match body.language.as_deref() {
        None | Some("es") => Language::Es,
        Some("en") => Language::En,
        Some(_) => return Err(ValidationError::new("language", "must be es or en").into()),
    };
    let id = crate::desk::notify::queue_test_mail(&state, &auth.caller(), &body.to, lang).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { id })))
}
