//! A ticket's automation call, from a supervisor's decision to the automation's result.
//!
//! ```text
//!   awaiting_approval ──approve──▶ queued ──make──▶ pending ──result──▶ succeeded | failed
//!          │                         (registration)    │                     ▲
//!          └──reject──▶ rejected                       └─never got through─▶ unreachable
//! ```
//!
//! Each step is a compare-and-set on the call's status, so two supervisors, two nodes or a
//! repeated callback never act twice. The callback token is random, kept as its SHA-256 (to
//! find the call) and sealed (to put into the request at each attempt, `with_token`): the
//! delivery log never holds it. A result is taken from `pending` and from `unreachable` (an
//! automation that answered late did the work). What the automation reports is an internal
//! note; a success walks the ticket to validation with the code `automated` and the code's
//! name as the resolution the requester reads; a failure, a rejection or a call that never
//! got through tells the assignee, or the group, to do it by hand. The outcome is written by
//! the desk's automation account, so the requester is told as for any solution.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::access::{Actor, Scope};
use ventanilla_domain::directory::NewUser;
use ventanilla_domain::ticket::{Entry, EventKind, Notice, Ticket};
use ventanilla_domain::{
    Caller, Email, Language, Origin, Permission, Text, TicketId, UserId, ValidationError,
};
use ventanilla_store::StoreError;
use ventanilla_store::hooks::{HookCall, Step};
use ventanilla_store::tickets::Effects;
use ventanilla_store::webhooks::NewDelivery;

use super::{CALL_EVENT, RESOLUTION_CODE};
use crate::App;
use crate::auth::secret;
use crate::desk::{DeskError, DeskResult, Refusal, require};

/// The longest message kept from an automation or a supervisor.
const MAX_MESSAGE: usize = 2000;
/// The desk's own account the outcome of a call is written by.
const AUTOMATION_EMAIL: &str = "automation@automation.invalid";

fn sealing_owner(call: i64) -> String {
    format!("hook_call:{call}")
}

/// Makes a queued call: a fresh token (its hash and sealed form kept), the ticket told,
/// the delivery queued. A stopped webhook, or a failure after the call was claimed, fails
/// the call and tells the group, so no call is left half made.
pub async fn make(app: &App, call: &HookCall) -> DeskResult<()> {
    let webhook = app.store.webhooks().get(call.webhook_id).await?;
    if !webhook.active {
        return give_up(app, call, "queued", "webhook_stopped").await;
    }
    let token = secret::random_token().map_err(|e| DeskError::internal(anyhow::anyhow!("{e}")))?;
    let hash = secret::hash(&token);
    let sealed =
        crate::identity::sealing::to_store(app.sealer.as_ref(), &sealing_owner(call.id), &token)
            .map_err(|e| DeskError::internal(anyhow::anyhow!("{e}")))?;
    let step = Step {
        to: "pending",
        token_hash: Some(&hash),
        token_sealed: Some(&sealed),
        ..Step::default()
    };
    if !app
        .store
        .hooks()
        .advance(call.id, ["queued", "queued"], &step, app.now())
        .await?
    {
        return Ok(());
    }
    if let Err(e) = send(app, call).await {
        tracing::warn!(call = call.id, error = %e, "automation call not queued");
        return give_up(app, call, "pending", "not_queued").await;
    }
    Ok(())
}

/// Records the call on the ticket, then queues its delivery (so "called" comes first).
async fn send(app: &App, call: &HookCall) -> DeskResult<()> {
    let t = app.store.tickets().get(call.ticket_id).await?;
    let requester = app.store.users().get(t.requester_id).await?;
    let mut e = Entry::new(EventKind::Note, false);
    e.code = Some("hook_called".into());
    crate::desk::tickets::write(app, t.id, None, Some(call.acted_by), |_| {
        Ok(Effects::default().event(e.clone()))
    })
    .await?;
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
            // `token` is added at each attempt (`with_token`).
            "callback": { "url": callback },
        }),
    };
    app.store
        .webhooks()
        .enqueue(&d, app.config.webhooks.max_attempts, app.now())
        .await?;
    Ok(())
}

/// A call's delivery body with its callback token, for the attempt about to be made.
pub async fn with_token(
    app: &App,
    payload: &serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let id = payload
        .get("call")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| anyhow::anyhow!("an automation call without its id"))?;
    let call = app.store.hooks().get(id).await?;
    let sealed = call
        .token_sealed
        .ok_or_else(|| anyhow::anyhow!("automation call {id} has no token"))?;
    let token =
        crate::identity::sealing::from_store(app.sealer.as_ref(), &sealing_owner(id), &sealed)
            .map_err(|e| anyhow::anyhow!("automation call {id}: the token: {e}"))?;
    let mut body = payload.clone();
    body["callback"]["token"] = serde_json::Value::String(token);
    Ok(body)
}

/// The calls of a ticket the caller may see (staff who read internal notes).
pub async fn calls_of(app: &App, caller: &Caller, id: TicketId) -> DeskResult<Vec<HookCall>> {
    require(caller, Permission::TicketsReadInternal)?;
    crate::desk::tickets::access::load(app, caller, id).await?;
    Ok(app.store.hooks().of_ticket(id).await?)
}

