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

/// A user's choice for a kind, as read for a batch: `(user, kind) -> (in_app, email)`.
/// Without a row, both channels are on.
pub(crate) type PrefMap = std::collections::HashMap<(i64, String), (bool, bool)>;

/// One in-app entry a batch of notices writes: the newest notice of its user (when a burst
/// folds several) and how many notices it stands for.
#[derive(Debug, PartialEq)]
pub(crate) struct Entry {
    pub user_id: i64,
    pub kind: String,
    pub params: Option<String>,
    pub body: Option<String>,
    pub repeats: i64,
}

/// The distinct recipients of a batch, in first-seen order.
pub(crate) fn recipients<'a>(notices: impl IntoIterator<Item = &'a NewNotification>) -> Vec<i64> {
    let mut seen = std::collections::HashSet::new();
    notices
        .into_iter()
        .map(|n| n.user_id.get())
        .filter(|u| seen.insert(*u))
        .collect()
}

/// `SELECT … WHERE user_id IN (…)` for the recipients' preferences, one statement for the
/// whole batch (a group's registration notice reaches every member).
pub(crate) fn prefs_query(users: &[i64]) -> (String, Vec<crate::sql::Param>) {
    let mut q = crate::sql::SqlBuilder::new(
        "SELECT user_id, kind, in_app, email FROM notification_prefs WHERE user_id IN (",
    );
    in_list(&mut q, users);
    q.push(")");
    q.finish()
}

/// The newest unread entry per recipient of `ticket` changed at or after `since` (µs): the
/// one a burst folds into. Served by `notifications_burst_idx`.
pub(crate) fn burst_query(
    ticket: i64,
    since: i64,
    users: &[i64],
) -> (String, Vec<crate::sql::Param>) {
    use crate::sql::Param;
    let mut q = crate::sql::SqlBuilder::new(
        "SELECT user_id, MAX(id) FROM notifications WHERE ticket_id = ",
    );
    q.bind(Param::I64(ticket));
    q.push(" AND read_at IS NULL AND updated_at >= ");
    q.bind(Param::I64(since));
    q.push(" AND user_id IN (");
    in_list(&mut q, users);
    q.push(") GROUP BY user_id");
    q.finish()
}

fn in_list(q: &mut crate::sql::SqlBuilder, ids: &[i64]) {
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(crate::sql::Param::I64(*id));
    }
}

/// Plans a batch against the preferences: for each notice whether it is mailed, and the
/// in-app entries to write. With `fold`, a user's several notices make one entry carrying
/// the newest (a burst is one entry, as it would be had they come one by one).
pub(crate) fn plan_notices(
    notices: &[NewNotification],
    prefs: &PrefMap,
    fold: bool,
) -> (Vec<bool>, Vec<Entry>) {
    let mut mailed = Vec::with_capacity(notices.len());
    let mut entries: Vec<Entry> = Vec::with_capacity(notices.len());
    for n in notices {
        let (in_app, email) = prefs
            .get(&(n.user_id.get(), n.kind.clone()))
            .copied()
            .unwrap_or((true, true));
        mailed.push(email);
        if !in_app {
            continue;
        }
        let entry = Entry {
            user_id: n.user_id.get(),
            kind: n.kind.clone(),
            params: crate::tickets::params_to_db(&n.params),
            body: n.body.clone(),
            repeats: 1,
        };
        match entries
            .iter_mut()
            .find(|e| fold && e.user_id == entry.user_id)
        {
            Some(e) => {
                *e = Entry {
                    repeats: e.repeats + 1,
                    ..entry
                }
            }
            None => entries.push(entry),
        }
    }
    (mailed, entries)
}

