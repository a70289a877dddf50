//! Identity records (issue 19): TOTP secrets with the last accepted time step (so a code is
//! never accepted twice), single-use recovery codes stored as hashes, and users' external
//! identities (an LDAP DN, an OpenID subject) for the directory sync and single sign-on.

use jiff::Timestamp;
use ventanilla_domain::UserId;

use crate::audit::NewAudit;
use crate::time::{opt_from_db, to_db};
use crate::{Result, Store};

/// A user's TOTP enrolment.
#[derive(Debug, Clone)]
pub struct TotpRecord {
    /// The shared secret as stored: sealed by the application (`v1:…`, see
    /// `ventanilla_app::identity::sealing`), or base32 (RFC 4648) if stored before sealing.
    pub secret: String,
    /// `None` while the enrolment waits for its first code.
    pub confirmed_at: Option<Timestamp>,
    pub last_step: i64,
}

pub struct Identity<'a>(&'a Store);

impl Store {
    pub fn identity(&self) -> Identity<'_> {
        Identity(self)
    }
}

impl Identity<'_> {
    pub async fn totp(&self, user: UserId) -> Result<Option<TotpRecord>> {
        let row: Option<(String, Option<i64>, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT secret, confirmed_at, last_step FROM user_totp WHERE user_id = $1",
            )
            .bind(user.get())
            .fetch_optional(db)
            .await?
        });
        row.map(|(secret, confirmed, last_step)| {
            Ok(TotpRecord {
                secret,
                confirmed_at: opt_from_db(confirmed)?,
                last_step,
            })
        })
        .transpose()
    }

    /// The enrolments whose secret does not start with `sealed_prefix` (stored in clear
    /// before sealing existed), as (user, secret).
    pub async fn plain_totp_secrets(&self, sealed_prefix: &str) -> Result<Vec<(UserId, String)>> {
        let rows: Vec<(i64, String)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT user_id, secret FROM user_totp WHERE secret NOT LIKE $1 ORDER BY user_id",
            )
            // The prefix holds no LIKE wildcard (`v1:`).
            .bind(format!("{sealed_prefix}%"))
            .fetch_all(db)
            .await?
        });
        Ok(rows.into_iter().map(|(u, s)| (UserId(u), s)).collect())
    }

    /// Replaces a user's stored secret `old` by `new` (its sealed form); false when the row
    /// changed meanwhile (a new enrolment), which is then left alone.
    pub async fn reseal_totp(&self, user: UserId, old: &str, new: &str) -> Result<bool> {
        let n = on_writer!(self.0, |db| {
            sqlx::query("UPDATE user_totp SET secret = $3 WHERE user_id = $1 AND secret = $2")
                .bind(user.get())
                .bind(old)
                .bind(new)
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Starts (or restarts) an enrolment with a new secret. A confirmed enrolment is left
    /// alone: returns false.
    pub async fn begin_totp(&self, user: UserId, secret: &str, now: Timestamp) -> Result<bool> {
        let n = on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO user_totp (user_id, secret, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id) DO UPDATE SET secret = $2, created_at = $3, last_step = 0
                 WHERE user_totp.confirmed_at IS NULL",
            )
            .bind(user.get())
            .bind(secret)
            .bind(to_db(now))
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Accepts the code of time step `step` if no code of that step or a later one was
    /// accepted before, in one atomic statement: a replayed code is refused even when two
    /// requests race. With `confirmed_only` (sign-in), only a confirmed enrolment counts;
    /// without (the enrolment's first code), an unconfirmed one does too.
    pub async fn accept_step(&self, user: UserId, step: i64, confirmed_only: bool) -> Result<bool> {
        let sql = if confirmed_only {
            "UPDATE user_totp SET last_step = $2
             WHERE user_id = $1 AND last_step < $2 AND confirmed_at IS NOT NULL"
        } else {
            "UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2"
        };
        let n = on_writer!(self.0, |db| {
            sqlx::query(sql)
                .bind(user.get())
                .bind(step)
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Confirms an enrolment and stores its recovery codes (hashes), replacing any old ones.
    pub async fn confirm_totp(
        &self,
        user: UserId,
        code_hashes: &[String],
        audit: &NewAudit,
    ) -> Result<()> {
        in_transaction!(self.0, |tx| {
            sqlx::query("UPDATE user_totp SET confirmed_at = $2 WHERE user_id = $1")
                .bind(user.get())
                .bind(to_db(audit.at))
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user.get())
                .execute(&mut *tx)
                .await?;
            for h in code_hashes {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user.get())
                    .bind(h)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_audit!(&mut *tx, audit, Some(user.get()));
        });
        Ok(())
    }

    /// Replaces the recovery codes (the old ones stop working).
    pub async fn replace_recovery_codes(
        &self,
        user: UserId,
        code_hashes: &[String],
        audit: &NewAudit,
    ) -> Result<()> {
        in_transaction!(self.0, |tx| {
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user.get())
                .execute(&mut *tx)
                .await?;
            for h in code_hashes {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user.get())
                    .bind(h)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_audit!(&mut *tx, audit, Some(user.get()));
        });
        Ok(())
    }

    /// Uses a recovery code: true the first time, false ever after (or for a wrong code).
    pub async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let n = on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE recovery_codes SET used_at = $3
                 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            )
            .bind(user.get())
            .bind(code_hash)
            .bind(to_db(now))
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// How many unused recovery codes the user has left.
    pub async fn recovery_codes_left(&self, user: UserId) -> Result<i64> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
            )
            .bind(user.get())
            .fetch_one(db)
            .await?
        }))
    }

    /// Removes two-factor from a user (their choice, or an administrator's reset).
    pub async fn remove_totp(&self, user: UserId, audit: &NewAudit) -> Result<bool> {
        Ok(in_transaction!(self.0, |tx| {
            let n = sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
                .bind(user.get())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user.get())
                .execute(&mut *tx)
                .await?;
            if n > 0 {
                insert_audit!(&mut *tx, audit, Some(user.get()));
            }
            n > 0
        }))
    }
}

/// A user known to an external directory or provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalUser {
    pub user_id: UserId,
    pub external_id: String,
    pub email: String,
    pub active: bool,
}

impl Identity<'_> {
    /// The user linked to `(source, external_id)`.
    pub async fn by_external(&self, source: &str, external_id: &str) -> Result<Option<UserId>> {
        let id: Option<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT id FROM users WHERE external_source = $1 AND external_id = $2",
            )
            .bind(source)
            .bind(external_id)
            .fetch_optional(db)
            .await?
        });
        Ok(id.map(UserId))
    }

    /// Links a user to an external identity (one link per user).
    pub async fn link_external(&self, user: UserId, source: &str, external_id: &str) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query("UPDATE users SET external_source = $2, external_id = $3 WHERE id = $1")
                .bind(user.get())
                .bind(source)
                .bind(external_id)
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Where the user's identity lives: `None` for a local account, else the source.
    pub async fn source_of(&self, user: UserId) -> Result<Option<String>> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT external_source FROM users WHERE id = $1",
            )
            .bind(user.get())
            .fetch_optional(db)
            .await?
            .flatten()
        }))
    }

    /// Every user linked to `source`, for the directory sync.
    pub async fn linked(&self, source: &str) -> Result<Vec<ExternalUser>> {
        let rows: Vec<(i64, String, String, bool)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT id, external_id, email, active FROM users
                 WHERE external_source = $1 ORDER BY id",
            )
            .bind(source)
            .fetch_all(db)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, external_id, email, active)| ExternalUser {
                user_id: UserId(id),
                external_id,
                email,
                active,
            })
            .collect())
    }
}
