//! `/reports/schedules`: the scheduled report mails (issue 14, item 4) — the list, a form to
//! add one or change one (a refused form comes back with what was typed and the reason
//! beside each field), and deletion. The rules live in `desk::reports::schedules`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use ventanilla_domain::Permission;
use ventanilla_domain::report::Cadence;
use ventanilla_store::report_schedules::ReportSchedule;

use crate::AppState;
use crate::desk::DeskError;
use crate::desk::reports::schedules::{self, ScheduleInput};
use crate::web::kit::ctx::Ctx;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Viewer, render, render_as};
use crate::web::kit::path::Path;

/// Staff listed as possible recipients.
const MAX_STAFF: i64 = 500;
/// The form's fields with their own message when refused (`schedule-err-<field>`).
const FIELDS: &[&str] = &[
    "name",
    "cadence",
    "group_id",
    "organisation_id",
    "category_id",
    "sep",
    "recipients",
];

/// The form as typed (kept when it is shown again).
#[derive(Debug, Clone, Default)]
pub struct ScheduleForm {
    pub name: String,
    pub cadence: String,
    pub group_id: String,
    pub organisation_id: String,
    pub category_id: String,
    pub sep: String,
    pub recipients: Vec<i64>,
}

impl ScheduleForm {
    /// Reads the posted pairs: `recipients` repeats, one per ticked person.
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = ScheduleForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v.clone(),
                "cadence" => f.cadence = v.clone(),
                "group_id" => f.group_id = v.clone(),
                "organisation_id" => f.organisation_id = v.clone(),
                "category_id" => f.category_id = v.clone(),
                "sep" => f.sep = v.clone(),
                "recipients" => {
                    if let Ok(id) = v.trim().parse() {
                        f.recipients.push(id);
                    }
                }
                _ => {}
            }
        }
        f
    }

    fn of(s: &ReportSchedule) -> Self {
        let id = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        ScheduleForm {
            name: s.name.clone(),
            cadence: s.cadence.clone(),
            group_id: id(s.group_id),
            organisation_id: id(s.organisation_id),
            category_id: id(s.category_id),
            sep: s.sep.clone(),
            recipients: s.recipients.clone(),
        }
    }

    /// The input for the use case; a slice id that is not a number is a field error.
    fn input(&self, errors: &mut FieldErrors, lang: crate::web::kit::i18n::Lang) -> ScheduleInput {
        let mut id = |field: &str, v: &str| -> Option<i64> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            match v.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.add(field, lang.t("schedule-err-number"));
                    None
                }
            }
        };
        ScheduleInput {
            name: self.name.clone(),
            cadence: self.cadence.clone(),
            group_id: id("group_id", &self.group_id),
            organisation_id: id("organisation_id", &self.organisation_id),
            category_id: id("category_id", &self.category_id),
            sep: Some(self.sep.clone()).filter(|s| !s.is_empty()),
            recipients: self.recipients.clone(),
        }
    }
}

/// One person who may receive reports.
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// A schedule as the list shows it.
pub struct Line {
    pub s: ReportSchedule,
    pub next_run: String,
    pub recipients: String,
}