/// Records notices on a transaction: their in-app entries, unless a user turned the kind
/// off there, and one outbox row each for the mail channel (`skipped` when the user turned
/// mail off, kept so the mail log can say why nothing was sent). Within `$window_secs` of
/// the newest change, an unread entry of the same user and ticket takes the new kind,
/// parameters and body and counts the repeats (a burst is one entry).
///
/// Two forms: `($tx, ticket, &[notice], now, window, numbered)` for one ticket's change, and
/// `($tx, &[(ticket, &[notice])], now, window, numbered)` for a batch of tickets (a group
/// commit of registrations). Either costs a handful of statements whatever the number of
/// tickets and recipients (one preferences read, one INSERT per 500 rows and table): a
/// registration notifies a whole group, and a batch registers dozens of tickets.
macro_rules! insert_notices {
    ($tx:expr, $ticket:expr, $notices:expr, $now:expr, $window_secs:expr, $numbered:expr) => {{
        let notices: &[$crate::notifications::NewNotification] = $notices;
        let ticket: i64 = $ticket;
        $crate::notifications::insert_notices!(
            $tx,
            &[(ticket, notices)],
            $now,
            $window_secs,
            $numbered
        )
    }};
    ($tx:expr, $batch:expr, $now:expr, $window_secs:expr, $numbered:expr) => {{
        let batch: &[(i64, &[$crate::notifications::NewNotification])] = $batch;
        if batch.iter().any(|(_, n)| !n.is_empty()) {
            let now: i64 = $crate::time::to_db($now);
            let window: i64 = $window_secs;
            let numbered: bool = $numbered;
            let users =
                $crate::notifications::recipients(batch.iter().flat_map(|(_, n)| n.iter()));
            let (sql, params) = $crate::notifications::prefs_query(&users);
            let prefs: Vec<(i64, String, bool, bool)> = bind_params!(
                sqlx::query_as($crate::sql::trusted(&sql)),
                params
            )
            .fetch_all(&mut *$tx)
            .await?;
            let prefs: $crate::notifications::PrefMap = prefs
                .into_iter()
                .map(|(u, k, a, e)| ((u, k), (a, e)))
                .collect();
            // (ticket, notice, mailed) for the outbox; (ticket, entry) for the new in-app rows.
            let mut mail: Vec<(i64, &$crate::notifications::NewNotification, bool)> =
                Vec::new();
            let mut fresh: Vec<(i64, $crate::notifications::Entry)> = Vec::new();
            for (ticket, notices) in batch {
                let ticket: i64 = *ticket;
                let (mailed, entries) =
                    $crate::notifications::plan_notices(notices, &prefs, window > 0);
                mail.extend(notices.iter().zip(mailed).map(|(n, m)| (ticket, n, m)));
                let mut bursts = std::collections::HashMap::<i64, i64>::new();
                if window > 0 && !entries.is_empty() {
                    let since = now.saturating_sub(window.saturating_mul(1_000_000));
                    let mine = $crate::notifications::recipients(notices.iter());
                    let (sql, params) = $crate::notifications::burst_query(ticket, since, &mine);
                    let rows: Vec<(i64, Option<i64>)> = bind_params!(
                        sqlx::query_as($crate::sql::trusted(&sql)),
                        params
                    )
                    .fetch_all(&mut *$tx)
                    .await?;
                    bursts.extend(rows.into_iter().filter_map(|(u, id)| Some((u, id?))));
                }
                for e in entries {
                    match bursts.get(&e.user_id) {
                        Some(id) => {
                            sqlx::query(
                                "UPDATE notifications SET kind = $1, params = $2, body = $3, updated_at = $4, repeats = repeats + $5 WHERE id = $6",
                            )
                            .bind(e.kind.as_str())
                            .bind(e.params.as_deref())
                            .bind(e.body.as_deref())
                            .bind(now)
                            .bind(e.repeats)
                            .bind(*id)
                            .execute(&mut *$tx)
                            .await?;
                        }
                        None => fresh.push((ticket, e)),
                    }
                }
            }
            for chunk in fresh.chunks($crate::notifications::ROWS_PER_INSERT) {
                let sql = $crate::sql::values(
                    "INSERT INTO notifications (user_id, ticket_id, kind, params, body, repeats, created_at, updated_at, title) VALUES ",
                    8,
                    chunk.len(),
                    ", ''",
                    numbered,
                );
                let mut q = sqlx::query($crate::sql::trusted(&sql));
                for (ticket, e) in chunk {
                    q = q
                        .bind(e.user_id)
                        .bind(*ticket)
                        .bind(e.kind.as_str())
                        .bind(e.params.as_deref())
                        .bind(e.body.as_deref())
                        .bind(e.repeats)
                        .bind(now)
                        .bind(now);
                }
                q.execute(&mut *$tx).await?;
            }
            // Every notice is also written for the mail channel.
            for chunk in mail.chunks($crate::notifications::ROWS_PER_INSERT) {
                let sql = $crate::sql::values(
                    "INSERT INTO outbox (created_at, kind, ticket_id, recipient_id, payload, state, last_error, next_attempt_at) VALUES ",
                    8,
                    chunk.len(),
                    "",
                    numbered,
                );
                let mut q = sqlx::query($crate::sql::trusted(&sql));
                for (ticket, n, email) in chunk {
                    let payload = serde_json::json!({ "params": n.params, "body": n.body });
                    q = q
                        .bind(now)
                        .bind(format!("notification.{}", n.kind))
                        .bind(*ticket)
                        .bind(n.user_id.get())
                        .bind(payload.to_string())
                        .bind(if *email { "pending" } else { "skipped" })
                        .bind((!*email).then_some("preference"))
                        .bind(now);
                }
                q.execute(&mut *$tx).await?;
            }
        }
    }};
}
pub(crate) use insert_notices;

