//! Monitoring integrations and the alerts they post (issue 13): each integration's account,
//! token and settings, every payload as received, and one row per alert key pointing at the
//! incident it opened, so a repeat annotates that incident instead of opening another.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::{TicketId, TokenId, UserId};

use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

/// A monitoring system allowed to post events.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Integration {
    pub id: i64,
    /// `alertmanager` or `generic`.
    pub kind: String,
    pub name: String,
    /// The integration's own account: the requester of the incidents it opens.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub user_id: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub token_id: TokenId,
    /// Grouping, labels and mappings (see the events configuration).
    pub settings: serde_json::Value,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct IntegrationRow {
    id: i64,
    kind: String,
    name: String,
    user_id: i64,
    token_id: i64,
    settings: String,
    active: bool,
    created_at: i64,
}

impl TryFrom<IntegrationRow> for Integration {
    type Error = StoreError;
    fn try_from(r: IntegrationRow) -> Result<Self> {
        Ok(Integration {
            id: r.id,
            kind: r.kind,
            name: r.name,
            user_id: UserId(r.user_id),
            token_id: TokenId(r.token_id),
            settings: serde_json::from_str(&r.settings)
                .map_err(|e| StoreError::Corrupt(format!("integration settings: {e}")))?,
            active: r.active,
            created_at: from_db(r.created_at)?,
        })
    }
}

const INTEGRATION_COLUMNS: &str = "id, kind, name, user_id, token_id, settings, active, created_at";

/// What the desk remembers of one alert key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertState {
    pub id: i64,
    pub dedupe_key: String,
    /// None while the incident is being opened by the request that claimed the key.
    pub ticket_id: Option<TicketId>,
    pub firing: bool,
    pub occurrences: i64,
}

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: i64,
    dedupe_key: String,
    ticket_id: Option<i64>,
    status: String,
    occurrences: i64,
}

impl From<AlertRow> for AlertState {
    fn from(r: AlertRow) -> Self {
        AlertState {
            id: r.id,
            dedupe_key: r.dedupe_key,
            ticket_id: r.ticket_id.map(TicketId),
            firing: r.status == "firing",
            occurrences: r.occurrences,
        }
    }
}

/// How many keys one look-up names (far below both databases' parameter limits).
const KEYS_PER_QUERY: usize = 500;

pub struct Events<'a>(&'a Store);

impl Store {
    pub fn events(&self) -> Events<'_> {
        Events(self)
    }
}

