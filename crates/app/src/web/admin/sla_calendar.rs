//! The business calendar form (issue 16, finding 9): name, time zone, working windows per
//! weekday ("09:00-14:00, 15:00-18:00"), holidays (one date a line, `*` after it for every
//! year) and exceptions (a date and its own windows, or the date alone for closed). Saves go
//! through `desk::sla::put_calendar`, the API's validation; refusals come back beside their
//! fields with what was typed.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_domain::sla::{CalendarSpec, Exception, Holiday, WeeklySpec, Window};
use ventanilla_store::sla::StoredCalendar;

use super::edit::{FORM, Refused, submit};
use crate::AppState;
use crate::desk::sla::{CalendarBody, put_calendar};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

/// The weekdays in the calendar's JSON order, which is also the form's.
pub const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const FIELDS: &[&str] = &[
    "name",
    "time_zone",
    "weekly",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "holidays",
    "exceptions",
];

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct CalendarForm {
    pub name: String,
    pub time_zone: String,
    pub mon: String,
    pub tue: String,
    pub wed: String,
    pub thu: String,
    pub fri: String,
    pub sat: String,
    pub sun: String,
    pub holidays: String,
    pub exceptions: String,
}

fn windows_text(ws: &[Window]) -> String {
    ws.iter()
        .map(|w| {
            let (a, b): (String, String) = (*w).into();
            format!("{a}-{b}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl CalendarForm {
    fn of(c: &StoredCalendar) -> Self {
        // The stored calendar's own JSON form is the spec (the domain keeps it private).
        let spec: CalendarSpec = serde_json::to_value(&c.calendar)
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_else(|| CalendarSpec {
                time_zone: String::new(),
                weekly: WeeklySpec::default(),
                holidays: Vec::new(),
                exceptions: Vec::new(),
            });
        let w = &spec.weekly;
        CalendarForm {
            name: c.name.clone(),
            time_zone: spec.time_zone.clone(),
            mon: windows_text(&w.mon),
            tue: windows_text(&w.tue),
            wed: windows_text(&w.wed),
            thu: windows_text(&w.thu),
            fri: windows_text(&w.fri),
            sat: windows_text(&w.sat),
            sun: windows_text(&w.sun),
            holidays: spec
                .holidays
                .iter()
                .map(|h| format!("{}{}", h.date, if h.yearly { " *" } else { "" }))
                .collect::<Vec<_>>()
                .join("\n"),
            exceptions: spec
                .exceptions
                .iter()
                .map(|e| {
                    format!("{} {}", e.date, windows_text(&e.windows))
                        .trim()
                        .to_owned()
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn fresh() -> Self {
        let nine_to_six = "09:00-18:00".to_owned();
        CalendarForm {
            time_zone: "Europe/Madrid".into(),
            mon: nine_to_six.clone(),
            tue: nine_to_six.clone(),
            wed: nine_to_six.clone(),
            thu: nine_to_six,
            fri: "09:00-15:00".into(),
            ..CalendarForm::default()
        }
    }

    /// A weekday's windows as typed.
    pub fn day(&self, d: &str) -> &str {
        match d {
            "mon" => &self.mon,
            "tue" => &self.tue,
            "wed" => &self.wed,
            "thu" => &self.thu,
            "fri" => &self.fri,
            "sat" => &self.sat,
            _ => &self.sun,
        }
    }
}

/// "09:00-14:00, 15:00-18:00" (an en dash as the page shows it is taken too); empty is closed.
fn parse_windows(text: &str) -> Result<Vec<Window>, String> {
    let mut out = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (a, b) = part
            .split_once(['-', '–'])
            .ok_or_else(|| format!("“{part}”: HH:MM-HH:MM"))?;
        out.push(Window::parse(a, b).map_err(|e| format!("“{part}”: {}", e.message))?);
    }
    Ok(out)
}

fn parse_date(raw: &str) -> Result<jiff::civil::Date, String> {
    raw.parse().map_err(|_| format!("“{raw}”: YYYY-MM-DD"))
}

/// The typed form as the calendar's spec, or its errors by field (each with the line).
fn spec_of(lang: Lang, f: &CalendarForm, errors: &mut FieldErrors) -> CalendarSpec {
    let invalid = |why: String| format!("{} ({why})", lang.t("err-invalid"));
    let mut days: Vec<Vec<Window>> = Vec::with_capacity(7);
    for d in DAYS {
        days.push(parse_windows(f.day(d)).unwrap_or_else(|why| {
            errors.add(d, invalid(why));
            Vec::new()
        }));
    }
    let mut holidays = Vec::new();
    for line in f.holidays.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (date, yearly) = match line.strip_suffix('*') {
            Some(d) => (d.trim(), true),
            None => (line, false),
        };
        match parse_date(date) {
            Ok(date) => holidays.push(Holiday { date, yearly }),
            Err(why) => errors.add("holidays", invalid(why)),
        }
    }
    let mut exceptions = Vec::new();
    for line in f
        .exceptions
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let (date, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match parse_date(date).and_then(|date| Ok((date, parse_windows(rest)?))) {
            Ok((date, windows)) => exceptions.push(Exception { date, windows }),
            Err(why) => errors.add("exceptions", invalid(why)),
        }
    }
    let mut it = days.into_iter();
    let mut next = || it.next().unwrap_or_default();
    CalendarSpec {
        time_zone: f.time_zone.trim().to_owned(),
        weekly: WeeklySpec {
            mon: next(),
            tue: next(),
            wed: next(),
            thu: next(),
            fri: next(),
            sat: next(),
            sun: next(),
        },
        holidays,
        exceptions,
    }
}

#[derive(Template)]
#[template(path = "admin/sla_calendar.html")]
struct CalendarPage {
    c: Ctx,
    id: Option<i64>,
    form: CalendarForm,
    errors: FieldErrors,
}

impl CalendarPage {
    fn days(&self) -> &'static [&'static str] {
        DAYS
    }

    fn load(viewer: &Viewer, id: Option<i64>, form: CalendarForm) -> Self {
        let mut c = viewer.ctx(if id.is_some() {
            "edit-calendar"
        } else {
            "new-calendar"
        });
        if id.is_some() {
            c.title = format!("{} · {}", c.title, form.name);
        }
        CalendarPage {
            c,
            id,
            form,
            errors: FieldErrors::default(),
        }
    }
}

async fn save(
    state: &AppState,
    viewer: &Viewer,
    id: Option<i64>,
    f: &CalendarForm,
) -> Result<String, Refused> {
    let l = viewer.lang;
    let mut errors = FieldErrors::default();
    if f.name.trim().is_empty() {
        errors.add("name", l.t("err-required"));
    }
    let spec = spec_of(l, f, &mut errors);
    if !errors.is_empty() {
        return Err(Refused::Fields(errors));
    }
    let body = CalendarBody {
        name: f.name.clone(),
        calendar: serde_json::to_value(&spec).map_err(crate::AppError::internal)?,
    };
    match put_calendar(state, &viewer.caller(), id, body).await {
        Ok(c) => Ok(format!("/admin/sla/calendars/{}", c.id)),
        Err(crate::desk::DeskError::Invalid(v)) => {
            let rest = v.field.trim_start_matches("calendar.");
            let field = if rest.starts_with("exceptions") {
                "exceptions"
            } else if let Some(day) = rest.strip_prefix("weekly.") {
                DAYS.iter()
                    .find(|d| **d == day)
                    .copied()
                    .unwrap_or("weekly")
            } else {
                FIELDS.iter().find(|f| **f == rest).copied().unwrap_or(FORM)
            };
            let mut errors = FieldErrors::default();
            errors.add(field, format!("{} ({})", l.t("err-invalid"), v.message));
            Err(Refused::Fields(errors))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn new_page(viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    render(&CalendarPage::load(&viewer, None, CalendarForm::fresh()))
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<CalendarForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let saving = save(&state, &viewer, None, &form);
    let page = async { Ok(CalendarPage::load(&viewer, None, form.clone())) };
    submit(viewer.lang, FIELDS, saving, page, |p, e| p.errors = e).await
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let cal = state.store.sla().calendar(id).await?;
    render(&CalendarPage::load(
        &viewer,
        Some(id),
        CalendarForm::of(&cal),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<CalendarForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    state.store.sla().calendar(id).await?;
    let saving = save(&state, &viewer, Some(id), &form);
    let page = async { Ok(CalendarPage::load(&viewer, Some(id), form.clone())) };
    submit(viewer.lang, FIELDS, saving, page, |p, e| p.errors = e).await
}
