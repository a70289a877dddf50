//! The audit log page (identity, issue 19): logins, two-factor, sessions, tokens and every
//! administrative change with before/after, newest first, filtered by kind, actor and dates,
//! paged by key and exported as CSV. Also an administrator's "sign out everywhere" and
//! two-factor reset for a user, which need a recent sign-in.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::{Permission, UserId};
use ventanilla_store::audit::AuditEntry;

use super::edit::opt;
use crate::AppState;
use crate::auth::Auth;
use crate::error::AppError;
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;
use crate::web::kit::url::url_encode;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    c: Ctx,
    q: AuditQuery,
    entries: Vec<AuditEntry>,
    next: Option<i64>,
    /// The filter as a query string (for the next page and the export).
    filter_qs: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    kind: String,
    actor_id: String,
    from: String,
    to: String,
    after: String,
}

impl AuditQuery {
    fn filter(&self) -> Result<ventanilla_store::audit::AuditFilter, AppError> {
        let actor = match opt(&self.actor_id) {
            Some(a) => Some(a.parse::<i64>().map_err(|_| {
                ventanilla_domain::ValidationError::new("actor_id", "must be a user number")
            })?),
            None => None,
        };
        crate::identity::audit::filter_of(Some(&self.kind), actor, Some(&self.from), Some(&self.to))
    }

    fn query_string(&self) -> String {
        format!(
            "kind={}&actor_id={}&from={}&to={}",
            url_encode(&self.kind),
            url_encode(&self.actor_id),
            url_encode(&self.from),
            url_encode(&self.to)
        )
    }
}

/// The audit log, newest first.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AuditQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::AuditRead)?;
    let filter = q.filter()?;
    let after = opt(&q.after).and_then(|a| a.parse().ok());
    let page = state
        .store
        .audit()
        .list(&filter, PageRequest::new(after, Some(50))?)
        .await?;
    let filter_qs = q.query_string();
    render(&AuditPage {
        c: viewer.ctx("identity-audit-title"),
        q,
        entries: page.items,
        next: page.next,
        filter_qs,
    })
}

/// The filtered log as CSV.
pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AuditQuery>,
) -> WebResult<Response> {
    let filter = q.filter()?;
    let csv = crate::identity::audit::export_csv(&state, &viewer.auth.actor, &filter).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

impl AuditPage {
    /// A JSON value in one line for the table (objects stay short).
    fn json(&self, v: &Option<serde_json::Value>) -> String {
        v.as_ref().map(|v| v.to_string()).unwrap_or_default()
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct Empty {}

/// A sensitive action from a page: an old sign-in goes to re-authentication first and
/// comes back to `back`.
fn recent_or_reauth(state: &AppState, auth: &Auth, back: &str) -> Result<(), WebError> {
    auth.require_recent(state.now(), state.config.identity.reauth_minutes)
        .map_err(|_| WebError::Goto(format!("/reauth?next={}", url_encode(back))))
}

/// Signs a user out everywhere.
pub async fn end_sessions(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    let back = format!("/admin/users/{id}");
    recent_or_reauth(&state, &viewer.auth, &back)?;
    crate::identity::sessions::end_all_of(&state, &viewer.auth, UserId(id)).await?;
    Ok(Redirect::to(&format!("{back}?flash=saved")).into_response())
}

/// Turns a user's two-factor off (lost device and codes).
pub async fn reset_totp(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    let back = format!("/admin/users/{id}");
    recent_or_reauth(&state, &viewer.auth, &back)?;
    crate::identity::sessions::reset_totp_of(&state, &viewer.auth, UserId(id)).await?;
    Ok(Redirect::to(&format!("{back}?flash=saved")).into_response())
}