/// Rows per multi-row INSERT of a batch: 8 values each, far below either database's limit
/// on bound values (32,766 for SQLite, 65,535 for PostgreSQL).
pub(crate) const ROWS_PER_INSERT: usize = 500;

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

#[cfg(test)]
mod tests {
    use super::*;
    use ventanilla_domain::ticket::Params;

    fn notice(user: i64, kind: &str) -> NewNotification {
        NewNotification {
            user_id: UserId(user),
            kind: kind.into(),
            params: Params::new(),
            body: Some(kind.into()),
        }
    }

    #[test]
    fn a_batch_mails_and_shows_as_each_user_chose() {
        let prefs: PrefMap = [
            ((2, "ticket.assigned".to_string()), (false, true)),
            ((3, "ticket.assigned".to_string()), (true, false)),
        ]
        .into_iter()
        .collect();
        let batch = [
            notice(1, "ticket.assigned"),
            notice(2, "ticket.assigned"),
            notice(3, "ticket.assigned"),
        ];
        let (mailed, entries) = plan_notices(&batch, &prefs, false);
        assert_eq!(mailed, vec![true, true, false]);
        let users: Vec<i64> = entries.iter().map(|e| e.user_id).collect();
        assert_eq!(users, vec![1, 3], "user 2 turned the kind off in-app");
    }

    #[test]
    fn a_burst_folds_into_the_newest_notice_per_user_only_with_a_window() {
        let batch = [notice(1, "a"), notice(2, "a"), notice(1, "b")];
        let (_, folded) = plan_notices(&batch, &PrefMap::new(), true);
        assert_eq!(folded.len(), 2);
        assert_eq!((folded[0].kind.as_str(), folded[0].repeats), ("b", 2));
        assert_eq!(folded[0].body.as_deref(), Some("b"));
        assert_eq!((folded[1].user_id, folded[1].repeats), (2, 1));
        let (mailed, apart) = plan_notices(&batch, &PrefMap::new(), false);
        assert_eq!(apart.len(), 3);
        assert_eq!(mailed, vec![true; 3], "every notice keeps its mail row");
    }

    #[test]
    fn the_batch_queries_name_each_recipient_once() {
        let users = recipients(&[notice(4, "a"), notice(5, "a"), notice(4, "b")]);
        assert_eq!(users, vec![4, 5]);
        let (sql, params) = prefs_query(&users);
        assert!(sql.ends_with("IN ($1, $2)"), "{sql}");
        assert_eq!(params.len(), 2);
        let (sql, params) = burst_query(9, 100, &users);
        assert!(
            sql.contains("user_id IN ($3, $4) GROUP BY user_id"),
            "{sql}"
        );
        assert_eq!(params.len(), 4);
    }
}
