//! Resolution codes (issue 17): the editable list a resolution's code is chosen from, so
//! reports do not fragment into spellings. Codes are never deleted, only retired
//! (`active = false`): tickets keep the code they were resolved with.

use jiff::Timestamp;
use serde::Serialize;

use crate::audit::NewAudit;
use crate::time::to_db;
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolutionCode {
    pub code: String,
    pub name_es: String,
    pub name_en: String,
    pub active: bool,
    pub position: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    code: String,
    name_es: String,
    name_en: String,
    active: bool,
    position: i64,
}

impl From<Row> for ResolutionCode {
    fn from(r: Row) -> Self {
        ResolutionCode {
            code: r.code,
            name_es: r.name_es,
            name_en: r.name_en,
            active: r.active,
            position: r.position,
        }
    }
}

pub struct ResolutionCodes<'a>(&'a Store);

impl Store {
    pub fn resolution_codes(&self) -> ResolutionCodes<'_> {
        ResolutionCodes(self)
    }
}

impl ResolutionCodes<'_> {
    /// Every code, in list order.
    pub async fn list(&self) -> Result<Vec<ResolutionCode>> {
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT code, name_es, name_en, active, position FROM resolution_codes
                 ORDER BY position, code",
            )
            .fetch_all(db)
            .await?
        });
        Ok(rows.into_iter().map(ResolutionCode::from).collect())
    }

    /// Whether `code` is in the list and in use.
    pub async fn is_active(&self, code: &str) -> Result<bool> {
        let n: i64 = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM resolution_codes WHERE code = $1 AND active = TRUE",
            )
            .bind(code)
            .fetch_one(db)
            .await?
        });
        Ok(n > 0)
    }

    /// Adds a code or changes one (names, position, in use), with its audit entry.
    pub async fn put(&self, c: &ResolutionCode, audit: &NewAudit) -> Result<ResolutionCode> {
        let now: Timestamp = audit.at;
        let row: Row = in_transaction!(self.0, |tx| {
            let row: Row = sqlx::query_as(
                "INSERT INTO resolution_codes (code, name_es, name_en, active, position, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (code) DO UPDATE SET name_es = excluded.name_es,
                 name_en = excluded.name_en, active = excluded.active,
                 position = excluded.position, updated_at = excluded.updated_at
                 RETURNING code, name_es, name_en, active, position",
            )
            .bind(c.code.as_str())
            .bind(c.name_es.as_str())
            .bind(c.name_en.as_str())
            .bind(c.active)
            .bind(c.position)
            .bind(to_db(now))
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, audit, None::<i64>);
            row
        });
        if row.code != c.code {
            return Err(StoreError::Corrupt("resolution code not returned".into()));
        }
        Ok(row.into())
    }
}
