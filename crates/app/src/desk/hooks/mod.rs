//! Automation hooks (issue 13, seed 003: "utilice scripts para crear cuentas de usuario o
//! restablecer contraseñas automáticamente"): a category of routine requests (a password
//! reset, a new account) calls an outbound webhook for each ticket that comes into it,
//! either at once (`registration`) or once a supervisor approves the request (`approval`).
//! This module holds the hooks (administration, the per-node cache) and opens a ticket's
//! call; `call` makes it and records what comes back.
//!
//! Until the service catalogue (SPEC C17) exists, the category stands for the catalogue
//! item. A ticket opens one call per category: one `hook_calls` row per ticket and
//! category, claimed in the database, so a later edit, a second node or a repeated
//! registration never opens another. (The delivery of a call is retried like any webhook
//! delivery after a 5xx or a timeout: automations deduplicate on the call's id.)

pub mod call;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{Entry, EventKind, Notice, Ticket};
use ventanilla_domain::{Caller, Permission, ValidationError};
use ventanilla_store::hooks::CategoryHook;
use ventanilla_store::tickets::Effects;

pub use call::{Decision, HookResult, ResultError, awaiting, calls_of, decide, report_result};

use crate::App;
use crate::desk::{DeskResult, require};

/// When a category's hook calls its webhook.
pub const TRIGGERS: &[&str] = &["registration", "approval"];
/// The event name of a hook's delivery (`X-Ventanilla-Event`).
pub const CALL_EVENT: &str = "hook.call";
/// The resolution code a reported success resolves with (seeded by migration 0031).
pub const RESOLUTION_CODE: &str = "automated";

/// The hooks in force, by category id.
type ByCategory = Arc<HashMap<i64, CategoryHook>>;

/// The hooks in force, by category, as one node keeps them (read on every registration and
/// category change): kept for `tickets.reference_cache_ms`, dropped by a save on this node.
pub struct HookCache {
    ttl: Duration,
    current: RwLock<Option<(Instant, ByCategory)>>,
}

impl std::fmt::Debug for HookCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookCache")
    }
}

impl HookCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            current: RwLock::new(None),
        }
    }

    pub fn clear(&self) {
        if let Ok(mut c) = self.current.write() {
            *c = None;
        }
    }

    async fn get(&self, app: &App) -> DeskResult<ByCategory> {
        if let Ok(c) = self.current.read()
            && let Some((at, set)) = c.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(set.clone());
        }
        let set: HashMap<i64, CategoryHook> = app
            .store
            .hooks()
            .list()
            .await?
            .into_iter()
            .map(|h| (h.category_id, h))
            .collect();
        let set = Arc::new(set);
        if let Ok(mut c) = self.current.write() {
            *c = Some((Instant::now(), set.clone()));
        }
        Ok(set)
    }
}

// ---------------------------------------------------------------------------------------
// Administration.

/// The body of `PUT /categories/{id}/hook`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HookInput {
    pub webhook_id: i64,
    /// `registration` or `approval`.
    pub trigger_on: String,
    /// A reported success moves the ticket to validation (default true).
    #[serde(default = "yes")]
    pub resolve_on_success: bool,
}

fn yes() -> bool {
    true
}

/// Every category's hook (administrators).
pub async fn list_hooks(app: &App, caller: &Caller) -> DeskResult<Vec<CategoryHook>> {
    require(caller, Permission::ConfigManage)?;
    Ok(app.store.hooks().list().await?)
}

