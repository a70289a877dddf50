//! Queues: the ticket list filtered, sorted and keyset-paginated, inside the caller's data
//! scope (the scope goes into the SQL, never a filter afterwards).

use serde::Deserialize;
use utoipa::IntoParams;
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::ticket::{Priority, Status, TicketKind};
use ventanilla_domain::{
    Caller, CategoryId, GroupId, OrganisationId, Permission, TicketId, UserId, ValidationError,
};
use ventanilla_store::tickets::{TicketFilter, TicketPage, TicketSort};

use super::access::{require, scope};
use crate::App;
use crate::desk::DeskResult;

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

/// The page of tickets `q` asks for, among those the caller may see.
pub async fn list_tickets(app: &App, caller: &Caller, q: &ListQuery) -> DeskResult<TicketPage> {
    require(caller, Permission::TicketsRead)?;
    let page = PageRequest::new(None, q.limit)?;
    let filter = filter_of(caller, q)?;
    let sort = match q.sort.as_deref() {
        None => TicketSort::default(),
        Some(s) => TicketSort::parse(s).ok_or_else(|| {
            ValidationError::new("sort", "must be newest, oldest, priority or due")
        })?,
    };
    app.store
        .tickets()
        .list(
            &scope(app, caller),
            &filter,
            sort,
            q.after.as_deref(),
            page.limit,
        )
        .await
        .map_err(|e| match e {
            // A cursor is a value of this query that can be refused (422 naming `after`),
            // like `limit`: the schema cannot say which cursors fit which sort.
            ventanilla_store::StoreError::Invalid(m) if m.starts_with("after:") => {
                ValidationError::new("after", "is not a cursor from this list").into()
            }
            other => crate::desk::DeskError::from(other),
        })
}

pub fn filter_of(caller: &Caller, q: &ListQuery) -> Result<TicketFilter, ValidationError> {
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
        Some("me") => Some(Some(caller.user_id())),
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
        // Internal notes match only for callers who may read them.
        text_internal: super::access::sees_internal(caller),
        sla_state: q
            .sla
            .as_deref()
            .map(|s| {
                ventanilla_domain::sla::SlaState::parse(s)
                    .ok_or_else(|| ValidationError::new("sla", "must be ok, at_risk or breached"))
            })
            .transpose()?,
        followed_by: None,
        without_followed: false,
    })
}
