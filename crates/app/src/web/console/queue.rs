//! The agent console's queue: views (mine, my groups, escalated by my groups, unassigned,
//! all open, pending, review)
//! each with its ticket count, filters and sort, keyset pages from `store.tickets().list`,
//! SLA state on each row, and a fragment the page's script refreshes in place. Every count
//! is capped ("1000+") and all of them come from one statement, in the viewer's scope: never
//! a recount of the table.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde::Deserialize;
use ventanilla_domain::directory::{Organisation, PageRequest, SupportGroup, User};
use ventanilla_domain::ticket::{Category, Status, Ticket};
use ventanilla_domain::{Permission, TicketId, UserId};
use ventanilla_store::desk_day::SavedView;
use ventanilla_store::directory::OrganisationFilter;
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::tickets::{TicketFilter, TicketScope, TicketSort};
use ventanilla_store::users::UserFilter;

use crate::AppState;
use crate::desk::tickets::access;
use crate::desk::tickets::queue::{ListQuery, filter_of};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;
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
    /// The organisation picker: a name typed or chosen from its list.
    pub org: String,
    /// The requester picker: a name or e-mail address typed or chosen from its list.
    pub requester: String,
    pub q: String,
    pub sla: String,
    pub sort: String,
    pub after: String,
    /// `rows`: only the table body (for the in-place refresh).
    pub part: String,
    /// The columns shown, comma-separated (the chooser sends one `col` per box; see
    /// [`columns_of`]).
    pub cols: String,
}

/// Every column the queue can show, in table order.
pub const COLUMNS: [&str; 12] = [
    "number",
    "subject",
    "requester",
    "organisation",
    "group",
    "kind",
    "status",
    "priority",
    "sla",
    "assignee",
    "age",
    "updated",
];

/// The columns shown when none are chosen.
pub const DEFAULT_COLUMNS: [&str; 8] = [
    "number",
    "subject",
    "requester",
    "status",
    "priority",
    "sla",
    "assignee",
    "age",
];

/// The columns a query asks for: `cols=a,b` or one `col=a` per ticked box; unknown names
/// are dropped, the number always shown, the default set when none is left.
pub fn columns_of(raw: Option<&str>) -> Vec<&'static str> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    let wanted: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "col" || k == "cols")
        .flat_map(|(_, v)| v.split(',').map(|x| x.trim().to_owned()))
        .collect();
    let mut cols: Vec<&'static str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| *c == "number" || wanted.iter().any(|w| w == c))
        .collect();
    if cols.len() <= 1 {
        cols = DEFAULT_COLUMNS.to_vec();
    }
    cols
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
    if matches!(view, "groups" | "following")
        && matches!(base, TicketScope::All | TicketScope::Groups(_))
    {
        TicketScope::Groups(me)
    } else {
        base.clone()
    }
}

