//! An agent's own marks on the desk: the version of each ticket they last opened (the
//! queue's "changed since you looked" marker) and their saved queue views (a name and the
//! queue's query string). Both are per user and small; a queue page reads the marks of its
//! rows in one statement.

use std::collections::HashMap;

use jiff::Timestamp;
use ventanilla_domain::{TicketId, UserId};

use crate::sql::{Param, SqlBuilder, trusted};
use crate::time::to_db;
use crate::{Result, Store, StoreError};

/// A saved queue view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    /// The queue's query string (without a cursor).
    pub query: String,
}

/// How many views one person may keep.
pub const MAX_VIEWS: i64 = 30;

pub struct DeskDay<'a>(&'a Store);

impl Store {
    pub fn desk_day(&self) -> DeskDay<'_> {
        DeskDay(self)
    }
}

impl DeskDay<'_> {
    /// Records that `user` has seen `ticket` at `version` (a later version only).
    pub async fn mark_seen(
        &self,
        user: UserId,
        ticket: TicketId,
        version: i64,
        at: Timestamp,
    ) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO ticket_seen (user_id, ticket_id, version, seen_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, ticket_id) DO UPDATE SET version = excluded.version,
                 seen_at = excluded.seen_at WHERE ticket_seen.version < excluded.version",
            )
            .bind(user.get())
            .bind(ticket.get())
            .bind(version)
            .bind(to_db(at))
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// The versions `user` last saw of `tickets` (absent: never opened). One statement.
    pub async fn seen(&self, user: UserId, tickets: &[TicketId]) -> Result<HashMap<i64, i64>> {
        if tickets.is_empty() {
            return Ok(HashMap::new());
        }
        let mut b = SqlBuilder::new("SELECT ticket_id, version FROM ticket_seen WHERE user_id = ");
        b.bind(Param::I64(user.get()));
        b.push(" AND ticket_id IN (");
        for (i, t) in tickets.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Param::I64(t.get()));
        }
        b.push(")");
        let (sql, params) = b.finish();
        let rows: Vec<(i64, i64)> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// The names of these users (requesters of a queue page), in one statement.
    pub async fn user_names(&self, ids: &[UserId]) -> Result<HashMap<i64, String>> {
        self.names("users", &ids.iter().map(|u| u.get()).collect::<Vec<_>>())
            .await
    }

    /// The names of these organisations, in one statement.
    pub async fn organisation_names(&self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        self.names("organisations", ids).await
    }

    async fn names(&self, table: &'static str, ids: &[i64]) -> Result<HashMap<i64, String>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut b = SqlBuilder::new(&format!("SELECT id, name FROM {table} WHERE id IN ("));
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Param::I64(*id));
        }
        b.push(")");
        let (sql, params) = b.finish();
        let rows: Vec<(i64, String)> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// `user`'s saved views, by name.
    pub async fn views(&self, user: UserId) -> Result<Vec<SavedView>> {
        let rows: Vec<(i64, String, String)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT id, name, query FROM saved_views WHERE user_id = $1 ORDER BY name, id",
            )
            .bind(user.get())
            .fetch_all(db)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, name, query)| SavedView { id, name, query })
            .collect())
    }

    /// Saves a view under `name`, replacing `user`'s view of that name. At most
    /// [`MAX_VIEWS`] per person (`StoreError::Invalid` beyond).
    pub async fn save_view(
        &self,
        user: UserId,
        name: &str,
        query: &str,
        at: Timestamp,
    ) -> Result<SavedView> {
        let existing = self.views(user).await?;
        if let Some(v) = existing.iter().find(|v| v.name == name) {
            on_writer!(self.0, |db| {
                sqlx::query("UPDATE saved_views SET query = $1 WHERE id = $2")
                    .bind(query)
                    .bind(v.id)
                    .execute(db)
                    .await?
                    .rows_affected()
            });
            return Ok(SavedView {
                id: v.id,
                name: name.to_owned(),
                query: query.to_owned(),
            });
        }
        if existing.len() as i64 >= MAX_VIEWS {
            return Err(StoreError::Invalid(format!(
                "name: at most {MAX_VIEWS} saved views"
            )));
        }
        let id: i64 = on_writer!(self.0, |db| {
            sqlx::query_scalar(
                "INSERT INTO saved_views (user_id, name, query, created_at) VALUES ($1, $2, $3, $4)
                 RETURNING id",
            )
            .bind(user.get())
            .bind(name)
            .bind(query)
            .bind(to_db(at))
            .fetch_one(db)
            .await?
        });
        Ok(SavedView {
            id,
            name: name.to_owned(),
            query: query.to_owned(),
        })
    }

    /// Deletes one of `user`'s views (another person's id deletes nothing).
    pub async fn delete_view(&self, user: UserId, id: i64) -> Result<bool> {
        let n = on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM saved_views WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user.get())
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }
}
