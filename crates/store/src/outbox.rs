//! The outbox: side effects written in the transaction of the change that causes them
//! (ARCHITECTURE principle 4), read and marked delivered by the delivery job. Mail rows
//! (`notification.*`, `mail.*`) carry a delivery state: claimed with a lease so one node
//! sends each (`FOR UPDATE SKIP LOCKED` on PostgreSQL), retried with backoff, dead after
//! the last attempt and shown to admins, who may send a dead one again.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use ventanilla_domain::{TicketId, UserId};

use crate::sql::trusted;
use crate::time::{from_db, opt_from_db, to_db};
use crate::{Result, Store, StoreError};

/// The outbox kinds the mail sender delivers (a `LIKE` pattern each).
const MAIL_KINDS: &str = "(kind LIKE 'notification.%' OR kind LIKE 'mail.%')";

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxEntry {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub ticket_id: Option<TicketId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub recipient_id: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    /// `pending`, `sent`, `skipped` or `dead`.
    pub state: String,
    pub attempts: i64,
    /// The last failure, or why it was skipped (`preference`, `no_address`, `ack_cap`).
    pub last_error: Option<String>,
    /// The Message-ID it was sent with.
    pub message_id: Option<String>,
    /// The address it went (or was to go) to.
    pub address: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub delivered_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    created_at: i64,
    kind: String,
    ticket_id: Option<i64>,
    recipient_id: Option<i64>,
    payload: String,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    message_id: Option<String>,
    address: Option<String>,
    delivered_at: Option<i64>,
}

const COLUMNS: &str = "id, created_at, kind, ticket_id, recipient_id, payload, state, attempts, \
    last_error, message_id, address, delivered_at";

impl TryFrom<Row> for OutboxEntry {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(OutboxEntry {
            id: r.id,
            created_at: from_db(r.created_at)?,
            kind: r.kind,
            ticket_id: r.ticket_id.map(TicketId),
            recipient_id: r.recipient_id.map(UserId),
            payload: serde_json::from_str(&r.payload)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            state: r.state,
            attempts: r.attempts,
            last_error: r.last_error,
            message_id: r.message_id,
            address: r.address,
            delivered_at: opt_from_db(r.delivered_at)?,
        })
    }
}

/// A mail that went out, to record.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub id: i64,
    pub ticket_id: Option<TicketId>,
    pub message_id: String,
    pub address: String,
}

