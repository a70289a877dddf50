//! Reading tickets: one by id or number, and filtered, sorted, keyset-paginated lists with
//! the caller's data scope inside the SQL (ARCHITECTURE principle 6).

use ventanilla_domain::ticket::{Priority, Status, Ticket, TicketKind};
use ventanilla_domain::{CategoryId, GroupId, OrganisationId, TicketId, UserId};

use super::Tickets;
use super::row::{COLUMNS, TicketRow};
use crate::sql::{Param, SqlBuilder, trusted};
use crate::{Result, StoreError, dialect};
use ventanilla_domain::search::{Query, QueryMode};

/// Whose tickets a caller may see, resolved from the actor by the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketScope {
    /// Tickets the user requested.
    Own(UserId),
    /// Tickets of the organisation, and the user's own.
    Organisation(UserId, OrganisationId),
    /// Tickets of the user's groups, those assigned to them, and those one of their groups
    /// escalated and follows (`ticket_followers`).
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
    /// Words searched in the ticket's text through the search index (every word must
    /// match, accents and case folded, stemmed): subject, description, public replies,
    /// resolution, and internal notes when `text_internal` is set.
    pub text: Option<String>,
    /// Whether `text` also matches internal notes (only for callers who may read them).
    pub text_internal: bool,
    /// `at_risk` or `breached` (or `ok`).
    pub sla_state: Option<ventanilla_domain::sla::SlaState>,
    /// Only tickets a group of this user escalated and follows.
    pub followed_by: Option<UserId>,
    /// A group scope without the tickets seen only because a group follows them (a group's
    /// own work, as the "my groups" queue lists it).
    pub without_followed: bool,
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

    /// The numbers of `ids` (one statement; unknown ids are left out). For pages that name
    /// many tickets the caller already may see (a bulk action's result).
    pub async fn numbers(&self, ids: &[TicketId]) -> Result<Vec<(TicketId, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = crate::sql::SqlBuilder::new("SELECT id, number FROM tickets WHERE id IN (");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(crate::sql::Param::I64(id.get()));
        }
        b.push(")");
        let (sql, params) = b.finish();
        let rows: Vec<(i64, String)> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        Ok(rows.into_iter().map(|(i, n)| (TicketId(i), n)).collect())
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
        let (sql, params) = self.list_query(scope, f, sort, after, limit).await?;
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

    /// The statement [`Tickets::list`] runs for these arguments, with its values (it fetches
    /// `limit + 1` rows to know whether a next page exists). The plan test explains exactly
    /// this. A group scope first reads the caller's groups (one indexed look-up), so that
    /// each group can be an index range of its own.
    pub(crate) async fn list_query(
        &self,
        scope: &TicketScope,
        f: &TicketFilter,
        sort: TicketSort,
        after: Option<&str>,
        limit: u32,
    ) -> Result<(String, Vec<Param>)> {
        let kind = self.0.kind();
        let arms = match scope {
            TicketScope::All => vec![Arm::All],
            TicketScope::Own(u) => vec![Arm::Requester(u.get())],
            // A filter that puts every match inside one arm of the scope (my organisation,
            // my group, assigned to me, requested by me) needs only that arm.
            TicketScope::Organisation(u, o) => {
                if f.organisation_id == Some(*o) {
                    vec![Arm::Organisation(o.get())]
                } else if f.requester_id == Some(*u) {
                    vec![Arm::Requester(u.get())]
                } else {
                    vec![Arm::Organisation(o.get()), Arm::Requester(u.get())]
                }
            }
            TicketScope::Groups(u) => {
                let groups: Vec<i64> = on_reader!(self.0, |db| {
                    sqlx::query_scalar(
                        "SELECT group_id FROM group_members WHERE user_id = $1 ORDER BY group_id",
                    )
                    .bind(u.get())
                    .fetch_all(db)
                    .await?
                });
                match f.group_id.map(|g| g.get()) {
                    Some(g) if groups.contains(&g) => vec![Arm::Groups(vec![g])],
                    _ if f.assignee_id == Some(Some(*u)) => vec![Arm::Assignee(u.get())],
                    _ if f.requester_id == Some(*u) => vec![Arm::Requester(u.get())],
                    // Someone in no group follows nothing: no arm, no `IN ()` (PostgreSQL
                    // refuses an empty list).
                    _ if f.followed_by == Some(*u) && groups.is_empty() => Vec::new(),
                    _ if f.followed_by == Some(*u) => vec![Arm::Followed(groups)],
                    _ => {
                        // The tickets my groups escalated and follow.
                        let followed = groups.clone();
                        let mut arms = Vec::with_capacity(groups.len() + 3);
                        if dialect::list_arm_per_group(kind) {
                            arms.extend(groups.into_iter().map(|g| Arm::Groups(vec![g])));
                        } else if !groups.is_empty() {
                            arms.push(Arm::Groups(groups));
                        }
                        if !followed.is_empty() && !f.without_followed {
                            arms.push(Arm::Followed(followed));
                        }
                        // "Unassigned" rules out the tickets assigned to me: no arm for them
                        // (it would walk my own range for rows that cannot match).
                        if f.assignee_id != Some(None) {
                            arms.push(Arm::Assignee(u.get()));
                        }
                        arms.push(Arm::Requester(u.get()));
                        arms
                    }
                }
            }
        };
        let fetch = i64::from(limit) + 1;
        let mut parts: Vec<(&Arm, TicketFilter, Access)> = Vec::new();
        for arm in &arms {
            let access = arm.access(kind, f, sort);
            let keyed = access.keyed;
            let mut statuses = if keyed && f.statuses.is_empty() {
                Status::ALL.to_vec()
            } else {
                f.statuses.clone()
            };
            statuses.sort_by_key(|s| s.as_str());
            statuses.dedup();
            if keyed && statuses.len() > 1 && dialect::queue_per_status(kind) {
                for status in statuses {
                    let one = TicketFilter {
                        statuses: vec![status],
                        ..f.clone()
                    };
                    parts.push((arm, one, access));
                }
            } else {
                let all = TicketFilter {
                    statuses,
                    ..f.clone()
                };
                parts.push((arm, all, access));
            }
        }
        let mut b = SqlBuilder::new("");
        match parts.as_slice() {
            [] => {
                // A scope with no arm sees nothing (cannot happen: every scope has one).
                b.push("SELECT * FROM tickets t WHERE 1 = 0");
            }
            [(arm, one, access)] => {
                push_select(&mut b, kind, arm, one, *access, sort, after, fetch)?;
            }
            _ => {
                // Several index ranges, each ordered and limited to a page, merged: the
                // merge sorts at most a page per range, whatever the number of matches.
                // Arms of one scope may overlap (a ticket of my group assigned to me), so
                // their union drops duplicates; ranges of one arm differ in status.
                let union = if arms.len() > 1 {
                    " UNION "
                } else {
                    " UNION ALL "
                };
                b.push("SELECT * FROM (");
                for (i, (arm, one, access)) in parts.iter().enumerate() {
                    if i > 0 {
                        b.push(union);
                    }
                    b.push("SELECT * FROM (");
                    push_select(&mut b, kind, arm, one, *access, sort, after, fetch)?;
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
            }
        }
        Ok(b.finish())
    }
}

