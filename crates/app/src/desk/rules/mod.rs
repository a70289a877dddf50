//! Classification and automation rules (issue 13, seed 003: "reglas para que el sistema
//! clasifique y priorice automáticamente"): conditions on a ticket, actions through the
//! same use cases every door calls (as callers of origin `rule`), in order, with
//! stop-processing, on create and on update. Each firing is recorded on the ticket as a
//! coded entry (`history-rule_fired`). A rule that names a category, group or webhook that
//! no longer exists is broken: shown so, and skipped, never failing the change that ran it.
//!
//! On update a rule fires when the ticket comes to match it (it did not before the change
//! and does after), so a rule does not fire again on every later edit of a ticket it
//! already handled, and rules cannot loop on their own changes (their writes run no rules).

pub mod model;

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::access::{Actor, Scope};
use ventanilla_domain::ticket::{Entry, EventKind, Notice, Ticket};
use ventanilla_domain::{Caller, Origin, Permission, Text, TicketId, ValidationError};
use ventanilla_store::rules::{NewRule, StoredRule};
use ventanilla_store::tickets::Effects;
use ventanilla_store::webhooks::NewDelivery;

pub use model::{Action, Compiled, Conditions, Context, Hours, fold};

use crate::App;
use crate::desk::tickets::patch::{UpdateTicket, patch_ticket};
use crate::desk::{DeskError, DeskResult, require};

/// A rule as the admin API shows it: with whether it is broken, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub active: bool,
    pub on_create: bool,
    pub on_update: bool,
    pub stop: bool,
    pub conditions: Conditions,
    pub actions: Vec<Action>,
    /// References that no longer exist; a broken rule is skipped.
    pub broken: Vec<String>,
}

/// The body of `POST /rules` and `PUT /rules/{id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub name: String,
    /// Rules apply in ascending position, 0 to 1,000,000.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub position: i64,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default = "yes")]
    pub on_create: bool,
    #[serde(default)]
    pub on_update: bool,
    /// Later rules are not applied once this one fired.
    #[serde(default)]
    pub stop: bool,
    #[serde(default)]
    pub conditions: Conditions,
    pub actions: Vec<Action>,
}

fn yes() -> bool {
    true
}

struct Loaded {
    rule: StoredRule,
    compiled: Compiled,
    actions: Vec<Action>,
    broken: Vec<String>,
}

/// The rules in force and the references they may use, as one node keeps them.
struct RuleSet {
    rules: Vec<Loaded>,
}

/// Rules are read on every create: kept in memory for `tickets.reference_cache_ms`, and
/// dropped by every rule saved on this node.
pub struct RuleCache {
    ttl: Duration,
    current: RwLock<Option<(Instant, Arc<RuleSet>)>>,
}

impl std::fmt::Debug for RuleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RuleCache")
    }
}

impl RuleCache {
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

    async fn get(&self, app: &App) -> DeskResult<Arc<RuleSet>> {
        if let Ok(c) = self.current.read()
            && let Some((at, set)) = c.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(set.clone());
        }
        let set = Arc::new(load(app).await?);
        if let Ok(mut c) = self.current.write() {
            *c = Some((Instant::now(), set.clone()));
        }
        Ok(set)
    }
}

async fn load(app: &App) -> DeskResult<RuleSet> {
    let stored = app.store.rules().list().await?;
    if stored.is_empty() {
        return Ok(RuleSet { rules: Vec::new() });
    }
    let (c, g, w) = app.store.rules().live_refs().await?;
    let categories: HashSet<i64> = c.into_iter().collect();
    let groups: HashSet<i64> = g.into_iter().collect();
    let webhooks: HashSet<i64> = w.into_iter().collect();
    let rules = stored
        .into_iter()
        .map(|rule| {
            let conditions: Conditions =
                serde_json::from_value(rule.conditions.clone()).unwrap_or_default();
            let parsed: Result<Vec<Action>, _> = serde_json::from_value(rule.actions.clone());
            let (actions, mut broken) = match parsed {
                Ok(a) => (a, Vec::new()),
                Err(e) => (Vec::new(), vec![format!("actions: {e}")]),
            };
            broken.extend(model::broken_refs(
                &conditions,
                &actions,
                &categories,
                &groups,
                &webhooks,
            ));
            Loaded {
                compiled: Compiled::new(conditions),
                rule,
                actions,
                broken,
            }
        })
        .collect();
    Ok(RuleSet { rules })
}

fn view(l: &Loaded) -> RuleView {
    RuleView {
        id: l.rule.id,
        name: l.rule.name.clone(),
        position: l.rule.position,
        active: l.rule.active,
        on_create: l.rule.on_create,
        on_update: l.rule.on_update,
        stop: l.rule.stop,
        conditions: l.compiled.conditions.clone(),
        actions: l.actions.clone(),
        broken: l.broken.clone(),
    }
}

