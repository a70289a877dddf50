//! Reading tickets: one ticket with its ETag, and filtered, sorted, keyset-paginated lists.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;
use ventanilla_domain::TicketId;
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::ticket::Ticket;
use ventanilla_store::tickets::{TicketFilter, TicketSort};

use super::{TicketView, etag, redact, view};
use crate::AppState;
use crate::auth::Auth;
use crate::desk::tickets::access;
use crate::desk::tickets::queue::list_tickets;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

pub use crate::desk::tickets::queue::ListQuery;

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
    let mut result = list_tickets(&state, &auth.caller(), &q).await?;
    for t in &mut result.items {
        redact(&auth, t);
    }
    Ok(Json(TicketList {
        items: result.items,
        next: result.next,
    }))
}

/// Reads one ticket; the `ETag` header carries its version for `If-Match`.
#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let ticket = access::load(&state, &auth.caller(), TicketId(id)).await?;
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
    let caller = auth.caller();
    let parent = access::load(&state, &caller, TicketId(id)).await?;
    // Children the caller may not see stay hidden: the scope is in the list's SQL.
    let scope = access::scope(&state, &caller);
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