/// Whether a ticket is waiting for a supervisor's approval (the console shows the buttons).
pub fn awaiting(calls: &[HookCall]) -> bool {
    calls.iter().any(|c| c.status == "awaiting_approval")
}

/// A supervisor's decision on a request waiting for approval.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub approved: bool,
    /// Why, shown to the staff on the ticket (required to reject).
    #[serde(default)]
    pub comment: Option<String>,
}

/// Approves (the automation is called) or rejects a request waiting for approval.
/// Supervisors (`tickets.close`) within their scope, never on their own request, only
/// while the ticket is open.
pub async fn decide(
    app: &App,
    caller: &Caller,
    id: TicketId,
    decision: &Decision,
) -> DeskResult<HookCall> {
    require(caller, Permission::TicketsClose)?;
    let t = crate::desk::tickets::access::load_to_change(app, caller, id).await?;
    if t.requester_id == caller.user_id() {
        return Err(DeskError::refused(
            Refusal::Role,
            "own_request",
            "a request is approved by someone other than its requester",
        ));
    }
    if t.status.is_terminal() {
        return Err(DeskError::refused(
            Refusal::State,
            "ticket_closed",
            "the ticket is closed or cancelled and cannot be changed",
        ));
    }
    let comment = decision
        .comment
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| Text::parse("comment", c, MAX_MESSAGE))
        .transpose()?;
    if !decision.approved && comment.is_none() {
        return Err(ValidationError::new("comment", "is required to reject").into());
    }
    let nothing = || {
        DeskError::refused(
            Refusal::State,
            "nothing_to_approve",
            "this ticket has no automation waiting for approval",
        )
    };
    let call = app
        .store
        .hooks()
        .of_ticket(id)
        .await?
        .into_iter()
        .find(|c| c.status == "awaiting_approval")
        .ok_or_else(nothing)?;
    let step = if decision.approved {
        Step {
            to: "queued",
            acted_by: Some(caller.user_id()),
            ..Step::default()
        }
    } else {
        Step {
            to: "rejected",
            acted_by: Some(caller.user_id()),
            result: comment.as_ref().map(Text::as_str),
            ..Step::default()
        }
    };
    if !app
        .store
        .hooks()
        .advance(
            call.id,
            ["awaiting_approval", "awaiting_approval"],
            &step,
            app.now(),
        )
        .await?
    {
        return Err(nothing());
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
    let told = if decision.approved {
        Vec::new()
    } else {
        to_tell(app, &t).await?
    };
    let me = caller.user_id();
    crate::desk::tickets::write(app, id, None, Some(me), |tk| {
        let mut fx = Effects::default().event(e.clone());
        for u in told.iter().filter(|u| **u != me) {
            fx.notifications
                .push(Notice::about(*u, "ticket.automation_rejected", tk));
        }
        Ok(fx)
    })
    .await?;
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
    let call = app.store.hooks().get(call.id).await?;
    if decision.approved {
        make(app, &call).await?;
    }
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
    /// What was done or what went wrong: an internal note for the staff (never shown to the
    /// requester), up to 2,000 characters.
    #[serde(default)]
    pub message: Option<String>,
}

/// Why a result was not recorded.
#[derive(Debug)]
pub enum ResultError {
    /// No call has this token.
    UnknownToken,
    Desk(DeskError),
}

impl From<DeskError> for ResultError {
    fn from(e: DeskError) -> Self {
        ResultError::Desk(e)
    }
}

/// Records an automation's result on its ticket. Unknown tokens are `UnknownToken` (no
/// call can be probed); a call already reported is refused (`hook_call_finished`).
pub async fn report_result(app: &App, input: &HookResult) -> Result<HookCall, ResultError> {
    let succeeded = match input.outcome.as_str() {
        "succeeded" => true,
        "failed" => false,
        _ => {
            return Err(DeskError::from(ValidationError::new(
                "outcome",
                "must be succeeded or failed",
            ))
            .into());
        }
    };
    let message = input
        .message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .map(|m| Text::parse("message", m, MAX_MESSAGE))
        .transpose()
        .map_err(DeskError::from)?;
    let found = app
        .store
        .hooks()
        .by_token(&secret::hash(input.token.trim()))
        .await
        .map_err(DeskError::from)?;
    let Some(call) = found else {
        return Err(ResultError::UnknownToken);
    };
    let (to, code) = if succeeded {
        ("succeeded", "hook_succeeded")
    } else {
        ("failed", "hook_failed")
    };
    let message = message.as_ref().map(Text::as_str);
    let step = Step {
        to,
        result: message,
        ..Step::default()
    };
    if !app
        .store
        .hooks()
        .advance(call.id, ["pending", "unreachable"], &step, app.now())
        .await
        .map_err(DeskError::from)?
    {
        return Err(DeskError::refused(
            Refusal::State,
            "hook_call_finished",
            "this automation's result is already recorded",
        )
        .into());
    }
    record(app, &call, code, message, !succeeded).await?;
    if succeeded && call.resolve_on_success {
        resolve(app, call.ticket_id).await;
    }
    Ok(app
        .store
        .hooks()
        .get(call.id)
        .await
        .map_err(DeskError::from)?)
}

