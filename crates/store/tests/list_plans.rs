//! The list plan test (issue 20): every ticket list the API and the console offer — scope ×
//! status filter × one other filter × sort × first or deep page — is explained by the
//! database (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL) on the exact SQL the
//! store runs (`Tickets::explain_list`), and fails on a sort of every matching row or a full
//! scan of `tickets`. Shapes accepted otherwise are named in `allowed` with the reason.
//!
//! The desk is imported (20,000 tickets shaped like the benchmark's: ids follow time, the
//! newest tenth mostly open, the rest closed; queues, organisations, SLA states) so that
//! PostgreSQL plans from real statistics (the import runs `ANALYZE`, as production's
//! autovacuum would); SQLite plans from its indexes alone, as in production, where nothing
//! runs `ANALYZE` on it.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use ventanilla_domain::sla::SlaState;
use ventanilla_domain::ticket::{Priority, Status, TicketKind};
use ventanilla_domain::{CategoryId, GroupId, OrganisationId, UserId};
use ventanilla_store::Store;
use ventanilla_store::tickets::{ListPlan, TicketFilter, TicketScope, TicketSort};
use ventanilla_testdb::TestDb;

const TICKETS: u64 = 20_000;
const ORGANISATIONS: u64 = 6;
const REQUESTERS: u64 = 600;
const AGENTS: u64 = 30;
const GROUPS: u64 = 6;
const CATEGORIES: [&str; 6] = [
    "hardware.computer",
    "hardware.printer",
    "software.bug",
    "network.connectivity",
    "network.speed",
    "security.malware",
];

/// A tiny deterministic generator (splitmix64), so both backends get the same desk.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The group an agent works in: agent `a` is in group `a % GROUPS`, and every fifth agent
/// also in the next one. Group 0 is the big first-line queue.
fn agent_groups(a: u64) -> Vec<u64> {
    let mut g = vec![a % GROUPS];
    if a.is_multiple_of(5) {
        g.push((a + 1) % GROUPS);
    }
    g
}

