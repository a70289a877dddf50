//! In-app notifications with read state, grouped per ticket and burst (one unread entry per
//! ticket while changes keep coming within the window), and each user's preferences per kind
//! and channel (in-app, e-mail).

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
    /// The newest change folded into this entry (equal to `created_at` for a single one).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// How many changes of the ticket this entry stands for (1 for a single one).
    pub repeats: i64,
}

/// One user's choice for one notification kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preference {
    pub kind: String,
    /// Shown in the console or the portal.
    pub in_app: bool,
    /// Sent by e-mail.
    pub email: bool,
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
    updated_at: i64,
    repeats: i64,
}

/// Records a notification on a transaction, unless the user turned the kind off in-app.
/// Within `$window_secs` of the newest change, an unread notification of the same user and
/// ticket takes the new kind, parameters and body and counts one more repeat (a burst is
/// one entry); otherwise a new row. Evaluates to whether the user wants it by e-mail.
macro_rules! insert_notification {
    ($exec:expr, $ticket:expr, $n:expr, $now:expr, $window_secs:expr) => {{
        let n: &$crate::notifications::NewNotification = $n;
        let ticket: Option<i64> = $ticket;
        let now: i64 = $crate::time::to_db($now);
        let window: i64 = $window_secs;
        let pref: Option<(bool, bool)> = sqlx::query_as(
            "SELECT in_app, email FROM notification_prefs WHERE user_id = $1 AND kind = $2",
        )
        .bind(n.user_id.get())
        .bind(n.kind.as_str())
        .fetch_optional(&mut *$exec)
        .await?;
        let (in_app, email) = pref.unwrap_or((true, true));
        if in_app {
            let params = $crate::tickets::params_to_db(&n.params);
            let mut grouped = 0;
            if window > 0 && ticket.is_some() {
                grouped = sqlx::query(
                    "UPDATE notifications SET kind = $1, params = $2, body = $3, updated_at = $4, repeats = repeats + 1
                     WHERE id = (SELECT id FROM notifications WHERE user_id = $5 AND ticket_id = $6
                                 AND read_at IS NULL AND updated_at >= $7 ORDER BY id DESC LIMIT 1)",
                )
                .bind(n.kind.as_str())
                .bind(params.as_deref())
                .bind(n.body.as_deref())
                .bind(now)
                .bind(n.user_id.get())
                .bind(ticket)
                .bind(now.saturating_sub(window.saturating_mul(1_000_000)))
                .execute(&mut *$exec)
                .await?
                .rows_affected();
            }
            if grouped == 0 {
                sqlx::query("INSERT INTO notifications (user_id, ticket_id, kind, title, params, body, created_at, updated_at, repeats) VALUES ($1, $2, $3, '', $4, $5, $6, $6, 1)")
                    .bind(n.user_id.get())
                    .bind(ticket)
                    .bind(n.kind.as_str())
                    .bind(params.as_deref())
                    .bind(n.body.as_deref())
                    .bind(now)
                    .execute(&mut *$exec)
                    .await?;
            }
        }
        email
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
            "SELECT id, ticket_id, kind, params, body, created_at, read_at, updated_at, repeats FROM notifications
             WHERE user_id = $1 AND id < $2 AND read_at IS NULL ORDER BY id DESC LIMIT $3"
        } else {
            "SELECT id, ticket_id, kind, params, body, created_at, read_at, updated_at, repeats FROM notifications
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
                    updated_at: from_db(r.updated_at.max(r.created_at))?,
                    repeats: r.repeats,
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

    /// The user's stored choices (kinds without a row are on for both channels).
    pub async fn preferences(&self, user: UserId) -> Result<Vec<Preference>> {
        let rows: Vec<(String, bool, bool)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT kind, in_app, email FROM notification_prefs WHERE user_id = $1 ORDER BY kind",
            )
            .bind(user.get())
            .fetch_all(db)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(kind, in_app, email)| Preference {
                kind,
                in_app,
                email,
            })
            .collect())
    }

    /// Stores the user's choices, one row per kind given (others keep theirs).
    pub async fn set_preferences(&self, user: UserId, prefs: &[Preference]) -> Result<()> {
        in_transaction!(self.0, |tx| {
            for p in prefs {
                sqlx::query(
                    "INSERT INTO notification_prefs (user_id, kind, in_app, email) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (user_id, kind) DO UPDATE SET in_app = excluded.in_app, email = excluded.email",
                )
                .bind(user.get())
                .bind(p.kind.as_str())
                .bind(p.in_app)
                .bind(p.email)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }
}