/// The queue's tabs. `following`: tickets my groups escalated and keep following (SPEC C5).
pub const VIEWS: [&str; 7] = [
    "mine",
    "groups",
    "following",
    "unassigned",
    "open",
    "pending",
    "review",
];

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
            ("org", self.org.as_str()),
            ("requester", self.requester.as_str()),
            ("q", self.q.as_str()),
            ("sla", self.sla.as_str()),
            ("sort", self.sort.as_str()),
            ("cols", self.cols.as_str()),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::web::kit::url::url_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The queue's filter for `viewer`: its query, and for the `following` tab only the
    /// tickets a group of the viewer escalated.
    fn filter(&self, caller: &ventanilla_domain::Caller) -> WebResult<TicketFilter> {
        let mut f = filter_of(caller, &self.list_query())?;
        match self.view() {
            "following" => f.followed_by = Some(caller.user_id()),
            "groups" => f.without_followed = true,
            _ => {}
        }
        Ok(f)
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

/// What a queue's rows show beyond the ticket: names (requesters, organisations, groups,
/// staff), the viewer's seen marks, the columns and the instant the ages count to. Read in a
/// fixed number of statements for the page, whatever its size.
pub struct RowData {
    pub rows: Vec<Ticket>,
    pub cols: Vec<&'static str>,
    pub staff: Staff,
    requesters: HashMap<i64, String>,
    organisations: HashMap<i64, String>,
    groups: HashMap<i64, String>,
    seen: HashMap<i64, i64>,
    now: Timestamp,
}

impl RowData {
    async fn load(
        state: &AppState,
        viewer: &Viewer,
        rows: Vec<Ticket>,
        cols: Vec<&'static str>,
        groups: &[SupportGroup],
    ) -> WebResult<RowData> {
        let day = state.store.desk_day();
        let ids: Vec<TicketId> = rows.iter().map(|t| t.id).collect();
        let requesters = if cols.contains(&"requester") {
            let who: Vec<UserId> = rows.iter().map(|t| t.requester_id).collect();
            day.user_names(&who).await?
        } else {
            HashMap::new()
        };
        let organisations = if cols.contains(&"organisation") {
            let orgs: Vec<i64> = rows
                .iter()
                .filter_map(|t| t.organisation_id.map(|o| o.get()))
                .collect();
            day.organisation_names(&orgs).await?
        } else {
            HashMap::new()
        };
        Ok(RowData {
            seen: day.seen(viewer.auth.user_id(), &ids).await?,
            staff: Staff::load_for(state, viewer).await?,
            groups: groups
                .iter()
                .map(|g| (g.id.get(), g.name.clone()))
                .collect(),
            requesters,
            organisations,
            rows,
            cols,
            now: state.now(),
        })
    }

    pub fn has(&self, col: &str) -> bool {
        self.cols.contains(&col)
    }

    pub fn requester(&self, t: &Ticket) -> String {
        self.requesters
            .get(&t.requester_id.get())
            .cloned()
            .unwrap_or_default()
    }

    pub fn organisation(&self, t: &Ticket) -> String {
        t.organisation_id
            .and_then(|o| self.organisations.get(&o.get()).cloned())
            .unwrap_or_default()
    }

    pub fn group(&self, t: &Ticket) -> String {
        t.group_id
            .and_then(|g| self.groups.get(&g.get()).cloned())
            .unwrap_or_default()
    }

    /// `new` (never opened by the viewer), `changed` (changed since they looked) or "".
    pub fn marker(&self, t: &Ticket) -> &'static str {
        match self.seen.get(&t.id.get()) {
            None => "new",
            Some(v) if *v < t.version => "changed",
            Some(_) => "",
        }
    }

    /// The ticket's age, e.g. "3 h 20 min".
    pub fn age(&self, c: &Ctx, t: &Ticket) -> String {
        let mins = self.now.duration_since(t.created_at).as_secs() / 60;
        crate::web::kit::duration::minutes(c.lang, mins)
    }

    /// The SLA clock in words: "paused", "in 1 h 30 min", "15 min overdue", or "".
    pub fn countdown(&self, c: &Ctx, t: &Ticket) -> String {
        crate::web::kit::staff::countdown(c, t, self.now)
    }
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    c: Ctx,
    q: QueueQuery,
    r: RowData,
    next: Option<String>,
    /// Matching tickets, counted up to [`COUNT_CAP`].
    count: Option<String>,
    /// Each tab the viewer has, with how many tickets it holds.
    tabs: Vec<(&'static str, String)>,
    groups: Vec<SupportGroup>,
    categories: Vec<Category>,
    statuses: Vec<Status>,
    organisations: Vec<Organisation>,
    /// People matching a requester search that found more than one.
    requester_options: Vec<User>,
    views: Vec<SavedView>,
    errors: FieldErrors,
    columns: [&'static str; 12],
}

#[derive(Template)]
#[template(path = "console/rows.html")]
struct Rows {
    c: Ctx,
    r: RowData,
}

/// The pickers' choices resolved to ids: an organisation by its name, a requester by a name
/// or address that matches exactly one person. What matches nothing (or, for a requester,
/// several) is an error beside its field, with the candidates offered.
async fn pickers(
    state: &AppState,
    viewer: &Viewer,
    q: &QueueQuery,
    organisations: &[Organisation],
    f: &mut TicketFilter,
    errors: &mut FieldErrors,
) -> WebResult<Vec<User>> {
    let org = q.org.trim();
    if !org.is_empty() {
        match organisations
            .iter()
            .find(|o| o.name.to_lowercase() == org.to_lowercase())
        {
            Some(o) => f.organisation_id = Some(o.id),
            None => errors.add("org", viewer.lang.t("err-no-match")),
        }
    }
    let who = q.requester.trim();
    if who.is_empty() {
        return Ok(Vec::new());
    }
    let filter = UserFilter {
        q: Some(who.to_lowercase()),
        ..UserFilter::default()
    };
    let found = state
        .store
        .users()
        .list(
            &viewer.auth.actor,
            &filter,
            PageRequest::new(None, Some(8))?,
        )
        .await?
        .items;
    let exact = found
        .iter()
        .find(|u| u.email.as_str().eq_ignore_ascii_case(who) || u.name == who);
    match (exact, found.as_slice()) {
        (Some(u), _) | (None, [u]) => {
            f.requester_id = Some(u.id);
            Ok(Vec::new())
        }
        (None, []) => {
            errors.add("requester", viewer.lang.t("err-no-match"));
            Ok(Vec::new())
        }
        (None, _) => {
            errors.add("requester", viewer.lang.t("err-choose-one"));
            Ok(found)
        }
    }
}

/// A validator for the rows fragment: a hash of exactly what would be sent.
fn etag_of(html: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(html.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"r{hex}\"")
}

/// The rows fragment, or 304 when the client's copy (`If-None-Match`) is current.
fn rows_response(rows: &Rows, headers: &HeaderMap) -> WebResult<Response> {
    let html = rows.render().map_err(crate::AppError::internal)?;
    let tag = etag_of(&html);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|x| x.trim() == tag));
    let cache = [
        (header::ETAG, tag),
        (header::CACHE_CONTROL, "private, no-cache".to_owned()),
    ];
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, Html(html)).into_response())
}