fn desk() -> String {
    let mut out = String::new();
    for o in 0..ORGANISATIONS {
        writeln!(
            out,
            r#"{{"type":"organisation","ref":"o{o}","name":"Organismo {o}"}}"#
        )
        .unwrap();
    }
    for r in 0..REQUESTERS {
        writeln!(
            out,
            r#"{{"type":"user","ref":"r{r}","email":"r{r}@plan.test","name":"Persona {r}","organisation":"o{}"}}"#,
            r % ORGANISATIONS
        )
        .unwrap();
    }
    for a in 0..AGENTS {
        writeln!(
            out,
            r#"{{"type":"user","ref":"a{a}","email":"a{a}@plan.test","name":"Agente {a}","role":"agent"}}"#
        )
        .unwrap();
    }
    for g in 0..GROUPS {
        let members: Vec<String> = (0..AGENTS)
            .filter(|a| agent_groups(*a).contains(&g))
            .map(|a| format!(r#"{{"user":"a{a}"}}"#))
            .collect();
        writeln!(
            out,
            r#"{{"type":"group","ref":"g{g}","name":"Grupo {g}","tier":"L1","members":[{}]}}"#,
            members.join(",")
        )
        .unwrap();
    }
    let mut rng = Rng(20);
    let levels = ["high", "medium", "low"];
    let open = [
        "new",
        "analysis",
        "solution",
        "pending",
        "validation",
        "survey",
        "review",
    ];
    let start = jiff::Timestamp::from_second(1_700_000_000).unwrap();
    for i in 0..TICKETS {
        // The newest 11 % are mostly open, older ones closed (a tenth cancelled).
        let status = if i >= TICKETS * 89 / 100 && rng.below(10) != 0 {
            open[rng.below(open.len() as u64) as usize]
        } else if rng.below(10) == 0 {
            "cancelled"
        } else {
            "closed"
        };
        // Group 0 takes 40 % of the work, the others share the rest.
        let group = if rng.below(10) < 4 {
            0
        } else {
            1 + rng.below(GROUPS - 1)
        };
        let members: Vec<u64> = (0..AGENTS)
            .filter(|a| agent_groups(*a).contains(&group))
            .collect();
        let assignee = if status == "new" {
            String::new()
        } else {
            format!(
                r#""assignee":"a{}","#,
                members[rng.below(members.len() as u64) as usize]
            )
        };
        let requester = rng.below(REQUESTERS);
        let kind = if rng.below(10) < 7 {
            "incident"
        } else {
            "service_request"
        };
        let major = rng.below(200) == 0;
        let at = start
            .checked_add(jiff::SignedDuration::from_mins(i as i64 * 5))
            .unwrap();
        writeln!(
            out,
            r#"{{"type":"ticket","kind":"{kind}","subject":"Incidencia {i}","description":"Texto","requester":"r{requester}","organisation":"o{}","channel":"portal","category":"{}","impact":"{}","urgency":"{}","group":"g{group}",{assignee}"status":"{status}","major":{major},"created_at":"{at}"}}"#,
            requester % ORGANISATIONS,
            CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize],
            levels[rng.below(3) as usize],
            levels[rng.below(3) as usize],
        )
        .unwrap();
    }
    out
}

/// Gives open tickets a running SLA clock (a due instant and a state), and closed ones their
/// final state, as the SLA engine would have; then refreshes PostgreSQL's statistics.
async fn with_sla(db: &TestDb) {
    let statements = [
        "UPDATE tickets SET sla_due_at = created_at + (id % 97) * 3600000000, \
         sla_state = CASE id % 10 WHEN 0 THEN 'breached' WHEN 1 THEN 'at_risk' ELSE 'ok' END \
         WHERE status NOT IN ('closed', 'cancelled', 'pending')",
        "UPDATE tickets SET sla_state = CASE id % 7 WHEN 0 THEN 'breached' ELSE 'ok' END \
         WHERE status IN ('closed', 'cancelled')",
    ];
    if db.is_postgres() {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        for s in statements {
            sqlx::query(s).execute(&pool).await.unwrap();
        }
        sqlx::query("ANALYZE tickets").execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        for s in statements {
            sqlx::query(s).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
}

/// Ids the combinations need, looked up through the store's own lists.
struct Ids {
    requester: UserId,
    organisation: OrganisationId,
    agent: UserId,
    group: GroupId,
    category: CategoryId,
}

async fn ids(store: &Store) -> Ids {
    let user = |email: &'static str| async move {
        store
            .users()
            .by_email(&ventanilla_domain::Email::parse(email).unwrap())
            .await
            .unwrap()
    };
    let requester = user("r7@plan.test").await;
    let agent = user("a0@plan.test").await;
    let groups = store
        .groups()
        .list(
            &ventanilla_store::groups::GroupFilter::default(),
            ventanilla_domain::directory::PageRequest::new(None, Some(50)).unwrap(),
        )
        .await
        .unwrap()
        .items;
    let group = groups
        .iter()
        .find(|(g, _)| g.name.as_str() == "Grupo 0")
        .unwrap()
        .0
        .id;
    let category = store
        .categories()
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "hardware.printer")
        .unwrap()
        .id;
    Ids {
        requester: requester.id,
        organisation: requester.organisation_id.unwrap(),
        agent: agent.id,
        group,
        category,
    }
}

#[derive(Debug, Clone)]
struct Combo {
    scope: &'static str,
    status: &'static str,
    other: &'static str,
    sort: TicketSort,
    deep: bool,
}

impl Combo {
    fn name(&self) -> String {
        format!(
            "scope={} status={} filter={} sort={:?} page={}",
            self.scope,
            self.status,
            self.other,
            self.sort,
            if self.deep { "deep" } else { "first" }
        )
    }
}

const SCOPES: [&str; 4] = ["own", "organisation", "groups", "all"];
const STATUSES: [&str; 4] = ["none", "one", "open", "several"];
const OTHERS: [&str; 13] = [
    "none",
    "priority",
    "group",
    "assignee=me",
    "assignee=none",
    "category",
    "organisation",
    "requester",
    "kind",
    "major",
    "sla=breached",
    "sla=at_risk",
    "text",
];
const SORTS: [TicketSort; 4] = [
    TicketSort::Newest,
    TicketSort::Oldest,
    TicketSort::Priority,
    TicketSort::Due,
];

fn arguments(c: &Combo, ids: &Ids) -> (TicketScope, TicketFilter, Option<String>) {
    let scope = match c.scope {
        "own" => TicketScope::Own(ids.requester),
        "organisation" => TicketScope::Organisation(ids.requester, ids.organisation),
        "groups" => TicketScope::Groups(ids.agent),
        _ => TicketScope::All,
    };
    let mut f = TicketFilter {
        statuses: match c.status {
            "one" => vec![Status::Analysis],
            "open" => Status::ALL
                .iter()
                .copied()
                .filter(|s| s.is_open())
                .collect(),
            "several" => vec![Status::New, Status::Analysis],
            _ => Vec::new(),
        },
        ..TicketFilter::default()
    };
    match c.other {
        "priority" => f.priority = Some(Priority::High),
        "group" => f.group_id = Some(ids.group),
        "assignee=me" => f.assignee_id = Some(Some(ids.agent)),
        "assignee=none" => f.assignee_id = Some(None),
        "category" => f.category_id = Some(ids.category),
        "organisation" => f.organisation_id = Some(ids.organisation),
        "requester" => f.requester_id = Some(ids.requester),
        "kind" => f.kind = Some(TicketKind::Incident),
        "major" => f.major = Some(true),
        "sla=breached" => f.sla_state = Some(SlaState::Breached),
        "sla=at_risk" => f.sla_state = Some(SlaState::AtRisk),
        "text" => f.text = Some("incidencia 12".into()),
        _ => {}
    }
    // A deep page: a cursor far into the list (the middle of the open tickets).
    let id = TICKETS * 95 / 100;
    let after = c.deep.then(|| match c.sort {
        TicketSort::Newest | TicketSort::Oldest => id.to_string(),
        TicketSort::Priority => format!("3.{id}"),
        TicketSort::Due => format!("1705000000000000.{id}"),
    });
    (scope, f, after)
}

/// What is wrong with a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Finding {
    /// Every matching row is read and sorted before the first is returned.
    FullSort,
    /// `tickets` read from end to end (a table scan, or a whole index without a bound).
    FullScan,
    /// An index range walked with a filter on a column another index leads with: the walk
    /// passes over every row of the range that fails the filter, so its length grows with
    /// the desk, not with the page (PostgreSQL reading unassigned tickets through
    /// `(status, id)` and filtering `assignee_id IS NULL`).
    FilteredWalk,
    /// An organisation's list not read on the organisation's index (see
    /// [`organisation_index`]).
    NotOrganisationKeyed,
}

