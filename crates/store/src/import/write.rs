//! Writing one import batch in one transaction: directory records row by row (they are few
//! and later lines refer to their ids), tickets and timelines as multi-row INSERTs with ids
//! and numbers handed out under the counters' lock, so numbers are never reused.

use jiff::Timestamp;
use ventanilla_domain::ticket::{TicketKind, format_number};

use super::records::{CheckedEvent, CheckedTicket, CheckedUser};
use super::{Batch, Checked, ImportError, ImportReport, Keys};
use crate::sql::{trusted, values};
use crate::{BackendKind, Store, StoreError, dialect};

/// Rows per INSERT statement: below SQLite's 32,766 and PostgreSQL's 65,535 bound values.
const TICKET_ROWS: usize = 500;
const TICKET_COLUMNS: usize = 34;
const EVENT_ROWS: usize = 2_000;
const EVENT_COLUMNS: usize = 11;

const TICKET_HEAD: &str =
    "INSERT INTO tickets (id, number, kind, subject, description, requester_id,
    organisation_id, channel, ci_ref, category_id, impact, urgency, priority, priority_rank,
    priority_override_reason, group_id, assignee_id, tier, escalated, status, resume_to,
    pending_reason, reopen_count, resolution_code, resolution, major, rating, rating_comment,
    created_at, updated_at, status_changed_at, first_response_at, resolved_at, closed_at,
    version) VALUES ";
const EVENT_HEAD: &str = "INSERT INTO ticket_events (id, ticket_id, at, actor_id, kind, public,
    body, field, old_value, new_value, minutes) VALUES ";

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(e.into())
    }
}

fn line_error(line: u64, message: impl Into<String>) -> ImportError {
    ImportError::Line {
        line,
        message: message.into(),
    }
}

/// Role names and category codes, which import records refer to by name.
pub(super) async fn load_keys(store: &Store) -> Result<Keys, StoreError> {
    type Named = Vec<(i64, String)>;
    let (roles, categories): (Named, Named) = on_reader!(store, |db| {
        (
            sqlx::query_as("SELECT id, name FROM roles")
                .fetch_all(db)
                .await?,
            sqlx::query_as("SELECT id, code FROM categories")
                .fetch_all(db)
                .await?,
        )
    });
    Ok(Keys {
        roles: roles.into_iter().map(|(id, n)| (n, id)).collect(),
        categories: categories.into_iter().map(|(id, c)| (c, id)).collect(),
        ..Keys::default()
    })
}

/// SQLite: a bigger page cache for the import's connection, so index pages stay in memory
/// while millions of rows go in. PostgreSQL needs nothing.
pub(super) async fn begin_bulk(store: &Store) -> Result<(), StoreError> {
    if store.kind() == BackendKind::Sqlite {
        on_writer!(store, |db| {
            sqlx::query("PRAGMA cache_size = -262144")
                .execute(db)
                .await?;
        });
    }
    Ok(())
}

/// Ends a bulk load. PostgreSQL plans from table statistics that a million fresh rows leave
/// stale until autovacuum comes round (a ticket's timeline was estimated at 25,000 rows
/// instead of 15, and read by a bitmap scan and a sort), so the import refreshes them.
pub(super) async fn end_bulk(store: &Store, wrote: bool) -> Result<(), StoreError> {
    match store.kind() {
        BackendKind::Sqlite => on_writer!(store, |db| {
            sqlx::query("PRAGMA cache_size = -16000")
                .execute(db)
                .await?;
        }),
        BackendKind::Postgres if wrote => on_writer!(store, |db| {
            for sql in dialect::import_refresh_statistics(store.kind()) {
                sqlx::query(*sql).execute(db).await?;
            }
        }),
        BackendKind::Postgres => {}
    }
    Ok(())
}

fn lookup(
    map: &std::collections::HashMap<String, i64>,
    what: &str,
    key: &str,
    line: u64,
) -> Result<i64, ImportError> {
    map.get(key).copied().ok_or_else(|| {
        line_error(
            line,
            format!("{what}: no {what} with ref {key:?} earlier in the file"),
        )
    })
}

fn opt_lookup(
    map: &std::collections::HashMap<String, i64>,
    what: &str,
    key: Option<&str>,
    line: u64,
) -> Result<Option<i64>, ImportError> {
    key.map(|k| lookup(map, what, k, line)).transpose()
}

fn user_of(
    keys: &Keys,
    what: &str,
    key: &str,
    line: u64,
) -> Result<(i64, Option<i64>), ImportError> {
    keys.users.get(key).copied().ok_or_else(|| {
        line_error(
            line,
            format!("{what}: no user with ref {key:?} earlier in the file"),
        )
    })
}

