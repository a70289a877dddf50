//! Registering tickets: numbers per kind never reused, idempotent retries, and many
//! registrations in one transaction. A busy desk registers tickets in bursts; writing a
//! burst as one transaction of a few multi-row statements (group commit) costs one commit
//! and a handful of statements instead of five statements and a commit per ticket, and the
//! single SQLite writer is held that much shorter.

use std::collections::HashMap;

use jiff::Timestamp;
use ventanilla_domain::ticket::{EventKind, NewTicket, Said, Ticket, TicketKind, format_number};
use ventanilla_domain::{TicketId, UserId};

use ventanilla_domain::routing::Choice;

use super::Tickets;
use super::events::NewEvent;
use super::row::{COLUMNS, TicketRow};
use crate::notifications::NewNotification;
use crate::sql::{trusted, values};
use crate::time::to_db;
use crate::{Result, StoreError, dialect};

/// One ticket to register.
#[derive(Debug, Clone)]
pub struct Registration {
    pub new: NewTicket,
    /// Who registers it (staff for someone else, or the requester); `None` for the system.
    pub actor: Option<UserId>,
    /// A retry with the same key by the same user returns the first ticket.
    pub idempotency_key: Option<String>,
    /// Timeline entries written after the `created` entry.
    pub extra: Vec<NewEvent>,
    /// Whom to tell (the domain's `register_notices`); the ticket's number, known only
    /// once it is taken, is filled in here.
    pub notices: Vec<crate::notifications::NewNotification>,
}

impl Registration {
    fn key_owner(&self) -> UserId {
        self.actor.unwrap_or(self.new.requester_id)
    }
}

/// The most registrations one transaction takes: keeps every multi-row statement far below
/// both databases' parameter limits (SQLite 32,766, PostgreSQL 65,535).
pub const MAX_BATCH: usize = 64;

const TICKET_HEAD: &str = "INSERT INTO tickets (number, kind, subject, description, requester_id,
    organisation_id, channel, ci_ref, category_id, impact, urgency, priority, priority_rank,
    priority_override_reason, group_id, assignee_id, tier, started_at, impact_scope, error_codes,
    tried, created_at, updated_at, status_changed_at, sla_policy_id, sla_response,
    sla_resolution, sla_due_at, sla_next_check_at, sla_state, sla_response_due_at,
    sla_resolution_due_at, escalated, status, reopen_count, major, version) VALUES ";
const TICKET_BINDS: usize = 32;
const TICKET_CONSTANTS: &str = ", FALSE, 'new', 0, FALSE, 1";

const EVENT_HEAD: &str = "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, public, body,
    field, old_value, new_value, minutes, code, data) VALUES ";
const EVENT_BINDS: usize = 12;
const EVENT_ROWS: usize = 800;

/// What happens to one registration of a batch.
enum Plan {
    /// Its key was used before: the ticket that key created.
    Existing(i64),
    /// Its key appears earlier in the same batch: that registration's ticket.
    SameAs(usize),
    /// A new ticket with this number.
    New(String),
}

/// Looks up each registration's idempotency key: `Existing` when a key was used before,
/// `SameAs` when it repeats one earlier in the batch, `None` for a ticket still to number.
macro_rules! plan_keys {
    ($tx:expr, $regs:expr) => {{
        let regs: &[Registration] = $regs;
        let mut plans: Vec<Option<Plan>> = Vec::with_capacity(regs.len());
        let mut seen: HashMap<(i64, &str), usize> = HashMap::new();
        for (i, r) in regs.iter().enumerate() {
            let Some(k) = r.idempotency_key.as_deref() else {
                plans.push(None);
                continue;
            };
            let owner = r.key_owner().get();
            if let Some(first) = seen.get(&(owner, k)) {
                plans.push(Some(Plan::SameAs(*first)));
                continue;
            }
            seen.insert((owner, k), i);
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT ticket_id FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            )
            .bind(owner)
            .bind(k)
            .fetch_optional(&mut *$tx)
            .await?;
            plans.push(existing.map(Plan::Existing));
        }
        plans
    }};
}

