//! Automation hooks (issue 13): which category's tickets call which webhook, and when
//! (`category_hooks`); and each ticket's call (`hook_calls`), from waiting for a
//! supervisor's approval to the result the automation reports with its one-time token.
//! A call moves on only from the state it was read in (compare-and-set), so two nodes, two
//! supervisors or a repeated callback never act twice.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::{TicketId, UserId};

use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

/// A category's automation hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryHook {
    pub category_id: i64,
    pub webhook_id: i64,
    /// `registration` (called when a ticket comes into the category) or `approval`
    /// (called once a supervisor approves it).
    pub trigger_on: String,
    /// A reported success moves the ticket to validation (resolution code `automated`).
    pub resolve_on_success: bool,
}

#[derive(sqlx::FromRow)]
struct HookRow {
    category_id: i64,
    webhook_id: i64,
    trigger_on: String,
    resolve_on_success: bool,
}

impl From<HookRow> for CategoryHook {
    fn from(r: HookRow) -> Self {
        CategoryHook {
            category_id: r.category_id,
            webhook_id: r.webhook_id,
            trigger_on: r.trigger_on,
            resolve_on_success: r.resolve_on_success,
        }
    }
}

/// One ticket's automation call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HookCall {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub ticket_id: TicketId,
    pub category_id: i64,
    pub webhook_id: i64,
    /// `awaiting_approval`, `rejected`, `queued` (to be called), `pending` (called, no
    /// result yet), `unreachable` (the call never got through; a late result is still
    /// taken), `succeeded`, `failed` (reported so).
    pub status: String,
    /// Who started the call (or approved or rejected it): it acts for them.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub acted_by: UserId,
    /// What the automation reported (or why the call failed, or why it was rejected).
    pub result: Option<String>,
    /// A reported success moves the ticket to validation (copied from the hook).
    pub resolve_on_success: bool,
    /// The callback token, sealed; never shown.
    #[serde(skip)]
    pub token_sealed: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct CallRow {
    id: i64,
    ticket_id: i64,
    category_id: i64,
    webhook_id: i64,
    status: String,
    acted_by: i64,
    result: Option<String>,
    resolve_on_success: bool,
    token_sealed: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<CallRow> for HookCall {
    type Error = StoreError;
    fn try_from(r: CallRow) -> Result<Self> {
        Ok(HookCall {
            id: r.id,
            ticket_id: TicketId(r.ticket_id),
            category_id: r.category_id,
            webhook_id: r.webhook_id,
            status: r.status,
            acted_by: UserId(r.acted_by),
            result: r.result,
            resolve_on_success: r.resolve_on_success,
            token_sealed: r.token_sealed,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
        })
    }
}

/// Where a call moves: its new status, and what is set with it when given (the callback
/// token's hash and sealed form, the person now acting, the result).
#[derive(Debug, Clone, Copy, Default)]
pub struct Step<'s> {
    pub to: &'s str,
    pub token_hash: Option<&'s str>,
    pub token_sealed: Option<&'s str>,
    pub acted_by: Option<UserId>,
    pub result: Option<&'s str>,
}

const CALL_COLUMNS: &str = "id, ticket_id, category_id, webhook_id, status, acted_by, result, \
     resolve_on_success, token_sealed, created_at, updated_at";

pub struct Hooks<'a>(&'a Store);

impl Store {
    pub fn hooks(&self) -> Hooks<'_> {
        Hooks(self)
    }
}

impl Hooks<'_> {
    /// Every category's hook.
    pub async fn list(&self) -> Result<Vec<CategoryHook>> {
        let rows: Vec<HookRow> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT category_id, webhook_id, trigger_on, resolve_on_success
                 FROM category_hooks ORDER BY category_id",
            )
            .fetch_all(db)
            .await?
        });
        Ok(rows.into_iter().map(CategoryHook::from).collect())
    }

    /// Sets (or replaces) a category's hook.
    pub async fn put(&self, h: &CategoryHook, now: Timestamp) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO category_hooks (category_id, webhook_id, trigger_on, resolve_on_success, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)
                 ON CONFLICT (category_id) DO UPDATE SET webhook_id = excluded.webhook_id,
                    trigger_on = excluded.trigger_on, resolve_on_success = excluded.resolve_on_success,
                    updated_at = excluded.updated_at",
            )
            .bind(h.category_id)
            .bind(h.webhook_id)
            .bind(&h.trigger_on)
            .bind(h.resolve_on_success)
            .bind(to_db(now))
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Removes a category's hook (calls already made keep their record).
    pub async fn delete(&self, category_id: i64) -> Result<()> {
        let n = on_writer!(self.0, |db| {
            sqlx::query("DELETE FROM category_hooks WHERE category_id = $1")
                .bind(category_id)
                .execute(db)
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a ticket's call in `status` (`awaiting_approval` or `queued`), unless the
    /// ticket already has one for this category: `None` then.
    pub async fn open(
        &self,
        ticket: TicketId,
        hook: &CategoryHook,
        status: &str,
        acted_by: UserId,
        now: Timestamp,
    ) -> Result<Option<HookCall>> {
        let sql = format!(
            "INSERT INTO hook_calls (ticket_id, category_id, webhook_id, status, acted_by, resolve_on_success, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $7, $6, $6)
             ON CONFLICT (ticket_id, category_id) DO NOTHING RETURNING {CALL_COLUMNS}"
        );
        let row: Option<CallRow> = on_writer!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(ticket.get())
                .bind(hook.category_id)
                .bind(hook.webhook_id)
                .bind(status)
                .bind(acted_by.get())
                .bind(to_db(now))
                .bind(hook.resolve_on_success)
                .fetch_optional(db)
                .await?
        });
        row.map(HookCall::try_from).transpose()
    }

    /// A ticket's calls, oldest first.
    pub async fn of_ticket(&self, ticket: TicketId) -> Result<Vec<HookCall>> {
        let sql = format!("SELECT {CALL_COLUMNS} FROM hook_calls WHERE ticket_id = $1 ORDER BY id");
        let rows: Vec<CallRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(ticket.get())
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(HookCall::try_from).collect()
    }

    /// The call whose callback token hashes to `token_hash`.
    pub async fn by_token(&self, token_hash: &str) -> Result<Option<HookCall>> {
        let sql = format!("SELECT {CALL_COLUMNS} FROM hook_calls WHERE token_hash = $1");
        let row: Option<CallRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(token_hash)
                .fetch_optional(db)
                .await?
        });
        row.map(HookCall::try_from).transpose()
    }

    /// Moves a call from either status of `from` as `step` says. False when it was in
    /// neither any more (another node, supervisor or callback moved it first).
    pub async fn advance(
        &self,
        id: i64,
        from: [&str; 2],
        step: &Step<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let n = on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE hook_calls SET status = $3,
                    token_hash = COALESCE($4, token_hash),
                    acted_by = COALESCE($5, acted_by),
                    result = COALESCE($6, result),
                    updated_at = $7,
                    token_sealed = COALESCE($9, token_sealed)
                 WHERE id = $1 AND (status = $2 OR status = $8)",
            )
            .bind(id)
            .bind(from[0])
            .bind(step.to)
            .bind(step.token_hash)
            .bind(step.acted_by.map(UserId::get))
            .bind(step.result)
            .bind(to_db(now))
            .bind(from[1])
            .bind(step.token_sealed)
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn get(&self, id: i64) -> Result<HookCall> {
        let sql = format!("SELECT {CALL_COLUMNS} FROM hook_calls WHERE id = $1");
        let row: Option<CallRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .fetch_optional(db)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }
}
