//! The category tree (SPEC C2), seeded once with the ten categories of seed 003.

use jiff::Timestamp;
use ventanilla_domain::CategoryId;
use ventanilla_domain::ticket::{Category, default_categories};

use crate::audit::NewAudit;
use crate::time::to_db;
use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    code: String,
    parent_id: Option<i64>,
    name_es: String,
    name_en: String,
    active: bool,
}

impl From<CategoryRow> for Category {
    fn from(r: CategoryRow) -> Self {
        Category {
            id: CategoryId(r.id),
            code: r.code,
            parent_id: r.parent_id.map(CategoryId),
            name_es: r.name_es,
            name_en: r.name_en,
            active: r.active,
        }
    }
}

const SEEDED_KEY: &str = "categories.seeded";

pub struct Categories<'a>(&'a Store);

impl Store {
    pub fn categories(&self) -> Categories<'_> {
        Categories(self)
    }
}

#[derive(Debug, Clone)]
pub struct NewCategory {
    pub code: String,
    pub parent_id: Option<CategoryId>,
    pub name_es: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Default)]
pub struct CategoryPatch {
    pub parent_id: Option<Option<CategoryId>>,
    pub name_es: Option<String>,
    pub name_en: Option<String>,
    pub active: Option<bool>,
}

impl Categories<'_> {
    /// Inserts the default tree the first time only, so later edits and deletions by an
    /// administrator are never undone by an upgrade.
    pub(crate) async fn seed_defaults(&self, now: Timestamp) -> Result<()> {
        in_transaction!(self.0, |tx| {
            // Claiming the marker first makes concurrent first starts (several nodes on
            // PostgreSQL) seed once: the loser's insert waits, then does nothing.
            let claimed = sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, 'true', $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(SEEDED_KEY)
            .bind(to_db(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 1 {
                for c in default_categories() {
                    let parent: Option<i64> = match c.parent_code {
                        Some(p) => Some(
                            sqlx::query_scalar("SELECT id FROM categories WHERE code = $1")
                                .bind(p)
                                .fetch_one(&mut *tx)
                                .await?,
                        ),
                        None => None,
                    };
                    sqlx::query(
                        "INSERT INTO categories (code, parent_id, name_es, name_en, active, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, TRUE, $5, $5) ON CONFLICT (code) DO NOTHING",
                    )
                    .bind(c.code)
                    .bind(parent)
                    .bind(c.name_es)
                    .bind(c.name_en)
                    .bind(to_db(now))
                    .execute(&mut *tx)
                    .await?;
                }
            }
        });
        Ok(())
    }

    /// The whole tree, parents before children (categories are few; no paging needed).
    pub async fn list(&self) -> Result<Vec<Category>> {
        let rows: Vec<CategoryRow> = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT id, code, parent_id, name_es, name_en, active FROM categories ORDER BY code")
                .fetch_all(db)
                .await?
        });
        Ok(rows.into_iter().map(Category::from).collect())
    }

    pub async fn get(&self, id: CategoryId) -> Result<Category> {
        let row: CategoryRow = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT id, code, parent_id, name_es, name_en, active FROM categories WHERE id = $1")
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        Ok(row.into())
    }

    pub async fn create(&self, new: &NewCategory, audit: &NewAudit) -> Result<Category> {
        let row: CategoryRow = in_transaction!(self.0, |tx| {
            let row: CategoryRow = sqlx::query_as(
                "INSERT INTO categories (code, parent_id, name_es, name_en, active, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING id, code, parent_id, name_es, name_en, active",
            )
            .bind(&new.code)
            .bind(new.parent_id.map(CategoryId::get))
            .bind(&new.name_es)
            .bind(&new.name_en)
            .bind(to_db(audit.at))
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, audit, Some(row.id));
            row
        });
        Ok(row.into())
    }

    pub async fn update(
        &self,
        id: CategoryId,
        p: &CategoryPatch,
        audit: &NewAudit,
    ) -> Result<Category> {
        let current = self.get(id).await?;
        if let Some(Some(parent)) = p.parent_id {
            // A category may not become its own ancestor.
            let all = self.list().await?;
            let mut cursor = Some(parent);
            while let Some(c) = cursor {
                if c == id {
                    return Err(StoreError::Invalid("parent_id: would make a cycle".into()));
                }
                cursor = all.iter().find(|x| x.id == c).and_then(|x| x.parent_id);
            }
        }
        let row: CategoryRow = in_transaction!(self.0, |tx| {
            let row: CategoryRow = sqlx::query_as(
                "UPDATE categories SET parent_id = $2, name_es = $3, name_en = $4, active = $5, updated_at = $6
                 WHERE id = $1 RETURNING id, code, parent_id, name_es, name_en, active",
            )
            .bind(id.get())
            .bind(p.parent_id.unwrap_or(current.parent_id).map(CategoryId::get))
            .bind(p.name_es.as_ref().unwrap_or(&current.name_es))
            .bind(p.name_en.as_ref().unwrap_or(&current.name_en))
            .bind(p.active.unwrap_or(current.active))
            .bind(to_db(audit.at))
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, audit, Some(id.get()));
            row
        });
        Ok(row.into())
    }
}
