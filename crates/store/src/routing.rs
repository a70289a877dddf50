//! Routing (issue 17): agents' availability and skills, each group's auto-assignment setting,
//! the choice of assignee inside the transaction that registers tickets, and the re-offer of
//! tickets nobody picked up in time.
//!
//! Concurrency: a registration that routes into a group first locks the group's
//! `group_routing` row (an `UPDATE … RETURNING`, which PostgreSQL holds until commit and
//! SQLite's `BEGIN IMMEDIATE` makes moot), then reads the members' open tickets and writes
//! its tickets. A second registration, on this node or another, waits for the lock and then
//! sees the first one's tickets and rotation, so 64 concurrent creates into a round-robin
//! group of 4 give 16 each. Groups are locked in id order, so two batches never deadlock.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use ventanilla_domain::routing::{Availability, Candidate, Choice, RoutingMode, SkillKind};
use ventanilla_domain::{GroupId, TicketId, UserId};

use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

/// Statuses in which an assigned ticket counts as an agent's open work.
pub const OPEN_STATUSES: &str = "('new', 'analysis', 'solution', 'pending')";

/// A group's auto-assignment setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupRouting {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "round_robin"))]
    pub mode: RoutingMode,
    /// Minutes a routed ticket may stay untouched in `new` before it is offered to the next
    /// agent (and an unassigned one routed again); `None`: never.
    pub reoffer_after_minutes: Option<i64>,
    /// The most open tickets routing gives one agent of the group; `None`: no cap.
    pub max_open: Option<i64>,
    /// The group's shift calendar: outside its open hours every member is off shift for
    /// routing (nothing is auto-assigned; the re-offer job hands the tickets out once the
    /// shift starts). `None`: the group is always on shift.
    pub shift_calendar_id: Option<i64>,
}

impl Default for GroupRouting {
    fn default() -> Self {
        Self {
            mode: RoutingMode::Off,
            reoffer_after_minutes: None,
            max_open: None,
            shift_calendar_id: None,
        }
    }
}

/// A member of a group as supervisors see them: availability and open tickets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub group_id: GroupId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub user_id: UserId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "available"))]
    pub availability: Availability,
    /// When they last changed it; `None`: never (available by default).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub since: Option<Timestamp>,
    /// Open tickets assigned to them (any group).
    pub open: i64,
    /// Whether the group's shift calendar is open at the time asked (always, for a group
    /// without one). Off it, routing treats every member as off shift whatever they set.
    pub on_shift: bool,
}

/// What routing needs of one new ticket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wish {
    pub group_id: GroupId,
    pub category_id: Option<i64>,
    pub requester_id: UserId,
}

/// A group's routing row as stored: mode, re-offer minutes, cap, shift calendar.
type GroupRow = (String, Option<i64>, Option<i64>, Option<i64>);