/// The largest position a rule takes: an order, not a quantity (and a bound the OpenAPI
/// document states, so no client sends a number JSON cannot carry exactly).
const MAX_POSITION: i64 = 1_000_000;

fn check(input: &RuleInput) -> Result<NewRule, ValidationError> {
    let name = Text::parse("name", &input.name, 100)?;
    if !(0..=MAX_POSITION).contains(&input.position) {
        return Err(ValidationError::new(
            "position",
            format!("must be 0 to {MAX_POSITION}"),
        ));
    }
    if input.actions.is_empty() {
        return Err(ValidationError::new(
            "actions",
            "must name at least one action",
        ));
    }
    for (i, a) in input.actions.iter().enumerate() {
        let field = format!("actions[{i}].value");
        match a {
            Action::SetImpact(v) | Action::SetUrgency(v)
                if !["high", "medium", "low"].contains(&v.as_str()) =>
            {
                return Err(ValidationError::new(field, "must be high, medium or low"));
            }
            Action::SetTier(v) if v.parse::<ventanilla_domain::people::Tier>().is_err() => {
                return Err(ValidationError::new(field, "must be L1, L2 or L3"));
            }
            Action::AddTag(v) | Action::AddNote(v) if v.trim().is_empty() || v.len() > 2000 => {
                return Err(ValidationError::new(field, "must be 1 to 2000 characters"));
            }
            _ => {}
        }
    }
    let c = &input.conditions;
    if let Some(h) = &c.hours
        && (model::minutes(&h.from).is_none() || model::minutes(&h.to).is_none())
    {
        return Err(ValidationError::new(
            "conditions.hours",
            "must be HH:MM to HH:MM",
        ));
    }
    if let Some(ch) = &c.channel {
        ch.parse::<ventanilla_domain::ticket::Channel>()
            .map_err(|_| ValidationError::new("conditions.channel", "is not a channel"))?;
    }
    let json = |v: serde_json::Result<serde_json::Value>| {
        v.map_err(|e| ValidationError::new("actions", e.to_string()))
    };
    Ok(NewRule {
        name: name.as_str().to_owned(),
        position: input.position,
        active: input.active,
        on_create: input.on_create,
        on_update: input.on_update,
        stop: input.stop,
        conditions: json(serde_json::to_value(&input.conditions))?,
        actions: json(serde_json::to_value(&input.actions))?,
    })
}

/// Every rule in order, with the broken ones marked (administrators).
pub async fn list_rules(app: &App, caller: &Caller) -> DeskResult<Vec<RuleView>> {
    require(caller, Permission::ConfigManage)?;
    Ok(load(app).await?.rules.iter().map(view).collect())
}

async fn one(app: &App, id: i64) -> DeskResult<RuleView> {
    let set = load(app).await?;
    set.rules
        .iter()
        .find(|l| l.rule.id == id)
        .map(view)
        .ok_or(DeskError::NotFound)
}

pub async fn create_rule(app: &App, caller: &Caller, input: &RuleInput) -> DeskResult<RuleView> {
    require(caller, Permission::ConfigManage)?;
    let new = check(input)?;
    let saved = app.store.rules().create(&new, app.now()).await?;
    app.rules.clear();
    let entry = crate::desk::audit(app, caller, "rule.create")
        .target("rule", Some(saved.id))
        .detail(serde_json::json!({ "name": saved.name }));
    app.store.audit().record(&entry).await?;
    one(app, saved.id).await
}

pub async fn update_rule(
    app: &App,
    caller: &Caller,
    id: i64,
    input: &RuleInput,
) -> DeskResult<RuleView> {
    require(caller, Permission::ConfigManage)?;
    let new = check(input)?;
    app.store.rules().update(id, &new, app.now()).await?;
    app.rules.clear();
    let entry = crate::desk::audit(app, caller, "rule.update").target("rule", Some(id));
    app.store.audit().record(&entry).await?;
    one(app, id).await
}

pub async fn delete_rule(app: &App, caller: &Caller, id: i64) -> DeskResult<()> {
    require(caller, Permission::ConfigManage)?;
    app.store.rules().delete(id).await?;
    app.rules.clear();
    let entry = crate::desk::audit(app, caller, "rule.delete").target("rule", Some(id));
    app.store.audit().record(&entry).await?;
    Ok(())
}

/// What a rule's conditions would have matched among the last 1,000 tickets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preview {
    pub examined: usize,
    pub matched: usize,
    /// Up to 20 of the tickets matched, newest first: their numbers.
    pub sample: Vec<String>,
    /// The same tickets' ids, in the same order.
    pub sample_ids: Vec<i64>,
}

