//! One-time keys of web forms, so a form posted twice (a double click, a resent request) is
//! applied once. The first post claims the key, applies the form and records the page it
//! led to; a repeat finds the claim and is sent to that page. A claim whose post failed is
//! released, so the form can be corrected and sent again with the same key.

use jiff::Timestamp;
use ventanilla_domain::UserId;

use crate::time::{from_db, to_db};
use crate::{Result, Store};

/// What a post finds when it claims its form's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is this post's: apply the form, then [`FormKeys::finish`] or
    /// [`FormKeys::release`].
    Mine,
    /// An earlier post with this key was applied and led to this page (a local path).
    Done(String),
    /// An earlier post holds the key and is still being applied; it claimed it at `since`.
    Pending { since: Timestamp },
}

pub struct FormKeys<'a>(&'a Store);

impl Store {
    pub fn form_keys(&self) -> FormKeys<'_> {
        FormKeys(self)
    }
}

impl FormKeys<'_> {
    /// Claims `key` for `user`. A pending claim made before `stale_before` (its post died
    /// while applying) is taken over and counts as this post's.
    pub async fn claim(
        &self,
        user: UserId,
        key: &str,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> Result<Claim> {
        let inserted = on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO form_keys (user_id, key, location, created_at) VALUES ($1, $2, NULL, $3)
                 ON CONFLICT (user_id, key) DO NOTHING",
            )
            .bind(user.get())
            .bind(key)
            .bind(to_db(now))
            .execute(db)
            .await?
            .rows_affected()
        });
        if inserted == 1 {
            return Ok(Claim::Mine);
        }
        let taken = on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE form_keys SET created_at = $3
                 WHERE user_id = $1 AND key = $2 AND location IS NULL AND created_at < $4",
            )
            .bind(user.get())
            .bind(key)
            .bind(to_db(now))
            .bind(to_db(stale_before))
            .execute(db)
            .await?
            .rows_affected()
        });
        if taken == 1 {
            return Ok(Claim::Mine);
        }
        let row: Option<(Option<String>, i64)> = on_writer!(self.0, |db| {
            sqlx::query_as(
                "SELECT location, created_at FROM form_keys WHERE user_id = $1 AND key = $2",
            )
            .bind(user.get())
            .bind(key)
            .fetch_optional(db)
            .await?
        });
        Ok(match row {
            Some((Some(location), _)) => Claim::Done(location),
            Some((None, since)) => Claim::Pending {
                since: from_db(since)?,
            },
            // Released between the two statements: the caller asks again.
            None => Claim::Pending { since: now },
        })
    }

    /// Records the page the post applied under `key` led to.
    pub async fn finish(&self, user: UserId, key: &str, location: &str) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query("UPDATE form_keys SET location = $3 WHERE user_id = $1 AND key = $2")
                .bind(user.get())
                .bind(key)
                .bind(location)
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Gives a claim back after its post was refused (nothing was applied), so the same
    /// form may be sent again.
    pub async fn release(&self, user: UserId, key: &str) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "DELETE FROM form_keys WHERE user_id = $1 AND key = $2 AND location IS NULL",
            )
            .bind(user.get())
            .bind(key)
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Forgets keys claimed before `before`; returns how many.
    pub async fn purge_before(&self, before: Timestamp) -> Result<u64> {
        Ok(on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM form_keys WHERE created_at < $1")
                .bind(to_db(before))
                .execute(db)
                .await?
                .rows_affected()
        }))
    }
}
