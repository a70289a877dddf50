//! Administration of service levels: business calendars and SLA policies, edited as the
//! same JSON documents the API takes and saved through the API's own validation
//! (`desk::sla::{put_calendar, put_policy}`); holidays are also imported from an `.ics` file
//! (`desk::sla::import_holidays_text`, the API's import).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::{Permission, ValidationError};
use ventanilla_store::sla::{StoredCalendar, StoredPolicy};

use crate::AppState;
use crate::desk::sla::{CalendarBody, PolicyBody, import_holidays_text, put_calendar, put_policy};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

#[derive(Template)]
#[template(path = "admin/sla.html")]
struct SlaPage {
    c: Ctx,
    calendars: Vec<StoredCalendar>,
    policies: Vec<StoredPolicy>,
}

impl SlaPage {
    fn json<T: serde::Serialize>(v: &T) -> String {
        serde_json::to_string_pretty(v).unwrap_or_default()
    }
}

/// An example calendar for the "new" form.
pub const NEW_CALENDAR: &str = r#"{
  "time_zone": "Europe/Madrid",
  "weekly": {"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]], "thu": [["09:00", "18:00"]], "fri": [["09:00", "15:00"]]},
  "holidays": [{"date": "2026-12-25", "yearly": true}],
  "exceptions": []
}"#;

pub async fn page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    render(&SlaPage {
        c: viewer.ctx("sla-admin"),
        calendars: state.store.sla().calendars().await?,
        policies: state.store.sla().policies().await?,
    })
}

fn json(field: &str, text: &str) -> Result<serde_json::Value, ValidationError> {
    serde_json::from_str(text).map_err(|e| ValidationError::new(field, format!("is not JSON: {e}")))
}

fn id_of(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarForm {
    id: String,
    name: String,
    calendar: String,
}

pub async fn save_calendar(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<CalendarForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let id = id_of(&form.id);
    if let Some(id) = id {
        state.store.sla().calendar(id).await?;
    }
    let body = CalendarBody {
        name: form.name,
        calendar: json("calendar", &form.calendar)?,
    };
    put_calendar(&state, &viewer.caller(), id, body).await?;
    Ok(Redirect::to("/admin/sla?flash=saved").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PolicyForm {
    id: String,
    policy: String,
    actions: String,
    active: String,
}

pub async fn save_policy(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<PolicyForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let id = id_of(&form.id);
    if let Some(id) = id
        && !state
            .store
            .sla()
            .policies()
            .await?
            .iter()
            .any(|p| p.id == id)
    {
        return Err(crate::AppError::NotFound.into());
    }
    let actions = if form.actions.trim().is_empty() {
        None
    } else {
        Some(json("actions", &form.actions)?)
    };
    let body = PolicyBody {
        policy: json("policy", &form.policy)?,
        actions,
        active: form.active == "on",
    };
    put_policy(&state, &viewer.caller(), id, body).await?;
    Ok(Redirect::to("/admin/sla?flash=saved").into_response())
}

/// The holiday import form has only its file (and the CSRF field the extractor checks).
#[derive(Deserialize, Default)]
pub struct HolidayFileForm {}

/// Imports the holidays of the chosen `.ics` file into calendar `id`. The file is text in
/// whatever form an editor saved it (byte-order mark, CRLF); a refusal names the line and
/// column, on the error page.
pub async fn import_holidays(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    upload: crate::web::kit::upload::CsrfMultipart<HolidayFileForm>,
) -> WebResult<Response> {
    upload.viewer.auth.require(Permission::ConfigManage)?;
    let Some(file) = upload.files.first() else {
        return Err(
            crate::AppError::from(ValidationError::new("files", "choose an .ics file")).into(),
        );
    };
    let text = std::str::from_utf8(&file.data)
        .map_err(|_| ValidationError::new("files", "must be a UTF-8 text file"))?;
    import_holidays_text(&state, &upload.viewer.caller(), id, text).await?;
    Ok(Redirect::to("/admin/sla?flash=saved").into_response())
}
