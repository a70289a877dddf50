//! Timeline entries: written in the transaction of the change they record, read in order.

use ventanilla_domain::ticket::{EventKind, Params, TicketEvent};
use ventanilla_domain::{EventId, TicketId, UserId};

use super::Tickets;
use crate::time::from_db;
use crate::{Result, StoreError};

/// An entry to append to a ticket's timeline: the domain's [`Entry`](ventanilla_domain::ticket::Entry).
pub use ventanilla_domain::ticket::Entry as NewEvent;

/// Parameters as stored in the `data` column: a JSON object of strings, or NULL when empty.
pub(crate) fn params_to_db(p: &Params) -> Option<String> {
    if p.is_empty() {
        None
    } else {
        serde_json::to_string(p).ok()
    }
}

/// Parameters read back; an unreadable value is corrupt data, not a reason to hide the entry.
pub(crate) fn params_from_db(data: Option<&str>) -> Result<Params> {
    match data {
        None | Some("") => Ok(Params::new()),
        Some(s) => serde_json::from_str(s)
            .map_err(|e| StoreError::Corrupt(format!("timeline parameters: {e}"))),
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    ticket_id: i64,
    at: i64,
    actor_id: Option<i64>,
    kind: String,
    public: bool,
    code: Option<String>,
    data: Option<String>,
    body: Option<String>,
    field: Option<String>,
    old_value: Option<String>,
    new_value: Option<String>,
    minutes: Option<i64>,
}

impl TryFrom<EventRow> for TicketEvent {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<Self> {
        Ok(TicketEvent {
            id: EventId(r.id),
            ticket_id: TicketId(r.ticket_id),
            at: from_db(r.at)?,
            actor_id: r.actor_id.map(UserId),
            kind: EventKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("event kind {}", r.kind)))?,
            public: r.public,
            params: params_from_db(r.data.as_deref())?,
            code: r.code,
            body: r.body,
            field: r.field,
            old_value: r.old_value,
            new_value: r.new_value,
            minutes: r.minutes,
        })
    }
}

/// Inserts one event on a transaction.
macro_rules! insert_event {
    ($exec:expr, $ticket:expr, $at:expr, $actor:expr, $e:expr) => {{
        let e: &$crate::tickets::NewEvent = $e;
        sqlx::query(
            "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, public, body, field, old_value, new_value, minutes, code, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind($ticket)
        .bind($crate::time::to_db($at))
        .bind($actor)
        .bind(e.kind.as_str())
        .bind(e.public)
        .bind(e.body.as_deref())
        .bind(e.field.as_deref())
        .bind(e.old_value.as_deref())
        .bind(e.new_value.as_deref())
        .bind(e.minutes)
        .bind(e.code.as_deref())
        .bind($crate::tickets::events::params_to_db(&e.params))
        .execute($exec)
        .await?;
    }};
}
pub(crate) use insert_event;

impl Tickets<'_> {
    /// The timeline in order. `public_only` hides internal entries in the SQL itself, so a
    /// requester's response can never contain them.
    pub async fn events(&self, id: TicketId, public_only: bool) -> Result<Vec<TicketEvent>> {
        let sql = if public_only {
            "SELECT id, ticket_id, at, actor_id, kind, public, code, data, body, field, old_value, new_value, minutes
             FROM ticket_events WHERE ticket_id = $1 AND public = TRUE ORDER BY id"
        } else {
            "SELECT id, ticket_id, at, actor_id, kind, public, code, data, body, field, old_value, new_value, minutes
             FROM ticket_events WHERE ticket_id = $1 ORDER BY id"
        };
        let rows: Vec<EventRow> = on_reader!(self.0, |db| {
            sqlx::query_as(sql).bind(id.get()).fetch_all(db).await?
        });
        rows.into_iter().map(TicketEvent::try_from).collect()
    }

    /// Total minutes logged on a ticket.
    pub async fn minutes_spent(&self, id: TicketId) -> Result<i64> {
        let m: Option<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT CAST(SUM(minutes) AS BIGINT) FROM ticket_events WHERE ticket_id = $1",
            )
            .bind(id.get())
            .fetch_one(db)
            .await?
        });
        Ok(m.unwrap_or(0))
    }
}