fn claim<V>(
    map: &mut std::collections::HashMap<String, V>,
    key: String,
    v: V,
    line: u64,
) -> Result<(), ImportError> {
    if map.contains_key(&key) {
        return Err(line_error(line, format!("ref {key:?} is used twice")));
    }
    map.insert(key, v);
    Ok(())
}

/// A ticket resolved to database ids, ready to bind.
struct TicketRow<'a> {
    id: i64,
    number: String,
    t: &'a CheckedTicket,
    requester: i64,
    organisation: Option<i64>,
    category: Option<i64>,
    group: Option<i64>,
    assignee: Option<i64>,
}

struct EventRow<'a> {
    id: i64,
    ticket_id: i64,
    e: &'a CheckedEvent,
    actor: Option<i64>,
}

/// Writes one batch in one transaction; a refused line rolls the whole batch back.
pub(super) async fn write_batch(
    store: &Store,
    keys: &mut Keys,
    batch: Batch,
    now: Timestamp,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let first = batch.first().map_or(0, |(l, _)| *l);
    let last = batch.last().map_or(0, |(l, _)| *l);
    let mut counts = ImportReport::default();
    let done = write_in_transaction(store, keys, batch, now, &mut counts).await;
    match done {
        Ok(()) => {
            report.organisations += counts.organisations;
            report.departments += counts.departments;
            report.users += counts.users;
            report.groups += counts.groups;
            report.members += counts.members;
            report.tickets += counts.tickets;
            report.events += counts.events;
            Ok(())
        }
        Err(ImportError::Store(source)) => Err(ImportError::Batch {
            first,
            last,
            source,
        }),
        Err(e) => Err(e),
    }
}

/// A database refusal of one directory line, named by its line.
fn line_err(line: u64) -> impl Fn(sqlx::Error) -> ImportError {
    move |e| line_error(line, StoreError::from(e).to_string())
}

/// Inserts an organisation line on `$tx` and records its id under its key.
macro_rules! insert_organisation {
    ($tx:expr, $keys:expr, $counts:expr, $line:expr, $now:expr, $key:expr, $name:expr, $code:expr) => {{
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (name, code, active, created_at, updated_at)
             VALUES ($1, $2, TRUE, $3, $3) RETURNING id",
        )
        .bind(&$name)
        .bind($code.as_deref())
        .bind($now)
        .fetch_one($tx)
        .await
        .map_err(line_err($line))?;
        claim(&mut $keys.organisations, $key, id, $line)?;
        $counts.organisations += 1;
    }};
}

/// Inserts a department line of an organisation named earlier in the file.
macro_rules! insert_department {
    ($tx:expr, $keys:expr, $counts:expr, $line:expr, $now:expr, $key:expr, $org:expr, $name:expr) => {{
        let org = lookup(&$keys.organisations, "organisation", &$org, $line)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO departments (organisation_id, name, created_at, updated_at)
             VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(org)
        .bind(&$name)
        .bind($now)
        .fetch_one($tx)
        .await
        .map_err(line_err($line))?;
        claim(&mut $keys.departments, $key, id, $line)?;
        $counts.departments += 1;
    }};
}

/// Inserts a user line (no password: imported people sign in after a reset).
macro_rules! insert_user {
    ($tx:expr, $keys:expr, $counts:expr, $line:expr, $now:expr, $user:expr) => {{
        let CheckedUser {
            key,
            email,
            name,
            phone,
            organisation,
            department,
            language,
            time_zone,
            role,
            organisation_manager,
        } = $user;
        let line = $line;
        let org = opt_lookup(
            &$keys.organisations,
            "organisation",
            organisation.as_deref(),
            line,
        )?;
        let dept = opt_lookup(
            &$keys.departments,
            "department",
            department.as_deref(),
            line,
        )?;
        let role_id = $keys
            .roles
            .get(&role)
            .copied()
            .ok_or_else(|| line_error(line, format!("role: no role named {role:?}")))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, phone, organisation_id, department_id, language,
                time_zone, role_id, organisation_manager, active, password_hash, created_at,
                updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, NULL, $10, $10)
             RETURNING id",
        )
        .bind(&email)
        .bind(&name)
        .bind(phone.as_deref())
        .bind(org)
        .bind(dept)
        .bind(language)
        .bind(&time_zone)
        .bind(role_id)
        .bind(organisation_manager)
        .bind($now)
        .fetch_one($tx)
        .await
        .map_err(line_err(line))?;
        claim(&mut $keys.users, key, (id, org), line)?;
        $counts.users += 1;
    }};
}

