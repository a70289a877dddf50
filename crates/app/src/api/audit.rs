//! `/audit`: the audit log of logins, failed logins and administration, newest first.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use ventanilla_domain::directory::Page;
use ventanilla_domain::{Permission, UserId};
use ventanilla_store::audit::{AuditEntry, AuditFilter};

use super::types::PageQuery;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Query};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub actor_id: Option<i64>,
    /// e.g. `login`, `login.failed`, `user.update`.
    pub action: Option<String>,
    /// The `next` value of the previous page.
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Lists audit entries, newest first.
#[utoipa::path(get, path = "/audit", tag = "access", params(ListQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Page<AuditEntry>>> {
    auth.require(Permission::AuditRead)?;
    let filter = AuditFilter {
        actor: q.actor_id.map(UserId),
        action: q.action,
    };
    Ok(Json(
        state
            .store
            .audit()
            .list(&filter, PageQuery::of(q.after, q.limit)?)
            .await?,
    ))
}