/// A mail to queue outside a ticket change (a test mail from the admin page; the bench).
#[derive(Debug, Clone)]
pub struct NewMail {
    pub kind: String,
    pub ticket_id: Option<TicketId>,
    pub recipient_id: Option<UserId>,
    pub payload: serde_json::Value,
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
        let sql =
            format!("SELECT {COLUMNS} FROM outbox WHERE state = 'pending' ORDER BY id LIMIT $1");
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(limit)
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(OutboxEntry::try_from).collect()
    }

    pub async fn get(&self, id: i64) -> Result<OutboxEntry> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
        let row: Option<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(id)
                .fetch_optional(db)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    pub async fn mark_delivered(&self, id: i64, at: Timestamp) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE outbox SET delivered_at = $2, state = 'sent' WHERE id = $1 AND delivered_at IS NULL",
            )
            .bind(id)
            .bind(to_db(at))
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Queues a mail of its own (not caused by a ticket change).
    pub async fn queue(&self, mail: &NewMail, now: Timestamp) -> Result<i64> {
        Ok(on_writer!(self.0, |db| {
            sqlx::query_scalar(
                "INSERT INTO outbox (created_at, kind, ticket_id, recipient_id, payload, next_attempt_at)
                 VALUES ($1, $2, $3, $4, $5, $1) RETURNING id",
            )
            .bind(to_db(now))
            .bind(mail.kind.as_str())
            .bind(mail.ticket_id.map(TicketId::get))
            .bind(mail.recipient_id.map(UserId::get))
            .bind(mail.payload.to_string())
            .fetch_one(db)
            .await?
        }))
    }

    /// Claims up to `limit` due mails for `lease`: while leased, no other node takes them.
    pub async fn claim_mail(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>> {
        let until = now.saturating_add(lease).unwrap_or(now);
        let sql = format!(
            "UPDATE outbox SET locked_until = $1
             WHERE id IN (SELECT id FROM outbox
                          WHERE state = 'pending' AND next_attempt_at <= $2 AND locked_until <= $2
                            AND {MAIL_KINDS}
                          ORDER BY next_attempt_at, id LIMIT $3 {})
             RETURNING {COLUMNS}",
            crate::dialect::skip_locked(self.0.kind())
        );
        let mut rows: Vec<Row> = in_transaction!(self.0, |tx| {
            sqlx::query_as(trusted(&sql))
                .bind(to_db(until))
                .bind(to_db(now))
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?
        });
        rows.sort_by_key(|r| r.id);
        rows.into_iter().map(OutboxEntry::try_from).collect()
    }

    /// Records a sent mail: its Message-ID and address.
    pub async fn sent(
        &self,
        id: i64,
        message_id: &str,
        address: &str,
        at: Timestamp,
    ) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE outbox SET state = 'sent', delivered_at = $2, message_id = $3, address = $4,
                        attempts = attempts + 1, locked_until = 0, last_error = NULL
                 WHERE id = $1",
            )
            .bind(id)
            .bind(to_db(at))
            .bind(message_id)
            .bind(address)
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Records sent mails in one transaction: each row's Message-ID and address, and each
    /// Message-ID remembered for its ticket (threading). One commit per batch keeps the
    /// single SQLite writer free for the desk while mail goes out.
    pub async fn sent_many(&self, sent: &[SentMail], at: Timestamp) -> Result<()> {
        if sent.is_empty() {
            return Ok(());
        }
        in_transaction!(self.0, |tx| {
            for m in sent {
                sqlx::query(
                    "UPDATE outbox SET state = 'sent', delivered_at = $2, message_id = $3, address = $4,
                            attempts = attempts + 1, locked_until = 0, last_error = NULL
                     WHERE id = $1",
                )
                .bind(m.id)
                .bind(to_db(at))
                .bind(m.message_id.as_str())
                .bind(m.address.as_str())
                .execute(&mut *tx)
                .await?;
                if let (Some(t), Some(mid)) =
                    (m.ticket_id, crate::mail_ids::normalise(&m.message_id))
                {
                    sqlx::query(
                        "INSERT INTO mail_message_ids (message_id, ticket_id, direction, created_at)
                         VALUES ($1, $2, 'out', $3) ON CONFLICT (message_id) DO NOTHING",
                    )
                    .bind(mid)
                    .bind(t.get())
                    .bind(to_db(at))
                    .execute(&mut *tx)
                    .await?;
                }
            }
        });
        Ok(())
    }

    /// Records a mail that will not be sent, and why (a code: `no_address`, `ack_cap`…).
    pub async fn skipped(
        &self,
        id: i64,
        why: &str,
        address: Option<&str>,
        at: Timestamp,
    ) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE outbox SET state = 'skipped', delivered_at = $2, last_error = $3, address = $4, locked_until = 0
                 WHERE id = $1",
            )
            .bind(id)
            .bind(to_db(at))
            .bind(why)
            .bind(address)
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or dead when `dead`.
    pub async fn failed(
        &self,
        id: i64,
        error: &str,
        address: Option<&str>,
        retry_at: Timestamp,
        dead: bool,
    ) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $2, address = COALESCE($3, address),
                        next_attempt_at = $4, locked_until = 0, state = $5
                 WHERE id = $1",
            )
            .bind(id)
            .bind(error)
            .bind(address)
            .bind(to_db(retry_at))
            .bind(if dead { "dead" } else { "pending" })
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Sends a dead (or skipped) mail again: pending now, attempts from zero.
    pub async fn resend(&self, id: i64, now: Timestamp) -> Result<()> {
        let sql = format!(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2, locked_until = 0, delivered_at = NULL
             WHERE id = $1 AND state IN ('dead', 'skipped') AND {MAIL_KINDS}"
        );
        let n = on_writer!(self.0, |db| {
            sqlx::query(trusted(&sql))
                .bind(id)
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// How many mails of `kind` went to `recipient` since `since` (the acknowledgement cap).
    pub async fn sent_since(&self, recipient: UserId, kind: &str, since: Timestamp) -> Result<i64> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT count(*) FROM outbox WHERE recipient_id = $1 AND kind = $2 AND delivered_at >= $3 AND state = 'sent'",
            )
            .bind(recipient.get())
            .bind(kind)
            .bind(to_db(since))
            .fetch_one(db)
            .await?
        }))
    }

    /// The mail log, newest first: mails with an id below `before`, in `state` if given.
    pub async fn mail_log(
        &self,
        state: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>> {
        let filter = if state.is_some() {
            "AND state = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE id < $1 AND {MAIL_KINDS} {filter} ORDER BY id DESC LIMIT $2"
        );
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            let mut q = sqlx::query_as::<_, Row>(trusted(&sql))
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit);
            if let Some(s) = state {
                q = q.bind(s);
            }
            q.fetch_all(db).await?
        });
        rows.into_iter().map(OutboxEntry::try_from).collect()
    }

    /// Mails per state (the mail log's header).
    pub async fn mail_counts(&self) -> Result<Vec<(String, i64)>> {
        let sql = format!(
            "SELECT state, count(*) FROM outbox WHERE {MAIL_KINDS} GROUP BY state ORDER BY state"
        );
        let counts: Vec<(String, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql)).fetch_all(db).await?
        });
        Ok(counts)
    }
}
