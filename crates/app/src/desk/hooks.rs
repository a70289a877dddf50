//! Automation hooks (issue 13, seed 003: "utilice scripts para crear cuentas de usuario o
//! restablecer contraseñas automáticamente"): a category of routine requests (a password
//! reset, a new account) calls an outbound webhook for each ticket that comes into it,
//! either at once (`registration`) or once a supervisor approves the request (`approval`).
//! The call carries a one-time callback token; the automation posts its result with it
//! (`report_result`), which is recorded on the ticket and, on success, may move it to
//! validation with the resolution code `automated` so the requester confirms. A failure,
//! reported or because the webhook could not be reached, tells the group to do it by hand.
//!
//! Until the service catalogue (SPEC C17) exists, the category stands for the catalogue
//! item. A ticket calls a category's hook once: one `hook_calls` row per ticket and
//! category, claimed in the database, so nodes and retries never call twice.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use utoipa::ToSchema;
use ventanilla_domain::access::{Actor, Scope};
use ventanilla_domain::ticket::{Entry, EventKind, Notice, Ticket};
use ventanilla_domain::{Caller, Origin, Permission, Text, TicketId, UserId, ValidationError};
use ventanilla_store::hooks::{CategoryHook, HookCall, Step};
use ventanilla_store::tickets::Effects;
use ventanilla_store::webhooks::NewDelivery;

use crate::App;
use crate::desk::{DeskError, DeskResult, Refusal, require};

/// When a category's hook calls its webhook.
pub const TRIGGERS: &[&str] = &["registration", "approval"];
/// The event name of a hook's delivery (`X-Ventanilla-Event`).
pub const CALL_EVENT: &str = "hook.call";
/// The resolution code a reported success resolves with (seeded by migration 0031).
pub const RESOLUTION_CODE: &str = "automated";
/// The longest result message kept.
const MAX_MESSAGE: usize = 2000;

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
    app.store
        .webhooks()
        .get(input.webhook_id)
        .await
        .map_err(|e| crate::desk::missing_as(e, "webhook_id", "does not exist"))?;
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
// The ticket's side.

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
    if let Err(e) = trigger(app, caller, t).await {
        tracing::warn!(ticket = t.id.get(), error = %e, "automation hook not started");
    }
}

async fn trigger(app: &App, caller: &Caller, t: &Ticket) -> DeskResult<()> {
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
        "pending"
    };
    let Some(call) = app
        .store
        .hooks()
        .open(t.id, hook, status, caller.user_id(), app.now())
        .await?
    else {
        return Ok(());
    };
    if approval {
        let supervisors = crate::desk::tickets::escalate::supervisors_of(app, t.group_id).await?;
        let mut e = Entry::new(EventKind::Note, false);
        e.code = Some("hook_awaiting_approval".into());
        crate::desk::tickets::write(app, t.id, None, Some(caller.user_id()), |tk| {
            let mut fx = Effects::default().event(e.clone());
            for s in &supervisors {
                fx.notifications
                    .push(Notice::about(*s, "ticket.approval", tk));
            }
            Ok(fx)
        })
        .await?;
        Ok(())
    } else {
        call_webhook(app, &call, caller.user_id()).await
    }
}

/// Makes the call: a fresh one-time token (its hash kept), the delivery queued, the ticket
/// told.
async fn call_webhook(app: &App, call: &HookCall, actor: UserId) -> DeskResult<()> {
    let token = crate::auth::secret::random_token()
        .map_err(|e| DeskError::internal(anyhow::anyhow!("{e}")))?;
    let hash = token_hash(&token);
    let step = Step {
        to: "pending",
        token_hash: Some(&hash),
        ..Step::default()
    };
    if !app
        .store
        .hooks()
        .advance(call.id, "pending", &step, app.now())
        .await?
    {
        return Ok(());
    }
    let t = app.store.tickets().get(call.ticket_id).await?;
    let requester = app.store.users().get(t.requester_id).await?;
    let callback = format!(
        "{}/api/v1/hook-calls/result",
        app.config.server.public_url.trim_end_matches('/')
    );
    let d = NewDelivery {
        webhook_id: call.webhook_id,
        ticket_id: Some(t.id),
        event: CALL_EVENT.into(),
        payload: serde_json::json!({
            "event": CALL_EVENT,
            "call": call.id,
            "ticket": { "id": t.id.get(), "number": t.number, "subject": t.subject,
                "description": t.description, "category_id": call.category_id },
            "requester": { "id": requester.id.get(), "name": requester.name,
                "email": requester.email.as_str() },
            "callback": { "url": callback, "token": token },
        }),
    };
    app.store
        .webhooks()
        .enqueue(&d, app.config.webhooks.max_attempts, app.now())
        .await?;
    let mut e = Entry::new(EventKind::Note, false);
    e.code = Some("hook_called".into());
    crate::desk::tickets::write(app, t.id, None, Some(actor), |_| {
        Ok(Effects::default().event(e.clone()))
    })
    .await?;
    Ok(())
}