impl Events<'_> {
    pub async fn create_integration(
        &self,
        kind: &str,
        name: &str,
        user: UserId,
        token: TokenId,
        settings: &serde_json::Value,
        now: Timestamp,
    ) -> Result<Integration> {
        let sql = format!(
            "INSERT INTO integrations (kind, name, user_id, token_id, settings, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING {INTEGRATION_COLUMNS}"
        );
        let row: IntegrationRow = on_writer!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(kind)
                .bind(name)
                .bind(user.get())
                .bind(token.get())
                .bind(settings.to_string())
                .bind(to_db(now))
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// The active integration a token belongs to, if any.
    pub async fn integration_by_token(&self, token: TokenId) -> Result<Option<Integration>> {
        let sql = format!(
            "SELECT {INTEGRATION_COLUMNS} FROM integrations WHERE token_id = $1 AND active = TRUE"
        );
        let row: Option<IntegrationRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(token.get())
                .fetch_optional(db)
                .await?
        });
        row.map(Integration::try_from).transpose()
    }

    pub async fn integrations(&self) -> Result<Vec<Integration>> {
        let sql = format!("SELECT {INTEGRATION_COLUMNS} FROM integrations ORDER BY id");
        let rows: Vec<IntegrationRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Integration::try_from).collect()
    }

    /// Keeps a body as received; returns its id.
    pub async fn save_payload(
        &self,
        integration: i64,
        payload: &str,
        now: Timestamp,
    ) -> Result<i64> {
        Ok(on_writer!(self.0, |db| {
            sqlx::query_scalar(
                "INSERT INTO event_payloads (integration_id, received_at, payload) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(integration)
            .bind(to_db(now))
            .bind(payload)
            .fetch_one(db)
            .await?
        }))
    }

    /// A stored payload, as received.
    pub async fn payload(&self, id: i64) -> Result<String> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT payload FROM event_payloads WHERE id = $1")
                .bind(id)
                .fetch_one(db)
                .await?
        }))
    }

    /// What is known of `keys`, by key.
    pub async fn alerts(
        &self,
        integration: i64,
        keys: &[String],
    ) -> Result<HashMap<String, AlertState>> {
        let mut out = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let mut b = crate::sql::SqlBuilder::new(
                "SELECT id, dedupe_key, ticket_id, status, occurrences FROM event_alerts WHERE integration_id = ",
            );
            b.bind(crate::sql::Param::I64(integration));
            b.push(" AND dedupe_key IN (");
            for (i, k) in chunk.iter().enumerate() {
                if i > 0 {
                    b.push(", ");
                }
                b.bind(crate::sql::Param::Text(k.clone()));
            }
            b.push(")");
            let (sql, params) = b.finish();
            let rows: Vec<AlertRow> = on_reader!(self.0, |db| {
                bind_params!(sqlx::query_as(crate::sql::trusted(&sql)), params)
                    .fetch_all(db)
                    .await?
            });
            out.extend(rows.into_iter().map(|r| (r.dedupe_key.clone(), r.into())));
        }
        Ok(out)
    }

    /// Claims new keys (one transaction): inserts a firing row without a ticket for each
    /// key nobody holds yet, and returns the keys this call won. A key another request
    /// claimed meanwhile is not returned, so only one incident is opened per key.
    pub async fn claim(
        &self,
        integration: i64,
        keys: &[String],
        payload: i64,
        now: Timestamp,
    ) -> Result<HashMap<String, i64>> {
        let mut won = HashMap::new();
        in_transaction!(self.0, |tx| {
            for k in keys {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO event_alerts (integration_id, dedupe_key, ticket_id, status, occurrences, first_at, last_at, last_payload_id)
                     VALUES ($1, $2, NULL, 'firing', 1, $3, $3, $4)
                     ON CONFLICT (integration_id, dedupe_key) DO NOTHING RETURNING id",
                )
                .bind(integration)
                .bind(k)
                .bind(to_db(now))
                .bind(payload)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = id {
                    won.insert(k.clone(), id);
                }
            }
        });
        Ok(won)
    }

    /// Points claimed or reopened alerts at their incidents (one transaction).
    pub async fn link(&self, links: &[(i64, TicketId)]) -> Result<()> {
        if links.is_empty() {
            return Ok(());
        }
        in_transaction!(self.0, |tx| {
            for (alert, ticket) in links {
                sqlx::query("UPDATE event_alerts SET ticket_id = $2 WHERE id = $1")
                    .bind(alert)
                    .bind(ticket.get())
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// Gives up claims whose incident could not be opened, so a retry may open it.
    pub async fn release(&self, alerts: &[i64]) -> Result<()> {
        if alerts.is_empty() {
            return Ok(());
        }
        in_transaction!(self.0, |tx| {
            for a in alerts {
                sqlx::query("DELETE FROM event_alerts WHERE id = $1 AND ticket_id IS NULL")
                    .bind(a)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// Records another occurrence of known alerts (one transaction): `(alert, firing)`.
    pub async fn seen(&self, seen: &[(i64, bool)], payload: i64, now: Timestamp) -> Result<()> {
        if seen.is_empty() {
            return Ok(());
        }
        in_transaction!(self.0, |tx| {
            for (alert, firing) in seen {
                sqlx::query(
                    "UPDATE event_alerts SET occurrences = occurrences + 1, last_at = $2, last_payload_id = $3,
                        status = $4 WHERE id = $1",
                )
                .bind(alert)
                .bind(to_db(now))
                .bind(payload)
                .bind(if *firing { "firing" } else { "resolved" })
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    /// The alert keys attached to a ticket (the incident page shows the fingerprint).
    pub async fn keys_of(&self, ticket: TicketId) -> Result<Vec<String>> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT dedupe_key FROM event_alerts WHERE ticket_id = $1 ORDER BY id",
            )
            .bind(ticket.get())
            .fetch_all(db)
            .await?
        }))
    }

    /// Every alert key of an integration with its incident, by key.
    pub async fn linked(&self, integration: i64) -> Result<Vec<(String, TicketId)>> {
        let rows: Vec<(String, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT dedupe_key, ticket_id FROM event_alerts WHERE integration_id = $1 AND ticket_id IS NOT NULL ORDER BY dedupe_key",
            )
            .bind(integration)
            .fetch_all(db)
            .await?
        });
        Ok(rows.into_iter().map(|(k, t)| (k, TicketId(t))).collect())
    }

    /// How many alert keys of an integration have an incident (tests and the bench).
    pub async fn count_linked(&self, integration: i64) -> Result<i64> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT COUNT(DISTINCT ticket_id) FROM event_alerts WHERE integration_id = $1 AND ticket_id IS NOT NULL",
            )
            .bind(integration)
            .fetch_one(db)
            .await?
        }))
    }
}