/// How many tickets a preview tries.
pub const PREVIEW_TICKETS: i64 = 1000;

/// Tries conditions against the last 1,000 tickets (their registration time stands for
/// the time of day).
pub async fn preview_rule(
    app: &App,
    caller: &Caller,
    conditions: &Conditions,
) -> DeskResult<Preview> {
    require(caller, Permission::ConfigManage)?;
    let compiled = Compiled::new(conditions.clone());
    let tickets = app.store.rules().recent_tickets(PREVIEW_TICKETS).await?;
    let mut matched = 0;
    let mut sample = Vec::new();
    let mut sample_ids = Vec::new();
    let mut departments = std::collections::HashMap::new();
    let tz = app.config.defaults.time_zone()?;
    for t in &tickets {
        // Each requester's department is read once, however many of their tickets appear.
        let department_id = if compiled.needs_department() {
            match departments.get(&t.requester_id) {
                Some(d) => *d,
                None => {
                    let d = app
                        .store
                        .users()
                        .get(t.requester_id)
                        .await
                        .ok()
                        .and_then(|u| u.department_id.map(|d| d.get()));
                    departments.insert(t.requester_id, d);
                    d
                }
            }
        } else {
            None
        };
        let cx = Context {
            text: fold(&format!("{} {}", t.subject, t.description)),
            department_id,
            minute: minute_of(t.created_at, tz.as_str()),
        };
        if compiled.matches(t, &cx) {
            matched += 1;
            if sample.len() < 20 {
                sample.push(t.number.clone());
                sample_ids.push(t.id.get());
            }
        }
    }
    Ok(Preview {
        examined: tickets.len(),
        matched,
        sample,
        sample_ids,
    })
}

fn minute_of(at: jiff::Timestamp, tz: &str) -> u32 {
    let Ok(zone) = jiff::tz::TimeZone::get(tz) else {
        return 0;
    };
    let t = at.to_zoned(zone).time();
    u32::try_from(i32::from(t.hour()) * 60 + i32::from(t.minute())).unwrap_or(0)
}

/// The caller rules act as: the person whose change ran them, working tickets through the
/// `rule` door (their writes run no further rules).
fn rule_caller(caller: &Caller) -> Caller {
    use Permission::*;
    Caller {
        actor: Actor {
            user_id: caller.user_id(),
            organisation_id: caller.actor.organisation_id,
            role: "rule".into(),
            permissions: [TicketsCreate, TicketsRead, TicketsReadInternal, TicketsWork]
                .into_iter()
                .collect(),
            scope: Scope::All,
            organisation_manager: false,
        },
        origin: Origin::Rule,
        ip: caller.ip.clone(),
    }
}

async fn context(app: &App, set: &RuleSet, t: &Ticket, at: jiff::Timestamp) -> Context {
    let department_id = if set.rules.iter().any(|l| l.compiled.needs_department()) {
        app.store
            .users()
            .get(t.requester_id)
            .await
            .ok()
            .and_then(|u| u.department_id.map(|d| d.get()))
    } else {
        None
    };
    let tz = app.config.defaults.time_zone.clone();
    Context {
        text: fold(&format!("{} {}", t.subject, t.description)),
        department_id,
        minute: minute_of(at, &tz),
    }
}

/// Runs the create rules on a ticket just registered; returns it as the rules left it.
/// A failing rule is logged and skipped: it never fails the registration.
pub async fn on_create(app: &App, caller: &Caller, t: Ticket) -> Ticket {
    if caller.origin == Origin::Rule {
        return t;
    }
    match run(app, caller, t.clone(), None).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(ticket = t.id.get(), error = %e, "rules on create failed");
            t
        }
    }
}

/// Runs the update rules after a change (`before` → `after`).
pub async fn on_update(app: &App, caller: &Caller, before: &Ticket, after: Ticket) -> Ticket {
    if caller.origin == Origin::Rule {
        return after;
    }
    match run(app, caller, after.clone(), Some(before)).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(ticket = after.id.get(), error = %e, "rules on update failed");
            after
        }
    }
}

