//! The SLA policy form (issue 16, finding 9): create or edit one policy with its targets in
//! hours and minutes (never ISO-8601), calendar, priority, organisation/category scope and
//! the warning threshold and the warning and breach actions of the policy model. The clock
//! rules (which statuses run or pause each clock) are kept as they are: the JSON
//! import/export on `/admin/sla` edits those.
//! Saves go through `desk::sla::put_policy`, the API's own validation; refusals come back
//! beside their fields with what was typed.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jiff::SignedDuration;
use serde::Deserialize;
use ventanilla_domain::directory::{Organisation, PageRequest, SupportGroup};
use ventanilla_domain::sla::{
    ClockRule, DEFAULT_WARN_PERCENT, SlaAction, SlaActions, SlaPolicySpec, SlaTarget,
};
use ventanilla_domain::ticket::{Category, Priority};
use ventanilla_domain::{OrganisationId, Permission};
use ventanilla_store::directory::OrganisationFilter;
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::sla::{StoredCalendar, StoredPolicy};

use super::edit::{FORM, Refused, checked, id_field, submit};
use crate::AppState;
use crate::desk::sla::{PolicyBody, put_policy};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

/// The fields this form shows (a refusal naming another goes above the form).
const FIELDS: &[&str] = &[
    "name",
    "priority",
    "organisation_id",
    "category_id",
    "calendar_id",
    "response",
    "resolution",
    "warn_percent",
    "warning",
    "breach",
];

/// The actions a threshold may run, as the form names them.
pub const ACTIONS: &[&str] = &[
    "notify_assignee",
    "notify_supervisors",
    "raise_priority",
    "escalate",
];

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct PolicyForm {
    pub name: String,
    pub priority: String,
    pub organisation_id: String,
    pub category_id: String,
    pub calendar_id: String,
    pub response_h: String,
    pub response_m: String,
    pub resolution_h: String,
    pub resolution_m: String,
    /// The warning threshold, in percent of each target.
    pub warn_percent: String,
    /// Ticked actions, `warning.notify_assignee=on` style would not survive serde_urlencoded's
    /// flat maps, so each is its own field.
    pub warning_notify_assignee: String,
    pub warning_notify_supervisors: String,
    pub warning_raise_priority: String,
    pub warning_escalate: String,
    pub warning_group_id: String,
    pub breach_notify_assignee: String,
    pub breach_notify_supervisors: String,
    pub breach_raise_priority: String,
    pub breach_escalate: String,
    pub breach_group_id: String,
    pub active: String,
}

fn hm(d: SignedDuration) -> (String, String) {
    let mins = d.as_secs().div_euclid(60);
    (
        mins.div_euclid(60).to_string(),
        mins.rem_euclid(60).to_string(),
    )
}

impl PolicyForm {
    fn of(p: &StoredPolicy) -> Self {
        let (response_h, response_m) = hm(p.policy.targets.first_response);
        let (resolution_h, resolution_m) = hm(p.policy.targets.resolution);
        let mut f = PolicyForm {
            name: p.policy.name.clone(),
            priority: p.policy.priority.clone(),
            organisation_id: p
                .policy
                .organisation
                .map(|o| o.get().to_string())
                .unwrap_or_default(),
            category_id: p.policy.category.map(|c| c.to_string()).unwrap_or_default(),
            calendar_id: p.policy.calendar_id.to_string(),
            response_h,
            response_m,
            resolution_h,
            resolution_m,
            warn_percent: p.policy.warn_percent.to_string(),
            active: if p.active { "on" } else { "" }.into(),
            ..PolicyForm::default()
        };
        for (threshold, list) in [
            ("warning", &p.actions.warning),
            ("breach", &p.actions.breach),
        ] {
            for a in list {
                let (name, group) = match a {
                    SlaAction::NotifyAssignee => ("notify_assignee", None),
                    SlaAction::NotifySupervisors => ("notify_supervisors", None),
                    SlaAction::RaisePriority => ("raise_priority", None),
                    SlaAction::Escalate { group_id } => ("escalate", *group_id),
                };
                *f.slot(threshold, name) = "on".into();
                if let Some(g) = group {
                    *f.slot(threshold, "group_id") = g.to_string();
                }
            }
        }
        f
    }

    fn fresh() -> Self {
        let mut f = PolicyForm {
            priority: Priority::High.as_str().into(),
            response_h: "1".into(),
            response_m: "0".into(),
            resolution_h: "8".into(),
            resolution_m: "0".into(),
            warn_percent: DEFAULT_WARN_PERCENT.to_string(),
            active: "on".into(),
            ..PolicyForm::default()
        };
        // What most desks start with (`SlaActions::standard`).
        for (t, a) in [
            ("warning", "notify_assignee"),
            ("warning", "notify_supervisors"),
            ("breach", "notify_supervisors"),
            ("breach", "escalate"),
        ] {
            *f.slot(t, a) = "on".into();
        }
        f
    }