/// The index an organisation's list must read (issue 20: by priority it walked each open
/// status's range of the whole desk and filtered the organisation, 1 ticket in 24): the
/// organisation's `(organisation_id, status, priority_rank, id)` — in priority order on both
/// backends, by age too on SQLite (every rank named). `None`: another index leads (a queue,
/// one person's tickets, the due date) or PostgreSQL's age order, read on `(organisation_id,
/// id)` or a status's age index as its statistics choose.
fn organisation_index(c: &Combo, postgres: bool) -> Option<&'static str> {
    let keyed_by_organisation = match c.scope {
        "all" => c.other == "organisation",
        "organisation" => !matches!(
            c.other,
            "group" | "assignee=me" | "assignee=none" | "requester" | "text"
        ),
        _ => false,
    };
    let sorted = match c.sort {
        TicketSort::Priority => true,
        TicketSort::Newest | TicketSort::Oldest => !postgres,
        TicketSort::Due => false,
    };
    (keyed_by_organisation && sorted).then_some(if postgres {
        "tickets_organisation_queue_idx"
    } else {
        "tickets_organisation_idx"
    })
}

/// Accepted exceptions, each with its reason; `via` is the plan step that reads `tickets`
/// (SQLite) or the node that does (PostgreSQL). Returning `None` means the finding fails.
fn allowed(c: &Combo, finding: Finding, via: &str, sql: &str) -> Option<&'static str> {
    if c.other == "text" {
        return Some(
            "text filter (q=): the matching ids come from the search index (FTS5 or GIN) and \
             the list reads the rows it filters by them; a rare word is a short id list, a \
             common one is bounded by the page's LIMIT on the list's own index",
        );
    }
    if matches!(finding, Finding::FullSort | Finding::FilteredWalk)
        && via.contains("tickets_requester_idx")
    {
        return Some(
            "one requester's tickets sorted by priority or due date, or filtered (own scope, \
             the requester filter, the own-tickets arm of a wider scope): bounded by one person \
             (about 100 at 1 M tickets and 10,000 people), not by the desk",
        );
    }
    // SQLite reads the arm's tickets by rowid; PostgreSQL joins them to ticket_followers.
    // The follow arm is the only arm of a group scope read by id: any other arm is a queue
    // range (group or assignee) or one person's tickets, each read in order (held above).
    let queue_range =
        via.contains("tickets_group_queue_idx") || via.contains("tickets_assignee_queue_idx");
    if c.scope == "groups"
        && finding == Finding::FullSort
        && sql.contains("ticket_followers")
        && !queue_range
    {
        return Some(
            "the open tickets my groups escalated and follow (the follow arm of the group \
             scope, SPEC C5), read by id from ticket_followers and sorted: bounded by a \
             group's open escalations, not by the desk",
        );
    }
    // PostgreSQL looks the follow arm's ids up by primary key (`id = ANY(ARRAY(…))`) and
    // checks the other filters (e.g. unassigned) on each: no walk, the same bound.
    if c.scope == "groups"
        && finding == Finding::FilteredWalk
        && sql.contains("ticket_followers")
        && via.contains("using tickets_pkey on tickets")
    {
        return Some(
            "the follow arm's tickets, looked up by id from ticket_followers and filtered one              by one: bounded by a group's open escalations, not by the desk",
        );
    }
    let by_age = matches!(c.sort, TicketSort::Newest | TicketSort::Oldest);
    let walks_primary_key = via == "SCAN t" || via.contains("using tickets_pkey on tickets");
    let unkeyed = c.scope != "groups"
        && c.status == "none"
        && !matches!(c.other, "group" | "assignee=me" | "assignee=none");
    if finding == Finding::FullScan && by_age && walks_primary_key && unkeyed {
        return Some(
            "age order without a status or queue filter: the primary key is read in order \
             and the walk stops when the page is full; it passes over the newer rows that do \
             not match (none without a filter), never sorts",
        );
    }
    if finding == Finding::FullScan
        && by_age
        && (via.starts_with("Index Scan Backward using tickets_pkey")
            || via.starts_with("Index Scan using tickets_pkey"))
    {
        return Some(
            "PostgreSQL, age order where its statistics say the matches are dense (a status \
             range of a group, an organisation's open tickets): it walks the primary key, \
             stopped by the page's Limit, rather than the matching age index, which exists; \
             a cost choice that assumes matches spread evenly over ids",
        );
    }
    if finding == Finding::FullScan
        && c.sort == TicketSort::Due
        && (via.contains("using tickets_sla_due_idx on tickets")
            || via.contains("using tickets_unassigned_due_idx on tickets"))
    {
        return Some(
            "due order outside a queue: the due-date index (partial: only tickets whose SLA \
             clock runs; or only the unassigned among them) is read in order and the walk \
             stops when the page is full",
        );
    }
    None
}