async fn run(
    app: &App,
    caller: &Caller,
    mut t: Ticket,
    before: Option<&Ticket>,
) -> DeskResult<Ticket> {
    let set = app.rules.get(app).await?;
    if set.rules.is_empty() {
        return Ok(t);
    }
    let now = app.now();
    let at = if before.is_none() { t.created_at } else { now };
    let cx = context(app, &set, &t, at).await;
    let before_cx = match before {
        Some(b) => Some(context(app, &set, b, at).await),
        None => None,
    };
    let rc = rule_caller(caller);
    for l in &set.rules {
        let r = &l.rule;
        let wanted = if before.is_none() {
            r.on_create
        } else {
            r.on_update
        };
        if !r.active || !wanted {
            continue;
        }
        if !l.broken.is_empty() {
            tracing::info!(rule = r.id, broken = ?l.broken, "broken rule skipped");
            continue;
        }
        if !l.compiled.matches(&t, &cx) {
            continue;
        }
        if let (Some(b), Some(bcx)) = (before, &before_cx)
            && l.compiled.matches(b, bcx)
        {
            // Matched already before this change: fired then, not again.
            continue;
        }
        t = fire(app, &rc, l, t).await?;
        if r.stop {
            break;
        }
    }
    Ok(t)
}

/// Applies one rule's actions and records that it fired.
async fn fire(app: &App, rc: &Caller, l: &Loaded, t: Ticket) -> DeskResult<Ticket> {
    let mut patch = UpdateTicket::default();
    let mut patched = false;
    let mut tags = Vec::new();
    let mut notes = Vec::new();
    let mut notify = Vec::new();
    let mut hooks = Vec::new();
    let mut tier = None;
    for a in &l.actions {
        match a {
            Action::SetCategory(c) => {
                patch.category_id = Some(Some(*c));
                patched = true;
            }
            Action::SetImpact(v) => {
                patch.impact = Some(v.clone());
                patched = true;
            }
            Action::SetUrgency(v) => {
                patch.urgency = Some(v.clone());
                patched = true;
            }
            Action::SetGroup(g) => {
                patch.group_id = Some(Some(*g));
                patched = true;
            }
            Action::SetAssignee(u) => {
                patch.assignee_id = Some(Some(*u));
                patched = true;
            }
            Action::SetTier(v) => tier = v.parse::<ventanilla_domain::people::Tier>().ok(),
            Action::AddTag(tag) => tags.push(tag.trim().to_owned()),
            Action::MajorCandidate(true) => tags.push("major-candidate".to_owned()),
            Action::MajorCandidate(false) => {}
            Action::AddNote(n) => notes.push(n.clone()),
            Action::Notify(u) => notify.push(*u),
            Action::CallWebhook(w) => hooks.push(*w),
        }
    }
    let mut t = t;
    if patched {
        let cmd = patch.command()?;
        t = Box::pin(patch_ticket(app, rc, t.id, None, &cmd)).await?;
    }
    let mut users = Vec::new();
    for u in notify {
        if let Ok(user) = app.store.users().get(ventanilla_domain::UserId(u)).await
            && user.active
        {
            users.push(user.id);
        }
    }
    let names: Vec<&str> = l.actions.iter().map(Action::code).collect();
    let mut fired = Entry::new(EventKind::Note, false);
    fired.code = Some("rule_fired".into());
    fired.params.insert("rule".into(), l.rule.name.clone());
    fired.params.insert("actions".into(), names.join(", "));
    let rule_name = l.rule.name.clone();
    t = crate::desk::tickets::write(app, t.id, None, Some(rc.user_id()), |tk| {
        let mut fx = Effects::default().event(fired.clone());
        if let Some(new) = tier
            && tk.tier != Some(new)
        {
            fx.events.push(Entry::change(
                "tier",
                tk.tier.map(|x| x.code().to_owned()),
                Some(new.code().to_owned()),
                false,
            ));
            tk.tier = Some(new);
        }
        for n in &notes {
            fx.events
                .push(Entry::new(EventKind::Note, false).body(n.clone()));
        }
        for u in &users {
            fx.notifications
                .push(Notice::about(*u, "rule_notify", tk).param("rule", rule_name.clone()));
        }
        Ok(fx)
    })
    .await?;
    app.store.rules().tag(t.id, &tags, app.now()).await?;
    for w in hooks {
        let d = NewDelivery {
            webhook_id: w,
            ticket_id: Some(t.id),
            event: "rule.fired".into(),
            payload: serde_json::json!({
                "event": "rule.fired",
                "rule": { "id": l.rule.id, "name": l.rule.name },
                "ticket": { "id": t.id.get(), "number": t.number, "subject": t.subject,
                    "status": t.status.as_str(), "priority": t.priority.as_str() },
            }),
        };
        app.store
            .webhooks()
            .enqueue(&d, app.config.webhooks.max_attempts, app.now())
            .await?;
    }
    Ok(t)
}

/// Tags on a ticket (rules put them there).
pub async fn tags_of(app: &App, id: TicketId) -> DeskResult<Vec<String>> {
    Ok(app.store.rules().tags(id).await?)
}