/// The SHA-256 (hex) a callback token is kept as.
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The calls of a ticket the caller may see (staff).
pub async fn calls_of(app: &App, caller: &Caller, id: TicketId) -> DeskResult<Vec<HookCall>> {
    require(caller, Permission::TicketsReadInternal)?;
    crate::desk::tickets::access::load(app, caller, id).await?;
    Ok(app.store.hooks().of_ticket(id).await?)
}

/// A supervisor's decision on a request waiting for approval.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub approved: bool,
    /// Why, shown on the ticket (required to reject).
    #[serde(default)]
    pub comment: Option<String>,
}

/// Approves (the webhook is called, acting for the approver) or rejects a request waiting
/// for approval. Supervisors (`tickets.close`) within their scope.
pub async fn decide(
    app: &App,
    caller: &Caller,
    id: TicketId,
    decision: &Decision,
) -> DeskResult<HookCall> {
    require(caller, Permission::TicketsClose)?;
    crate::desk::tickets::access::load_to_change(app, caller, id).await?;
    let comment = decision
        .comment
        .as_deref()
        .map(|c| Text::parse("comment", c, MAX_MESSAGE))
        .transpose()?;
    if !decision.approved && comment.is_none() {
        return Err(ValidationError::new("comment", "is required to reject").into());
    }
    let call = app
        .store
        .hooks()
        .of_ticket(id)
        .await?
        .into_iter()
        .find(|c| c.status == "awaiting_approval")
        .ok_or_else(|| {
            DeskError::refused(
                Refusal::State,
                "nothing_to_approve",
                "this ticket has no automation waiting for approval",
            )
        })?;
    let to = if decision.approved {
        "pending"
    } else {
        "rejected"
    };
    let step = Step {
        to,
        acted_by: Some(caller.user_id()),
        result: comment.as_ref().map(Text::as_str),
        ..Step::default()
    };
    if !app
        .store
        .hooks()
        .advance(call.id, "awaiting_approval", &step, app.now())
        .await?
    {
        return Err(DeskError::refused(
            Refusal::State,
            "nothing_to_approve",
            "someone decided on this automation a moment ago",
        ));
    }
    let mut e = Entry::new(EventKind::Note, false)
        .body_opt(comment.as_ref().map(|c| c.as_str().to_owned()));
    e.code = Some(
        if decision.approved {
            "hook_approved"
        } else {
            "hook_rejected"
        }
        .into(),
    );
    let assignee = if decision.approved {
        None
    } else {
        app.store.tickets().get(id).await?.assignee_id
    };
    crate::desk::tickets::write(app, id, None, Some(caller.user_id()), |tk| {
        let mut fx = Effects::default().event(e.clone());
        // A rejected request goes back to the agent working it, to answer the requester.
        if let Some(a) = assignee
            && a != caller.user_id()
        {
            fx.notifications
                .push(Notice::about(a, "ticket.automation_failed", tk));
        }
        Ok(fx)
    })
    .await?;
    if decision.approved {
        call_webhook(app, &call, caller.user_id()).await?;
    }
    let entry = crate::desk::audit(
        app,
        caller,
        if decision.approved {
            "hook.approve"
        } else {
            "hook.reject"
        },
    )
    .target("ticket", Some(id.get()));
    app.store.audit().record(&entry).await?;
    Ok(app.store.hooks().get(call.id).await?)
}

/// What an automation reports (`POST /hook-calls/result`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HookResult {
    /// The token of the call's `callback`.
    pub token: String,
    /// `succeeded` or `failed`.
    pub outcome: String,
    /// What was done or what went wrong, shown to the staff on the ticket.
    #[serde(default)]
    pub message: Option<String>,
}

/// Records an automation's result on its ticket. Unknown tokens are `Unauthorized` (no
/// call can be probed); a call already reported is refused (`hook_call_finished`).
pub async fn report_result(app: &App, input: &HookResult) -> Result<HookCall, ResultError> {
    let succeeded = match input.outcome.as_str() {
        "succeeded" => true,
        "failed" => false,
        _ => {
            return Err(ResultError::Desk(
                ValidationError::new("outcome", "must be succeeded or failed").into(),
            ));
        }
    };
    let message = input
        .message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .map(|m| Text::parse("message", m, MAX_MESSAGE))
        .transpose()
        .map_err(|e| ResultError::Desk(e.into()))?;
    let Some(call) = app
        .store
        .hooks()
        .by_token(&token_hash(input.token.trim()))
        .await
        .map_err(|e| ResultError::Desk(e.into()))?
    else {
        return Err(ResultError::UnknownToken);
    };
    finish(app, &call, succeeded, message.as_ref().map(Text::as_str))
        .await
        .map_err(ResultError::Desk)?;
    app.store
        .hooks()
        .get(call.id)
        .await
        .map_err(|e| ResultError::Desk(e.into()))
}