fn order_columns(sort: TicketSort) -> &'static [&'static str] {
    match sort {
        TicketSort::Newest | TicketSort::Oldest => &["id"],
        TicketSort::Priority => &["priority_rank", "id"],
        TicketSort::Due => &["sla_due_at", "id"],
    }
}

/// SQLite: `SCAN t…` is a full scan; a temporary B-tree for ORDER BY is a full sort unless
/// the tickets access beside it reads an index whose columns after the ones fixed by `=` or
/// `IN` are the ORDER BY (then SQLite walks each fixed range in order and stops it once it
/// cannot beat the page: a bounded sort), or it merges limited subqueries.
async fn sqlite_findings(
    store: &Store,
    plan: &ListPlan,
    sort: TicketSort,
) -> Vec<(Finding, String)> {
    let mut out = Vec::new();
    for step in &plan.steps {
        let d = step.detail.as_str();
        if d == "SCAN t" || d.starts_with("SCAN t USING") {
            out.push((Finding::FullScan, d.to_owned()));
        }
        if !d.starts_with("USE TEMP B-TREE FOR") || !d.contains("ORDER BY") {
            continue;
        }
        let siblings: Vec<&str> = plan
            .steps
            .iter()
            .filter(|s| s.parent == step.parent && s.id != step.id)
            .map(|s| s.detail.as_str())
            .collect();
        for s in siblings {
            if s.starts_with("MULTI-INDEX OR") || s.starts_with("SCAN t") {
                out.push((Finding::FullSort, s.to_owned()));
            } else if let Some(rest) = s.strip_prefix("SEARCH t USING ")
                && !sqlite_ordered_within_ranges(store, rest, sort).await
            {
                out.push((Finding::FullSort, s.to_owned()));
            }
        }
    }
    out
}

