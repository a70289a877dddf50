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
    /// `full`, `second_factor` (a TOTP code is still due) or `enrol` (two-factor enrolment
    /// is due before anything else).
    pub stage: &'a str,
    /// How the user proved who they are: `password`, `ldap` or `oidc`.
    pub method: &'a str,
}

/// A live session and the actor it authenticates.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf_token: String,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    /// See [`NewSession::stage`].
    pub stage: String,
    /// When the user last proved who they are in this session.
    pub auth_at: Timestamp,
}

/// A session as its owner (or an administrator) sees it in a list. `id` is the first 16
/// characters of the stored hash: enough to name it, useless as a cookie.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionSummary {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub last_seen_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub method: String,
    /// Whether this is the session the list was asked from.
    pub current: bool,
}

/// The public id of a session from its stored hash.
pub fn public_id(id_hash: &str) -> String {
    id_hash.chars().take(16).collect()
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
                    expires_at, ip, user_agent, stage, method, auth_at)
                 VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $4)",
            )
            .bind(s.id_hash)
            .bind(s.user_id.get())
            .bind(s.csrf_token)
            .bind(to_db(s.now))
            .bind(to_db(s.expires_at))
            .bind(s.ip)
            .bind(s.user_agent)
            .bind(s.stage)
            .bind(s.method)
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// The session's actor if the session is live and its user active: one query.
    pub async fn lookup(&self, id_hash: &str, now: Timestamp) -> Result<Option<SessionInfo>> {
        let sql = format!(
            "SELECT {ACTOR_COLUMNS}, s.csrf_token, s.last_seen_at, s.expires_at, s.stage,
                COALESCE(s.auth_at, s.created_at) AS auth_at
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
                    let stage: String = row.try_get("stage")?;
                    let auth_at: i64 = row.try_get("auth_at")?;
                    actor_from_row(&row)?.map(|a| (a, csrf, seen, expires, stage, auth_at))
                }
            }
        });
        let Some((actor, csrf_token, seen, expires, stage, auth_at)) = found else {
            return Ok(None);
        };
        Ok(Some(SessionInfo {
            actor,
            csrf_token,
            last_seen_at: from_db(seen)?,
            expires_at: from_db(expires)?,
            stage,
            auth_at: from_db(auth_at)?,
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

    /// Ends a session (sign-out) and says how it was signed in (`password`, `ldap`, `oidc`;
    /// `None`: no such session), so a single sign-on session can end at its provider too.
    pub async fn end(&self, id_hash: &str) -> Result<Option<String>> {
        let method: Option<String> = on_writer!(self.0, |db| {
            sqlx::query_scalar("DELETE FROM sessions WHERE id_hash = $1 RETURNING method")
                .bind(id_hash)
                .fetch_optional(db)
                .await?
        });
        Ok(method)
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

impl Sessions<'_> {
    /// Marks the session fully signed in (second factor given or enrolment done) and
    /// records the proof's instant.
    pub async fn promote(&self, id_hash: &str, now: Timestamp) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query("UPDATE sessions SET stage = 'full', auth_at = $2 WHERE id_hash = $1")
                .bind(id_hash)
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Records a re-authentication (password or code given again) in this session.
    pub async fn reauthenticated(&self, id_hash: &str, now: Timestamp) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query("UPDATE sessions SET auth_at = $2 WHERE id_hash = $1 AND stage = 'full'")
                .bind(id_hash)
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// The user's live sessions, newest first; `current` marks the asking one.
    pub async fn list_for(
        &self,
        user: UserId,
        now: Timestamp,
        current: Option<&str>,
    ) -> Result<Vec<SessionSummary>> {
        type Row = (
            String,
            i64,
            i64,
            i64,
            Option<String>,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT id_hash, created_at, last_seen_at, expires_at, ip, user_agent, method
                 FROM sessions WHERE user_id = $1 AND expires_at > $2
                 ORDER BY created_at DESC, id_hash LIMIT 200",
            )
            .bind(user.get())
            .bind(to_db(now))
            .fetch_all(db)
            .await?
        });
        rows.into_iter()
            .map(|(hash, created, seen, expires, ip, user_agent, method)| {
                Ok(SessionSummary {
                    id: public_id(&hash),
                    created_at: from_db(created)?,
                    last_seen_at: from_db(seen)?,
                    expires_at: from_db(expires)?,
                    ip,
                    user_agent,
                    method,
                    current: current == Some(hash.as_str()),
                })
            })
            .collect()
    }

    /// Ends one of the user's sessions by its public id; false when there is none. The
    /// audit entry is written with it.
    pub async fn end_one(
        &self,
        user: UserId,
        public: &str,
        audit: &crate::audit::NewAudit,
    ) -> Result<bool> {
        if public.len() != 16 || !public.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let pattern = format!("{public}%");
        Ok(in_transaction!(self.0, |tx| {
            let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash LIKE $2")
                .bind(user.get())
                .bind(&pattern)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                insert_audit!(&mut *tx, audit, Some(user.get()));
            }
            n > 0
        }))
    }

    /// Ends every session of a user (an administrator's "sign out everywhere", or a user
    /// removed from the directory); returns how many ended. The audit entry is written
    /// with it.
    pub async fn end_all(&self, user: UserId, audit: &crate::audit::NewAudit) -> Result<u64> {
        Ok(in_transaction!(self.0, |tx| {
            let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.get())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            insert_audit!(&mut *tx, audit, Some(user.get()));
            n
        }))
    }
}
