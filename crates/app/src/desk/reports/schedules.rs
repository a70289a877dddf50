//! Scheduled reports (issue 14, item 4; SPEC C14): the KPI report of a slice mailed daily,
//! weekly or monthly to chosen staff, with the KPI CSV attached. Anyone who reads reports
//! (`reports.read`) keeps the desk's schedules; a recipient must read reports too, checked
//! again at every run (a recipient who lost the permission or left is skipped), so a
//! schedule never mails figures to someone who could not open them in the desk.
//!
//! A run covers the whole period before it (`domain::report::Cadence`) and is sent at 06:00
//! desk time. After downtime only the latest period is sent: the next run is computed from
//! now, not from the missed one.

use jiff::Timestamp;
use serde::Deserialize;
use ventanilla_domain::report::Cadence;
use ventanilla_domain::{
    Caller, CategoryId, GroupId, OrganisationId, Permission, UserId, ValidationError,
};
use ventanilla_store::outbox::NewMail;
use ventanilla_store::report_schedules::{ReportSchedule, ScheduleFields};

use super::PeriodQuery;
use crate::App;
use crate::desk::error::missing_as;
use crate::desk::{DeskResult, audit, require};

/// The outbox kind of a scheduled report's mail (template `mail.report`).
pub const MAIL_KIND: &str = "mail.report";
/// The job that sends due runs.
pub const JOB: &str = "report.schedules";
/// Recipients per schedule.
const MAX_RECIPIENTS: usize = 50;
/// Characters in a schedule's name.
const MAX_NAME: usize = 120;
/// Schedules sent per pass of the job.
const BATCH: i64 = 50;

/// What a caller sends to create or change a schedule.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    pub name: String,
    /// `daily`, `weekly` or `monthly`.
    pub cadence: String,
    #[serde(default)]
    pub group_id: Option<i64>,
    #[serde(default)]
    pub organisation_id: Option<i64>,
    #[serde(default)]
    pub category_id: Option<i64>,
    /// The attached CSV's separator: `comma` (default) or `semicolon`.
    #[serde(default)]
    pub sep: Option<String>,
    /// Staff who read reports (user ids), 1 to 50.
    pub recipients: Vec<i64>,
}

/// The cadence a stored code names (the database's CHECK keeps it one of three).
fn cadence_of(s: &ReportSchedule) -> Cadence {
    Cadence::parse(&s.cadence).unwrap_or(Cadence::Monthly)
}

/// Whether `user` may receive reports now: active, with a role that reads reports.
async fn reads_reports(app: &App, user: UserId) -> DeskResult<bool> {
    let u = match app.store.users().get(user).await {
        Ok(u) => u,
        Err(ventanilla_store::StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    if !u.active {
        return Ok(false);
    }
    let role = app.store.roles().get(u.role_id).await?;
    Ok(role.permissions.contains(&Permission::ReportsRead))
}

fn positive(field: &str, v: Option<i64>) -> Result<Option<i64>, ValidationError> {
    match v {
        Some(n) if n <= 0 => Err(ValidationError::new(field, "must be a positive id")),
        other => Ok(other),
    }
}

/// What is wrong with an input's shape, every field at once (forms show them together):
/// the name, the cadence, the separator, the number of recipients, the ids' signs. The
/// desk's records are checked after, by [`check`].
pub fn shape_errors(input: &ScheduleInput) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        errors.push(ValidationError::new("name", "must be 1 to 120 characters"));
    }
    if Cadence::parse(input.cadence.trim()).is_none() {
        errors.push(ValidationError::new(
            "cadence",
            "must be daily, weekly or monthly",
        ));
    }
    if let Err(e) = super::csv::options(input.sep.as_deref()) {
        errors.push(e);
    }
    for (field, v) in [
        ("group_id", input.group_id),
        ("organisation_id", input.organisation_id),
        ("category_id", input.category_id),
    ] {
        if let Err(e) = positive(field, v) {
            errors.push(e);
        }
    }
    let mut recipients = input.recipients.clone();
    recipients.sort_unstable();
    recipients.dedup();
    if recipients.is_empty() || recipients.len() > MAX_RECIPIENTS {
        errors.push(ValidationError::new("recipients", "name 1 to 50 people"));
    }
    errors
}