#[derive(Template)]
#[template(path = "reports/schedules.html")]
struct SchedulesPage {
    c: Ctx,
    lines: Vec<Line>,
    staff: Vec<Staff>,
    /// The schedule being changed, if any.
    editing: Option<i64>,
    f: ScheduleForm,
    errors: FieldErrors,
    cadences: [&'static str; 3],
}

/// An instant as the desk's clock reads it (runs are set in the desk's zone).
fn local(zone: &jiff::tz::TimeZone, at: Timestamp) -> String {
    at.to_zoned(zone.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<i64>,
    f: ScheduleForm,
    errors: FieldErrors,
) -> WebResult<Response> {
    let caller = viewer.auth.caller();
    let list = schedules::list(state, &caller).await?;
    let staff: Vec<Staff> = state
        .store
        .users()
        .active_with_permission(Permission::ReportsRead.name(), MAX_STAFF)
        .await
        .map_err(DeskError::from)?
        .into_iter()
        .map(|u| Staff {
            id: u.id.get(),
            name: u.name,
            email: u.email.to_string(),
        })
        .collect();
    let c = viewer.ctx("schedule-title");
    let zone = state.store.report_zone().clone();
    let lines = list
        .into_iter()
        .map(|s| {
            let recipients = s
                .recipients
                .iter()
                .map(|r| {
                    staff
                        .iter()
                        .find(|p| p.id == *r)
                        .map_or_else(|| format!("#{r}"), |p| p.name.clone())
                })
                .collect::<Vec<_>>()
                .join(", ");
            Line {
                next_run: local(&zone, s.next_run_at),
                recipients,
                s,
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = SchedulesPage {
        c,
        lines,
        staff,
        editing,
        f,
        errors,
        cadences: Cadence::ALL.map(Cadence::as_str),
    };
    if status == StatusCode::OK {
        render(&p)
    } else {
        render_as(&p, status)
    }
}

/// The list and an empty form.
pub async fn list(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let f = ScheduleForm {
        cadence: "weekly".into(),
        sep: "comma".into(),
        ..ScheduleForm::default()
    };
    page(&state, &viewer, None, f, FieldErrors::default()).await
}

/// The list and one schedule's form.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let s = schedules::get(&state, &viewer.auth.caller(), id).await?;
    page(
        &state,
        &viewer,
        Some(id),
        ScheduleForm::of(&s),
        FieldErrors::default(),
    )
    .await
}

/// A field's refusal in the reader's language.
fn field_message(
    v: &ventanilla_domain::ValidationError,
    lang: crate::web::kit::i18n::Lang,
) -> String {
    if FIELDS.contains(&v.field.as_str()) {
        lang.t(&format!("schedule-err-{}", v.field))
    } else {
        format!("{} ({})", lang.t("err-invalid"), v.message)
    }
}

/// A refusal of the use case as errors beside the fields, in the reader's language.
fn refused(e: DeskError, lang: crate::web::kit::i18n::Lang) -> Result<FieldErrors, DeskError> {
    match e {
        DeskError::Invalid(v) => {
            let mut errors = FieldErrors::default();
            let field = if FIELDS.contains(&v.field.as_str()) {
                v.field.as_str()
            } else {
                "_form"
            };
            errors.add(field, field_message(&v, lang));
            Ok(errors)
        }
        other => Err(other),
    }
}

async fn save(
    state: &AppState,
    viewer: Viewer,
    id: Option<i64>,
    pairs: &[(String, String)],
) -> WebResult<Response> {
    let f = ScheduleForm::from_pairs(pairs);
    let mut errors = FieldErrors::default();
    let input = f.input(&mut errors, viewer.lang);
    // Every field's trouble at once, in the form's order; the desk's records after.
    for e in schedules::shape_errors(&input) {
        if !errors.has(&e.field) {
            errors.add(&e.field, field_message(&e, viewer.lang));
        }
    }
    errors.0.sort_by_key(|(field, _)| {
        FIELDS
            .iter()
            .position(|f| f == field)
            .unwrap_or(FIELDS.len())
    });
    if errors.is_empty() {
        let caller = viewer.auth.caller();
        let saved = match id {
            None => schedules::create(state, &caller, &input).await.map(|_| ()),
            Some(id) => schedules::update(state, &caller, id, &input)
                .await
                .map(|_| ()),
        };
        match saved {
            Ok(()) => {
                return Ok(Redirect::to("/reports/schedules?flash=schedule-saved").into_response());
            }
            Err(e) => errors = refused(e, viewer.lang)?,
        }
    }
    page(state, &viewer, id, f, errors).await
}

/// Adds a schedule.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    save(&state, viewer, None, &form).await
}

/// Saves a changed schedule.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    save(&state, viewer, Some(id), &form).await
}

#[derive(Template)]
#[template(path = "reports/schedule_delete.html")]
struct DeletePage {
    c: Ctx,
    s: ReportSchedule,
}

/// Asks before deleting (a link followed by a mail scanner or a reload never deletes).
pub async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let s = schedules::get(&state, &viewer.auth.caller(), id).await?;
    render(&DeletePage {
        c: viewer.ctx("schedule-delete"),
        s,
    })
}

/// Deletes a schedule.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    schedules::delete(&state, &viewer.auth.caller(), id).await?;
    Ok(Redirect::to("/reports/schedules?flash=schedule-deleted").into_response())
}
