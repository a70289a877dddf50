//! Administration of service levels: the list of business calendars and SLA policies (the
//! targets in words, each with its form in `sla_calendar` and `sla_policy`), and their JSON
//! import/export: the same documents the API takes, saved through the API's own validation
//! (`desk::sla::{put_calendar, put_policy}`), a refusal shown beside the JSON with what was
//! typed kept; holidays are also imported from an `.ics` file
//! (`desk::sla::import_holidays_text`, the API's import).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::directory::{Organisation, PageRequest};
use ventanilla_domain::ticket::Category;
use ventanilla_domain::{Permission, ValidationError};
use ventanilla_store::directory::OrganisationFilter;
use ventanilla_store::sla::{StoredCalendar, StoredPolicy};

use super::edit::{Refused, submit};
use crate::AppState;
use crate::desk::sla::{CalendarBody, PolicyBody, import_holidays_text, put_calendar, put_policy};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;
use crate::web::kit::view::category_name;

/// The fields of the JSON forms (a refusal naming another is shown above them).
const JSON_FIELDS: &[&str] = &["name", "calendar", "policy", "actions"];

#[derive(Template)]
#[template(path = "admin/sla.html")]
struct SlaPage {
    c: Ctx,
    calendars: Vec<StoredCalendar>,
    policies: Vec<StoredPolicy>,
    /// The JSON form that was refused (`cal-3`, `cal-new`, `pol-5`, `pol-new`), what was
    /// typed in it (name, document, actions) and the refusal.
    refused: String,
    typed: [String; 3],
    errors: FieldErrors,
    /// For the policies' scope, read by name.
    organisations: Vec<Organisation>,
    categories: Vec<Category>,
}

impl SlaPage {
    fn json<T: serde::Serialize>(v: &T) -> String {
        serde_json::to_string_pretty(v).unwrap_or_default()
    }

    async fn load(state: &AppState, viewer: &Viewer) -> WebResult<Self> {
        Ok(SlaPage {
            c: viewer.ctx("sla-admin"),
            calendars: state.store.sla().calendars().await?,
            policies: state.store.sla().policies().await?,
            refused: String::new(),
            typed: Default::default(),
            errors: FieldErrors::default(),
            organisations: state
                .store
                .organisations()
                .list(
                    &OrganisationFilter::default(),
                    PageRequest::new(None, Some(200))?,
                )
                .await?
                .items,
            categories: state.store.categories().list().await?,
        })
    }

    /// Whether `key` is the refused form.
    fn is_refused(&self, key: &str) -> bool {
        self.refused == key
    }

    /// What `key`'s field `i` shows: what was typed when it was refused, else `stored`.
    fn shown(&self, key: &str, i: usize, stored: String) -> String {
        if self.is_refused(key) {
            self.typed.get(i).cloned().unwrap_or_default()
        } else {
            stored
        }
    }

    /// The refused form's error for `field` (empty for any other form).
    fn err(&self, key: &str, field: &str) -> String {
        if self.is_refused(key) {
            self.errors.get(field)
        } else {
            String::new()
        }
    }

    /// A target in words ("15 min", "1 h 30 min"), never an ISO-8601 duration.
    fn span(&self, d: &jiff::SignedDuration) -> String {
        crate::web::kit::duration::span(self.c.lang, d)
    }

    /// A policy's scope in words: the organisation's and the category's names, or "any".
    fn scope(&self, p: &StoredPolicy) -> String {
        let mut parts = Vec::new();
        if let Some(o) = p.policy.organisation {
            parts.push(
                self.organisations
                    .iter()
                    .find(|x| x.id == o)
                    .map_or_else(|| o.get().to_string(), |x| x.name.clone()),
            );
        }
        if let Some(c) = p.policy.category {
            parts.push(
                self.categories
                    .iter()
                    .find(|x| x.id.get() == c)
                    .map_or_else(|| c.to_string(), |x| category_name(&self.c.lang, x)),
            );
        }
        if parts.is_empty() {
            self.c.lang.t("policy-any")
        } else {
            parts.join(" · ")
        }
    }

    fn calendar_name(&self, id: &i64) -> String {
        self.calendars
            .iter()
            .find(|c| c.id == *id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| id.to_string())
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
    render(&SlaPage::load(&state, &viewer).await?)
}

/// The list page again with the refused JSON form `key` as typed.
async fn refused_page(
    state: &AppState,
    viewer: &Viewer,
    key: String,
    typed: [String; 3],
) -> WebResult<SlaPage> {
    let mut page = SlaPage::load(state, viewer).await?;
    page.refused = key;
    page.typed = typed;
    Ok(page)
}

fn json(field: &str, text: &str) -> Result<serde_json::Value, ValidationError> {
    serde_json::from_str(text).map_err(|e| ValidationError::new(field, format!("is not JSON: {e}")))
}

/// A refusal of a JSON document is shown beside its textarea: a calendar's name keeps its own
/// field, the actions theirs, anything inside the document (`calendar.weekly.mon`, `targets`) goes
/// to `document` with the inner field named in the message.
fn beside(e: crate::desk::DeskError, document: &str) -> Refused {
    match e {
        crate::desk::DeskError::Invalid(mut v) => {
            let own_name = v.field == "name" && document == "calendar";
            if !own_name && !v.field.starts_with("actions") && v.field != document {
                v.message = format!("{}: {}", v.field, v.message);
                v.field = document.to_owned();
            } else if v.field.starts_with("actions") {
                v.field = "actions".to_owned();
            }
            Refused::App(crate::AppError::Validation(v))
        }
        other => other.into(),
    }
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
    let save = async {
        let body = CalendarBody {
            name: form.name.clone(),
            calendar: json("calendar", &form.calendar).map_err(crate::AppError::from)?,
        };
        put_calendar(&state, &viewer.caller(), id, body)
            .await
            .map_err(|e| beside(e, "calendar"))?;
        Ok::<_, Refused>("/admin/sla".to_owned())
    };
    let key = id.map_or_else(|| "cal-new".to_owned(), |i| format!("cal-{i}"));
    let typed = [form.name.clone(), form.calendar.clone(), String::new()];
    let page = refused_page(&state, &viewer, key, typed);
    submit(viewer.lang, JSON_FIELDS, save, page, |p, e| p.errors = e).await
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
    let save = async {
        let actions = if form.actions.trim().is_empty() {
            None
        } else {
            Some(json("actions", &form.actions).map_err(crate::AppError::from)?)
        };
        let body = PolicyBody {
            policy: json("policy", &form.policy).map_err(crate::AppError::from)?,
            actions,
            active: form.active == "on",
        };
        put_policy(&state, &viewer.caller(), id, body)
            .await
            .map_err(|e| beside(e, "policy"))?;
        Ok::<_, Refused>("/admin/sla".to_owned())
    };
    let key = id.map_or_else(|| "pol-new".to_owned(), |i| format!("pol-{i}"));
    let typed = [String::new(), form.policy.clone(), form.actions.clone()];
    let page = refused_page(&state, &viewer, key, typed);
    submit(viewer.lang, JSON_FIELDS, save, page, |p, e| p.errors = e).await
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
    Ok(Redirect::to(&format!("/admin/sla/calendars/{id}?flash=saved")).into_response())
}