/// One disjunct of a scope. A scope is an OR of conditions (my groups, or assigned to me, or
/// requested by me); one statement with that OR can read no index in the list's order, so
/// each arm is read on its own index, a page at most, and the arms are merged.
#[derive(Debug)]
enum Arm {
    All,
    Requester(i64),
    Organisation(i64),
    Assignee(i64),
    /// Any of these support groups (the caller's).
    Groups(Vec<i64>),
    /// Open tickets these groups (the caller's) escalated and follow: read by id from
    /// `ticket_followers (group_id, open, ticket_id)`, then filtered and sorted like one
    /// person's tickets (a group's open escalations are few).
    Followed(Vec<i64>),
}

/// How one arm of a list is read (see [`Arm::access`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Access {
    keyed: bool,
    /// Filter the status as the read walks, rather than read by it.
    demote_status: bool,
    /// Filter organisation and SLA state as the read walks, rather than read by them.
    demote_others: bool,
    /// Read by the organisation's `(organisation_id, status, priority_rank, id)`: the
    /// organisation is the key, not walked over (SLA state still is).
    organisation_key: bool,
    /// Filter a fixed priority as the read walks.
    demote_rank: bool,
}

impl Arm {
    /// How this arm is read. `keyed`: on a status-keyed index, the queue indexes
    /// `(group_id | assignee_id, status, priority_rank | sla_due_at, id)` or
    /// `(status, priority_rank, id)`; those need the status given (every status when the
    /// list has no status filter: nine short ranges instead of a sort of every match).
    /// An organisation's tickets (its scope arm or the filter, outside a queue) are keyed on
    /// `(organisation_id, status, priority_rank, id)` in priority order, and by age on
    /// SQLite (every rank named, see `dialect::list_skip_ranks`); PostgreSQL reads them by
    /// age on `(organisation_id, id)`. Otherwise a requester's tickets are read on
    /// `(requester_id, id)` (one person's), an SLA state's by age on `(sla_state, id)`, the
    /// due order on `(sla_due_at, id)`, and the age order without filters on the primary key.
    fn access(&self, kind: crate::BackendKind, f: &TicketFilter, sort: TicketSort) -> Access {
        let organisation = matches!(self, Arm::Organisation(_)) || f.organisation_id.is_some();
        let mut organisation_key = false;
        let keyed = match self {
            Arm::Groups(_) | Arm::Assignee(_) => true,
            Arm::Requester(_) | Arm::Followed(_) => false,
            Arm::All | Arm::Organisation(_) => {
                if f.group_id.is_some() || f.assignee_id.is_some() {
                    true
                } else if f.requester_id.is_some() {
                    false
                } else {
                    match sort {
                        TicketSort::Due => false,
                        TicketSort::Priority => {
                            organisation_key = organisation;
                            true
                        }
                        TicketSort::Newest | TicketSort::Oldest if organisation => {
                            organisation_key = dialect::list_skip_ranks(kind, sort);
                            organisation_key
                        }
                        TicketSort::Newest | TicketSort::Oldest => {
                            f.sla_state.is_none() && !f.statuses.is_empty()
                        }
                    }
                }
            }
        };
        let requester =
            matches!(self, Arm::Requester(_) | Arm::Followed(_)) || f.requester_id.is_some();
        let due = sort == TicketSort::Due;
        Access {
            keyed,
            // One person's tickets are read by the requester and everything else filtered
            // as they are walked; a keyed read filters organisation and SLA state as it
            // walks; the due order reads `(sla_due_at, id)` or a queue's due index and
            // filters the rest (a fixed priority too) as it walks.
            demote_status: requester || (!keyed && due),
            demote_others: requester || keyed || due,
            organisation_key,
            demote_rank: requester || due,
        }
    }

