//! Monitoring events (issue 13, SPEC C8): alerts from Alertmanager or any monitoring system
//! become incidents through the same registration every door uses, as callers of origin
//! `event`. One incident per alert key (fingerprint, group key or dedupe key): a firing alert
//! opens it, a repeat annotates it, a resolved alert adds a note and, as configured, moves
//! it to validation or resolves it. Every body is kept as received.

pub mod integrations;
pub mod payload;

use std::collections::HashMap;

use futures_util::StreamExt as _;
use serde::Serialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::TicketKind;
use ventanilla_domain::ticket::{Channel, Entry, EventKind, KeyFacts, Params, Status, Ticket};
use ventanilla_domain::{Caller, GroupId, Text, TicketId};
use ventanilla_store::events::Integration;
use ventanilla_store::tickets::Effects;

pub use integrations::{
    CreateIntegration, CreatedIntegration, IntegrationSettings, create_integration, event_caller,
    list_integrations,
};
pub use payload::{Alert, PayloadError};

use crate::App;
use crate::desk::DeskResult;
use crate::desk::tickets::register::{RegisterTicket, RequesterRef, register_ticket_with};

/// What one post did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct EventReport {
    /// The stored payload.
    pub payload_id: i64,
    /// Alerts in the body.
    pub received: usize,
    /// Incidents opened, by id.
    pub opened: Vec<i64>,
    /// Alerts that annotated an open incident (repeats).
    pub repeated: usize,
    /// Alerts whose resolution was recorded.
    pub resolved: usize,
    /// Alerts with nothing to do (a resolution of an unknown alert, a repeat of a resolution).
    pub ignored: usize,
}

/// How an integration's alerts are treated: `[events]` with the integration's overrides.
struct Policy {
    group_by_key: bool,
    on_resolved: String,
    group_id: Option<GroupId>,
}

fn policy(app: &App, i: &Integration) -> Policy {
    let s: IntegrationSettings = serde_json::from_value(i.settings.clone()).unwrap_or_default();
    Policy {
        group_by_key: s.group_by.as_deref().unwrap_or(&app.config.events.group_by) == "group_key",
        on_resolved: s
            .on_resolved
            .unwrap_or_else(|| app.config.events.on_resolved.clone()),
        group_id: s.group_id.map(GroupId),
    }
}

/// Which body an integration posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Alertmanager,
    Generic,
}

/// Takes one body posted by `integration`: keeps it, reads its alerts (refusing a
/// malformed body with the field at fault) and applies each.
pub async fn take_event(
    app: &App,
    integration: &Integration,
    ip: Option<String>,
    format: Format,
    body: &[u8],
) -> Result<DeskResult<EventReport>, PayloadError> {
    let p = policy(app, integration);
    let alerts = match format {
        Format::Alertmanager => payload::alertmanager(body, &app.config.events, p.group_by_key)?,
        Format::Generic => payload::generic(body, &app.config.events)?,
    };
    let caller = event_caller(integration, ip);
    Ok(apply_alerts(app, integration, &caller, &p, body, alerts).await)
}