/// Sets a category's hook (administrators): the category and the webhook must exist.
pub async fn put_hook(
    app: &App,
    caller: &Caller,
    category_id: i64,
    input: &HookInput,
) -> DeskResult<CategoryHook> {
    require(caller, Permission::ConfigManage)?;
    if !TRIGGERS.contains(&input.trigger_on.as_str()) {
        return Err(ValidationError::new("trigger_on", "must be registration or approval").into());
    }
    app.store
        .categories()
        .get(ventanilla_domain::CategoryId(category_id))
        .await?;
    let webhook = app
        .store
        .webhooks()
        .get(input.webhook_id)
        .await
        .map_err(|e| crate::desk::missing_as(e, "webhook_id", "does not exist"))?;
    if !webhook.active {
        return Err(ValidationError::new("webhook_id", "is stopped").into());
    }
    let hook = CategoryHook {
        category_id,
        webhook_id: input.webhook_id,
        trigger_on: input.trigger_on.clone(),
        resolve_on_success: input.resolve_on_success,
    };
    app.store.hooks().put(&hook, app.now()).await?;
    app.hooks.clear();
    let entry = crate::desk::audit(app, caller, "hook.put")
        .target("category", Some(category_id))
        .detail(
            serde_json::json!({ "webhook_id": hook.webhook_id, "trigger_on": hook.trigger_on,
            "resolve_on_success": hook.resolve_on_success }),
        );
    app.store.audit().record(&entry).await?;
    Ok(hook)
}

/// Removes a category's hook (administrators).
pub async fn delete_hook(app: &App, caller: &Caller, category_id: i64) -> DeskResult<()> {
    require(caller, Permission::ConfigManage)?;
    app.store.hooks().delete(category_id).await?;
    app.hooks.clear();
    let entry =
        crate::desk::audit(app, caller, "hook.delete").target("category", Some(category_id));
    app.store.audit().record(&entry).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Opening a ticket's call.

/// After a registration: the rules, then the category's hook.
pub async fn after_create(app: &App, caller: &Caller, t: Ticket) -> Ticket {
    let t = crate::desk::rules::on_create(app, caller, t).await;
    on_ticket(app, caller, &t).await;
    t
}

/// After a change: the rules, then the hook of the category the ticket came into (by the
/// change or by a rule), if it did.
pub async fn after_update(app: &App, caller: &Caller, before: &Ticket, after: Ticket) -> Ticket {
    let t = crate::desk::rules::on_update(app, caller, before, after).await;
    if t.category_id != before.category_id {
        on_ticket(app, caller, &t).await;
    }
    t
}

/// If the ticket is in a category with a hook and has no call for it yet, the call is
/// opened, waiting for approval or made at once. Never fails the change that ran it: a
/// failure is logged.
async fn on_ticket(app: &App, caller: &Caller, t: &Ticket) {
    if let Err(e) = open_call(app, caller, t).await {
        tracing::warn!(ticket = t.id.get(), error = %e, "automation hook not started");
    }
}

async fn open_call(app: &App, caller: &Caller, t: &Ticket) -> DeskResult<()> {
    let Some(category) = t.category_id else {
        return Ok(());
    };
    if t.status.is_terminal() {
        return Ok(());
    }
    let hooks = app.hooks.get(app).await?;
    let Some(hook) = hooks.get(&category.get()) else {
        return Ok(());
    };
    let approval = hook.trigger_on == "approval";
    let status = if approval {
        "awaiting_approval"
    } else {
        "queued"
    };
    let Some(opened) = app
        .store
        .hooks()
        .open(t.id, hook, status, caller.user_id(), app.now())
        .await?
    else {
        return Ok(());
    };
    if !approval {
        return call::make(app, &opened).await;
    }
    let approvers = approvers(app, t).await?;
    let mut e = Entry::new(EventKind::Note, false);
    e.code = Some("hook_awaiting_approval".into());
    crate::desk::tickets::write(app, t.id, None, Some(caller.user_id()), |tk| {
        let mut fx = Effects::default().event(e.clone());
        for s in &approvers {
            fx.notifications
                .push(Notice::about(*s, "ticket.approval", tk));
        }
        Ok(fx)
    })
    .await?;
    Ok(())
}

/// Who is asked to approve: the group's supervisors (or every supervisor) whose role may
/// approve (`tickets.close`), never the requester.
async fn approvers(app: &App, t: &Ticket) -> DeskResult<Vec<ventanilla_domain::UserId>> {
    let mut out = Vec::new();
    for s in crate::desk::tickets::escalate::supervisors_of(app, t.group_id).await? {
        if s == t.requester_id {
            continue;
        }
        if let Some(actor) = app.store.users().actor(s).await?
            && actor.can(Permission::TicketsClose)
        {
            out.push(s);
        }
    }
    Ok(out)
}
