//! Business calendars and SLA policies, stored as their validated JSON specs (the domain's
//! serde forms), so the store never holds a calendar or policy the domain would refuse.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::sla::{Calendar, CalendarSpec, SlaActions, SlaPolicy};

use crate::audit::NewAudit;
use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredCalendar {
    pub id: i64,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub calendar: Calendar,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredPolicy {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub policy: SlaPolicy,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub actions: SlaActions,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

fn corrupt(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

pub struct Sla<'a>(pub(crate) &'a Store);

impl Store {
    pub fn sla(&self) -> Sla<'_> {
        Sla(self)
    }
}

impl Sla<'_> {
    pub async fn calendars(&self) -> Result<Vec<StoredCalendar>> {
        let rows: Vec<(i64, String, String, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT id, name, spec, updated_at FROM calendars ORDER BY id")
                .fetch_all(db)
                .await?
        });
        rows.into_iter()
            .map(|(id, name, spec, at)| {
                Ok(StoredCalendar {
                    id,
                    name,
                    calendar: serde_json::from_str(&spec).map_err(|e| corrupt("calendar", e))?,
                    updated_at: from_db(at)?,
                })
            })
            .collect()
    }

    pub async fn calendar(&self, id: i64) -> Result<StoredCalendar> {
        self.calendars()
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Creates (`id: None`) or replaces a calendar.
    pub async fn put_calendar(
        &self,
        id: Option<i64>,
        name: &str,
        spec: &CalendarSpec,
        audit: &NewAudit,
    ) -> Result<StoredCalendar> {
        let json = serde_json::to_string(spec).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = to_db(audit.at);
        let id: i64 = in_transaction!(self.0, |tx| {
            let id: i64 = match id {
                None => sqlx::query_scalar("INSERT INTO calendars (name, spec, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
                    .bind(name)
                    .bind(&json)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?,
                Some(id) => sqlx::query_scalar("UPDATE calendars SET name = $2, spec = $3, updated_at = $4 WHERE id = $1 RETURNING id")
                    .bind(id)
                    .bind(name)
                    .bind(&json)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?,
            };
            insert_audit!(&mut *tx, audit, Some(id));
            id
        });
        self.calendar(id).await
    }

    /// Every policy, active first then by id (the order `select_policy` breaks ties in).
    pub async fn policies(&self) -> Result<Vec<StoredPolicy>> {
        let rows: Vec<(i64, String, String, bool, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT id, spec, actions, active, updated_at FROM sla_policies ORDER BY id",
            )
            .fetch_all(db)
            .await?
        });
        rows.into_iter()
            .map(|(id, spec, actions, active, at)| {
                Ok(StoredPolicy {
                    id,
                    policy: serde_json::from_str(&spec).map_err(|e| corrupt("policy", e))?,
                    actions: serde_json::from_str(&actions)
                        .map_err(|e| corrupt("policy actions", e))?,
                    active,
                    updated_at: from_db(at)?,
                })
            })
            .collect()
    }

    /// Creates (`id: None`) or replaces a policy. The calendar must exist.
    pub async fn put_policy(
        &self,
        id: Option<i64>,
        policy: &SlaPolicy,
        actions: &SlaActions,
        active: bool,
        audit: &NewAudit,
    ) -> Result<StoredPolicy> {
        let spec = serde_json::to_string(policy).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let acts =
            serde_json::to_string(actions).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = to_db(audit.at);
        let id: i64 = in_transaction!(self.0, |tx| {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM calendars WHERE id = $1")
                .bind(policy.calendar_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::Invalid("calendar_id: no such calendar".into()));
            }
            let id: i64 = match id {
                None => sqlx::query_scalar(
                    "INSERT INTO sla_policies (name, spec, actions, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                )
                .bind(&policy.name)
                .bind(&spec)
                .bind(&acts)
                .bind(active)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?,
                Some(id) => sqlx::query_scalar(
                    "UPDATE sla_policies SET name = $2, spec = $3, actions = $4, active = $5, updated_at = $6 WHERE id = $1 RETURNING id",
                )
                .bind(id)
                .bind(&policy.name)
                .bind(&spec)
                .bind(&acts)
                .bind(active)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?,
            };
            insert_audit!(&mut *tx, audit, Some(id));
            id
        });
        self.policies()
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(StoreError::NotFound)
    }
}
