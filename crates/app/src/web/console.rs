//! The agent console's queue: views (mine, my groups, unassigned, all open, pending, review),
//! filters and sort, keyset pages from `store.tickets().list` (never a recount of the
//! table), SLA state on each row, and a fragment the page's script refreshes in place.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_domain::directory::{PageRequest, SupportGroup};
use ventanilla_domain::ticket::{Category, Status, Ticket};
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::tickets::{TicketScope, TicketSort};

use super::error::WebResult;
use super::page::{Ctx, Viewer, render};
use super::staff::Staff;
use crate::AppState;
use crate::api::tickets::read::{ListQuery, filter_of};
use crate::tickets::access;

/// The queue's query string, as the filter form sends it (empty means "any").
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct QueueQuery {
    pub view: String,
    pub status: String,
    pub priority: String,
    pub category_id: String,
    pub group_id: String,
    pub assignee: String,
    pub organisation_id: String,
    pub q: String,
    pub sla: String,
    pub sort: String,
    pub after: String,
    /// `rows`: only the table body (for the in-place refresh).
    pub part: String,
}

fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn num(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// Queues count their tickets up to this many.
pub const COUNT_CAP: u32 = 1000;

pub const VIEWS: [&str; 6] = ["mine", "groups", "unassigned", "open", "pending", "review"];

impl QueueQuery {
    pub fn view(&self) -> &str {
        if VIEWS.contains(&self.view.as_str()) {
            &self.view
        } else {
            "mine"
        }
    }

    /// The query string of this queue without the cursor (for links and the next page).
    pub fn base(&self) -> String {
        let pairs = [
            ("view", self.view()),
            ("status", self.status.as_str()),
            ("priority", self.priority.as_str()),
            ("category_id", self.category_id.as_str()),
            ("group_id", self.group_id.as_str()),
            ("assignee", self.assignee.as_str()),
            ("organisation_id", self.organisation_id.as_str()),
            ("q", self.q.as_str()),
            ("sla", self.sla.as_str()),
            ("sort", self.sort.as_str()),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", super::form::url_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn list_query(&self) -> ListQuery {
        let (status, assignee) = match self.view() {
            "mine" => (
                some(&self.status).or(Some("open".into())),
                Some("me".into()),
            ),
            "unassigned" => (
                some(&self.status).or(Some("open".into())),
                Some("none".into()),
            ),
            "pending" => (Some("pending".into()), some(&self.assignee)),
            "review" => (Some("review".into()), some(&self.assignee)),
            _ => (
                some(&self.status).or(Some("open".into())),
                some(&self.assignee),
            ),
        };
        ListQuery {
            status,
            assignee,
            priority: some(&self.priority),
            category_id: num(&self.category_id),
            group_id: num(&self.group_id),
            organisation_id: num(&self.organisation_id),
            q: some(&self.q),
            sla: some(&self.sla),
            sort: some(&self.sort),
            ..ListQuery::default()
        }
    }
}

#[derive(Template)]
#[template(path = "console_queue.html")]
struct QueuePage {
    c: Ctx,
    q: QueueQuery,
    rows: Vec<Ticket>,
    next: Option<String>,
    /// Matching tickets, counted up to [`COUNT_CAP`].
    count: Option<String>,
    groups: Vec<SupportGroup>,
    categories: Vec<Category>,
    staff: Staff,
    statuses: Vec<Status>,
}

#[derive(Template)]
#[template(path = "console_rows.html")]
struct Rows {
    c: Ctx,
    rows: Vec<Ticket>,
    staff: Staff,
}

pub async fn queue(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<QueueQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let lq = q.list_query();
    let filter = filter_of(&viewer.auth, &lq)?;
    let sort = match lq.sort.as_deref() {
        Some(s) => TicketSort::parse(s).unwrap_or_default(),
        None => TicketSort::Priority,
    };
    let mut scope = access::scope(&state, &viewer.auth);
    if q.view() == "groups" && matches!(scope, TicketScope::All | TicketScope::Groups(_)) {
        scope = TicketScope::Groups(viewer.auth.user_id());
    }
    let page = state
        .store
        .tickets()
        .list(&scope, &filter, sort, some(&q.after).as_deref(), 50)
        .await?;
    let sla_filtered = sort == TicketSort::Due;
    let staff = Staff::load_for(&state, &viewer).await?;
    let mut c = viewer.ctx("queue-title");
    if q.part == "rows" {
        return render(&Rows {
            c,
            rows: page.items,
            staff,
        });
    }
    c.unread = super::staff::unread(&state, &viewer).await?;
    // One capped count per page view (the due sort also needs a running clock, so it is not
    // counted): never a recount of the whole table.
    let count = if sla_filtered {
        None
    } else {
        Some(
            state
                .store
                .tickets()
                .count_capped(&scope, &filter, COUNT_CAP)
                .await?,
        )
    };
    let groups = state
        .store
        .groups()
        .list(&GroupFilter::default(), PageRequest::new(None, Some(200))?)
        .await?
        .items
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    render(&QueuePage {
        c,
        q,
        rows: page.items,
        next: page.next,
        count: count.map(|n| {
            if n >= i64::from(COUNT_CAP) {
                format!("{COUNT_CAP}+")
            } else {
                n.to_string()
            }
        }),
        groups,
        categories: super::view::categories(&state).await?,
        staff,
        statuses: Status::ALL.to_vec(),
    })
}