    fn slot(&mut self, threshold: &str, what: &str) -> &mut String {
        let warning = threshold == "warning";
        match (warning, what) {
            (true, "notify_assignee") => &mut self.warning_notify_assignee,
            (true, "notify_supervisors") => &mut self.warning_notify_supervisors,
            (true, "raise_priority") => &mut self.warning_raise_priority,
            (true, "escalate") => &mut self.warning_escalate,
            (true, _) => &mut self.warning_group_id,
            (false, "notify_assignee") => &mut self.breach_notify_assignee,
            (false, "notify_supervisors") => &mut self.breach_notify_supervisors,
            (false, "raise_priority") => &mut self.breach_raise_priority,
            (false, "escalate") => &mut self.breach_escalate,
            (false, _) => &mut self.breach_group_id,
        }
    }

    /// The value of a threshold's field, for the template.
    pub fn get(&self, threshold: &str, what: &str) -> String {
        self.clone().slot(threshold, what).clone()
    }

    /// A target's hours (`h`) or minutes as typed.
    pub fn target(&self, target: &str, part: &str) -> &str {
        match (target, part) {
            ("response", "h") => &self.response_h,
            ("response", _) => &self.response_m,
            (_, "h") => &self.resolution_h,
            _ => &self.resolution_m,
        }
    }

    pub fn on(&self, threshold: &str, what: &str) -> bool {
        checked(&self.get(threshold, what))
    }
}

#[derive(Template)]
#[template(path = "admin/sla_policy.html")]
struct PolicyPage {
    c: Ctx,
    id: Option<i64>,
    form: PolicyForm,
    errors: FieldErrors,
    calendars: Vec<StoredCalendar>,
    organisations: Vec<Organisation>,
    categories: Vec<Category>,
    groups: Vec<SupportGroup>,
}

impl PolicyPage {
    fn priorities(&self) -> &'static [Priority] {
        Priority::ALL
    }

    fn is(&self, value: impl AsRef<str>, wanted: impl AsRef<str>) -> bool {
        value.as_ref() == wanted.as_ref()
    }

    fn actions(&self) -> &'static [&'static str] {
        ACTIONS
    }

    async fn load(
        state: &AppState,
        viewer: &Viewer,
        id: Option<i64>,
        form: PolicyForm,
    ) -> WebResult<Self> {
        let page = || PageRequest::new(None, Some(200));
        let mut c = viewer.ctx(if id.is_some() {
            "edit-policy"
        } else {
            "new-policy"
        });
        if id.is_some() {
            c.title = format!("{} · {}", c.title, form.name);
        }
        Ok(PolicyPage {
            c,
            id,
            form,
            errors: FieldErrors::default(),
            calendars: state.store.sla().calendars().await?,
            organisations: state
                .store
                .organisations()
                .list(&OrganisationFilter::default(), page()?)
                .await?
                .items,
            categories: crate::web::kit::view::categories(state).await?,
            groups: state
                .store
                .groups()
                .list(&GroupFilter::default(), page()?)
                .await?
                .items
                .into_iter()
                .map(|(g, _)| g)
                .collect(),
        })
    }
}

/// Hours and minutes typed as two whole numbers (minutes 0–59; either may be empty).
fn duration(lang: Lang, errors: &mut FieldErrors, field: &str, h: &str, m: &str) -> SignedDuration {
    let num = |s: &str| -> Option<i64> {
        let s = s.trim();
        if s.is_empty() {
            Some(0)
        } else {
            s.parse::<i64>().ok().filter(|n| *n >= 0)
        }
    };
    match (num(h), num(m)) {
        (Some(h), Some(m)) if m < 60 && h <= 24 * 366 && h * 60 + m > 0 => {
            SignedDuration::from_mins(h * 60 + m)
        }
        _ => {
            errors.add(field, lang.t("err-duration"));
            SignedDuration::ZERO
        }
    }
}

/// A threshold's ticked actions.
fn actions_of(
    lang: Lang,
    errors: &mut FieldErrors,
    f: &PolicyForm,
    threshold: &str,
) -> Vec<SlaAction> {
    let mut out = Vec::new();
    for name in ACTIONS {
        if !f.on(threshold, name) {
            continue;
        }
        out.push(match *name {
            "notify_assignee" => SlaAction::NotifyAssignee,
            "notify_supervisors" => SlaAction::NotifySupervisors,
            "raise_priority" => SlaAction::RaisePriority,
            _ => SlaAction::Escalate {
                group_id: id_field(lang, errors, threshold, &f.get(threshold, "group_id"))
                    .flatten(),
            },
        });
    }
    out
}