/// `rest` is `[COVERING ]INDEX name (a=? AND b=? AND c>?)` or `INTEGER PRIMARY KEY (…)`.
async fn sqlite_ordered_within_ranges(store: &Store, rest: &str, sort: TicketSort) -> bool {
    let rest = rest.strip_prefix("COVERING ").unwrap_or(rest);
    let Some(rest) = rest.strip_prefix("INDEX ") else {
        // The primary key: rows come in id order.
        return order_columns(sort) == ["id"];
    };
    let (name, cond) = rest.split_once(' ').unwrap_or((rest, ""));
    let fixed: Vec<&str> = cond
        .trim_matches(|c| c == '(' || c == ')')
        .split(" AND ")
        .filter_map(|t| t.strip_suffix("=?"))
        .filter(|c| !c.contains(['<', '>']))
        .collect();
    let cols = store.tickets().index_columns(name).await.unwrap();
    let free: Vec<&str> = cols
        .iter()
        .map(String::as_str)
        .skip_while(|c| fixed.contains(c))
        .collect();
    let wanted: Vec<&str> = order_columns(sort)
        .iter()
        .copied()
        .filter(|c| !fixed.contains(c))
        .collect();
    free.len() >= wanted.len() && free[..wanted.len()] == wanted[..]
}

/// One node of PostgreSQL's text plan: its label, properties and children.
#[derive(Debug, Default)]
struct PgNode {
    label: String,
    props: Vec<String>,
    children: Vec<PgNode>,
}

fn pg_tree(plan: &ListPlan) -> PgNode {
    // (indent, node) stack; a node line is the first line or one with "->".
    let mut stack: Vec<(usize, PgNode)> = Vec::new();
    for step in &plan.steps {
        let line = step.detail.as_str();
        let (indent, label) = match line.find("->  ") {
            Some(i) => (i, &line[i + 4..]),
            None if stack.is_empty() => (0, line),
            None => {
                if let Some((_, n)) = stack.last_mut() {
                    n.props.push(line.trim().to_owned());
                }
                continue;
            }
        };
        while stack.len() > 1 && stack.last().unwrap().0 >= indent {
            let (_, done) = stack.pop().unwrap();
            stack.last_mut().unwrap().1.children.push(done);
        }
        stack.push((
            indent,
            PgNode {
                label: label.to_owned(),
                ..PgNode::default()
            },
        ));
    }
    while stack.len() > 1 {
        let (_, done) = stack.pop().unwrap();
        stack.last_mut().unwrap().1.children.push(done);
    }
    stack.pop().map(|(_, n)| n).unwrap_or_default()
}

fn reads_tickets(n: &PgNode) -> bool {
    n.label.contains(" on tickets ")
}

/// Whether a tickets scan is reached from `n` without passing a Limit.
fn unlimited_tickets_below(n: &PgNode) -> bool {
    n.children
        .iter()
        .any(|c| !c.label.starts_with("Limit") && (reads_tickets(c) || unlimited_tickets_below(c)))
}

/// Every node under `n`, for the allow-list (which names the index read).
fn labels_below(n: &PgNode) -> String {
    n.children
        .iter()
        .map(|c| format!("{} / {}", c.label, labels_below(c)))
        .collect()
}

/// PostgreSQL: a sequential scan of `tickets`, an index scan of it without an index
/// condition (a walk of the whole index), or a Sort with a tickets scan below it that no
/// Limit bounds (a merge of limited ranges is bounded; an Incremental Sort is too).
fn pg_findings(n: &PgNode, out: &mut Vec<(Finding, String)>) {
    let l = n.label.as_str();
    if l.starts_with("Seq Scan on tickets") {
        out.push((Finding::FullScan, l.to_owned()));
    }
    if (l.starts_with("Index Scan") || l.starts_with("Index Only Scan"))
        && reads_tickets(n)
        && !n.props.iter().any(|p| p.starts_with("Index Cond"))
    {
        out.push((Finding::FullScan, l.to_owned()));
    }
    if let Some(column) = filtered_key(n) {
        out.push((Finding::FilteredWalk, format!("{l} / filter on {column}")));
    }
    if l.starts_with("Sort ") && unlimited_tickets_below(n) {
        out.push((Finding::FullSort, labels_below(n)));
    }
    for c in &n.children {
        pg_findings(c, out);
    }
}

