//! Outbound webhooks (issue 13): subscriptions to ticket events, and the delivery log. The
//! dispatcher reads the timeline as the desk's change feed from a cursor and, in one
//! transaction that also moves the cursor, writes a delivery and its delivery job per
//! subscribed webhook; the job (retried with backoff) records each attempt here.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::TicketId;

use crate::jobs::NewJob;
use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

/// A subscription: where to post which ticket events, signed with its secret.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// The events subscribed to (`ticket.created`, `ticket.transition`, `ticket.*`…).
    pub events: Vec<String>,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// The HMAC-SHA256 key as stored: sealed by the application (`v1:…`) or in clear; only
    /// shown (in clear) when the webhook is created.
    #[serde(skip)]
    pub secret: String,
}

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: i64,
    name: String,
    url: String,
    secret: String,
    events: String,
    active: bool,
    created_at: i64,
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = StoreError;
    fn try_from(r: WebhookRow) -> Result<Self> {
        Ok(Webhook {
            id: r.id,
            name: r.name,
            url: r.url,
            events: r.events.split_whitespace().map(str::to_owned).collect(),
            active: r.active,
            created_at: from_db(r.created_at)?,
            secret: r.secret,
        })
    }
}

const WEBHOOK_COLUMNS: &str = "id, name, url, secret, events, active, created_at";

/// One call made or to make, as logged.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub ticket_id: Option<TicketId>,
    pub event: String,
    pub payload: serde_json::Value,
    /// `pending`, `delivered`, `failed` (attempts spent) or `refused` (the address is not allowed).
    pub status: String,
    pub attempts: i64,
    pub response_status: Option<i64>,
    pub error: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    webhook_id: i64,
    ticket_id: Option<i64>,
    event: String,
    payload: String,
    status: String,
    attempts: i64,
    response_status: Option<i64>,
    error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> Result<Self> {
        Ok(Delivery {
            id: r.id,
            webhook_id: r.webhook_id,
            ticket_id: r.ticket_id.map(TicketId),
            event: r.event,
            payload: serde_json::from_str(&r.payload)
                .map_err(|e| StoreError::Corrupt(format!("delivery payload: {e}")))?,
            status: r.status,
            attempts: r.attempts,
            response_status: r.response_status,
            error: r.error,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
        })
    }
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, ticket_id, event, payload, status, attempts, response_status, error, created_at, updated_at";

/// A delivery to write, with the job that will send it.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub webhook_id: i64,
    pub ticket_id: Option<TicketId>,
    pub event: String,
    pub payload: serde_json::Value,
}

/// A timeline entry as the change feed hands it to the dispatcher.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedEntry {
    pub id: i64,
    pub ticket_id: i64,
    pub at: i64,
    pub kind: String,
    pub public: bool,
    pub code: Option<String>,
    pub data: Option<String>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// The settings key of the dispatcher's cursor (the last timeline entry dispatched).
pub const CURSOR_KEY: &str = "webhooks.cursor";

pub struct Webhooks<'a>(&'a Store);

impl Store {
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks(self)
    }
}

/// Inserts a delivery and its job on a transaction; returns the delivery id.
macro_rules! insert_delivery {
    ($tx:expr, $d:expr, $now:expr, $max:expr) => {{
        let d: &NewDelivery = $d;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO webhook_deliveries (webhook_id, ticket_id, event, payload, status, attempts, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) RETURNING id",
        )
        .bind(d.webhook_id)
        .bind(d.ticket_id.map(|t| t.get()))
        .bind(&d.event)
        .bind(d.payload.to_string())
        .bind(to_db($now))
        .fetch_one(&mut *$tx)
        .await?;
        let mut job = NewJob::new(DELIVER_JOB, serde_json::json!({ "delivery_id": id }), $now);
        job.max_attempts = $max;
        crate::jobs::insert_job!(&mut *$tx, &job, $now);
        id
    }};
}

/// The job kind that sends one delivery.
pub const DELIVER_JOB: &str = "webhook.deliver";