/// The last word per key: a group's alerts share one key when grouped by group key; it
/// fires while any of them fires.
fn by_key(alerts: Vec<Alert>) -> Vec<Alert> {
    let mut order: Vec<String> = Vec::new();
    let mut merged: HashMap<String, Alert> = HashMap::new();
    for a in alerts {
        match merged.get_mut(&a.key) {
            Some(m) => {
                let firing = m.firing || a.firing;
                if a.firing || !m.firing {
                    *m = a;
                }
                m.firing = firing;
            }
            None => {
                order.push(a.key.clone());
                merged.insert(a.key.clone(), a);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| merged.remove(&k))
        .collect()
}

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A coded, internal entry about an alert.
fn entry(code: &str, p: Params) -> Entry {
    let mut e = Entry::new(EventKind::Note, false);
    e.code = Some(code.to_owned());
    e.params = p;
    e
}

async fn apply_alerts(
    app: &App,
    integration: &Integration,
    caller: &Caller,
    p: &Policy,
    body: &[u8],
    alerts: Vec<Alert>,
) -> DeskResult<EventReport> {
    let store = app.store.events();
    let payload_id = store
        .save_payload(integration.id, &String::from_utf8_lossy(body), app.now())
        .await?;
    let mut report = EventReport {
        payload_id,
        received: alerts.len(),
        ..Default::default()
    };
    let alerts = by_key(alerts);
    report.ignored += report.received - alerts.len();
    let keys: Vec<String> = alerts.iter().map(|a| a.key.clone()).collect();
    let known = store.alerts(integration.id, &keys).await?;

    let new_firing: Vec<String> = alerts
        .iter()
        .filter(|a| a.firing && !known.contains_key(&a.key))
        .map(|a| a.key.clone())
        .collect();
    let claimed = store
        .claim(integration.id, &new_firing, payload_id, app.now())
        .await?;

    // Known alerts: repeats, resolutions, and incidents to open again (closed meanwhile).
    let mut seen = Vec::new();
    let mut to_open: Vec<(i64, &Alert)> = Vec::new();
    let mut updates: Vec<(TicketId, &Alert, bool)> = Vec::new();
    for a in &alerts {
        if let Some(&id) = claimed.get(&a.key) {
            to_open.push((id, a));
            continue;
        }
        let Some(k) = known.get(&a.key) else {
            // A resolution of an alert never seen, or a key another request just claimed.
            report.ignored += 1;
            continue;
        };
        seen.push((k.id, a.firing));
        match k.ticket_id {
            None => report.ignored += 1,
            Some(t) if a.firing => updates.push((t, a, !k.firing)),
            Some(t) if k.firing => updates.push((t, a, true)),
            Some(_) => report.ignored += 1,
        }
    }
    store.seen(&seen, payload_id, app.now()).await?;

    let conc = app.config.events.concurrency.max(1);
    let pay = payload_id.to_string();
    // Repeats and resolutions of open incidents; a closed one opens a new incident.
    let mut jobs = Vec::with_capacity(updates.len());
    for (t, a, changed) in &updates {
        let alert_id = known.get(&a.key).map(|k| k.id).unwrap_or_default();
        jobs.push(annotate_one(
            app,
            caller,
            p,
            *t,
            a,
            *changed,
            pay.clone(),
            alert_id,
        ));
    }
    let results: Vec<DeskResult<Option<(i64, bool)>>> = futures_util::stream::iter(jobs)
        .buffered(conc)
        .collect()
        .await;
    let mut reopen_ids = Vec::new();
    for (r, (_, a, _)) in results.into_iter().zip(updates.iter()) {
        match r? {
            Some((alert_id, true)) => reopen_ids.push((alert_id, a.key.clone())),
            Some(_) => report.ignored += 1,
            None if a.firing => report.repeated += 1,
            None => report.resolved += 1,
        }
    }
    for (alert_id, key) in &reopen_ids {
        if let Some(a) = alerts.iter().find(|a| &a.key == key) {
            to_open.push((*alert_id, a));
        }
    }

    // New incidents, registered together (they share the intake's group commits).
    let mut jobs = Vec::with_capacity(to_open.len());
    for (alert_id, a) in &to_open {
        jobs.push(open_one(app, caller, p, a, pay.clone(), *alert_id));
    }
    let opened: Vec<(i64, DeskResult<Ticket>)> = futures_util::stream::iter(jobs)
        .buffer_unordered(conc)
        .collect()
        .await;
    let mut links = Vec::new();
    let mut failed = Vec::new();
    let mut first_error = None;
    for (alert_id, r) in opened {
        match r {
            Ok(t) => {
                links.push((alert_id, t.id));
                report.opened.push(t.id.get());
            }
            Err(e) => {
                failed.push(alert_id);
                first_error.get_or_insert(e);
            }
        }
    }
    store.link(&links).await?;
    // Claims whose incident could not be opened are released so the sender's retry opens it.
    let fresh: Vec<i64> = failed
        .into_iter()
        .filter(|id| claimed.values().any(|c| c == id))
        .collect();
    store.release(&fresh).await?;
    if let Some(e) = first_error {
        return Err(e);
    }
    report.opened.sort_unstable();
    Ok(report)
}

async fn open_one(
    app: &App,
    caller: &Caller,
    p: &Policy,
    a: &Alert,
    payload: String,
    alert_id: i64,
) -> (i64, DeskResult<Ticket>) {
    (alert_id, open(app, caller, p, a, &payload).await)
}

#[allow(clippy::too_many_arguments)]
async fn annotate_one(
    app: &App,
    caller: &Caller,
    p: &Policy,
    t: TicketId,
    a: &Alert,
    changed: bool,
    payload: String,
    alert_id: i64,
) -> DeskResult<Option<(i64, bool)>> {
    annotate(app, caller, p, t, a, changed, &payload)
        .await
        .map(|open| open.then_some((alert_id, a.firing)))
}

/// Opens the incident of a firing alert.
async fn open(
    app: &App,
    caller: &Caller,
    p: &Policy,
    a: &Alert,
    payload: &str,
) -> DeskResult<Ticket> {
    let description = if a.description.trim().is_empty() {
        a.summary.clone()
    } else {
        a.description.clone()
    };
    let cmd = RegisterTicket {
        kind: TicketKind::Incident,
        subject: Text::parse(
            "summary",
            &a.summary,
            ventanilla_domain::ticket::SUBJECT_MAX,
        )?,
        description: Text::parse(
            "description",
            &description,
            ventanilla_domain::ticket::BODY_MAX,
        )?,
        impact: a.impact,
        urgency: a.urgency,
        channel: Channel::Event,
        requester: RequesterRef::Caller,
        organisation_id: None,
        category_id: None,
        ci_ref: a
            .ci
            .as_deref()
            .map(|c| Text::parse("ci", c, 200))
            .transpose()?,
        group_id: p.group_id,
        assignee_id: None,
        priority: None,
        priority_reason: None,
        facts: KeyFacts::default(),
    };
    let extra = vec![entry(
        "event_opened",
        params(&[
            ("fingerprint", &a.fingerprint),
            ("severity", &a.severity),
            ("payload", payload),
        ]),
    )];
    let (t, _) = register_ticket_with(app, caller, &cmd, None, extra).await?;
    Ok(t)
}

/// Records a repeat or a resolution on the alert's incident. Returns true when the
/// incident is closed or cancelled and a firing alert must open a new one.
async fn annotate(
    app: &App,
    caller: &Caller,
    p: &Policy,
    id: TicketId,
    a: &Alert,
    changed: bool,
    payload: &str,
) -> DeskResult<bool> {
    let mut finished = false;
    let code = match (a.firing, changed) {
        (true, false) => "event_repeated",
        (true, true) => "event_refired",
        (false, _) => "event_resolved",
    };
    let ticket = crate::desk::tickets::write(app, id, None, Some(caller.user_id()), |t| {
        finished = matches!(t.status, Status::Closed | Status::Cancelled);
        if finished {
            return Ok(Effects::default());
        }
        Ok(Effects::default().event(entry(
            code,
            params(&[("fingerprint", &a.fingerprint), ("payload", payload)]),
        )))
    })
    .await?;
    if finished {
        return Ok(a.firing);
    }
    if !a.firing {
        resolve(app, caller, p, &ticket).await?;
    }
    Ok(false)
}

/// Moves an incident on after its alert resolved, as configured. A state the model does
/// not allow (already in validation, on hold…) keeps the note alone.
async fn resolve(app: &App, caller: &Caller, p: &Policy, t: &Ticket) -> DeskResult<()> {
    if p.on_resolved == "none"
        || !matches!(t.status, Status::New | Status::Analysis | Status::Solution)
    {
        return Ok(());
    }
    let reached = crate::desk::tickets::moves::walk_to_validation(
        app,
        caller,
        t,
        &app.config.events.resolution_code,
        None,
    )
    .await?;
    if !reached {
        return Ok(());
    }
    if p.on_resolved == "resolve" {
        let yes = crate::desk::tickets::moves::Confirmation {
            solved: true,
            comment: None,
        };
        crate::desk::tickets::moves::confirm_solution(app, caller, t.id, &yes).await?;
    }
    Ok(())
}