/// Walks a ticket whose automation succeeded to validation. The result is already
/// recorded: a ticket that cannot move (on hold, the code retired) stays where it is, logged.
async fn resolve(app: &App, id: TicketId) {
    let walked = async {
        let caller = automation(app).await?;
        let t = app.store.tickets().get(id).await?;
        crate::desk::tickets::moves::walk_to_validation(app, &caller, &t, RESOLUTION_CODE, None)
            .await
    };
    if let Err(e) = walked.await {
        tracing::warn!(ticket = id.get(), error = %e, "automated request not moved to validation");
    }
}

/// After a call's delivery ended without reaching the automation (a refused address,
/// attempts spent): the call is `unreachable` (a late result is still taken), the ticket
/// says so, and the assignee or the group is told.
pub async fn unreachable(
    app: &App,
    payload: &serde_json::Value,
    error: &str,
) -> anyhow::Result<()> {
    let Some(id) = payload.get("call").and_then(serde_json::Value::as_i64) else {
        return Ok(());
    };
    let call = app.store.hooks().get(id).await?;
    let step = Step {
        to: "unreachable",
        result: Some(error),
        ..Step::default()
    };
    if app
        .store
        .hooks()
        .advance(id, ["pending", "pending"], &step, app.now())
        .await?
    {
        record(app, &call, "hook_unreachable", Some(error), true).await?;
    }
    Ok(())
}

/// Fails a call that could not be made (`why` is a code: `webhook_stopped`, `not_queued`).
async fn give_up(app: &App, call: &HookCall, from: &str, why: &str) -> DeskResult<()> {
    let step = Step {
        to: "failed",
        result: Some(why),
        ..Step::default()
    };
    if app
        .store
        .hooks()
        .advance(call.id, [from, from], &step, app.now())
        .await?
    {
        record(app, call, &format!("hook_{why}"), None, true).await?;
    }
    Ok(())
}

/// Writes an outcome on the ticket as the automation account: the entry `code` (an internal
/// note with `message`), and, when `tell`, `ticket.automation_failed` to the assignee or
/// the group.
async fn record(
    app: &App,
    call: &HookCall,
    code: &str,
    message: Option<&str>,
    tell: bool,
) -> DeskResult<()> {
    let me = automation(app).await?.user_id();
    let t = app.store.tickets().get(call.ticket_id).await?;
    let told = if tell {
        to_tell(app, &t).await?
    } else {
        Vec::new()
    };
    let mut e = Entry::new(EventKind::Note, false).body_opt(message.map(str::to_owned));
    e.code = Some(code.to_owned());
    crate::desk::tickets::write(app, t.id, None, Some(me), |tk| {
        let mut fx = Effects::default().event(e.clone());
        for u in &told {
            fx.notifications
                .push(Notice::about(*u, "ticket.automation_failed", tk));
        }
        Ok(fx)
    })
    .await?;
    Ok(())
}

/// Who does by hand what an automation did not: the assignee, or the group's members.
async fn to_tell(app: &App, t: &Ticket) -> DeskResult<Vec<UserId>> {
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

/// The caller the outcome of a call acts as: the desk's automation account (made at first
/// use, like an integration's: no password, so it cannot sign in), working the ticket as
/// an agent would through the `system` door. Its name is what the timeline shows.
async fn automation(app: &App) -> DeskResult<Caller> {
    use Permission::*;
    let email = Email::parse(AUTOMATION_EMAIL)?;
    let user = match app.store.users().by_email(&email).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => {
            let role = app
                .store
                .roles()
                .by_name(ventanilla_domain::access::REQUESTER)
                .await?;
            let new = NewUser {
                email: email.clone(),
                name: Text::parse("name", "Automatización · Automation", 200)?,
                phone: None,
                organisation_id: None,
                department_id: None,
                language: Language::Es,
                time_zone: app.config.defaults.time_zone()?,
                role_id: role.id,
                organisation_manager: false,
                password_hash: None,
            };
            let entry =
                ventanilla_store::audit::NewAudit::new(app.now(), None, "user.create", None)
                    .target("user", None)
                    .detail(serde_json::json!({ "email": AUTOMATION_EMAIL, "via": "automation" }));
            match app.store.users().create(&new, &entry).await {
                Ok(u) => u,
                // Another node made it a moment ago.
                Err(StoreError::Conflict { .. }) => app.store.users().by_email(&email).await?,
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => return Err(e.into()),
    };
    let actor = Actor {
        user_id: user.id,
        organisation_id: None,
        role: "automation".into(),
        permissions: [TicketsRead, TicketsReadInternal, TicketsWork]
            .into_iter()
            .collect(),
        scope: Scope::All,
        organisation_manager: false,
    };
    Ok(Caller::new(actor, Origin::System))
}
