//! Reading tickets: one by id or number, and filtered, sorted, keyset-paginated lists with
//! the caller's data scope inside the SQL (ARCHITECTURE principle 6).

use ventanilla_domain::ticket::{Priority, Status, Ticket, TicketKind};
use ventanilla_domain::{CategoryId, GroupId, OrganisationId, TicketId, UserId};

use super::Tickets;
use super::row::{COLUMNS, TicketRow};
use crate::sql::{Param, SqlBuilder, like_contains, trusted};
use crate::{Result, StoreError, dialect};

/// Whose tickets a caller may see, resolved from the actor by the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketScope {
    /// Tickets the user requested.
    Own(UserId),
    /// Tickets of the organisation, and the user's own.
    Organisation(UserId, OrganisationId),
    /// Tickets of the user's groups, and those assigned to them.
    Groups(UserId),
    All,
}

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub kind: Option<TicketKind>,
    /// Any of these statuses (empty: all).
    pub statuses: Vec<Status>,
    pub priority: Option<Priority>,
    pub group_id: Option<GroupId>,
    /// `Some(None)`: unassigned only.
    pub assignee_id: Option<Option<UserId>>,
    pub requester_id: Option<UserId>,
    pub organisation_id: Option<OrganisationId>,
    pub category_id: Option<CategoryId>,
    pub major: Option<bool>,
    pub parent_id: Option<TicketId>,
    /// Words in the subject (case-insensitive substring).
    pub text: Option<String>,
    /// `at_risk` or `breached` (or `ok`).
    pub sla_state: Option<ventanilla_domain::sla::SlaState>,
}

/// List orders. Each is a total order ending in the id, so keyset pages never skip or repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    /// Newest first.
    #[default]
    Newest,
    Oldest,
    /// Most urgent first, then oldest first: the order a queue is worked in.
    Priority,
    /// Soonest SLA due instant first; only tickets whose SLA clock runs.
    Due,
}

impl TicketSort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "newest" | "-created" => Some(Self::Newest),
            "oldest" | "created" => Some(Self::Oldest),
            "priority" => Some(Self::Priority),
            "due" => Some(Self::Due),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TicketPage {
    pub items: Vec<Ticket>,
    /// Opaque cursor of the next page.
    pub next: Option<String>,
}

