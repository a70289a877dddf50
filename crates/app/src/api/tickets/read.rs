//! Reading tickets: one ticket with its ETag, and filtered, sorted, keyset-paginated lists.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::ticket::{Priority, Status, Ticket, TicketKind};
use ventanilla_domain::{
    CategoryId, GroupId, OrganisationId, Permission, TicketId, UserId, ValidationError,
};
use ventanilla_store::tickets::{TicketFilter, TicketSort};

use super::{TicketView, etag, redact, view};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::tickets::access;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `incident` or `service_request`.
    pub kind: Option<String>,
    /// One status or several separated by commas; `open` for every non-final status.
    pub status: Option<String>,
    pub priority: Option<String>,
    pub group_id: Option<i64>,
    /// A user id, `me`, or `none` for unassigned tickets.
    pub assignee: Option<String>,
    pub requester_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub category_id: Option<i64>,
    pub major: Option<bool>,
    pub parent_id: Option<i64>,
    /// Words in the subject.
    pub q: Option<String>,
    /// SLA standing: `at_risk`, `breached` or `ok`.
    pub sla: Option<String>,
    /// `newest` (default), `oldest`, `priority` or `due` (soonest SLA due first).
    pub sort: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<Ticket>,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next: Option<String>,
}

/// Lists the tickets the caller may see.
#[utoipa::path(get, path = "/tickets", tag = "tickets", params(ListQuery),
    responses((status = 200, body = TicketList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<TicketList>> {
    auth.require(Permission::TicketsRead)?;
    let page = PageRequest::new(None, q.limit)?;
    let filter = filter_of(&auth, &q)?;
    let sort = match q.sort.as_deref() {
        None => TicketSort::default(),
        Some(s) => TicketSort::parse(s).ok_or_else(|| {
            ValidationError::new("sort", "must be newest, oldest, priority or due")
        })?,
    };
    let scope = access::scope(&state, &auth);
    let mut result = state
        .store
        .tickets()
        .list(&scope, &filter, sort, q.after.as_deref(), page.limit)
        .await
        .map_err(|e| match e {
            // A cursor is a value of this query that can be refused (422 naming `after`),
            // like `limit`: the schema cannot say which cursors fit which sort.
            ventanilla_store::StoreError::Invalid(m) if m.starts_with("after:") => AppError::from(
                ValidationError::new("after", "is not a cursor from this list"),
            ),
            other => other.into(),
        })?;
    for t in &mut result.items {
        redact(&auth, t);
    }
    Ok(Json(TicketList {
        items: result.items,
        next: result.next,
    }))
}

pub fn filter_of(auth: &Auth, q: &ListQuery) -> AppResult<TicketFilter> {
    let statuses = match q.status.as_deref() {
        None | Some("") => Vec::new(),
        Some("open") => Status::ALL
            .iter()
            .copied()
            .filter(|s| !s.is_terminal())
            .collect(),
        Some(list) => list
            .split(',')
            .map(|s| s.trim().parse::<Status>())
            .collect::<Result<_, _>>()?,
    };
    let assignee_id = match q.assignee.as_deref() {
        None => None,
        Some("me") => Some(Some(auth.user_id())),
        Some("none") => Some(None),
        Some(id) => Some(Some(UserId(id.parse().map_err(|_| {
            ValidationError::new("assignee", "must be a user id, me or none")
        })?))),
    };
    Ok(TicketFilter {
        kind: q
            .kind
            .as_deref()
            .map(str::parse::<TicketKind>)
            .transpose()?,
        statuses,
        priority: q
            .priority
            .as_deref()
            .map(str::parse::<Priority>)
            .transpose()?,
        group_id: q.group_id.map(GroupId),
        assignee_id,
        requester_id: q.requester_id.map(UserId),
        organisation_id: q.organisation_id.map(OrganisationId),
        category_id: q.category_id.map(CategoryId),
        major: q.major,
        parent_id: q.parent_id.map(TicketId),
        text: q.q.clone(),
        sla_state: q
            .sla
            .as_deref()
            .map(|s| {
                ventanilla_domain::sla::SlaState::parse(s)
                    .ok_or_else(|| ValidationError::new("sla", "must be ok, at_risk or breached"))
            })
            .transpose()?,
    })
}

/// Reads one ticket; the `ETag` header carries its version for `If-Match`.
#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let ticket = access::load(&state, &auth, TicketId(id)).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// The tickets linked under this one (a major incident's children).
#[utoipa::path(get, path = "/tickets/{id}/children", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Ticket>), (status = 404, body = ErrorBody)))]
pub async fn children(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Ticket>>> {
    let parent = access::load(&state, &auth, TicketId(id)).await?;
    // Children the caller may not see stay hidden: the scope is in the list's SQL.
    let scope = access::scope(&state, &auth);
    let filter = TicketFilter {
        parent_id: Some(parent.id),
        ..TicketFilter::default()
    };
    let mut page = state
        .store
        .tickets()
        .list(
            &scope,
            &filter,
            TicketSort::Oldest,
            None,
            PageRequest::MAX_LIMIT,
        )
        .await?;
    for t in &mut page.items {
        redact(&auth, t);
    }
    Ok(Json(page.items))
}
