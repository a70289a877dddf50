//! `/audit`: the audit log of logins, failed logins, two-factor, sessions, tokens and
//! administration (with before/after), newest first; and its CSV export.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use ventanilla_domain::Permission;
use ventanilla_domain::directory::Page;
use ventanilla_store::audit::AuditEntry;

use super::types::PageQuery;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Query};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// What happened, e.g. `login`, `login.failed`, `user.update`, `totp.failed`.
    pub kind: Option<String>,
    pub actor_id: Option<i64>,
    /// Entries at or after this instant (RFC 3339, or a date for its midnight UTC).
    pub from: Option<String>,
    /// Entries before this instant.
    pub to: Option<String>,
    /// The older name of `kind` (kept for existing scripts).
    pub action: Option<String>,
    /// The `next` value of the previous page.
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    pub kind: Option<String>,
    pub actor_id: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Lists audit entries, newest first (keyset: pass `next` as `after`).
#[utoipa::path(get, path = "/audit", tag = "access", params(ListQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Page<AuditEntry>>> {
    auth.require(Permission::AuditRead)?;
    let kind = q.kind.as_deref().or(q.action.as_deref());
    let filter =
        crate::identity::audit::filter_of(kind, q.actor_id, q.from.as_deref(), q.to.as_deref())?;
    Ok(Json(
        state
            .store
            .audit()
            .list(&filter, PageQuery::of(q.after, q.limit)?)
            .await?,
    ))
}

/// The filtered audit log as CSV, newest first (at most 100 000 rows).
#[utoipa::path(get, path = "/audit/export", tag = "access", params(ExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    auth.require(Permission::AuditRead)?;
    let filter = crate::identity::audit::filter_of(
        q.kind.as_deref(),
        q.actor_id,
        q.from.as_deref(),
        q.to.as_deref(),
    )?;
    let csv = crate::identity::audit::export_csv(&state, &auth.actor, &filter).await?;
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