/// Checks an input against the desk: its shape ([`shape_errors`], the first), the slice's
/// records exist, and every recipient reads reports.
async fn check(app: &App, input: &ScheduleInput) -> DeskResult<ScheduleFields> {
    if let Some(e) = shape_errors(input).into_iter().next() {
        return Err(e.into());
    }
    let name = input.name.trim();
    let cadence = Cadence::parse(input.cadence.trim()).unwrap_or(Cadence::Monthly);
    let opts = super::csv::options(input.sep.as_deref())?;
    let sep = if opts.separator == ';' {
        "semicolon"
    } else {
        "comma"
    };
    let group_id = positive("group_id", input.group_id)?;
    let organisation_id = positive("organisation_id", input.organisation_id)?;
    let category_id = positive("category_id", input.category_id)?;
    if let Some(g) = group_id {
        app.store
            .groups()
            .get(GroupId(g))
            .await
            .map_err(|e| missing_as(e, "group_id", "no such group"))?;
    }
    if let Some(o) = organisation_id {
        app.store
            .organisations()
            .get(OrganisationId(o))
            .await
            .map_err(|e| missing_as(e, "organisation_id", "no such organisation"))?;
    }
    if let Some(c) = category_id {
        app.store
            .categories()
            .get(CategoryId(c))
            .await
            .map_err(|e| missing_as(e, "category_id", "no such category"))?;
    }
    let mut recipients = input.recipients.clone();
    recipients.sort_unstable();
    recipients.dedup();
    for &r in &recipients {
        if r <= 0 || !reads_reports(app, UserId(r)).await? {
            return Err(ValidationError::new(
                "recipients",
                format!("user {r} does not exist, is inactive or may not read reports"),
            )
            .into());
        }
    }
    Ok(ScheduleFields {
        name: name.to_owned(),
        cadence: cadence.as_str().to_owned(),
        group_id,
        organisation_id,
        category_id,
        sep: sep.to_owned(),
        recipients,
    })
}

/// Every schedule (`reports.read`).
pub async fn list(app: &App, caller: &Caller) -> DeskResult<Vec<ReportSchedule>> {
    require(caller, Permission::ReportsRead)?;
    Ok(app.store.report_schedules().list().await?)
}

/// One schedule (`reports.read`).
pub async fn get(app: &App, caller: &Caller, id: i64) -> DeskResult<ReportSchedule> {
    require(caller, Permission::ReportsRead)?;
    Ok(app.store.report_schedules().get(id).await?)
}

fn next_run(app: &App, cadence: &str) -> Timestamp {
    let c = Cadence::parse(cadence).unwrap_or(Cadence::Monthly);
    c.next_run(app.now(), app.store.report_zone())
}

/// Adds a schedule; its first run is the next send time of its cadence.
pub async fn create(
    app: &App,
    caller: &Caller,
    input: &ScheduleInput,
) -> DeskResult<ReportSchedule> {
    require(caller, Permission::ReportsRead)?;
    let f = check(app, input).await?;
    let a = audit(app, caller, "report_schedule.create")
        .target("report_schedule", None)
        .detail(fields_json(&f));
    Ok(app
        .store
        .report_schedules()
        .create(&f, caller.user_id(), next_run(app, &f.cadence), &a)
        .await?)
}