/// The locked row as routing reads it: mode, re-offer minutes, cap, last agent chosen,
/// shift calendar.
pub(crate) type LockedRow = (String, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// Whether a group's shift calendar (its stored spec; `None`: the group has no shift) is
/// open at `now`.
pub(crate) fn shift_open(spec: Option<&str>, now: Timestamp) -> Result<bool> {
    match spec {
        None => Ok(true),
        Some(spec) => {
            let c: ventanilla_domain::sla::Calendar = serde_json::from_str(spec)
                .map_err(|e| StoreError::Corrupt(format!("calendar: {e}")))?;
            Ok(c.is_open(now))
        }
    }
}

/// The group's routing row, locked for this transaction (`None`: the group does not route,
/// or its shift calendar is closed at `$now`: every member is off shift).
macro_rules! lock_group {
    ($tx:expr, $group:expr, $now:expr) => {{
        let row: Option<$crate::routing::LockedRow> = sqlx::query_as(
            "UPDATE group_routing SET assigned = assigned WHERE group_id = $1 AND mode <> 'off'
             RETURNING mode, reoffer_after_minutes, max_open, last_user_id, shift_calendar_id",
        )
        .bind($group)
        .fetch_optional(&mut *$tx)
        .await?;
        match row {
            None => None,
            Some((mode, reoffer, cap, last, shift)) => {
                // Read only for groups that have a shift: the others pay no statement.
                let on_shift = match shift {
                    None => true,
                    Some(cal) => {
                        let spec: Option<String> =
                            sqlx::query_scalar("SELECT spec FROM calendars WHERE id = $1")
                                .bind(cal)
                                .fetch_optional(&mut *$tx)
                                .await?;
                        // The foreign key keeps the calendar; gone anyway, nobody is off.
                        $crate::routing::shift_open(spec.as_deref(), $now)?
                    }
                };
                if on_shift {
                    Some((
                        mode.parse::<ventanilla_domain::routing::RoutingMode>()
                            .map_err(|e| {
                                $crate::StoreError::Corrupt(format!("routing mode: {e}"))
                            })?,
                        reoffer,
                        cap,
                        last.map(ventanilla_domain::UserId),
                    ))
                } else {
                    None
                }
            }
        }
    }};
}

/// The group's available, active members with their open tickets (from `agent_load`, one
/// row per member by key, so round-robin pays nothing to know them), by id.
macro_rules! candidates {
    ($tx:expr, $group:expr) => {{
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT m.user_id, COALESCE(l.open, 0) AS open
             FROM group_members m
             JOIN users u ON u.id = m.user_id
             LEFT JOIN agent_availability a ON a.user_id = m.user_id
             LEFT JOIN agent_load l ON l.user_id = m.user_id
             WHERE m.group_id = $1 AND u.active = TRUE
               AND (a.availability IS NULL OR a.availability = 'available')
             ORDER BY m.user_id",
        )
        .bind($group)
        .fetch_all(&mut *$tx)
        .await?;
        rows
    }};
}

/// Whether a ticket in `status` counts as its assignee's open work ([`OPEN_STATUSES`]).
pub(crate) fn is_open_work(status: ventanilla_domain::ticket::Status) -> bool {
    use ventanilla_domain::ticket::Status;
    matches!(
        status,
        Status::New | Status::Analysis | Status::Solution | Status::Pending
    )
}

/// The changes to agents' open work as `(agent, delta)`, summed per agent, without zeros,
/// in agent order (so two transactions lock the rows in one order and never deadlock).
pub(crate) fn load_deltas(
    changes: impl IntoIterator<Item = (Option<UserId>, i64)>,
) -> Vec<(i64, i64)> {
    let mut by: BTreeMap<i64, i64> = BTreeMap::new();
    for (agent, d) in changes {
        if let Some(a) = agent {
            *by.entry(a.get()).or_default() += d;
        }
    }
    by.into_iter().filter(|(_, d)| *d != 0).collect()
}

