//! The agent console's queue: views (mine, my groups, unassigned, all open, pending, review)
//! each with its ticket count, filters and sort, keyset pages from `store.tickets().list`,
//! SLA state on each row, and a fragment the page's script refreshes in place. Every count
//! is capped ("1000+") and all of them come from one statement, in the viewer's scope: never
//! a recount of the table.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::directory::{PageRequest, SupportGroup};
use ventanilla_domain::ticket::{Category, Status, Ticket};
use ventanilla_domain::{Permission, UserId};
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::tickets::{TicketScope, TicketSort};

use crate::AppState;
use crate::desk::tickets::access;
use crate::desk::tickets::queue::{ListQuery, filter_of};
use crate::web::kit::error::WebResult;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::staff::Staff;

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

/// Queues count their tickets up to this many; more shows as "1000+".
pub const COUNT_CAP: u32 = 1000;

/// A count as shown: the number, or the cap and a plus when there are more.
pub fn shown_count(n: i64) -> String {
    if n > i64::from(COUNT_CAP) {
        format!("{COUNT_CAP}+")
    } else {
        n.to_string()
    }
}

/// The scope a view lists in: "my groups" keeps to the viewer's groups even for someone who
/// may see every ticket; the other views use the viewer's own scope.
fn view_scope(view: &str, base: &TicketScope, me: UserId) -> TicketScope {
    if view == "groups" && matches!(base, TicketScope::All | TicketScope::Groups(_)) {
        TicketScope::Groups(me)
    } else {
        base.clone()
    }
}

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
            .map(|(k, v)| format!("{k}={}", crate::web::kit::url::url_encode(v)))
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
#[template(path = "console/queue.html")]
struct QueuePage {
    c: Ctx,
    q: QueueQuery,
    rows: Vec<Ticket>,
    next: Option<String>,
    /// Matching tickets, counted up to [`COUNT_CAP`].
    count: Option<String>,
    /// Each tab the viewer has, with how many tickets it holds.
    tabs: Vec<(&'static str, String)>,
    groups: Vec<SupportGroup>,
    categories: Vec<Category>,
    staff: Staff,
    statuses: Vec<Status>,
}

#[derive(Template)]
#[template(path = "console/rows.html")]
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
    let filter = filter_of(&viewer.caller(), &lq)?;
    let sort = match lq.sort.as_deref() {
        Some(s) => TicketSort::parse(s).unwrap_or_default(),
        None => TicketSort::Priority,
    };
    let base = access::scope(&state, &viewer.caller());
    let scope = view_scope(q.view(), &base, viewer.auth.user_id());
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
    c.unread = crate::web::kit::staff::unread(&state, &viewer).await?;
    // One statement counts every tab (each its view's filter in its scope) and the filtered
    // queue (the due sort needs a running clock, so it is not counted), each capped.
    let tab_views: Vec<&'static str> = VIEWS
        .into_iter()
        .filter(|v| *v != "review" || c.supervisor)
        .collect();
    let mut lists = Vec::with_capacity(tab_views.len() + 1);
    for v in &tab_views {
        let tab = QueueQuery {
            view: (*v).to_owned(),
            ..QueueQuery::default()
        };
        let f = filter_of(&viewer.caller(), &tab.list_query())?;
        lists.push((view_scope(v, &base, viewer.auth.user_id()), f));
    }
    if !sla_filtered {
        lists.push((scope, filter));
    }
    let mut counts = state
        .store
        .tickets()
        .count_capped_each(&lists, COUNT_CAP + 1)
        .await?;
    let count = (!sla_filtered).then(|| counts.pop()).flatten();
    let tabs = tab_views
        .into_iter()
        .zip(counts)
        .map(|(v, n)| (v, shown_count(n)))
        .collect();
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
        count: count.map(shown_count),
        tabs,
        groups,
        categories: crate::web::kit::view::categories(&state).await?,
        staff,
        statuses: Status::ALL.to_vec(),
    })
}
