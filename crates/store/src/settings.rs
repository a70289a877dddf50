//! Desk-wide settings stored as JSON documents under a key (the priority matrix, close
//! requirements, the survey timeout), so every node reads the same configuration.

use crate::audit::NewAudit;
use crate::time::to_db;
use crate::{Result, Store, StoreError};

pub struct Settings<'a>(&'a Store);

impl Store {
    pub fn settings(&self) -> Settings<'_> {
        Settings(self)
    }
}

impl Settings<'_> {
    /// The value under `key`, or `None` when it was never set.
    pub async fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let raw: Option<String> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(db)
                .await?
        });
        raw.map(|r| {
            serde_json::from_str(&r).map_err(|e| StoreError::Corrupt(format!("setting {key}: {e}")))
        })
        .transpose()
    }

    pub async fn put<T: serde::Serialize>(
        &self,
        key: &str,
        value: &T,
        audit: &NewAudit,
    ) -> Result<()> {
        let json = serde_json::to_string(value).map_err(|e| StoreError::Invalid(e.to_string()))?;
        in_transaction!(self.0, |tx| {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(key)
            .bind(&json)
            .bind(to_db(audit.at))
            .execute(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, audit, None::<i64>);
        });
        Ok(())
    }
}
