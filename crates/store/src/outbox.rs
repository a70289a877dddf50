//! The outbox: side effects written in the transaction of the change that causes them
//! (ARCHITECTURE principle 4), read and marked delivered by the delivery job.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::{TicketId, UserId};

use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub created_at: Timestamp,
    pub kind: String,
    pub ticket_id: Option<TicketId>,
    pub recipient_id: Option<UserId>,
    pub payload: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    created_at: i64,
    kind: String,
    ticket_id: Option<i64>,
    recipient_id: Option<i64>,
    payload: String,
}

pub struct Outbox<'a>(&'a Store);

impl Store {
    pub fn outbox(&self) -> Outbox<'_> {
        Outbox(self)
    }
}

impl Outbox<'_> {
    /// Undelivered entries, oldest first.
    pub async fn pending(&self, limit: i64) -> Result<Vec<OutboxEntry>> {
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT id, created_at, kind, ticket_id, recipient_id, payload FROM outbox
                 WHERE delivered_at IS NULL ORDER BY id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(db)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(OutboxEntry {
                    id: r.id,
                    created_at: from_db(r.created_at)?,
                    kind: r.kind,
                    ticket_id: r.ticket_id.map(TicketId),
                    recipient_id: r.recipient_id.map(UserId),
                    payload: serde_json::from_str(&r.payload)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    pub async fn mark_delivered(&self, id: i64, at: Timestamp) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE outbox SET delivered_at = $2 WHERE id = $1 AND delivered_at IS NULL",
            )
            .bind(id)
            .bind(to_db(at))
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }
}