/// Keyed conditions with an index of their own that holds exactly their rows: filtering a
/// range of another index by one walks every row that index would have skipped. (Equality
/// on a queue key is left to the planner: a group's or a requester's rows are a fair share
/// of a status range, while unassigned tickets are few outside `new` and a walk past them
/// reads whole statuses.)
const KEYED: [(&str, &str); 1] = [("assignee_id IS NULL", "tickets_unassigned_")];

/// PostgreSQL: the keyed column a tickets index scan filters on while reading another index.
fn filtered_key(n: &PgNode) -> Option<&'static str> {
    let l = n.label.as_str();
    if !(l.starts_with("Index Scan") || l.starts_with("Index Only Scan")) || !reads_tickets(n) {
        return None;
    }
    let filter = n.props.iter().find(|p| p.starts_with("Filter:"))?;
    KEYED
        .iter()
        .find(|(cond, index)| filter.contains(cond) && !l.contains(index))
        .map(|(cond, _)| *cond)
}

const SMALL_SORT: &str = "PostgreSQL sorts a small set at this size but has an index in the \
    list's order (chosen with sorts priced out), which its planner takes as the table grows";

/// Every combination: scope × status filter × other filter × sort × first or deep page.
fn combos() -> Vec<Combo> {
    let mut combos = Vec::new();
    for scope in SCOPES {
        for status in STATUSES {
            for other in OTHERS {
                for sort in SORTS {
                    for deep in [false, true] {
                        combos.push(Combo {
                            scope,
                            status,
                            other,
                            sort,
                            deep,
                        });
                    }
                }
            }
        }
    }
    combos
}

async fn desk_db() -> (TestDb, Store, Ids) {
    let db = TestDb::fresh().await;
    let store = db.store().await;
    store
        .import(
            std::io::Cursor::new(desk().into_bytes()),
            &ventanilla_store::import::ImportOptions {
                time_zone: ventanilla_domain::TimeZoneName::parse("Europe/Madrid").expect("zone"),
                now: jiff::Timestamp::UNIX_EPOCH,
            },
        )
        .await
        .unwrap();
    with_sla(&db).await;
    let ids = ids(&store).await;
    (db, store, ids)
}