impl Tickets<'_> {
    pub async fn get(&self, id: TicketId) -> Result<Ticket> {
        let sql = format!("SELECT {COLUMNS} FROM tickets WHERE id = $1");
        let row: TicketRow = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    pub async fn by_number(&self, number: &str) -> Result<Ticket> {
        let sql = format!("SELECT {COLUMNS} FROM tickets WHERE number = $1");
        let row: TicketRow = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(number)
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// Whether the ticket is within `scope` (one indexed look-up).
    pub async fn visible(&self, id: TicketId, scope: &TicketScope) -> Result<bool> {
        let mut b = SqlBuilder::new("SELECT count(*) FROM tickets t WHERE t.id = ");
        b.bind(Param::I64(id.get()));
        push_scope(&mut b, scope);
        let (sql, params) = b.finish();
        let n: i64 = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_scalar(trusted(&sql)), params)
                .fetch_one(db)
                .await?
        });
        Ok(n > 0)
    }

    pub async fn children(&self, parent: TicketId) -> Result<Vec<Ticket>> {
        let sql = format!("SELECT {COLUMNS} FROM tickets WHERE parent_id = $1 ORDER BY id");
        let rows: Vec<TicketRow> = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(parent.get())
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Ticket::try_from).collect()
    }

    /// One page of tickets visible in `scope`, filtered and sorted; `after` is the cursor of
    /// the previous page. No count of the whole result is made.
    pub async fn list(
        &self,
        scope: &TicketScope,
        f: &TicketFilter,
        sort: TicketSort,
        after: Option<&str>,
        limit: u32,
    ) -> Result<TicketPage> {
        let fetch = i64::from(limit) + 1;
        let mut b = SqlBuilder::new("");
        if f.statuses.len() > 1 && dialect::queue_per_status(self.0.kind()) {
            // A queue asks for several statuses in priority (or age, or due) order: one
            // index range per status, each stopping after a page, then a merge of those
            // few rows, reads a page per status whatever the size of the queue.
            let mut statuses = f.statuses.clone();
            statuses.sort_by_key(|s| s.as_str());
            statuses.dedup();
            b.push("SELECT * FROM (");
            for (i, status) in statuses.iter().enumerate() {
                if i > 0 {
                    b.push(" UNION ALL ");
                }
                let one = TicketFilter {
                    statuses: vec![*status],
                    ..f.clone()
                };
                b.push("SELECT * FROM (");
                push_select(&mut b, scope, &one, sort, after, fetch)?;
                b.push(&format!(") s{i}"));
            }
            b.push(") u");
            b.push(match sort {
                TicketSort::Newest => " ORDER BY id DESC",
                TicketSort::Oldest => " ORDER BY id",
                TicketSort::Priority => " ORDER BY sort_rank, id",
                TicketSort::Due => " ORDER BY sla_due_at, id",
            });
            b.push(" LIMIT ").bind(Param::I64(fetch));
        } else {
            push_select(&mut b, scope, f, sort, after, fetch)?;
        }
        let (sql, params) = b.finish();
        let rows: Vec<TicketRow> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        let mut items = rows
            .into_iter()
            .map(Ticket::try_from)
            .collect::<Result<Vec<_>>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|t| cursor_of(sort, t))
        } else {
            None
        };
        Ok(TicketPage { items, next })
    }
}

/// One ordered, limited SELECT of the tickets in `scope` matching `f` after the cursor. It
/// also selects `priority_rank` as `sort_rank`, for a merge of several of them.
fn push_select(
    b: &mut SqlBuilder,
    scope: &TicketScope,
    f: &TicketFilter,
    sort: TicketSort,
    after: Option<&str>,
    fetch: i64,
) -> Result<()> {
    let cols = super::row::qualified();
    b.push(&format!(
        "SELECT {cols}, t.priority_rank AS sort_rank FROM tickets t WHERE 1 = 1"
    ));
    push_scope(b, scope);
    push_filter(b, f);
    if sort == TicketSort::Due {
        b.push(" AND t.sla_due_at IS NOT NULL");
    }
    if let Some(cursor) = after {
        push_cursor(b, sort, cursor)?;
    }
    b.push(match sort {
        TicketSort::Newest => " ORDER BY t.id DESC",
        TicketSort::Oldest => " ORDER BY t.id",
        TicketSort::Priority => " ORDER BY t.priority_rank, t.id",
        TicketSort::Due => " ORDER BY t.sla_due_at, t.id",
    });
    b.push(" LIMIT ").bind(Param::I64(fetch));
    Ok(())
}

fn cursor_of(sort: TicketSort, t: &Ticket) -> String {
    match sort {
        TicketSort::Newest | TicketSort::Oldest => t.id.get().to_string(),
        TicketSort::Priority => format!("{}.{}", t.priority.rank(), t.id.get()),
        TicketSort::Due => format!(
            "{}.{}",
            t.sla.due_at.map_or(0, |d| d.as_microsecond()),
            t.id.get()
        ),
    }
}

fn bad_cursor() -> StoreError {
    StoreError::Invalid("after: not a cursor from this list".into())
}