    /// `organisation`: the prefix before the organisation column (a demotion, or nothing).
    fn push(&self, b: &mut SqlBuilder, kind: crate::BackendKind, organisation: &str) {
        match self {
            Arm::All => {}
            Arm::Requester(u) => {
                b.push(" AND t.requester_id = ").bind(Param::I64(*u));
            }
            Arm::Organisation(o) => {
                b.push(&format!(" AND {organisation}t.organisation_id = "))
                    .bind(Param::I64(*o));
            }
            Arm::Assignee(u) => {
                b.push(" AND t.assignee_id = ").bind(Param::I64(*u));
            }
            Arm::Groups(groups) => {
                b.push(" AND t.group_id IN (");
                for (i, g) in groups.iter().enumerate() {
                    if i > 0 {
                        b.push(", ");
                    }
                    b.bind(Param::I64(*g));
                }
                b.push(")");
            }
            Arm::Followed(groups) => {
                let (open, close) = dialect::followed_ids(kind);
                b.push(open);
                b.push(
                    "SELECT ticket_id FROM ticket_followers WHERE open = TRUE AND group_id IN (",
                );
                for (i, g) in groups.iter().enumerate() {
                    if i > 0 {
                        b.push(", ");
                    }
                    b.bind(Param::I64(*g));
                }
                b.push(")").push(close);
            }
        }
    }
}

/// One ordered, limited SELECT of the tickets of one scope arm matching `f` after the
/// cursor. It also selects `priority_rank` as `sort_rank`, for a merge of several of them.
#[allow(clippy::too_many_arguments)]
fn push_select(
    b: &mut SqlBuilder,
    kind: crate::BackendKind,
    arm: &Arm,
    f: &TicketFilter,
    access: Access,
    sort: TicketSort,
    after: Option<&str>,
    fetch: i64,
) -> Result<()> {
    let cols = super::row::qualified();
    b.push(&format!(
        "SELECT {cols}, t.priority_rank AS sort_rank FROM tickets t WHERE 1 = 1"
    ));
    let demote = dialect::list_demote(kind);
    let pick = |yes: bool| if yes { demote } else { "" };
    let organisation = pick(access.demote_others && !access.organisation_key);
    arm.push(b, kind, organisation);
    // A group's followed tickets are read by id: a queue's group or assignee filter is
    // checked on each of them, never read by its own (far larger) index range.
    let narrowed;
    let f = if matches!(arm, Arm::Followed(_)) {
        narrowed = push_checked_on_each(b, demote, f);
        &narrowed
    } else {
        f
    };
    push_filter_as(
        b,
        kind,
        f,
        [
            pick(access.demote_status),
            organisation,
            pick(access.demote_others),
            pick(access.demote_rank),
        ],
    );
    if access.keyed && f.priority.is_none() && dialect::list_skip_ranks(kind, sort) {
        // Every rank, spelled out: the status-keyed indexes continue with `priority_rank`
        // before `id`, so with each rank fixed every range is in id order.
        let ranks: Vec<String> = Priority::ALL.iter().map(|p| p.rank().to_string()).collect();
        b.push(&format!(" AND t.priority_rank IN ({})", ranks.join(", ")));
    }
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
            // A range on the sort column and the tie broken by id: both databases read the
            // range on the index (an OR of two ranges would make SQLite merge two index
            // reads and sort them).
            b.push(" AND t.sla_due_at >= ").bind(Param::I64(due));
            b.push(" AND (t.sla_due_at > ").bind(Param::I64(due));
            b.push(" OR t.id > ").bind(Param::I64(id)).push(")");
        }
        TicketSort::Priority => {
            let (rank, id) = cursor.split_once('.').ok_or_else(bad_cursor)?;
            let rank: i64 = rank.parse().map_err(|_| bad_cursor())?;
            let id: i64 = id.parse().map_err(|_| bad_cursor())?;
            // As for the due order: a range on the rank, the tie broken by id.
            b.push(" AND t.priority_rank >= ").bind(Param::I64(rank));
            b.push(" AND (t.priority_rank > ").bind(Param::I64(rank));
            b.push(" OR t.id > ").bind(Param::I64(id)).push(")");
        }
    }
    Ok(())
}