/// Adds `$deltas` (from [`load_deltas`]) to the agents' open work inside `$tx`: one
/// multi-row upsert.
macro_rules! add_load {
    ($tx:expr, $deltas:expr, $numbered:expr) => {{
        let deltas: &[(i64, i64)] = $deltas;
        if !deltas.is_empty() {
            let sql = format!(
                "{} ON CONFLICT (user_id) DO UPDATE SET open = agent_load.open + excluded.open",
                $crate::sql::values(
                    "INSERT INTO agent_load (user_id, open) VALUES ",
                    2,
                    deltas.len(),
                    "",
                    $numbered
                )
            );
            let mut q = sqlx::query($crate::sql::trusted(&sql));
            for (u, d) in deltas {
                q = q.bind(*u).bind(*d);
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use add_load;

/// The members' skills that routing matches (category and language), by member.
macro_rules! member_skills {
    ($tx:expr, $group:expr) => {{
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT s.user_id, s.kind, s.code FROM agent_skills s
             JOIN group_members m ON m.user_id = s.user_id
             WHERE m.group_id = $1 AND s.kind IN ('category', 'language')",
        )
        .bind($group)
        .fetch_all(&mut *$tx)
        .await?;
        let mut by_user: std::collections::HashMap<i64, Vec<(String, String)>> =
            std::collections::HashMap::new();
        for (u, k, c) in rows {
            by_user.entry(u).or_default().push((k, c));
        }
        by_user
    }};
}

/// Chooses an assignee for each wish whose group routes, in order, inside `$tx`: locks each
/// group once (in id order), counts open tickets once, and counts each choice as it goes.
/// Returns one `Option<Choice>` per wish, and whether each choice is an offer to record
/// (only groups with a re-offer time look at offers, so the others skip the write).
/// Records the rotation on the group's row.
macro_rules! route_batch {
    ($tx:expr, $wishes:expr, $now:expr) => {{
        let wishes: &[Option<$crate::routing::Wish>] = $wishes;
        let mut out: Vec<Option<ventanilla_domain::routing::Choice>> = vec![None; wishes.len()];
        let mut offered: Vec<bool> = vec![false; wishes.len()];
        let mut groups: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
        for (i, w) in wishes.iter().enumerate() {
            if let Some(w) = w {
                groups.entry(w.group_id.get()).or_default().push(i);
            }
        }
        for (group, idx) in groups {
            let Some((mode, reoffer, cap, mut last)) = lock_group!($tx, group, $now) else {
                continue;
            };
            let rows = candidates!($tx, group);
            let mut cands: Vec<ventanilla_domain::routing::Candidate> = rows
                .iter()
                .map(|(u, open)| ventanilla_domain::routing::Candidate {
                    user_id: ventanilla_domain::UserId(*u),
                    open: *open,
                    matched: 0,
                })
                .collect();
            let skills = if mode == ventanilla_domain::routing::RoutingMode::SkillMatched {
                member_skills!($tx, group)
            } else {
                std::collections::HashMap::new()
            };
            let mut given = 0i64;
            for i in idx {
                let Some(w) = wishes[i] else { continue };
                if mode == ventanilla_domain::routing::RoutingMode::SkillMatched {
                    let lang: Option<String> =
                        sqlx::query_scalar("SELECT language FROM users WHERE id = $1")
                            .bind(w.requester_id.get())
                            .fetch_optional(&mut *$tx)
                            .await?;
                    for c in cands.iter_mut() {
                        c.matched = $crate::routing::matched(
                            skills
                                .get(&c.user_id.get())
                                .map(Vec::as_slice)
                                .unwrap_or(&[]),
                            w.category_id,
                            lang.as_deref(),
                        );
                    }
                }
                if let Some(choice) =
                    ventanilla_domain::routing::choose(mode, &cands, last, cap, None)
                {
                    if let Some(c) = cands.iter_mut().find(|c| c.user_id == choice.user_id) {
                        c.open += 1;
                    }
                    last = Some(choice.user_id);
                    given += 1;
                    out[i] = Some(choice);
                    offered[i] = reoffer.is_some();
                }
            }
            if given > 0 {
                sqlx::query(
                    "UPDATE group_routing SET last_user_id = $2, assigned = assigned + $3
                     WHERE group_id = $1",
                )
                .bind(group)
                .bind(last.map(ventanilla_domain::UserId::get))
                .bind(given)
                .execute(&mut *$tx)
                .await?;
            }
        }
        (out, offered)
    }};
}

/// Records the offers of routed tickets (ticket id, agent) so the re-offer job finds them.
macro_rules! record_offers {
    ($tx:expr, $offers:expr, $now:expr, $numbered:expr) => {{
        let offers: &[(i64, i64)] = $offers;
        if !offers.is_empty() {
            let sql = format!(
                "{} ON CONFLICT (ticket_id) DO UPDATE SET user_id = excluded.user_id,
                 offered_at = excluded.offered_at",
                $crate::sql::values(
                    "INSERT INTO ticket_offers (ticket_id, user_id, offered_at) VALUES ",
                    3,
                    offers.len(),
                    "",
                    $numbered
                )
            );
            let mut q = sqlx::query($crate::sql::trusted(&sql));
            for (t, u) in offers {
                q = q.bind(*t).bind(*u).bind($crate::time::to_db($now));
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// How many of a ticket's wishes an agent's skills meet: its category, the requester's
/// language.
pub(crate) fn matched(
    skills: &[(String, String)],
    category: Option<i64>,
    lang: Option<&str>,
) -> u32 {
    let category = category.map(|c| c.to_string());
    let mut n = 0;
    if let Some(c) = category.as_deref()
        && skills.iter().any(|(k, v)| k == "category" && v == c)
    {
        n += 1;
    }
    if let Some(l) = lang
        && skills.iter().any(|(k, v)| k == "language" && v == l)
    {
        n += 1;
    }
    n
}

pub struct Routing<'a>(&'a Store);

impl Store {
    pub fn routing(&self) -> Routing<'_> {
        Routing(self)
    }
}

fn availability_of(code: Option<&str>) -> Result<Availability> {
    match code {
        None => Ok(Availability::Available),
        Some(c) => c
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("availability: {e}"))),
    }
}

impl Routing<'_> {
    /// An agent's availability (available when never set).
    pub async fn availability(&self, user: UserId) -> Result<Availability> {
        let code: Option<String> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT availability FROM agent_availability WHERE user_id = $1")
                .bind(user.get())
                .fetch_optional(db)
                .await?
        });
        availability_of(code.as_deref())
    }

    /// The console header's facts in one statement: the viewer's unread notifications and
    /// their availability.
    pub async fn header(&self, user: UserId) -> Result<(i64, Availability)> {
        let (unread, code): (i64, Option<String>) = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL),
                        (SELECT availability FROM agent_availability WHERE user_id = $1)",
            )
            .bind(user.get())
            .fetch_one(db)
            .await?
        });
        Ok((unread, availability_of(code.as_deref())?))
    }

    /// Sets an agent's availability.
    pub async fn set_availability(
        &self,
        user: UserId,
        availability: Availability,
        now: Timestamp,
    ) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO agent_availability (user_id, availability, changed_at) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id) DO UPDATE SET availability = excluded.availability,
                 changed_at = excluded.changed_at",
            )
            .bind(user.get())
            .bind(availability.as_str())
            .bind(to_db(now))
            .execute(db)
            .await?;
        });
        Ok(())
    }

    /// Every active group, by id.
    pub async fn all_groups(&self) -> Result<Vec<GroupId>> {
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT id FROM support_groups WHERE active = TRUE ORDER BY id")
                .fetch_all(db)
                .await?
        });
        Ok(ids.into_iter().map(GroupId).collect())
    }

    /// Every group's id and name (for pages naming groups), by id.
    pub async fn group_names(&self) -> Result<Vec<(i64, String)>> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_as("SELECT id, name FROM support_groups ORDER BY id")
                .fetch_all(db)
                .await?
        }))
    }

    /// The groups `user` supervises, by id.
    pub async fn supervised_groups(&self, user: UserId) -> Result<Vec<GroupId>> {
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT group_id FROM group_members WHERE user_id = $1 AND supervisor = TRUE
                 ORDER BY group_id",
            )
            .bind(user.get())
            .fetch_all(db)
            .await?
        });
        Ok(ids.into_iter().map(GroupId).collect())
    }

    /// The members of `groups` with their availability, open tickets and whether their
    /// group's shift is open at `now`, by group then name: two statements whatever the
    /// number of members.
    pub async fn team(&self, groups: &[GroupId], now: Timestamp) -> Result<Vec<TeamMember>> {
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = crate::sql::SqlBuilder::new(
            "SELECT m.group_id, m.user_id, u.name, a.availability, a.changed_at, c.spec
             FROM group_members m JOIN users u ON u.id = m.user_id
             LEFT JOIN agent_availability a ON a.user_id = m.user_id
             LEFT JOIN group_routing r ON r.group_id = m.group_id
             LEFT JOIN calendars c ON c.id = r.shift_calendar_id
             WHERE u.active = TRUE AND m.group_id IN (",
        );
        for (i, g) in groups.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(crate::sql::Param::I64(g.get()));
        }
        b.push(") ORDER BY m.group_id, u.name, m.user_id");
        let (sql, params) = b.finish();
        type Row = (
            i64,
            i64,
            String,
            Option<String>,
            Option<i64>,
            Option<String>,
        );
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(crate::sql::trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        let ids: Vec<i64> = {
            let mut v: Vec<i64> = rows.iter().map(|r| r.1).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let open = self.open_counts(&ids).await?;
        // Each group's verdict once (its calendar repeats on every member's row).
        let mut shift: HashMap<i64, bool> = HashMap::new();
        rows.into_iter()
            .map(|(g, u, name, a, at, spec)| {
                let on_shift = match shift.get(&g) {
                    Some(open) => *open,
                    None => {
                        let open = shift_open(spec.as_deref(), now)?;
                        shift.insert(g, open);
                        open
                    }
                };
                Ok(TeamMember {
                    group_id: GroupId(g),
                    user_id: UserId(u),
                    name,
                    availability: availability_of(a.as_deref())?,
                    since: at.map(from_db).transpose()?,
                    open: open.get(&u).copied().unwrap_or(0),
                    on_shift,
                })
            })
            .collect()
    }

    /// Open tickets assigned to each of `users` (one statement, from `agent_load`).
    pub async fn open_counts(&self, users: &[i64]) -> Result<HashMap<i64, i64>> {
        if users.is_empty() {
            return Ok(HashMap::new());
        }
        let mut b = crate::sql::SqlBuilder::new(
            "SELECT user_id, open FROM agent_load WHERE open <> 0 AND user_id IN (",
        );
        for (i, u) in users.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(crate::sql::Param::I64(*u));
        }
        b.push(")");
        let (sql, params) = b.finish();
        let rows: Vec<(i64, i64)> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(crate::sql::trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// Counts every agent's open tickets again from the tickets (after an import, whose
    /// rows bypass the write paths that keep `agent_load`, or to repair).
    pub async fn recount_load(&self) -> Result<()> {
        in_transaction!(self.0, |tx| {
            sqlx::query("DELETE FROM agent_load")
                .execute(&mut *tx)
                .await?;
            sqlx::query(crate::sql::trusted(&format!(
                "INSERT INTO agent_load (user_id, open) SELECT assignee_id, COUNT(*) FROM tickets \
                 WHERE assignee_id IS NOT NULL AND status IN {OPEN_STATUSES} GROUP BY assignee_id"
            )))
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// An agent's skills, by kind then code.
    pub async fn skills(&self, user: UserId) -> Result<Vec<(SkillKind, String)>> {
        let rows: Vec<(String, String)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT kind, code FROM agent_skills WHERE user_id = $1 ORDER BY kind, code",
            )
            .bind(user.get())
            .fetch_all(db)
            .await?
        });
        rows.into_iter()
            .map(|(k, c)| {
                Ok((
                    k.parse()
                        .map_err(|e| StoreError::Corrupt(format!("skill kind: {e}")))?,
                    c,
                ))
            })
            .collect()
    }

    /// Replaces an agent's skills.
    pub async fn set_skills(&self, user: UserId, skills: &[(SkillKind, String)]) -> Result<()> {
        let unique: BTreeMap<(&str, &str), ()> = skills
            .iter()
            .map(|(k, c)| ((k.as_str(), c.as_str()), ()))
            .collect();
        in_transaction!(self.0, |tx| {
            sqlx::query("DELETE FROM agent_skills WHERE user_id = $1")
                .bind(user.get())
                .execute(&mut *tx)
                .await?;
            for (k, c) in unique.keys() {
                sqlx::query("INSERT INTO agent_skills (user_id, kind, code) VALUES ($1, $2, $3)")
                    .bind(user.get())
                    .bind(*k)
                    .bind(*c)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// A group's routing setting (off when never set).
    pub async fn group(&self, group: GroupId) -> Result<GroupRouting> {
        let row: Option<GroupRow> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT mode, reoffer_after_minutes, max_open, shift_calendar_id
                     FROM group_routing WHERE group_id = $1",
            )
            .bind(group.get())
            .fetch_optional(db)
            .await?
        });
        Ok(match row {
            None => GroupRouting::default(),
            Some((mode, reoffer, cap, shift)) => GroupRouting {
                mode: mode
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("routing mode: {e}")))?,
                reoffer_after_minutes: reoffer,
                max_open: cap,
                shift_calendar_id: shift,
            },
        })
    }

    /// Sets a group's routing (the rotation is kept), with its audit entry.
    pub async fn set_group(
        &self,
        group: GroupId,
        r: &GroupRouting,
        audit: &crate::audit::NewAudit,
    ) -> Result<()> {
        in_transaction!(self.0, |tx| {
            sqlx::query(
                "INSERT INTO group_routing (group_id, mode, reoffer_after_minutes, max_open, updated_at, shift_calendar_id)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (group_id) DO UPDATE SET mode = excluded.mode,
                 reoffer_after_minutes = excluded.reoffer_after_minutes,
                 max_open = excluded.max_open, updated_at = excluded.updated_at,
                 shift_calendar_id = excluded.shift_calendar_id",
            )
            .bind(group.get())
            .bind(r.mode.as_str())
            .bind(r.reoffer_after_minutes)
            .bind(r.max_open)
            .bind(to_db(audit.at))
            .bind(r.shift_calendar_id)
            .execute(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, audit, Some(group.get()));
        });
        Ok(())
    }

    /// Tickets due for a re-offer at `now` (at most `limit`, oldest first): in `new`, in a
    /// group that routes with a re-offer time, untouched for that long since they were
    /// offered to their assignee, or unassigned for that long.
    pub async fn reoffer_due(&self, now: Timestamp, limit: i64) -> Result<Vec<TicketId>> {
        let now = to_db(now);
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT t.id FROM group_routing r
                 JOIN tickets t ON t.group_id = r.group_id AND t.status = 'new'
                 LEFT JOIN ticket_offers o ON o.ticket_id = t.id
                 WHERE r.mode <> 'off' AND r.reoffer_after_minutes IS NOT NULL
                   AND t.updated_at <= $1 - r.reoffer_after_minutes * 60000000
                   AND (t.assignee_id IS NULL
                        OR (o.user_id = t.assignee_id AND t.updated_at <= o.offered_at))
                 ORDER BY t.updated_at, t.id LIMIT $2",
            )
            .bind(now)
            .bind(limit)
            .fetch_all(db)
            .await?
        });
        Ok(ids.into_iter().map(TicketId).collect())
    }

    /// Chooses the next agent for one ticket of `group`, skipping `exclude` (its current
    /// assignee), under the group's lock, and records the offer. Used by the re-offer: the
    /// ticket's own change goes through the ticket write with this choice.
    pub async fn next_for(
        &self,
        ticket: TicketId,
        wish: (GroupId, Option<i64>, UserId),
        exclude: Option<UserId>,
        now: Timestamp,
    ) -> Result<Option<(Choice, Option<i64>)>> {
        let (group, category, requester) = wish;
        let out = in_transaction!(self.0, |tx| {
            match lock_group!(tx, group.get(), now) {
                None => None,
                Some((mode, reoffer, cap, last)) => {
                    let rows = candidates!(tx, group.get());
                    let skills = if mode == RoutingMode::SkillMatched {
                        member_skills!(tx, group.get())
                    } else {
                        HashMap::new()
                    };
                    let lang: Option<String> =
                        sqlx::query_scalar("SELECT language FROM users WHERE id = $1")
                            .bind(requester.get())
                            .fetch_optional(&mut *tx)
                            .await?;
                    let cands: Vec<Candidate> = rows
                        .iter()
                        .map(|(u, open)| Candidate {
                            user_id: UserId(*u),
                            open: *open,
                            matched: matched(
                                skills.get(u).map(Vec::as_slice).unwrap_or(&[]),
                                category,
                                lang.as_deref(),
                            ),
                        })
                        .collect();
                    let choice =
                        ventanilla_domain::routing::choose(mode, &cands, last, cap, exclude);
                    if let Some(c) = choice {
                        sqlx::query(
                            "UPDATE group_routing SET last_user_id = $2, assigned = assigned + 1
                             WHERE group_id = $1",
                        )
                        .bind(group.get())
                        .bind(c.user_id.get())
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "INSERT INTO ticket_offers (ticket_id, user_id, offered_at) VALUES ($1, $2, $3)
                             ON CONFLICT (ticket_id) DO UPDATE SET user_id = excluded.user_id,
                             offered_at = excluded.offered_at",
                        )
                        .bind(ticket.get())
                        .bind(c.user_id.get())
                        .bind(to_db(now))
                        .execute(&mut *tx)
                        .await?;
                    }
                    choice.map(|c| (c, reoffer))
                }
            }
        });
        Ok(out)
    }
}