fn push_cursor(b: &mut SqlBuilder, sort: TicketSort, cursor: &str) -> Result<()> {
    match sort {
        TicketSort::Newest | TicketSort::Oldest => {
            let id: i64 = cursor.parse().map_err(|_| bad_cursor())?;
            b.push(if sort == TicketSort::Newest {
                " AND t.id < "
            } else {
                " AND t.id > "
            });
            b.bind(Param::I64(id));
        }
        TicketSort::Due => {
            let (due, id) = cursor.split_once('.').ok_or_else(bad_cursor)?;
            let due: i64 = due.parse().map_err(|_| bad_cursor())?;
            let id: i64 = id.parse().map_err(|_| bad_cursor())?;
            b.push(" AND (t.sla_due_at > ").bind(Param::I64(due));
            b.push(" OR (t.sla_due_at = ").bind(Param::I64(due));
            b.push(" AND t.id > ").bind(Param::I64(id)).push("))");
        }
        TicketSort::Priority => {
            let (rank, id) = cursor.split_once('.').ok_or_else(bad_cursor)?;
            let rank: i64 = rank.parse().map_err(|_| bad_cursor())?;
            let id: i64 = id.parse().map_err(|_| bad_cursor())?;
            // Row-value comparison spelled out: both databases use the index this way.
            b.push(" AND (t.priority_rank > ").bind(Param::I64(rank));
            b.push(" OR (t.priority_rank = ").bind(Param::I64(rank));
            b.push(" AND t.id > ").bind(Param::I64(id)).push("))");
        }
    }
    Ok(())
}

pub(crate) fn push_scope(b: &mut SqlBuilder, scope: &TicketScope) {
    match scope {
        TicketScope::Own(u) => {
            b.push(" AND t.requester_id = ").bind(Param::I64(u.get()));
        }
        TicketScope::Organisation(u, o) => {
            b.push(" AND (t.organisation_id = ")
                .bind(Param::I64(o.get()));
            b.push(" OR t.requester_id = ")
                .bind(Param::I64(u.get()))
                .push(")");
        }
        TicketScope::Groups(u) => {
            b.push(" AND (t.group_id IN (SELECT group_id FROM group_members WHERE user_id = ")
                .bind(Param::I64(u.get()));
            b.push(") OR t.assignee_id = ").bind(Param::I64(u.get()));
            b.push(" OR t.requester_id = ")
                .bind(Param::I64(u.get()))
                .push(")");
        }
        TicketScope::All => {}
    }
}

pub(crate) fn push_filter(b: &mut SqlBuilder, f: &TicketFilter) {
    if let Some(k) = f.kind {
        b.push(" AND t.kind = ")
            .bind(Param::Text(k.as_str().into()));
    }
    if !f.statuses.is_empty() {
        b.push(" AND t.status IN (");
        for (i, s) in f.statuses.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Param::Text(s.as_str().into()));
        }
        b.push(")");
    }
    if let Some(p) = f.priority {
        b.push(" AND t.priority_rank = ")
            .bind(Param::I64(i64::from(p.rank())));
    }
    if let Some(g) = f.group_id {
        b.push(" AND t.group_id = ").bind(Param::I64(g.get()));
    }
    match f.assignee_id {
        Some(Some(a)) => {
            b.push(" AND t.assignee_id = ").bind(Param::I64(a.get()));
        }
        Some(None) => {
            b.push(" AND t.assignee_id IS NULL");
        }
        None => {}
    }
    if let Some(r) = f.requester_id {
        b.push(" AND t.requester_id = ").bind(Param::I64(r.get()));
    }
    if let Some(o) = f.organisation_id {
        b.push(" AND t.organisation_id = ")
            .bind(Param::I64(o.get()));
    }
    if let Some(c) = f.category_id {
        b.push(" AND t.category_id = ").bind(Param::I64(c.get()));
    }
    if let Some(m) = f.major {
        b.push(" AND t.major = ").bind(Param::Bool(m));
    }
    if let Some(p) = f.parent_id {
        b.push(" AND t.parent_id = ").bind(Param::I64(p.get()));
    }
    if let Some(s) = f.sla_state {
        b.push(" AND t.sla_state = ")
            .bind(Param::Text(s.as_str().into()));
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        b.push(" AND lower(t.subject) LIKE ")
            .bind(Param::Text(like_contains(text)))
            .push(" ESCAPE '\\'");
    }
}
