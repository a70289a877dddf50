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
    /// The changed record before the change (administrative changes), if known.
    pub before: Option<serde_json::Value>,
    /// The changed record after the change; creations and updates default to `detail`.
    pub after: Option<serde_json::Value>,
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
            before: None,
            after: None,
        }
    }

    /// The record before and after an administrative change.
    pub fn change(mut self, before: serde_json::Value, after: serde_json::Value) -> Self {
        self.before = Some(before);
        self.after = Some(after);
        self
    }

    /// What `after_state` holds: the explicit after, else the detail of a creation or an
    /// update (what the change set), else nothing.
    pub fn after_state(&self) -> Option<String> {
        if let Some(a) = &self.after {
            return Some(a.to_string());
        }
        let changes = [".create", ".update", ".set", ".put", ".add"];
        changes
            .iter()
            .any(|c| self.action.ends_with(c))
            .then(|| self.detail.to_string())
    }

    pub fn before_state(&self) -> Option<String> {
        self.before.as_ref().map(|b| b.to_string())
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

/// One entry as read back. `kind` is `action` under the name the audit contract uses, and
/// `target` is `type:id` (or the type alone): both are kept for older clients.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub actor_id: Option<i64>,
    /// What happened, e.g. `login`, `login.failed`, `user.update` (same as `action`).
    pub kind: String,
    /// What it happened to, e.g. `user:12`.
    pub target: Option<String>,
    /// The record before an administrative change.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    /// The record (or the fields set) after an administrative change.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
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
    before_state: Option<String>,
    after_state: Option<String>,
}

fn json_of(s: &str) -> Result<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self> {
        let target = match (&r.target_type, r.target_id) {
            (Some(t), Some(id)) => Some(format!("{t}:{id}")),
            (Some(t), None) => Some(t.clone()),
            (None, Some(id)) => Some(id.to_string()),
            (None, None) => None,
        };
        Ok(AuditEntry {
            id: r.id,
            at: from_db(r.at)?,
            actor_id: r.actor_id,
            kind: r.action.clone(),
            target,
            before: r.before_state.as_deref().map(json_of).transpose()?,
            after: r.after_state.as_deref().map(json_of).transpose()?,
            ip: r.ip,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            detail: json_of(&r.detail)?,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub action: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<Timestamp>,
    /// Entries before this instant.
    pub to: Option<Timestamp>,
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
            "SELECT id, at, actor_id, action, target_type, target_id, ip, detail, before_state,
                after_state FROM audit_log WHERE id < ",
        );
        b.bind(Param::I64(page.after.unwrap_or(i64::MAX)));
        if let Some(a) = f.actor {
            b.push(" AND actor_id = ").bind(Param::I64(a.get()));
        }
        if let Some(action) = &f.action {
            b.push(" AND action = ").bind(Param::Text(action.clone()));
        }
        if let Some(from) = f.from {
            b.push(" AND at >= ")
                .bind(Param::I64(crate::time::to_db(from)));
        }
        if let Some(to) = f.to {
            b.push(" AND at < ")
                .bind(Param::I64(crate::time::to_db(to)));
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
