//! Service-level settings (SPEC C6): business calendars (with holidays imported from
//! iCalendar files) and SLA policies with their warning and breach actions. Every save
//! re-measures the open tickets (`sla.reapply`) and clears this node's reference cache.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::sla::{
    Calendar, CalendarSpec, Holiday, SlaActions, SlaPolicy, SlaPolicySpec,
};
use ventanilla_domain::{Caller, Permission, Text, ValidationError};
use ventanilla_store::sla::{StoredCalendar, StoredPolicy};

use crate::App;
use crate::desk::directory::conflict_on;
use crate::desk::{DeskError, DeskResult, audit, require};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarBody {
    pub name: String,
    /// `{"time_zone":"Europe/Madrid","weekly":{"mon":[["09:00","18:00"]],…},"holidays":[{"date":"2026-12-25","yearly":true}],"exceptions":[{"date":"2026-12-24","windows":[["09:00","14:00"]]}]}`
    #[schema(value_type = Object)]
    pub calendar: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    /// `{"name","priority","organisation"?,"category"?,"calendar_id","targets":{"first_response":"PT1H","resolution":"PT8H"},"warn_percent"?,…}`
    #[schema(value_type = Object)]
    pub policy: serde_json::Value,
    /// `{"warning":[{"type":"notify_assignee"}],"breach":[{"type":"escalate"},{"type":"notify_supervisors"}]}`
    #[schema(value_type = Option<Object>)]
    pub actions: Option<serde_json::Value>,
    #[serde(default = "yes")]
    pub active: bool,
}

pub fn spec_error(field: &str, e: serde_json::Error) -> DeskError {
    ValidationError::new(field, e.to_string()).into()
}

pub async fn put_calendar(
    app: &App,
    caller: &Caller,
    id: Option<i64>,
    b: CalendarBody,
) -> DeskResult<StoredCalendar> {
    require(caller, Permission::ConfigManage)?;
    let name = Text::parse("name", &b.name, 200)?;
    let spec: CalendarSpec =
        serde_json::from_value(b.calendar).map_err(|e| spec_error("calendar", e))?;
    // Validate through the domain (windows, zone, holidays) before storing.
    Calendar::new(spec.clone())?;
    let entry = audit(
        app,
        caller,
        if id.is_some() {
            "calendar.update"
        } else {
            "calendar.create"
        },
    )
    .target("calendar", id)
    .detail(serde_json::json!({ "name": name }));
    let saved = app
        .store
        .sla()
        .put_calendar(id, name.as_str(), &spec, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    app.refdata.invalidate();
    crate::desk::tickets::sla_check::reapply_sla_later(app, app.now()).await?;
    Ok(saved)
}

/// The holiday import of the API and the admin page: `ics` is the file's text as uploaded
/// (read through `domain::textfile` by [`crate::desk::ics::holidays`]).
pub async fn import_holidays_text(
    app: &App,
    caller: &Caller,
    id: i64,
    ics: &str,
) -> DeskResult<StoredCalendar> {
    require(caller, Permission::ConfigManage)?;
    let current = app.store.sla().calendar(id).await?;
    let mut spec: CalendarSpec = serde_json::from_value(
        serde_json::to_value(&current.calendar).map_err(DeskError::internal)?,
    )
    .map_err(DeskError::internal)?;
    let found = crate::desk::ics::holidays(ics)?;
    for h in found {
        if !spec.holidays.iter().any(|x| x.date == h.date) {
            spec.holidays.push(h);
        }
    }
    spec.holidays.sort_by_key(|h: &Holiday| h.date);
    Calendar::new(spec.clone())?;
    let entry = audit(app, caller, "calendar.import_holidays").target("calendar", Some(id));
    let saved = app
        .store
        .sla()
        .put_calendar(Some(id), &current.name, &spec, &entry)
        .await?;
    app.refdata.invalidate();
    crate::desk::tickets::sla_check::reapply_sla_later(app, app.now()).await?;
    Ok(saved)
}

pub async fn put_policy(
    app: &App,
    caller: &Caller,
    id: Option<i64>,
    b: PolicyBody,
) -> DeskResult<StoredPolicy> {
    require(caller, Permission::ConfigManage)?;
    let spec: SlaPolicySpec =
        serde_json::from_value(b.policy).map_err(|e| spec_error("policy", e))?;
    let policy = SlaPolicy::new(spec)?;
    policy
        .priority
        .parse::<ventanilla_domain::ticket::Priority>()
        .map_err(|_| ValidationError::new("policy.priority", "is not a priority"))?;
    let actions: SlaActions = match b.actions {
        Some(a) => serde_json::from_value(a).map_err(|e| spec_error("actions", e))?,
        None => SlaActions::standard(),
    };
    let entry = audit(
        app,
        caller,
        if id.is_some() {
            "sla_policy.update"
        } else {
            "sla_policy.create"
        },
    )
    .target("sla_policy", id)
    .detail(serde_json::json!({ "name": policy.name, "priority": policy.priority }));
    let saved = app
        .store
        .sla()
        .put_policy(id, &policy, &actions, b.active, &entry)
        .await
        .map_err(|e| match e {
            ventanilla_store::StoreError::Invalid(m) => {
                ValidationError::new("policy.calendar_id", m).into()
            }
            other => conflict_on(other, "name"),
        })?;
    app.refdata.invalidate();
    crate::desk::tickets::sla_check::reapply_sla_later(app, app.now()).await?;
    Ok(saved)
}

fn yes() -> bool {
    true
}
