//! The audit log (SPEC C15): logins, failed logins and administrative changes — who, when,
//! what and from where. Entries are only ever inserted.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::UserId;
use ventanilla_domain::directory::{Page, PageRequest};

use crate::sql::{Param, SqlBuilder};
use crate::time::from_db;
use crate::{Result, Store, StoreError};

/// An entry to write. `target_id` is filled in by the repository when the target is created
/// in the same transaction.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub at: Timestamp,
    pub actor: Option<UserId>,
    pub action: String,
    pub target_type: Option<&'static str>,
    pub target_id: Option<i64>,
    pub ip: Option<String>,
    pub detail: serde_json::Value,
}

impl NewAudit {
    pub fn new(at: Timestamp, actor: Option<UserId>, action: &str, ip: Option<String>) -> Self {
        Self {
            at,
            actor,
            action: action.to_owned(),
            target_type: None,
            target_id: None,
            ip,
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn target(mut self, kind: &'static str, id: Option<i64>) -> Self {
        self.target_type = Some(kind);
        self.target_id = id;
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    pub ip: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    action: String,
    target_type: Option<String>,
    target_id: Option<i64>,
    ip: Option<String>,
    detail: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self> {
        Ok(AuditEntry {
            id: r.id,
            at: from_db(r.at)?,
            actor_id: r.actor_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            ip: r.ip,
            detail: serde_json::from_str(&r.detail)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub action: Option<String>,
}

pub struct Audit<'a>(&'a Store);

impl Store {
    pub fn audit(&self) -> Audit<'_> {
        Audit(self)
    }
}

impl Audit<'_> {
    /// Records an entry on its own (logins and failed logins, which change nothing else).
    pub async fn record(&self, e: &NewAudit) -> Result<()> {
        in_transaction!(self.0, |tx| {
            insert_audit!(&mut *tx, e, e.target_id);
        });
        Ok(())
    }

    /// Newest first: `after` is the id below which to continue.
    pub async fn list(&self, f: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>> {
        let mut b = SqlBuilder::new(
            "SELECT id, at, actor_id, action, target_type, target_id, ip, detail FROM audit_log WHERE id < ",
        );
        b.bind(Param::I64(page.after.unwrap_or(i64::MAX)));
        if let Some(a) = f.actor {
            b.push(" AND actor_id = ").bind(Param::I64(a.get()));
        }
        if let Some(action) = &f.action {
            b.push(" AND action = ").bind(Param::Text(action.clone()));
        }
        b.push(" ORDER BY id DESC LIMIT ")
            .bind(Param::I64(i64::from(page.limit) + 1));
        let (sql, params) = b.finish();
        let rows: Vec<AuditRow> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(crate::sql::trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        let items = rows
            .into_iter()
            .map(AuditEntry::try_from)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(items, page.limit, |e| e.id))
    }
}