/// Why a result was not recorded.
#[derive(Debug)]
pub enum ResultError {
    /// No call has this token.
    UnknownToken,
    Desk(DeskError),
}

/// Ends a pending call: recorded on the ticket; a success may resolve it, a failure calls
/// the group in.
async fn finish(
    app: &App,
    call: &HookCall,
    succeeded: bool,
    message: Option<&str>,
) -> DeskResult<()> {
    let to = if succeeded { "succeeded" } else { "failed" };
    let step = Step {
        to,
        result: message,
        ..Step::default()
    };
    if !app
        .store
        .hooks()
        .advance(call.id, "pending", &step, app.now())
        .await?
    {
        return Err(DeskError::refused(
            Refusal::State,
            "hook_call_finished",
            "this automation's result is already recorded",
        ));
    }
    let caller = acting_for(app, call.acted_by).await?;
    let mut e = Entry::new(EventKind::Note, false).body_opt(message.map(str::to_owned));
    e.code = Some(
        if succeeded {
            "hook_succeeded"
        } else {
            "hook_failed"
        }
        .into(),
    );
    let t = app.store.tickets().get(call.ticket_id).await?;
    let members = if succeeded {
        Vec::new()
    } else {
        group_to_tell(app, &t).await?
    };
    crate::desk::tickets::write(app, t.id, None, Some(caller.user_id()), |tk| {
        let mut fx = Effects::default().event(e.clone());
        for m in &members {
            fx.notifications
                .push(Notice::about(*m, "ticket.automation_failed", tk));
        }
        Ok(fx)
    })
    .await?;
    if succeeded {
        let hook = app.hooks.get(app).await?;
        let resolve = hook
            .get(&call.category_id)
            .is_none_or(|h| h.resolve_on_success);
        if resolve {
            let resolution = message.unwrap_or("automation: done");
            crate::desk::tickets::moves::walk_to_validation(
                app,
                &caller,
                &t,
                RESOLUTION_CODE,
                resolution,
            )
            .await?;
        }
    }
    Ok(())
}

/// Who is told that an automation failed: the assignee, or the group's members.
async fn group_to_tell(app: &App, t: &Ticket) -> DeskResult<Vec<UserId>> {
    if let Some(a) = t.assignee_id {
        return Ok(vec![a]);
    }
    let Some(g) = t.group_id else {
        return Ok(Vec::new());
    };
    Ok(app
        .store
        .groups()
        .members(g)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

/// The caller a call's outcome acts as: the person who started or approved it, working
/// the ticket as an agent would, through the `system` door.
async fn acting_for(app: &App, user: UserId) -> DeskResult<Caller> {
    use Permission::*;
    let u = app.store.users().get(user).await?;
    let actor = Actor {
        user_id: u.id,
        organisation_id: u.organisation_id,
        role: "automation".into(),
        permissions: [TicketsRead, TicketsReadInternal, TicketsWork]
            .into_iter()
            .collect(),
        scope: Scope::All,
        organisation_manager: false,
    };
    Ok(Caller::new(actor, Origin::System))
}

/// After a hook's delivery (its payload names the `call`) ended without reaching the
/// automation (a refused address, attempts spent): the call failed, and the group is told.
/// A call that already has its result (the automation answered after all) stays as it is.
pub async fn unreachable(
    app: &App,
    payload: &serde_json::Value,
    error: &str,
) -> anyhow::Result<()> {
    let Some(id) = payload.get("call").and_then(serde_json::Value::as_i64) else {
        return Ok(());
    };
    let call = app.store.hooks().get(id).await?;
    if call.status != "pending" {
        return Ok(());
    }
    let message = format!("unreachable: {error}");
    match finish(app, &call, false, Some(&message)).await {
        Ok(()) | Err(DeskError::Refused { .. }) => Ok(()),
        Err(e) => Err(anyhow::anyhow!(e)),
    }
}

/// Whether a ticket is waiting for a supervisor's approval (the console shows the buttons).
pub fn awaiting(calls: &[HookCall]) -> bool {
    calls.iter().any(|c| c.status == "awaiting_approval")
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_kept_as_their_sha256() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            super::token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
