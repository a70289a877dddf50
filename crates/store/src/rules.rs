//! Classification and automation rules (issue 13): stored with their conditions and
//! actions as JSON documents, in `position` order; ticket tags they put on tickets; and the
//! recent tickets a rule's preview is tried against.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::TicketId;
use ventanilla_domain::ticket::Ticket;

use crate::tickets::row::{COLUMNS, TicketRow};
use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

/// A rule as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRule {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub active: bool,
    pub on_create: bool,
    pub on_update: bool,
    pub stop: bool,
    pub conditions: serde_json::Value,
    pub actions: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A rule to save.
#[derive(Debug, Clone)]
pub struct NewRule {
    pub name: String,
    pub position: i64,
    pub active: bool,
    pub on_create: bool,
    pub on_update: bool,
    pub stop: bool,
    pub conditions: serde_json::Value,
    pub actions: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    name: String,
    position: i64,
    active: bool,
    on_create: bool,
    on_update: bool,
    stop: bool,
    conditions: String,
    actions: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<RuleRow> for StoredRule {
    type Error = StoreError;
    fn try_from(r: RuleRow) -> Result<Self> {
        let json = |s: &str| {
            serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("rule {}: {e}", r.id)))
        };
        Ok(StoredRule {
            id: r.id,
            conditions: json(&r.conditions)?,
            actions: json(&r.actions)?,
            name: r.name,
            position: r.position,
            active: r.active,
            on_create: r.on_create,
            on_update: r.on_update,
            stop: r.stop,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
        })
    }
}

const RULE_COLUMNS: &str = "id, name, position, active, on_create, on_update, stop, conditions, actions, created_at, updated_at";

pub struct Rules<'a>(&'a Store);

impl Store {
    pub fn rules(&self) -> Rules<'_> {
        Rules(self)
    }
}

impl Rules<'_> {
    pub async fn create(&self, r: &NewRule, now: Timestamp) -> Result<StoredRule> {
        let sql = format!(
            "INSERT INTO rules (name, position, active, on_create, on_update, stop, conditions, actions, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {RULE_COLUMNS}"
        );
        let row: RuleRow = on_writer!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(&r.name)
                .bind(r.position)
                .bind(r.active)
                .bind(r.on_create)
                .bind(r.on_update)
                .bind(r.stop)
                .bind(r.conditions.to_string())
                .bind(r.actions.to_string())
                .bind(to_db(now))
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    pub async fn update(&self, id: i64, r: &NewRule, now: Timestamp) -> Result<StoredRule> {
        let sql = format!(
            "UPDATE rules SET name = $2, position = $3, active = $4, on_create = $5, on_update = $6, stop = $7,
                conditions = $8, actions = $9, updated_at = $10 WHERE id = $1 RETURNING {RULE_COLUMNS}"
        );
        let row: Option<RuleRow> = on_writer!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .bind(&r.name)
                .bind(r.position)
                .bind(r.active)
                .bind(r.on_create)
                .bind(r.on_update)
                .bind(r.stop)
                .bind(r.conditions.to_string())
                .bind(r.actions.to_string())
                .bind(to_db(now))
                .fetch_optional(db)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    pub async fn delete(&self, id: i64) -> Result<()> {
        let n = on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM rules WHERE id = $1")
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

    /// Every rule, in the order they apply.
    pub async fn list(&self) -> Result<Vec<StoredRule>> {
        let sql = format!("SELECT {RULE_COLUMNS} FROM rules ORDER BY position, id");
        let rows: Vec<RuleRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(StoredRule::try_from).collect()
    }

    pub async fn get(&self, id: i64) -> Result<StoredRule> {
        let sql = format!("SELECT {RULE_COLUMNS} FROM rules WHERE id = $1");
        let row: RuleRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// The ids rules may name: active categories, active groups and active webhooks.
    pub async fn live_refs(&self) -> Result<(Vec<i64>, Vec<i64>, Vec<i64>)> {
        Ok(on_reader!(self.0, |db| {
            let c: Vec<i64> = sqlx::query_scalar("SELECT id FROM categories WHERE active = TRUE")
                .fetch_all(db)
                .await?;
            let g: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM support_groups WHERE active = TRUE")
                    .fetch_all(db)
                    .await?;
            let w: Vec<i64> = sqlx::query_scalar("SELECT id FROM webhooks WHERE active = TRUE")
                .fetch_all(db)
                .await?;
            (c, g, w)
        }))
    }

    /// Puts tags on a ticket (a tag already there stays as it was).
    pub async fn tag(&self, ticket: TicketId, tags: &[String], now: Timestamp) -> Result<()> {
        if tags.is_empty() {
            return Ok(());
        }
        in_transaction!(self.0, |tx| {
            for t in tags {
                sqlx::query(
                    "INSERT INTO ticket_tags (ticket_id, tag, created_at) VALUES ($1, $2, $3) ON CONFLICT (ticket_id, tag) DO NOTHING",
                )
                .bind(ticket.get())
                .bind(t)
                .bind(to_db(now))
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    pub async fn tags(&self, ticket: TicketId) -> Result<Vec<String>> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag")
                .bind(ticket.get())
                .fetch_all(db)
                .await?
        }))
    }

    /// The newest `limit` tickets (a rule's preview), newest first.
    pub async fn recent_tickets(&self, limit: i64) -> Result<Vec<Ticket>> {
        let sql = format!("SELECT {COLUMNS} FROM tickets ORDER BY id DESC LIMIT $1");
        let rows: Vec<TicketRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(limit)
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Ticket::try_from).collect()
    }
}