pub async fn queue(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    Query(mut q): Query<QueueQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let cols = columns_of(raw.as_deref());
    q.cols = if cols == DEFAULT_COLUMNS {
        String::new()
    } else {
        cols.join(",")
    };
    let lq = q.list_query();
    let mut filter = q.filter(&viewer.caller())?;
    let sort = match lq.sort.as_deref() {
        Some(s) => TicketSort::parse(s).unwrap_or_default(),
        None => TicketSort::Priority,
    };
    let groups: Vec<SupportGroup> = state
        .store
        .groups()
        .list(&GroupFilter::default(), PageRequest::new(None, Some(200))?)
        .await?
        .items
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    let base = access::scope(&state, &viewer.caller());
    let scope = view_scope(q.view(), &base, viewer.auth.user_id());
    let c = viewer.ctx("queue-title");
    if q.part == "rows" {
        let organisations = if q.org.trim().is_empty() {
            Vec::new()
        } else {
            organisations_of(&state).await?
        };
        let mut errors = FieldErrors::default();
        pickers(
            &state,
            &viewer,
            &q,
            &organisations,
            &mut filter,
            &mut errors,
        )
        .await?;
        let items = if errors.is_empty() {
            state
                .store
                .tickets()
                .list(&scope, &filter, sort, some(&q.after).as_deref(), 50)
                .await?
                .items
        } else {
            Vec::new()
        };
        let r = RowData::load(&state, &viewer, items, cols, &groups).await?;
        return rows_response(&Rows { c, r }, &headers);
    }
    let organisations = organisations_of(&state).await?;
    let mut errors = FieldErrors::default();
    let requester_options = pickers(
        &state,
        &viewer,
        &q,
        &organisations,
        &mut filter,
        &mut errors,
    )
    .await?;
    let page = if errors.is_empty() {
        state
            .store
            .tickets()
            .list(&scope, &filter, sort, some(&q.after).as_deref(), 50)
            .await?
    } else {
        ventanilla_store::tickets::TicketPage {
            items: Vec::new(),
            next: None,
        }
    };
    let sla_filtered = sort == TicketSort::Due || !errors.is_empty();
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
        let f = tab.filter(&viewer.caller())?;
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
    let r = RowData::load(&state, &viewer, page.items, cols, &groups).await?;
    render(&QueuePage {
        views: state.store.desk_day().views(viewer.auth.user_id()).await?,
        c,
        q,
        r,
        next: page.next,
        count: count.map(shown_count),
        tabs,
        groups,
        categories: crate::web::kit::view::categories(&state).await?,
        statuses: Status::ALL.to_vec(),
        organisations,
        requester_options,
        errors,
        columns: COLUMNS,
    })
}

/// The active organisations (up to 200) for the organisation picker.
async fn organisations_of(state: &AppState) -> WebResult<Vec<Organisation>> {
    let f = OrganisationFilter {
        active: Some(true),
        ..OrganisationFilter::default()
    };
    Ok(state
        .store
        .organisations()
        .list(&f, PageRequest::new(None, Some(200))?)
        .await?
        .items)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ViewForm {
    name: String,
    query: String,
}

/// Saves the queue as it is shown under a name of the agent's own (replacing a view of that
/// name), then opens it.
pub async fn save_view(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<ViewForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let name = ventanilla_domain::Text::parse("name", &form.name, 60)?;
    // Only a queue query is kept: the cursor and the fragment switch are dropped.
    let query: String = serde_urlencoded::from_str::<Vec<(String, String)>>(&form.query)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "after" | "part" | "flash"))
        .map(|(k, v)| {
            format!(
                "{}={}",
                crate::web::kit::url::url_encode(&k),
                crate::web::kit::url::url_encode(&v)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    state
        .store
        .desk_day()
        .save_view(viewer.auth.user_id(), name.as_str(), &query, state.now())
        .await?;
    let sep = if query.is_empty() { "" } else { "&" };
    Ok(Redirect::to(&format!("/console?{query}{sep}flash=view-saved")).into_response())
}

/// Deletes one of the agent's saved views.
pub async fn delete_view(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<ViewForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    state
        .store
        .desk_day()
        .delete_view(viewer.auth.user_id(), id)
        .await?;
    Ok(Redirect::to("/console?flash=view-deleted").into_response())
}