/// Takes numbers for every registration still unplanned: one counter update per kind takes
/// the whole range.
macro_rules! take_numbers {
    ($tx:expr, $regs:expr, $plans:expr) => {{
        let regs: &[Registration] = $regs;
        let plans: &mut Vec<Option<Plan>> = $plans;
        for kind in [TicketKind::Incident, TicketKind::ServiceRequest] {
            let wanted: Vec<usize> = (0..regs.len())
                .filter(|i| plans[*i].is_none() && regs[*i].new.kind == kind)
                .collect();
            if wanted.is_empty() {
                continue;
            }
            let n = wanted.len() as i64;
            let last: i64 = sqlx::query_scalar(
                "UPDATE ticket_counters SET last_value = last_value + $1 WHERE kind = $2 RETURNING last_value",
            )
            .bind(n)
            .bind(kind.as_str())
            .fetch_one(&mut *$tx)
            .await?;
            for (k, i) in wanted.into_iter().enumerate() {
                plans[i] = Some(Plan::New(format_number(kind, last - n + 1 + k as i64)));
            }
        }
    }};
}

/// Inserts the new tickets in one statement and returns their rows (in no promised order).
macro_rules! insert_tickets {
    ($tx:expr, $fresh:expr, $routed:expr, $now:expr, $numbered:expr) => {{
        let fresh: &[(&Registration, &str)] = $fresh;
        let routed: &[Option<Choice>] = $routed;
        let now = to_db($now);
        if fresh.is_empty() {
            Vec::new()
        } else {
            let sql = format!(
                "{} RETURNING {COLUMNS}",
                values(
                    TICKET_HEAD,
                    TICKET_BINDS,
                    fresh.len(),
                    TICKET_CONSTANTS,
                    $numbered
                )
            );
            let mut q = sqlx::query_as(trusted(&sql));
            for ((r, number), choice) in fresh.iter().zip(routed) {
                let new = &r.new;
                let assignee = choice.map(|c| c.user_id).or(new.assignee_id);
                q = q
                    .bind(*number)
                    .bind(new.kind.as_str())
                    .bind(new.subject.as_str())
                    .bind(new.description.as_str())
                    .bind(new.requester_id.get())
                    .bind(new.organisation_id.map(|o| o.get()))
                    .bind(new.channel.as_str())
                    .bind(new.ci_ref.as_ref().map(|t| t.as_str()))
                    .bind(new.category_id.map(|c| c.get()))
                    .bind(new.impact.as_str())
                    .bind(new.urgency.as_str())
                    .bind(new.priority.as_str())
                    .bind(i64::from(new.priority.rank()))
                    .bind(new.priority_override_reason.as_ref().map(|t| t.as_str()))
                    .bind(new.group_id.map(|g| g.get()))
                    .bind(assignee.map(UserId::get))
                    .bind(new.tier.map(|t| t.code()))
                    .bind(new.facts.started_at.map(to_db))
                    .bind(new.facts.impact_scope.as_deref())
                    .bind(new.facts.error_codes.as_deref())
                    .bind(new.facts.tried.as_deref())
                    .bind(now)
                    .bind(now)
                    .bind(now)
                    .bind(new.sla.policy_id)
                    .bind(super::row::watch_json(&new.sla.response))
                    .bind(super::row::watch_json(&new.sla.resolution))
                    .bind(new.sla.due_at.map(to_db))
                    .bind(new.sla.next_check_at.map(to_db))
                    .bind(new.sla.state.map(|s| s.as_str()))
                    .bind(new.sla.response_due_at.map(to_db))
                    .bind(new.sla.resolution_due_at.map(to_db));
            }
            let rows: Vec<TicketRow> = q.fetch_all(&mut *$tx).await?;
            rows
        }
    }};
}

