//! API tokens: random secrets shown once, stored as SHA-256 hashes, revocable.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::{Actor, TokenId, UserId};

use crate::time::{from_db, opt_from_db, to_db};
use crate::users::{ACTOR_COLUMNS, ACTOR_FROM, actor_from_row};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: TokenId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub user_id: UserId,
    pub name: String,
    /// The first characters of the secret, to tell tokens apart in lists.
    pub prefix: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_used_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub revoked_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    name: String,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TryFrom<TokenRow> for ApiToken {
    type Error = StoreError;
    fn try_from(r: TokenRow) -> Result<Self> {
        Ok(ApiToken {
            id: TokenId(r.id),
            user_id: UserId(r.user_id),
            name: r.name,
            prefix: r.prefix,
            created_at: from_db(r.created_at)?,
            last_used_at: opt_from_db(r.last_used_at)?,
            expires_at: opt_from_db(r.expires_at)?,
            revoked_at: opt_from_db(r.revoked_at)?,
        })
    }
}

const TOKEN_COLUMNS: &str =
    "id, user_id, name, prefix, created_at, last_used_at, expires_at, revoked_at";

/// A token that authenticated a request.
#[derive(Debug, Clone)]
pub struct TokenAuth {
    pub token_id: TokenId,
    pub actor: Actor,
    pub last_used_at: Option<Timestamp>,
}

pub struct Tokens<'a>(&'a Store);

impl Store {
    pub fn tokens(&self) -> Tokens<'_> {
        Tokens(self)
    }
}

impl Tokens<'_> {
    pub async fn create(
        &self,
        user: UserId,
        name: &str,
        token_hash: &str,
        prefix: &str,
        now: Timestamp,
        expires_at: Option<Timestamp>,
    ) -> Result<ApiToken> {
        let sql = format!(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TOKEN_COLUMNS}"
        );
        let row: TokenRow = on_writer!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(user.get())
                .bind(name)
                .bind(token_hash)
                .bind(prefix)
                .bind(to_db(now))
                .bind(expires_at.map(to_db))
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// The actor behind a live (unrevoked, unexpired) token of an active user.
    pub async fn authenticate(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<TokenAuth>> {
        let sql = format!(
            "SELECT {ACTOR_COLUMNS}, t.id AS token_id, t.last_used_at
             {ACTOR_FROM} JOIN api_tokens t ON t.user_id = u.id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > $2)"
        );
        let found = on_reader!(self.0, |db| {
            let row = sqlx::query(crate::sql::trusted(&sql))
                .bind(token_hash)
                .bind(to_db(now))
                .fetch_optional(db)
                .await?;
            match row {
                None => None,
                Some(row) => {
                    use sqlx::Row as _;
                    let id: i64 = row.try_get("token_id")?;
                    let used: Option<i64> = row.try_get("last_used_at")?;
                    actor_from_row(&row)?.map(|a| (id, a, used))
                }
            }
        });
        let Some((id, actor, used)) = found else {
            return Ok(None);
        };
        Ok(Some(TokenAuth {
            token_id: TokenId(id),
            actor,
            last_used_at: opt_from_db(used)?,
        }))
    }

    pub async fn mark_used(&self, id: TokenId, now: Timestamp) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(id.get())
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn list_for(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id");
        let rows: Vec<TokenRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(user.get())
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(ApiToken::try_from).collect()
    }

    pub async fn get(&self, id: TokenId) -> Result<ApiToken> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let row: TokenRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// Revokes a token; revoking twice keeps the first instant.
    pub async fn revoke(&self, id: TokenId, now: Timestamp) -> Result<()> {
        let done = on_writer!(self.0, |db| {
            sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1")
                .bind(id.get())
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