/// For tickets read by id or by one person: pushes the filter's group and assignee with
/// `demote` before the column (checked on each ticket, never read by that column's index)
/// and returns the rest of the filter.
pub(super) fn push_checked_on_each(
    b: &mut SqlBuilder,
    demote: &str,
    f: &TicketFilter,
) -> TicketFilter {
    let mut rest = f.clone();
    if let Some(group) = rest.group_id.take() {
        b.push(&format!(" AND {demote}t.group_id = "))
            .bind(Param::I64(group.get()));
    }
    match rest.assignee_id.take() {
        Some(Some(a)) => {
            b.push(&format!(" AND {demote}t.assignee_id = "))
                .bind(Param::I64(a.get()));
        }
        Some(None) => {
            b.push(&format!(" AND {demote}t.assignee_id IS NULL"));
        }
        None => {}
    }
    rest
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
            b.push(") OR t.id IN (SELECT f.ticket_id FROM ticket_followers f JOIN group_members m ON m.group_id = f.group_id WHERE m.user_id = ")
                .bind(Param::I64(u.get()));
            b.push(") OR t.assignee_id = ").bind(Param::I64(u.get()));
            b.push(" OR t.requester_id = ")
                .bind(Param::I64(u.get()))
                .push(")");
        }
        TicketScope::All => {}
    }
}

pub(crate) fn push_filter(b: &mut SqlBuilder, kind: crate::BackendKind, f: &TicketFilter) {
    push_filter_as(b, kind, f, ["", "", "", ""]);
}

/// [`push_filter`] with prefixes before the status column, the organisation column, the SLA
/// state column and the priority column: SQLite's unary `+`, which keeps the planner from
/// reading an index by that column (see `dialect::list_demote`), or nothing.
pub(super) fn push_filter_as(
    b: &mut SqlBuilder,
    kind: crate::BackendKind,
    f: &TicketFilter,
    [status, organisation, sla, rank]: [&str; 4],
) {
    if let Some(k) = f.kind {
        b.push(" AND t.kind = ")
            .bind(Param::Text(k.as_str().into()));
    }
    if let Some(u) = f.followed_by {
        b.push(" AND t.id IN (SELECT f.ticket_id FROM ticket_followers f JOIN group_members m ON m.group_id = f.group_id WHERE f.open = TRUE AND m.user_id = ")
            .bind(Param::I64(u.get()))
            .push(")");
    }
    if !f.statuses.is_empty() {
        b.push(&format!(" AND {status}t.status IN ("));
        for (i, s) in f.statuses.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Param::Text(s.as_str().into()));
        }
        b.push(")");
    }
    if let Some(p) = f.priority {
        b.push(&format!(" AND {rank}t.priority_rank = "))
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
        b.push(&format!(" AND {organisation}t.organisation_id = "))
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
        b.push(&format!(" AND {sla}t.sla_state = "))
            .bind(Param::Text(s.as_str().into()));
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // The search index (`search/`): folded, stemmed words of the subject, description,
        // replies and resolution (and internal notes when the caller may read them).
        let q = Query::parse(text, QueryMode::All);
        if q.is_empty() {
            b.push(" AND 1 = 0");
        } else {
            let m = dialect::ticket_match(kind, f.text_internal);
            b.push(" AND t.id IN (")
                .push(m.in_head)
                .bind(Param::Text(dialect::ticket_query_text(
                    kind,
                    &q,
                    f.text_internal,
                )))
                .push(m.in_end)
                .push(")");
        }
    }
}
