//! In-app notifications (escalations, SLA warnings and breaches) with read state.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::ticket::Params;
use ventanilla_domain::{TicketId, UserId};

use crate::time::{from_db, opt_from_db, to_db};
use crate::{Result, Store, StoreError};

/// A notification to write: the domain's [`Notice`](ventanilla_domain::ticket::Notice) (a
/// kind code and parameters, rendered in the reader's language when read).
pub use ventanilla_domain::ticket::Notice as NewNotification;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub ticket_id: Option<TicketId>,
    /// What happened, as a code (`ticket.escalated`, `sla.warning`, …).
    pub kind: String,
    /// The code's parameters (ticket number, subject, group…).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: Params,
    /// What a person wrote with it (a handover summary, a reason), if anything.
    pub body: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub read_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    ticket_id: Option<i64>,
    kind: String,
    params: Option<String>,
    body: Option<String>,
    created_at: i64,
    read_at: Option<i64>,
}

/// Inserts a notification on a transaction.
macro_rules! insert_notification {
    ($exec:expr, $ticket:expr, $n:expr, $now:expr) => {{
        let n: &$crate::notifications::NewNotification = $n;
        sqlx::query("INSERT INTO notifications (user_id, ticket_id, kind, title, params, body, created_at) VALUES ($1, $2, $3, '', $4, $5, $6)")
            .bind(n.user_id.get())
            .bind($ticket)
            .bind(n.kind.as_str())
            .bind($crate::tickets::params_to_db(&n.params))
            .bind(n.body.as_deref())
            .bind($crate::time::to_db($now))
            .execute($exec)
            .await?;
    }};
}
pub(crate) use insert_notification;

pub struct Notifications<'a>(&'a Store);

impl Store {
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications(self)
    }
}

impl Notifications<'_> {
    /// A user's notifications, newest first, and how many are unread.
    pub async fn list(
        &self,
        user: UserId,
        unread_only: bool,
        after: Option<i64>,
        limit: i64,
    ) -> Result<(Vec<Notification>, i64)> {
        let sql = if unread_only {
            "SELECT id, ticket_id, kind, params, body, created_at, read_at FROM notifications
             WHERE user_id = $1 AND id < $2 AND read_at IS NULL ORDER BY id DESC LIMIT $3"
        } else {
            "SELECT id, ticket_id, kind, params, body, created_at, read_at FROM notifications
             WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        };
        let (rows, unread): (Vec<Row>, i64) = on_reader!(self.0, |db| {
            let rows = sqlx::query_as(sql)
                .bind(user.get())
                .bind(after.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(db)
                .await?;
            let unread: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user.get())
            .fetch_one(db)
            .await?;
            (rows, unread)
        });
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(Notification {
                    id: r.id,
                    ticket_id: r.ticket_id.map(TicketId),
                    kind: r.kind,
                    params: crate::tickets::params_from_db(r.params.as_deref())?,
                    body: r.body,
                    created_at: from_db(r.created_at)?,
                    read_at: opt_from_db(r.read_at)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((items, unread))
    }

    /// Marks one of the user's notifications read; another user's is not found.
    pub async fn mark_read(&self, user: UserId, id: i64, now: Timestamp) -> Result<()> {
        let n = on_writer!(self.0, |db| {
            sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user.get())
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

    pub async fn mark_all_read(&self, user: UserId, now: Timestamp) -> Result<u64> {
        Ok(on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user.get())
            .bind(to_db(now))
            .execute(db)
            .await?
            .rows_affected()
        }))
    }
}
