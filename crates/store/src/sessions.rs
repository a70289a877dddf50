//! Browser sessions, stored in the database so every node recognises them. Only a hash of
//! the session id is stored: a leaked table does not leak usable cookies.

use jiff::Timestamp;
use ventanilla_domain::{Actor, UserId};

use crate::time::{from_db, to_db};
use crate::users::{ACTOR_COLUMNS, ACTOR_FROM, actor_from_row};
use crate::{Result, Store};

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: UserId,
    pub csrf_token: &'a str,
    pub now: Timestamp,
    pub expires_at: Timestamp,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// A live session and the actor it authenticates.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf_token: String,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

pub struct Sessions<'a>(&'a Store);

impl Store {
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions(self)
    }
}

impl Sessions<'_> {
    pub async fn create(&self, s: &NewSession<'_>) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at,
                    expires_at, ip, user_agent)
                 VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
            )
            .bind(s.id_hash)
            .bind(s.user_id.get())
            .bind(s.csrf_token)
            .bind(to_db(s.now))
            .bind(to_db(s.expires_at))
            .bind(s.ip)
            .bind(s.user_agent)
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// The session's actor if the session is live and its user active: one query.
    pub async fn lookup(&self, id_hash: &str, now: Timestamp) -> Result<Option<SessionInfo>> {
        let sql = format!(
            "SELECT {ACTOR_COLUMNS}, s.csrf_token, s.last_seen_at, s.expires_at
             {ACTOR_FROM} JOIN sessions s ON s.user_id = u.id
             WHERE s.id_hash = $1 AND s.expires_at > $2"
        );
        let found = on_reader!(self.0, |db| {
            let row = sqlx::query(crate::sql::trusted(&sql))
                .bind(id_hash)
                .bind(to_db(now))
                .fetch_optional(db)
                .await?;
            match row {
                None => None,
                Some(row) => {
                    use sqlx::Row as _;
                    let csrf: String = row.try_get("csrf_token")?;
                    let seen: i64 = row.try_get("last_seen_at")?;
                    let expires: i64 = row.try_get("expires_at")?;
                    actor_from_row(&row)?.map(|a| (a, csrf, seen, expires))
                }
            }
        });
        let Some((actor, csrf_token, seen, expires)) = found else {
            return Ok(None);
        };
        Ok(Some(SessionInfo {
            actor,
            csrf_token,
            last_seen_at: from_db(seen)?,
            expires_at: from_db(expires)?,
        }))
    }

    /// Slides the expiry forward. Callers do this at most every few minutes per session,
    /// so a busy user does not turn every read into a write.
    pub async fn touch(&self, id_hash: &str, now: Timestamp, expires_at: Timestamp) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1")
                .bind(id_hash)
                .bind(to_db(now))
                .bind(to_db(expires_at))
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn delete(&self, id_hash: &str) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_expired(&self, now: Timestamp) -> Result<u64> {
        let done = on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(done)
    }
}