/// Changes a schedule; its next run is computed again from its (new) cadence.
pub async fn update(
    app: &App,
    caller: &Caller,
    id: i64,
    input: &ScheduleInput,
) -> DeskResult<ReportSchedule> {
    require(caller, Permission::ReportsRead)?;
    let before = app.store.report_schedules().get(id).await?;
    let f = check(app, input).await?;
    let a = audit(app, caller, "report_schedule.update")
        .target("report_schedule", Some(id))
        .change(
            serde_json::to_value(&before).unwrap_or_default(),
            fields_json(&f),
        );
    Ok(app
        .store
        .report_schedules()
        .update(id, &f, next_run(app, &f.cadence), &a)
        .await?)
}

/// Removes a schedule.
pub async fn delete(app: &App, caller: &Caller, id: i64) -> DeskResult<()> {
    require(caller, Permission::ReportsRead)?;
    let before = app.store.report_schedules().get(id).await?;
    let a = audit(app, caller, "report_schedule.delete")
        .target("report_schedule", Some(id))
        .change(
            serde_json::to_value(&before).unwrap_or_default(),
            serde_json::Value::Null,
        );
    Ok(app.store.report_schedules().delete(id, &a).await?)
}

fn fields_json(f: &ScheduleFields) -> serde_json::Value {
    serde_json::json!({
        "name": f.name,
        "cadence": f.cadence,
        "group_id": f.group_id,
        "organisation_id": f.organisation_id,
        "category_id": f.category_id,
        "sep": f.sep,
        "recipients": f.recipients,
    })
}

/// Sends every due run (the job): the KPIs of the period before the run, one mail per
/// recipient who still reads reports, queued with the schedule's move to its next run.
/// Returns the runs sent.
pub async fn send_due(app: &App) -> DeskResult<usize> {
    let mut sent = 0;
    loop {
        let due = app.store.report_schedules().due(app.now(), BATCH).await?;
        let n = due.len();
        for s in due {
            if run(app, &s).await? {
                sent += 1;
            }
        }
        if n < BATCH as usize {
            return Ok(sent);
        }
    }
}

/// One run of `s`; `false` when another node sent it first.
async fn run(app: &App, s: &ReportSchedule) -> DeskResult<bool> {
    let tz = app.store.report_zone().clone();
    let cadence = cadence_of(s);
    // The period is the one before the run's due day, even when sent late.
    let due_day = s.next_run_at.to_zoned(tz.clone()).date();
    let (from, to) = cadence.period_before(due_day);
    let period = PeriodQuery {
        from: Some(from.to_string()),
        to: Some(to.to_string()),
        group_id: s.group_id,
        organisation_id: s.organisation_id,
        category_id: s.category_id,
    }
    .check(app)?;
    let (report, _) = super::kpis::of_period(app, &period).await?;
    let opts = super::csv::options(Some(&s.sep))?;
    let csv = super::csv::kpi_document(&report, opts);
    let filename = format!("kpis-{}-{}.csv", report.from, report.to);
    let kpis = serde_json::to_value(&report).unwrap_or_default();
    let mut mails = Vec::with_capacity(s.recipients.len());
    for &r in &s.recipients {
        if !reads_reports(app, UserId(r)).await? {
            tracing::info!(
                schedule = s.id,
                user = r,
                "report recipient skipped: may not read reports"
            );
            continue;
        }
        mails.push(NewMail {
            kind: MAIL_KIND.to_owned(),
            ticket_id: None,
            recipient_id: Some(UserId(r)),
            payload: serde_json::json!({
                "params": {
                    "name": s.name,
                    "cadence": s.cadence,
                    "from": report.from,
                    "to": report.to,
                },
                "kpis": kpis,
                "attachment": {"filename": filename, "content_type": "text/csv", "content": csv},
            }),
        });
    }
    let next = cadence.next_run(app.now(), &tz);
    Ok(app
        .store
        .report_schedules()
        .record_run(
            s.id,
            s.next_run_at,
            next,
            &format!("{}..{}", report.from, report.to),
            &mails,
            app.now(),
        )
        .await?)
}