/// Inserts timeline entries (ticket id, actor, entry) in statements of [`EVENT_ROWS`].
macro_rules! insert_events {
    ($tx:expr, $events:expr, $now:expr, $numbered:expr) => {{
        let now = to_db($now);
        for chunk in $events.chunks(EVENT_ROWS) {
            let sql = values(EVENT_HEAD, EVENT_BINDS, chunk.len(), "", $numbered);
            let mut q = sqlx::query(trusted(&sql));
            for (id, actor, e) in chunk {
                q = q
                    .bind(*id)
                    .bind(now)
                    .bind(*actor)
                    .bind(e.kind.as_str())
                    .bind(e.public)
                    .bind(e.body.as_deref())
                    .bind(e.field.as_deref())
                    .bind(e.old_value.as_deref())
                    .bind(e.new_value.as_deref())
                    .bind(e.minutes)
                    .bind(e.code.as_deref())
                    .bind(super::events::params_to_db(&e.params));
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// Counts the new tickets that are their assignee's open work into `agent_load` (routing).
macro_rules! add_new_load {
    ($tx:expr, $rows:expr, $numbered:expr) => {{
        let rows: &[TicketRow] = $rows;
        let deltas = crate::routing::load_deltas(rows.iter().filter_map(|r| {
            let open = r
                .status
                .parse::<ventanilla_domain::ticket::Status>()
                .is_ok_and(crate::routing::is_open_work);
            open.then_some((r.assignee_id.map(UserId), 1))
        }));
        crate::routing::add_load!($tx, &deltas, $numbered);
    }};
}

/// Records the idempotency keys (owner, key, ticket id) of the new tickets.
macro_rules! insert_keys {
    ($tx:expr, $keys:expr, $now:expr, $numbered:expr) => {{
        let keys: &[(i64, &str, i64)] = $keys;
        if !keys.is_empty() {
            let sql = values(
                "INSERT INTO idempotency_keys (user_id, key, ticket_id, created_at) VALUES ",
                4,
                keys.len(),
                "",
                $numbered,
            );
            let mut q = sqlx::query(trusted(&sql));
            for (owner, k, id) in keys {
                q = q.bind(*owner).bind(*k).bind(*id).bind(to_db($now));
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// The registrations that get a new ticket, with their numbers.
fn fresh<'a>(regs: &'a [Registration], plans: &'a [Plan]) -> Vec<(&'a Registration, &'a str)> {
    regs.iter()
        .zip(plans)
        .filter_map(|(r, p)| match p {
            Plan::New(number) => Some((r, number.as_str())),
            _ => None,
        })
        .collect()
}

/// What routing needs of each new ticket with a group and no assignee (the others are
/// not routed).
fn wishes(fresh: &[(&Registration, &str)]) -> Vec<Option<crate::routing::Wish>> {
    fresh
        .iter()
        .map(|(r, _)| match (r.new.group_id, r.new.assignee_id) {
            (Some(group_id), None) => Some(crate::routing::Wish {
                group_id,
                category_id: r.new.category_id.map(|c| c.get()),
                requester_id: r.new.requester_id,
            }),
            _ => None,
        })
        .collect()
}

/// A notice to the agent routing chose, with its ticket id.
type RoutedNotice = (i64, NewNotification);
/// A routed ticket's offer: ticket id, agent id.
type Offer = (i64, i64);

/// The timeline entry, the offer (where `offered`) and the notice of each routed ticket.
fn routed_effects(
    fresh: &[(&Registration, &str)],
    routed: &[Option<Choice>],
    offered: &[bool],
    rows: &[TicketRow],
    events: &mut Vec<EventRow>,
) -> Result<(Vec<Offer>, Vec<RoutedNotice>)> {
    let by_number: HashMap<&str, &TicketRow> =
        rows.iter().map(|r| (r.number.as_str(), r)).collect();
    let mut offers = Vec::new();
    let mut notices = Vec::new();
    for (((r, number), choice), offer) in fresh.iter().zip(routed).zip(offered) {
        let Some(c) = choice else { continue };
        let row = by_number
            .get(number)
            .ok_or_else(|| StoreError::Corrupt(format!("ticket {number} was not returned")))?;
        events.push((
            row.id,
            None,
            NewEvent::change(
                "assignee_id",
                None,
                Some(c.user_id.get().to_string()),
                false,
            )
            .saying(&Said::AutoAssigned {
                reason: c.reason,
                after_minutes: None,
            }),
        ));
        if *offer {
            offers.push((row.id, c.user_id.get()));
        }
        let mut n = NewNotification {
            user_id: c.user_id,
            kind: "ticket.routed".to_owned(),
            params: Default::default(),
            body: None,
        };
        n.params.insert("number".into(), (*number).to_owned());
        n.params
            .insert("subject".into(), r.new.subject.as_str().to_owned());
        notices.push((row.id, n));
    }
    Ok((offers, notices))
}

/// A timeline entry: ticket id, actor id, the entry.
type EventRow = (i64, Option<i64>, NewEvent);
/// An idempotency key: owner id, key, ticket id.
type KeyRow<'a> = (i64, &'a str, i64);

/// The `created` entry plus the extra entries of each new ticket, and the keys to record,
/// matched to the inserted rows by number (RETURNING promises no order).
fn timeline_and_keys<'a>(
    fresh: &[(&'a Registration, &str)],
    rows: &[TicketRow],
) -> Result<(Vec<EventRow>, Vec<KeyRow<'a>>)> {
    let id_of: HashMap<&str, i64> = rows.iter().map(|r| (r.number.as_str(), r.id)).collect();
    let mut events: Vec<EventRow> = Vec::new();
    let mut keys: Vec<KeyRow<'a>> = Vec::new();
    for (r, number) in fresh {
        let id = *id_of
            .get(number)
            .ok_or_else(|| StoreError::Corrupt(format!("ticket {number} was not returned")))?;
        let actor = r.actor.map(UserId::get);
        events.push((
            id,
            actor,
            NewEvent::said(
                EventKind::Created,
                true,
                &Said::Created {
                    channel: r.new.channel.as_str().to_owned(),
                },
            ),
        ));
        events.extend(r.extra.iter().map(|e| (id, actor, e.clone())));
        if let Some(k) = r.idempotency_key.as_deref() {
            keys.push((r.key_owner().get(), k, id));
        }
    }
    Ok((events, keys))
}

/// Each new ticket that has someone to tell (id) and its notices: the registration's,
/// given the ticket's number, and where routing chose an agent, that agent's instead of the
/// group's (the domain's `routed_notices`).
fn told(
    fresh: &[(&Registration, &str)],
    rows: &[TicketRow],
    routed: Vec<RoutedNotice>,
) -> Vec<(i64, Vec<NewNotification>)> {
    let id_of: HashMap<&str, i64> = rows.iter().map(|r| (r.number.as_str(), r.id)).collect();
    let mut routed: HashMap<i64, NewNotification> = routed.into_iter().collect();
    fresh
        .iter()
        .filter_map(|(r, number)| {
            let id = *id_of.get(number)?;
            let notices: Vec<NewNotification> = r
                .notices
                .iter()
                .map(|n| {
                    let mut n = n.clone();
                    n.params.insert("number".into(), (*number).to_owned());
                    n
                })
                .collect();
            let notices = match routed.remove(&id) {
                Some(agent) => ventanilla_domain::ticket::routed_notices(notices, agent),
                None => notices,
            };
            (!notices.is_empty()).then_some((id, notices))
        })
        .collect()
}

impl Tickets<'_> {
    /// Registers a ticket: takes the next number of its kind, writes the row, the `created`
    /// event plus `extra` events, in one transaction. With an idempotency key already used
    /// by this user, returns the ticket it created instead (`false` = not new).
    pub async fn create(
        &self,
        new: &NewTicket,
        actor: Option<UserId>,
        now: Timestamp,
        idempotency_key: Option<&str>,
        extra: &[NewEvent],
    ) -> Result<(Ticket, bool)> {
        let reg = Registration {
            new: new.clone(),
            actor,
            idempotency_key: idempotency_key.map(str::to_owned),
            extra: extra.to_vec(),
            notices: Vec::new(),
        };
        self.create_many(std::slice::from_ref(&reg), now)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt("registration returned nothing".into()))
    }

    /// Registers every ticket of `regs` (at most [`MAX_BATCH`]) in one transaction and
    /// returns, in the same order, each ticket and whether it is new. All or nothing: if
    /// any row is refused, none is written and the error is returned.
    pub async fn create_many(
        &self,
        regs: &[Registration],
        now: Timestamp,
    ) -> Result<Vec<(Ticket, bool)>> {
        if regs.len() > MAX_BATCH {
            return Err(StoreError::Invalid(format!(
                "at most {MAX_BATCH} tickets are registered in one transaction"
            )));
        }
        let numbered = dialect::bulk_placeholders_numbered(self.0.kind());
        let (plans, rows): (Vec<Plan>, Vec<TicketRow>) = in_transaction!(self.0, |tx| {
            let mut plans = plan_keys!(tx, regs);
            take_numbers!(tx, regs, &mut plans);
            let plans: Vec<Plan> = plans.into_iter().flatten().collect();
            let fresh = fresh(regs, &plans);
            let (routed, offered) = route_batch!(tx, &wishes(&fresh), now);
            let rows = insert_tickets!(tx, &fresh, &routed, now, numbered);
            add_new_load!(tx, &rows, numbered);
            let (mut events, keys) = timeline_and_keys(&fresh, &rows)?;
            let (offers, routed_notices) =
                routed_effects(&fresh, &routed, &offered, &rows, &mut events)?;
            insert_events!(tx, events, now, numbered);
            record_offers!(tx, &offers, now, numbered);
            insert_keys!(tx, &keys, now, numbered);
            // The reports rollup: what the new tickets add (reports.rs), summed first.
            let zone = self.0.report_zone();
            let mut added = ventanilla_domain::report::Contribution::new();
            for row in &rows {
                let logged: i64 = events
                    .iter()
                    .filter(|(id, _, _)| *id == row.id)
                    .filter_map(|(_, _, e)| e.minutes)
                    .sum();
                if logged != 0 {
                    crate::reports::add_logged_minutes!(tx, row.id, logged);
                }
                let t: Ticket = row.clone().try_into()?;
                for (k, m) in ventanilla_domain::report::contribution(&t, logged, zone) {
                    added.entry(k).or_default().add_all(&m);
                }
            }
            if !added.is_empty() {
                crate::reports::append_pending!(tx, numbered, &added);
            }
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            crate::search::reindex_tickets!(tx, self.0.kind(), &ids, true);
            // Each new ticket's notices carry its number; with the routed agent's notice,
            // all of the batch's are written together, through the recipients' preferences
            // (a few statements for the whole group commit, not three per ticket).
            let told = told(&fresh, &rows, routed_notices);
            let told: Vec<(i64, &[crate::notifications::NewNotification])> =
                told.iter().map(|(id, n)| (*id, n.as_slice())).collect();
            super::write::insert_notices!(tx, &told, now, 0, numbered);
            (plans, rows)
        });
        self.outcome(plans, rows).await
    }

    /// Each registration's ticket in order: a new row, the ticket its key created before,
    /// or the ticket of the same key earlier in the batch.
    async fn outcome(&self, plans: Vec<Plan>, rows: Vec<TicketRow>) -> Result<Vec<(Ticket, bool)>> {
        let mut by_number: HashMap<String, Ticket> = HashMap::with_capacity(rows.len());
        for row in rows {
            let t: Ticket = row.try_into()?;
            by_number.insert(t.number.clone(), t);
        }
        let mut out: Vec<(Ticket, bool)> = Vec::with_capacity(plans.len());
        for plan in &plans {
            let done = match plan {
                Plan::New(number) => by_number
                    .get(number)
                    .cloned()
                    .map(|t| (t, true))
                    .ok_or_else(|| StoreError::Corrupt(format!("ticket {number} missing")))?,
                Plan::Existing(id) => (self.get(TicketId(*id)).await?, false),
                Plan::SameAs(i) => {
                    let first = out.get(*i).map(|(t, _)| t.clone()).ok_or_else(|| {
                        StoreError::Corrupt("idempotency key repeated out of order".into())
                    })?;
                    (first, false)
                }
            };
            out.push(done);
        }
        Ok(out)
    }
}