/// The lists the plans are about return what the scope and filter say, in order, a page at
/// a time: every combination's first two pages against the same list computed here from
/// every ticket (the scope's arms merged without duplicates, the cursors continuing), and
/// their capped counts.
#[tokio::test]
async fn every_list_returns_its_tickets_in_order() {
    let (_db, store, ids) = desk_db().await;
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .tickets()
            .list(
                &TicketScope::All,
                &TicketFilter::default(),
                TicketSort::Oldest,
                after.as_deref(),
                200,
            )
            .await
            .unwrap();
        all.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(all.len() as u64, TICKETS);
    let my_groups: Vec<GroupId> = store
        .groups()
        .list(
            &ventanilla_store::groups::GroupFilter {
                member: Some(ids.agent),
                ..Default::default()
            },
            ventanilla_domain::directory::PageRequest::new(None, Some(50)).unwrap(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|(g, _)| g.id)
        .collect();
    assert_eq!(my_groups.len(), 2, "agent a0 is in two groups");
    let mut checked = 0;
    for c in combos().iter().filter(|c| !c.deep) {
        let (scope, f, _) = arguments(c, &ids);
        let mut expected: Vec<&ventanilla_domain::ticket::Ticket> = all
            .iter()
            .filter(|t| match &scope {
                TicketScope::All => true,
                TicketScope::Own(u) => t.requester_id == *u,
                TicketScope::Organisation(u, o) => {
                    t.organisation_id == Some(*o) || t.requester_id == *u
                }
                TicketScope::Groups(u) => {
                    t.group_id.is_some_and(|g| my_groups.contains(&g))
                        || t.assignee_id == Some(*u)
                        || t.requester_id == *u
                }
            })
            .filter(|t| f.statuses.is_empty() || f.statuses.contains(&t.status))
            .filter(|t| f.priority.is_none_or(|p| t.priority == p))
            .filter(|t| f.group_id.is_none_or(|g| t.group_id == Some(g)))
            .filter(|t| f.assignee_id.is_none_or(|a| t.assignee_id == a))
            .filter(|t| f.category_id.is_none_or(|x| t.category_id == Some(x)))
            .filter(|t| {
                f.organisation_id
                    .is_none_or(|x| t.organisation_id == Some(x))
            })
            .filter(|t| f.requester_id.is_none_or(|x| t.requester_id == x))
            .filter(|t| f.kind.is_none_or(|x| t.kind == x))
            .filter(|t| f.major.is_none_or(|x| t.major == x))
            .filter(|t| f.sla_state.is_none_or(|x| t.sla.state == Some(x)))
            .filter(|t| {
                f.text
                    .as_deref()
                    // Through the search index: every word of the filter is a word of the
                    // text ("incidencia 12" is not "Incidencia 120").
                    .is_none_or(|x| {
                        let words: Vec<String> = t
                            .subject
                            .to_lowercase()
                            .split(' ')
                            .map(str::to_owned)
                            .collect();
                        x.split(' ').all(|w| words.iter().any(|v| v == w))
                    })
            })
            .filter(|t| c.sort != TicketSort::Due || t.sla.due_at.is_some())
            .collect();
        match c.sort {
            TicketSort::Newest => expected.sort_by_key(|t| std::cmp::Reverse(t.id)),
            TicketSort::Oldest => expected.sort_by_key(|t| t.id),
            TicketSort::Priority => expected.sort_by_key(|t| (t.priority.rank(), t.id)),
            TicketSort::Due => expected.sort_by_key(|t| (t.sla.due_at, t.id)),
        }
        let expected: Vec<_> = expected.iter().map(|t| t.id).collect();
        if c.sort != TicketSort::Due {
            // The console's capped counts run the same scope and filter (no due clause).
            let n = store.tickets().count_capped(&scope, &f, 300).await.unwrap();
            assert_eq!(n as usize, expected.len().min(300), "count: {}", c.name());
        }
        let first = store
            .tickets()
            .list(&scope, &f, c.sort, None, 50)
            .await
            .unwrap();
        let mut got: Vec<_> = first.items.iter().map(|t| t.id).collect();
        if let Some(next) = first.next.as_deref() {
            let second = store
                .tickets()
                .list(&scope, &f, c.sort, Some(next), 50)
                .await
                .unwrap();
            got.extend(second.items.iter().map(|t| t.id));
        }
        let want = &expected[..expected.len().min(100)];
        assert_eq!(got, want, "{}", c.name());
        checked += 1;
    }
    println!("{checked} lists checked against the reference, two pages each");
}

#[tokio::test]
async fn every_list_reads_an_index_in_its_order() {
    let (db, store, ids) = desk_db().await;
    let combos = combos();
    let mut accepted: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    // VENTANILLA_PLAN_DUMP=FILE writes every statement and plan there (for working on them).
    let mut dump = std::env::var("VENTANILLA_PLAN_DUMP")
        .ok()
        .map(|p| std::fs::File::create(p).unwrap());
    for c in &combos {
        let (scope, f, after) = arguments(c, &ids);
        let mut plan = store
            .tickets()
            .explain_list(&scope, &f, c.sort, after.as_deref(), 50, false)
            .await
            .unwrap();
        let mut findings = if db.is_postgres() {
            let mut out = Vec::new();
            pg_findings(&pg_tree(&plan), &mut out);
            if !out.is_empty() {
                // Sorting a few hundred rows is the right plan on a 20,000-ticket table;
                // what must hold is that an index gives the order, which the planner then
                // takes as the table grows. Ask again with sorts priced out.
                plan = store
                    .tickets()
                    .explain_list(&scope, &f, c.sort, after.as_deref(), 50, true)
                    .await
                    .unwrap();
                out.clear();
                pg_findings(&pg_tree(&plan), &mut out);
                if out.is_empty() {
                    *accepted.entry(SMALL_SORT).or_default() += 1;
                }
            }
            out
        } else {
            sqlite_findings(&store, &plan, c.sort).await
        };
        if let Some(index) = organisation_index(c, db.is_postgres()) {
            let steps = format!("{:?}", plan.steps);
            if !steps.contains(index) {
                failures.push((c.clone(), Finding::NotOrganisationKeyed, plan.clone()));
            }
        }
        findings.sort();
        findings.dedup_by(|a, b| {
            a.0 == b.0 && allowed(c, a.0, &a.1, &plan.sql) == allowed(c, b.0, &b.1, &plan.sql)
        });
        if let Some(dump) = dump.as_mut() {
            writeln!(
                dump,
                "{} {findings:?}\n{}\n{}\n",
                c.name(),
                plan.sql,
                plan.steps
                    .iter()
                    .map(|s| format!("  {} {} {}", s.id, s.parent, s.detail))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
            .unwrap();
        }
        for (finding, via) in findings {
            match allowed(c, finding, &via, &plan.sql) {
                Some(reason) => *accepted.entry(reason).or_default() += 1,
                None => failures.push((c.clone(), finding, plan.clone())),
            }
        }
    }
    println!(
        "{} list combinations explained on {}; accepted exceptions:",
        combos.len(),
        if db.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    for (reason, n) in &accepted {
        println!("  {n} × {reason}");
    }
    if !failures.is_empty() {
        let mut msg = format!("{} list plans read every match:\n", failures.len());
        for (c, finding, _) in &failures {
            writeln!(msg, "  {finding:?}: {}", c.name()).unwrap();
        }
        for (c, finding, plan) in failures.iter().take(3) {
            writeln!(
                msg,
                "\n{finding:?} in {}\nSQL: {}\nvalues: {:?}\nplan:\n{}",
                c.name(),
                plan.sql,
                plan.params,
                plan.steps
                    .iter()
                    .map(|s| format!("  {} {} {}", s.id, s.parent, s.detail))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
            .unwrap();
        }
        panic!("{msg}");
    }
}

/// The console's tab counts in an agent's group scope (every tab's filter, and the
/// "following" tab's) are read on the arms' own indexes: the group queue, the followed
/// tickets by id, the assignee queue, the requester's tickets. None walks the desk's open
/// tickets by status to probe a short list (the followed arm did: 6 ms at 1 M tickets for
/// an empty tab, whatever the agent's follows). SQLite; PostgreSQL plans by its statistics.
#[tokio::test]
async fn group_scope_counts_read_each_arm_on_its_own_index() {
    let (db, store, ids) = desk_db().await;
    if db.is_postgres() {
        println!("skipped: SQLite plans");
        return;
    }
    let open: Vec<Status> = Status::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    let tabs: Vec<(&str, TicketFilter)> = vec![
        (
            "mine",
            TicketFilter {
                statuses: open.clone(),
                assignee_id: Some(Some(ids.agent)),
                ..TicketFilter::default()
            },
        ),
        (
            "groups",
            TicketFilter {
                statuses: open.clone(),
                without_followed: true,
                ..TicketFilter::default()
            },
        ),
        (
            "following",
            TicketFilter {
                statuses: open.clone(),
                followed_by: Some(ids.agent),
                ..TicketFilter::default()
            },
        ),
        (
            "unassigned",
            TicketFilter {
                statuses: open.clone(),
                assignee_id: Some(None),
                ..TicketFilter::default()
            },
        ),
        (
            "open",
            TicketFilter {
                statuses: open.clone(),
                ..TicketFilter::default()
            },
        ),
        (
            "pending",
            TicketFilter {
                statuses: vec![Status::Pending],
                ..TicketFilter::default()
            },
        ),
    ];
    let scope = TicketScope::Groups(ids.agent);
    for (tab, f) in &tabs {
        let plan = store
            .tickets()
            .explain_count(&scope, f, 1001)
            .await
            .unwrap();
        let reads: Vec<&str> = plan
            .steps
            .iter()
            .map(|s| s.detail.as_str())
            .filter(|d| d.starts_with("SEARCH t ") || d.starts_with("SCAN t"))
            .collect();
        assert!(!reads.is_empty(), "{tab}: {plan:?}");
        for read in &reads {
            assert!(
                !read.contains("tickets_status_idx") && !read.starts_with("SCAN t"),
                "{tab}: an arm walks the desk's tickets: {read}\n{}\n{:#?}",
                plan.sql,
                plan.steps
            );
        }
        if f.followed_by.is_some() {
            assert!(
                reads.iter().all(|r| r.contains("PRIMARY KEY")),
                "{tab}: followed tickets are read by id: {reads:?}"
            );
        }
    }
}