/// Builds the policy from the form and saves it; `current` keeps what the form does not
/// show (the clock rules).
async fn save(
    state: &AppState,
    viewer: &Viewer,
    id: Option<i64>,
    current: Option<&StoredPolicy>,
    f: &PolicyForm,
) -> Result<String, Refused> {
    let l = viewer.lang;
    let mut errors = FieldErrors::default();
    let response = duration(l, &mut errors, "response", &f.response_h, &f.response_m);
    let resolution = duration(
        l,
        &mut errors,
        "resolution",
        &f.resolution_h,
        &f.resolution_m,
    );
    let organisation = id_field(l, &mut errors, "organisation_id", &f.organisation_id).flatten();
    let category = id_field(l, &mut errors, "category_id", &f.category_id).flatten();
    let calendar_id = match id_field(l, &mut errors, "calendar_id", &f.calendar_id) {
        Some(Some(c)) => c,
        Some(None) => {
            errors.add("calendar_id", l.t("err-choose"));
            0
        }
        None => 0,
    };
    if f.name.trim().is_empty() {
        errors.add("name", l.t("err-required"));
    }
    // Left empty: the threshold stays as it was (the default 75 % for a new policy).
    let kept = current.map_or(DEFAULT_WARN_PERCENT, |p| p.policy.warn_percent);
    let warn_percent = match f.warn_percent.trim() {
        "" => kept,
        typed => match typed.parse::<u8>() {
            Ok(p) if (1..=99).contains(&p) => p,
            _ => {
                errors.add("warn_percent", l.t("err-percent"));
                kept
            }
        },
    };
    let actions = SlaActions {
        warning: actions_of(l, &mut errors, f, "warning"),
        breach: actions_of(l, &mut errors, f, "breach"),
    };
    if !errors.is_empty() {
        return Err(Refused::Fields(errors));
    }
    let spec = SlaPolicySpec {
        name: f.name.clone(),
        priority: f.priority.clone(),
        organisation: organisation.map(OrganisationId),
        category,
        calendar_id,
        targets: SlaTarget {
            first_response: response,
            resolution,
        },
        warn_percent,
        response_clock: current
            .map_or_else(ClockRule::default, |p| p.policy.response_clock.clone()),
        resolution_clock: current
            .map_or_else(ClockRule::default, |p| p.policy.resolution_clock.clone()),
    };
    let body = PolicyBody {
        policy: serde_json::to_value(&spec).map_err(crate::AppError::internal)?,
        actions: Some(serde_json::to_value(&actions).map_err(crate::AppError::internal)?),
        active: checked(&f.active),
    };
    match put_policy(state, &viewer.caller(), id, body).await {
        Ok(p) => Ok(format!("/admin/sla/policies/{}", p.id)),
        Err(crate::desk::DeskError::Invalid(v)) => {
            let mut errors = FieldErrors::default();
            let field = match v.field.trim_start_matches("policy.") {
                "targets" | "targets.first_response" => "response",
                "calendar_id" => "calendar_id",
                "priority" => "priority",
                "name" => "name",
                "warn_percent" => "warn_percent",
                _ => FORM,
            };
            errors.add(field, format!("{} ({})", l.t("err-invalid"), v.message));
            Err(Refused::Fields(errors))
        }
        Err(e) => Err(e.into()),
    }
}

async fn stored(state: &AppState, id: i64) -> WebResult<StoredPolicy> {
    state
        .store
        .sla()
        .policies()
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| crate::AppError::NotFound.into())
}

pub async fn new_page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let mut form = PolicyForm::fresh();
    if let Some(cal) = state.store.sla().calendars().await?.first() {
        form.calendar_id = cal.id.to_string();
    }
    render(&PolicyPage::load(&state, &viewer, None, form).await?)
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<PolicyForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let saving = save(&state, &viewer, None, None, &form);
    let page = PolicyPage::load(&state, &viewer, None, form.clone());
    submit(viewer.lang, FIELDS, saving, page, |p, e| p.errors = e).await
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let p = stored(&state, id).await?;
    render(&PolicyPage::load(&state, &viewer, Some(id), PolicyForm::of(&p)).await?)
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<PolicyForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let current = stored(&state, id).await?;
    let saving = save(&state, &viewer, Some(id), Some(&current), &form);
    let page = PolicyPage::load(&state, &viewer, Some(id), form.clone());
    submit(viewer.lang, FIELDS, saving, page, |p, e| p.errors = e).await
}
