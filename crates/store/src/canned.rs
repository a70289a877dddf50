//! Canned responses (personal or shared snippets in one language) and macros (several
//! changes applied in one action), issue 17. A person's list is read with its owner rule in
//! the SQL: their own and the shared ones.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::{CategoryId, Language, UserId};

use crate::audit::NewAudit;
use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

/// A stored canned response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Canned {
    pub id: i64,
    /// The owner; `None`: shared with every agent.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub owner_id: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "es"))]
    pub language: Language,
    pub title: String,
    /// The text, with `{{variables}}`.
    pub body: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// A canned response to write.
#[derive(Debug, Clone)]
pub struct NewCanned {
    pub owner_id: Option<UserId>,
    pub language: Language,
    pub title: String,
    pub body: String,
}

type CannedRow = (i64, Option<i64>, String, String, String, i64);

fn canned_of(r: CannedRow) -> Result<Canned> {
    Ok(Canned {
        id: r.0,
        owner_id: r.1.map(UserId),
        language: r.2.parse()?,
        title: r.3,
        body: r.4,
        updated_at: from_db(r.5)?,
    })
}

const CANNED_COLUMNS: &str = "id, owner_id, language, title, body, updated_at";

/// A stored macro.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Macro {
    pub id: i64,
    pub name: String,
    /// A public reply (with `{{variables}}`).
    pub reply: Option<String>,
    /// An internal note (with `{{variables}}`).
    pub note: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub category_id: Option<CategoryId>,
    /// The status to move to, through the state machine.
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
    pub active: bool,
}

/// A macro to write.
#[derive(Debug, Clone, Default)]
pub struct NewMacro {
    pub name: String,
    pub reply: Option<String>,
    pub note: Option<String>,
    pub category_id: Option<CategoryId>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
    pub active: bool,
}

#[derive(sqlx::FromRow)]
struct MacroRow {
    id: i64,
    name: String,
    reply: Option<String>,
    note: Option<String>,
    category_id: Option<i64>,
    to_status: Option<String>,
    reason: Option<String>,
    resolution_code: Option<String>,
    resolution: Option<String>,
    active: bool,
}

impl From<MacroRow> for Macro {
    fn from(r: MacroRow) -> Self {
        Macro {
            id: r.id,
            name: r.name,
            reply: r.reply,
            note: r.note,
            category_id: r.category_id.map(CategoryId),
            to_status: r.to_status,
            reason: r.reason,
            resolution_code: r.resolution_code,
            resolution: r.resolution,
            active: r.active,
        }
    }
}

const MACRO_COLUMNS: &str =
    "id, name, reply, note, category_id, to_status, reason, resolution_code, resolution, active";

/// What the ticket page offers to pick: canned responses (with their language) and
/// active macros (without); read with the page's panel (`collab::Collab::panel`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub id: i64,
    pub title: String,
    /// Canned responses only.
    pub language: Option<Language>,
    /// A shared canned response.
    pub shared: bool,
}

pub struct CannedResponses<'a>(&'a Store);

impl Store {
    pub fn canned(&self) -> CannedResponses<'_> {
        CannedResponses(self)
    }
}

impl CannedResponses<'_> {
    /// The responses `user` may use: their own and the shared ones, by language then title
    /// (at most 500).
    pub async fn usable_by(&self, user: UserId) -> Result<Vec<Canned>> {
        let sql = format!(
            "SELECT {CANNED_COLUMNS} FROM canned_responses
             WHERE owner_id = $1 OR owner_id IS NULL ORDER BY language, title, id LIMIT 500"
        );
        let rows: Vec<CannedRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(user.get())
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(canned_of).collect()
    }

    pub async fn get(&self, id: i64) -> Result<Canned> {
        let sql = format!("SELECT {CANNED_COLUMNS} FROM canned_responses WHERE id = $1");
        let row: CannedRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .fetch_one(db)
                .await?
        });
        canned_of(row)
    }

    pub async fn create(&self, new: &NewCanned, by: UserId, now: Timestamp) -> Result<Canned> {
        let sql = format!(
            "INSERT INTO canned_responses (owner_id, language, title, body, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {CANNED_COLUMNS}"
        );
        let row: CannedRow = on_writer!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(new.owner_id.map(UserId::get))
                .bind(new.language.code())
                .bind(new.title.as_str())
                .bind(new.body.as_str())
                .bind(by.get())
                .bind(to_db(now))
                .fetch_one(db)
                .await?
        });
        canned_of(row)
    }

    pub async fn update(&self, id: i64, new: &NewCanned, now: Timestamp) -> Result<Canned> {
        let sql = format!(
            "UPDATE canned_responses SET owner_id = $2, language = $3, title = $4, body = $5,
             updated_at = $6 WHERE id = $1 RETURNING {CANNED_COLUMNS}"
        );
        let row: Option<CannedRow> = on_writer!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .bind(new.owner_id.map(UserId::get))
                .bind(new.language.code())
                .bind(new.title.as_str())
                .bind(new.body.as_str())
                .bind(to_db(now))
                .fetch_optional(db)
                .await?
        });
        canned_of(row.ok_or(StoreError::NotFound)?)
    }

    pub async fn delete(&self, id: i64) -> Result<()> {
        let n = on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM canned_responses WHERE id = $1")
                .bind(id)
                .execute(db)
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Every macro (active ones first), by name.
    pub async fn macros(&self) -> Result<Vec<Macro>> {
        let sql = format!(
            "SELECT {MACRO_COLUMNS} FROM macros ORDER BY active DESC, lower(name), id LIMIT 500"
        );
        let rows: Vec<MacroRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .fetch_all(db)
                .await?
        });
        Ok(rows.into_iter().map(Macro::from).collect())
    }

    pub async fn macro_by_id(&self, id: i64) -> Result<Macro> {
        let sql = format!("SELECT {MACRO_COLUMNS} FROM macros WHERE id = $1");
        let row: MacroRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .fetch_one(db)
                .await?
        });
        Ok(row.into())
    }

    /// Creates a macro, with its audit entry (a repeated name is a conflict).
    pub async fn create_macro(&self, m: &NewMacro, by: UserId, audit: &NewAudit) -> Result<Macro> {
        let sql = format!(
            "INSERT INTO macros (name, reply, note, category_id, to_status, reason, resolution_code,
             resolution, active, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {MACRO_COLUMNS}"
        );
        let row: MacroRow = in_transaction!(self.0, |tx| {
            let row: MacroRow = sqlx::query_as(crate::sql::trusted(&sql))
                .bind(m.name.as_str())
                .bind(m.reply.as_deref())
                .bind(m.note.as_deref())
                .bind(m.category_id.map(|c| c.get()))
                .bind(m.to_status.as_deref())
                .bind(m.reason.as_deref())
                .bind(m.resolution_code.as_deref())
                .bind(m.resolution.as_deref())
                .bind(m.active)
                .bind(by.get())
                .bind(to_db(audit.at))
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit, Some(row.id));
            row
        });
        Ok(row.into())
    }
}