impl Webhooks<'_> {
    pub async fn create(
        &self,
        name: &str,
        url: &str,
        secret: &str,
        events: &[String],
        now: Timestamp,
    ) -> Result<Webhook> {
        let sql = format!(
            "INSERT INTO webhooks (name, url, secret, events, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING {WEBHOOK_COLUMNS}"
        );
        let row: WebhookRow = on_writer!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(name)
                .bind(url)
                .bind(secret)
                .bind(events.join(" "))
                .bind(to_db(now))
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// The webhooks whose signing key does not start with `sealed_prefix` (stored in
    /// clear), as (id, key).
    pub async fn plain_secrets(&self, sealed_prefix: &str) -> Result<Vec<(i64, String)>> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_as("SELECT id, secret FROM webhooks WHERE secret NOT LIKE $1 ORDER BY id")
                // The prefix holds no LIKE wildcard (`v1:`).
                .bind(format!("{sealed_prefix}%"))
                .fetch_all(db)
                .await?
        }))
    }

    /// Replaces a webhook's stored key `old` by `new` (its sealed form); false when it
    /// changed meanwhile.
    pub async fn reseal(&self, id: i64, old: &str, new: &str) -> Result<bool> {
        let n = on_writer!(self.0, |db| {
            sqlx::query("UPDATE webhooks SET secret = $3 WHERE id = $1 AND secret = $2")
                .bind(id)
                .bind(old)
                .bind(new)
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn list(&self) -> Result<Vec<Webhook>> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id");
        let rows: Vec<WebhookRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Webhook::try_from).collect()
    }

    pub async fn get(&self, id: i64) -> Result<Webhook> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1");
        let row: WebhookRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// Turns a webhook off (deliveries already queued are still logged as they end).
    pub async fn set_active(&self, id: i64, active: bool, now: Timestamp) -> Result<()> {
        let n = on_writer!(self.0, |db| {
            sqlx::query("UPDATE webhooks SET active = $2, updated_at = $3 WHERE id = $1")
                .bind(id)
                .bind(active)
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Timeline entries after `cursor`, oldest first.
    pub async fn feed(&self, cursor: i64, limit: i64) -> Result<Vec<FeedEntry>> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT id, ticket_id, at, kind, public, code, data, field, old_value, new_value
                 FROM ticket_events WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(cursor)
            .bind(limit)
            .fetch_all(db)
            .await?
        }))
    }

    /// The newest timeline entry's id (0 when there is none).
    pub async fn latest_event(&self) -> Result<i64> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM ticket_events")
                .fetch_one(db)
                .await?
        }))
    }

    /// The dispatcher's cursor (0 before the first pass).
    pub async fn cursor(&self) -> Result<i64> {
        Ok(self.0.settings().get::<i64>(CURSOR_KEY).await?.unwrap_or(0))
    }

    /// Writes deliveries and their jobs and moves the cursor from `from` to `to`, in one
    /// transaction; returns false (writing nothing) when another node moved it first.
    pub async fn dispatch(
        &self,
        from: i64,
        to: i64,
        deliveries: &[NewDelivery],
        max_attempts: i64,
        now: Timestamp,
    ) -> Result<bool> {
        let result: Result<()> = async {
            in_transaction!(self.0, |tx| {
                sqlx::query(
                    "INSERT INTO settings (key, value, updated_at) VALUES ($1, '0', $2) ON CONFLICT (key) DO NOTHING",
                )
                .bind(CURSOR_KEY)
                .bind(to_db(now))
                .execute(&mut *tx)
                .await?;
                let moved = sqlx::query(
                    "UPDATE settings SET value = $2, updated_at = $4 WHERE key = $1 AND value = $3",
                )
                .bind(CURSOR_KEY)
                .bind(to.to_string())
                .bind(from.to_string())
                .bind(to_db(now))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if moved == 0 {
                    return Err(StoreError::Conflict {
                        constraint: CURSOR_KEY.into(),
                    });
                }
                for d in deliveries {
                    insert_delivery!(tx, d, now, max_attempts);
                }
            });
            Ok(())
        }
        .await;
        match result {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Writes one delivery and its job (a rule's or an automation hook's call).
    pub async fn enqueue(&self, d: &NewDelivery, max_attempts: i64, now: Timestamp) -> Result<i64> {
        Ok(in_transaction!(self.0, |tx| {
            insert_delivery!(tx, d, now, max_attempts)
        }))
    }

    pub async fn delivery(&self, id: i64) -> Result<Delivery> {
        let sql = format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1");
        let row: DeliveryRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id)
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// Records an attempt: its answer or error and the delivery's new status.
    pub async fn record_attempt(
        &self,
        id: i64,
        status: &str,
        response_status: Option<i64>,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let error: Option<String> = error.map(|e| e.chars().take(1000).collect());
        on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, response_status = $3,
                    error = $4, updated_at = $5 WHERE id = $1",
            )
            .bind(id)
            .bind(status)
            .bind(response_status)
            .bind(error)
            .bind(to_db(now))
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// A webhook's delivery log, newest first, a page before `before`.
    pub async fn deliveries(
        &self,
        webhook: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        );
        let rows: Vec<DeliveryRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(webhook)
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Delivery::try_from).collect()
    }
}