/// Inserts a support group line and its members (users named earlier in the file).
macro_rules! insert_group {
    ($tx:expr, $keys:expr, $counts:expr, $line:expr, $now:expr,
     $key:expr, $name:expr, $tier:expr, $description:expr, $email:expr, $members:expr) => {{
        let line = $line;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO support_groups (name, tier, description, email, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING id",
        )
        .bind(&$name)
        .bind($tier)
        .bind($description.as_deref())
        .bind($email.as_deref())
        .bind($now)
        .fetch_one(&mut *$tx)
        .await
        .map_err(line_err(line))?;
        for (user, supervisor) in &$members {
            let (uid, _) = user_of($keys, "members.user", user, line)?;
            sqlx::query(
                "INSERT INTO group_members (group_id, user_id, supervisor, added_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(uid)
            .bind(*supervisor)
            .bind($now)
            .execute(&mut *$tx)
            .await
            .map_err(line_err(line))?;
            $counts.members += 1;
        }
        claim(&mut $keys.groups, $key, id, line)?;
        $counts.groups += 1;
    }};
}

/// Inserts ticket rows in statements of [`TICKET_ROWS`].
macro_rules! insert_ticket_rows {
    ($tx:expr, $rows:expr, $numbered:expr) => {{
        for chunk in $rows.chunks(TICKET_ROWS) {
            let sql = values(TICKET_HEAD, TICKET_COLUMNS, chunk.len(), ", 1", $numbered);
            let mut q = sqlx::query(trusted(&sql));
            for r in chunk {
                let t = r.t;
                q = q
                    .bind(r.id)
                    .bind(r.number.as_str())
                    .bind(t.kind.as_str())
                    .bind(t.subject.as_str())
                    .bind(t.description.as_str())
                    .bind(r.requester)
                    .bind(r.organisation)
                    .bind(t.channel)
                    .bind(t.ci_ref.as_deref())
                    .bind(r.category)
                    .bind(t.impact)
                    .bind(t.urgency)
                    .bind(t.priority.as_str())
                    .bind(i64::from(t.priority.rank()))
                    .bind(t.priority_reason.as_deref())
                    .bind(r.group)
                    .bind(r.assignee)
                    .bind(t.tier)
                    .bind(t.escalated)
                    .bind(t.status)
                    .bind(t.resume_to)
                    .bind(t.pending_reason.as_deref())
                    .bind(t.reopen_count)
                    .bind(t.resolution_code.as_deref())
                    .bind(t.resolution.as_deref())
                    .bind(t.major)
                    .bind(t.rating)
                    .bind(t.rating_comment.as_deref())
                    .bind(t.created_at)
                    .bind(t.updated_at)
                    .bind(t.status_changed_at)
                    .bind(t.first_response_at)
                    .bind(t.resolved_at)
                    .bind(t.closed_at);
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// Inserts timeline rows in statements of [`EVENT_ROWS`].
macro_rules! insert_event_rows {
    ($tx:expr, $events:expr, $numbered:expr) => {{
        for chunk in $events.chunks(EVENT_ROWS) {
            let sql = values(EVENT_HEAD, EVENT_COLUMNS, chunk.len(), "", $numbered);
            let mut q = sqlx::query(trusted(&sql));
            for r in chunk {
                let e = r.e;
                q = q
                    .bind(r.id)
                    .bind(r.ticket_id)
                    .bind(e.at)
                    .bind(r.actor)
                    .bind(e.kind)
                    .bind(e.public)
                    .bind(e.body.as_deref())
                    .bind(e.field.as_deref())
                    .bind(e.old_value.as_deref())
                    .bind(e.new_value.as_deref())
                    .bind(e.minutes);
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// Writes the batch's tickets: takes the counters' lock (then the tables'), hands out ids
/// and numbers after the highest ones, inserts tickets and timelines, and moves counters
/// and sequences past what it used.
macro_rules! write_tickets {
    ($tx:expr, $kind:expr, $numbered:expr, $keys:expr, $tickets:expr, $counts:expr) => {{
        // Counters first, as a registration takes them, then the tables: concurrent
        // registrations queue behind the import instead of deadlocking with it.
        let mut counters: Vec<(String, i64)> = sqlx::query_as(dialect::import_lock_counters($kind))
            .fetch_all(&mut *$tx)
            .await?;
        let before = counters.clone();
        if let Some(lock) = dialect::import_lock_tables($kind) {
            sqlx::query(lock).execute(&mut *$tx).await?;
        }
        let ticket_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM tickets")
            .fetch_one(&mut *$tx)
            .await?;
        let event_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM ticket_events")
            .fetch_one(&mut *$tx)
            .await?;
        let (rows, events) = resolve_tickets($keys, $tickets, &mut counters, ticket_id, event_id)?;
        insert_ticket_rows!($tx, rows, $numbered);
        insert_event_rows!($tx, events, $numbered);
        // Imported tickets are searchable at once, like registered ones.
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        for chunk in ids.chunks(500) {
            crate::search::reindex_tickets!($tx, $kind, chunk, true);
        }
        for ((k, v), (_, old)) in counters.iter().zip(&before) {
            if v != old {
                sqlx::query("UPDATE ticket_counters SET last_value = $2 WHERE kind = $1")
                    .bind(k.as_str())
                    .bind(*v)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
        for sql in dialect::import_move_sequences($kind) {
            sqlx::query(*sql).execute(&mut *$tx).await?;
        }
        $counts.tickets += rows.len() as u64;
        $counts.events += events.len() as u64;
    }};
}

async fn write_in_transaction(
    store: &Store,
    keys: &mut Keys,
    batch: Batch,
    now: Timestamp,
    counts: &mut ImportReport,
) -> Result<(), ImportError> {
    let kind = store.kind();
    let numbered = dialect::bulk_placeholders_numbered(kind);
    let now = now.as_microsecond();
    in_transaction!(store, |tx| {
        let mut tickets: Vec<(u64, Box<CheckedTicket>)> = Vec::new();
        for (line, record) in batch {
            match record {
                Checked::Organisation { key, name, code } => {
                    insert_organisation!(&mut *tx, keys, counts, line, now, key, name, code)
                }
                Checked::Department {
                    key,
                    organisation,
                    name,
                } => insert_department!(&mut *tx, keys, counts, line, now, key, organisation, name),
                Checked::User(u) => insert_user!(&mut *tx, keys, counts, line, now, *u),
                Checked::Group {
                    key,
                    name,
                    tier,
                    description,
                    email,
                    members,
                } => insert_group!(
                    tx,
                    keys,
                    counts,
                    line,
                    now,
                    key,
                    name,
                    tier,
                    description,
                    email,
                    members
                ),
                Checked::Ticket(t) => tickets.push((line, t)),
            }
        }
        if !tickets.is_empty() {
            write_tickets!(tx, kind, numbered, keys, &tickets, counts);
        }
    });
    Ok(())
}

/// Resolves the batch's tickets to database ids: ids after `ticket_id` and `event_id`,
/// numbers kept from the file (moving their counter on) or taken from `counters`, and
/// every reference to a line earlier in the file.
fn resolve_tickets<'a>(
    keys: &Keys,
    tickets: &'a [(u64, Box<CheckedTicket>)],
    counters: &mut [(String, i64)],
    mut ticket_id: i64,
    mut event_id: i64,
) -> Result<(Vec<TicketRow<'a>>, Vec<EventRow<'a>>), ImportError> {
    let mut rows = Vec::with_capacity(tickets.len());
    let mut events = Vec::new();
    for (line, t) in tickets {
        let line = *line;
        let (requester, requester_org) = user_of(keys, "requester", &t.requester, line)?;
        ticket_id += 1;
        let number = match t.number {
            Some((k, seq)) => {
                bump(counters, k, seq);
                format_number(k, seq)
            }
            None => {
                let seq = next(counters, t.kind);
                format_number(t.kind, seq)
            }
        };
        for e in &t.events {
            let actor = match e.actor.as_deref() {
                Some(a) => Some(user_of(keys, "events.actor", a, line)?.0),
                None => None,
            };
            event_id += 1;
            events.push(EventRow {
                id: event_id,
                ticket_id,
                e,
                actor,
            });
        }
        let category = match t.category.as_deref() {
            Some(c) => Some(keys.categories.get(c).copied().ok_or_else(|| {
                line_error(line, format!("category: no category with code {c:?}"))
            })?),
            None => None,
        };
        rows.push(TicketRow {
            id: ticket_id,
            number,
            t,
            requester,
            organisation: match t.organisation.as_deref() {
                Some(o) => Some(lookup(&keys.organisations, "organisation", o, line)?),
                None => requester_org,
            },
            category,
            group: opt_lookup(&keys.groups, "group", t.group.as_deref(), line)?,
            assignee: match t.assignee.as_deref() {
                Some(a) => Some(user_of(keys, "assignee", a, line)?.0),
                None => None,
            },
        });
    }
    Ok((rows, events))
}

/// Takes the next number of `kind`.
fn next(counters: &mut [(String, i64)], kind: TicketKind) -> i64 {
    match counters.iter_mut().find(|(k, _)| k == kind.as_str()) {
        Some((_, v)) => {
            *v += 1;
            *v
        }
        None => 1,
    }
}

/// A number kept from the previous desk: later numbers of its kind continue after it.
fn bump(counters: &mut [(String, i64)], kind: TicketKind, seq: i64) {
    if let Some((_, v)) = counters.iter_mut().find(|(k, _)| k == kind.as_str()) {
        *v = (*v).max(seq);
    }
}
