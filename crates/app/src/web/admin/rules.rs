//! Administration of the classification and automation rules (issue 13, seed 003: "reglas
//! para que el sistema clasifique y priorice automáticamente"): the list in the order they
//! apply, broken ones marked; one form per rule (conditions, actions, when it runs); a
//! preview that tries the typed conditions against the last 1,000 tickets without saving;
//! deletion. Saves go through `desk::rules`; refusals come back beside their fields.
//!
//! The form holds one field per action kind, so a rule does each kind at most once (the API
//! takes any list); actions run in the order the form shows them. People are typed by their
//! e-mail address.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::directory::{Department, Organisation, PageRequest, SupportGroup};
use ventanilla_domain::people::Email;
use ventanilla_domain::ticket::Category;
use ventanilla_domain::{Permission, UserId, ValidationError};
use ventanilla_store::directory::OrganisationFilter;
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::webhooks::Webhook;

use super::edit::{FORM, Refused, checked, id_field, opt, submit};
use crate::AppState;
use crate::desk::DeskError;
use crate::desk::rules::{self, Action, Conditions, Hours, Preview, RuleInput, RuleView};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors, NoFields};
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

/// The fields this form shows (refusals naming others go above the form).
const FIELDS: &[&str] = &[
    "name",
    "position",
    "keywords",
    "requester",
    "organisation_id",
    "department_id",
    "channel",
    "category_id",
    "ci",
    "hours",
    "a_category",
    "a_impact",
    "a_urgency",
    "a_group",
    "a_assignee",
    "a_tier",
    "a_tag",
    "a_note",
    "a_notify",
    "a_webhook",
];

/// The values the selects offer (codes; their words come from the locale files).
pub const CHANNELS: [&str; 6] = ["portal", "email", "phone", "chat", "api", "event"];
pub const PRIORITIES: [&str; 5] = ["critical", "high", "medium", "low", "informational"];
pub const LEVELS: [&str; 3] = ["high", "medium", "low"];
pub const TIERS: [&str; 3] = ["L1", "L2", "L3"];

#[derive(Template)]
#[template(path = "admin/rules.html")]
struct ListPage {
    c: Ctx,
    rules: Vec<RuleView>,
}

impl ListPage {
    fn broken(&self, refs: &[String]) -> String {
        broken_words(self.c.lang, refs)
    }
}

/// A broken rule's lost references in words ("group 12" → "Grupo 12").
fn broken_words(lang: Lang, refs: &[String]) -> String {
    refs.iter()
        .map(|r| match r.split_once(' ') {
            Some((kind @ ("category" | "group" | "webhook"), id)) => {
                format!("{} {id}", lang.t(&format!("rule-ref-{kind}")))
            }
            _ => r.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every rule in the order they apply.
pub async fn list(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let rules = rules::list_rules(&state, &viewer.caller()).await?;
    render(&ListPage {
        c: viewer.ctx("rules-title"),
        rules,
    })
}

/// The rule form as typed: every value a string, checkboxes `on` or empty.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct RuleForm {
    pub name: String,
    pub position: String,
    pub active: String,
    pub on_create: String,
    pub on_update: String,
    pub stop: String,
    /// One word or phrase per line.
    pub keywords: String,
    pub requester: String,
    pub organisation_id: String,
    pub department_id: String,
    pub channel: String,
    pub category_id: String,
    pub ci: String,
    pub p_critical: String,
    pub p_high: String,
    pub p_medium: String,
    pub p_low: String,
    pub p_informational: String,
    pub hours_from: String,
    pub hours_to: String,
    pub a_category: String,
    pub a_impact: String,
    pub a_urgency: String,
    pub a_group: String,
    pub a_assignee: String,
    pub a_tier: String,
    pub a_tag: String,
    pub a_major: String,
    pub a_note: String,
    pub a_notify: String,
    pub a_webhook: String,
    /// `preview` when the preview button sent the form.
    pub intent: String,
}

impl RuleForm {
    /// Whether the priority `p` is ticked.
    pub fn has_priority(&self, p: &str) -> bool {
        checked(match p {
            "critical" => &self.p_critical,
            "high" => &self.p_high,
            "medium" => &self.p_medium,
            "low" => &self.p_low,
            "informational" => &self.p_informational,
            _ => "",
        })
    }

    fn priority_field(&mut self, p: &str) -> Option<&mut String> {
        Some(match p {
            "critical" => &mut self.p_critical,
            "high" => &mut self.p_high,
            "medium" => &mut self.p_medium,
            "low" => &mut self.p_low,
            "informational" => &mut self.p_informational,
            _ => return None,
        })
    }
}

/// Which form field each action kind is typed in.
fn action_field(a: &Action) -> &'static str {
    match a {
        Action::SetCategory(_) => "a_category",
        Action::SetImpact(_) => "a_impact",
        Action::SetUrgency(_) => "a_urgency",
        Action::SetGroup(_) => "a_group",
        Action::SetAssignee(_) => "a_assignee",
        Action::SetTier(_) => "a_tier",
        Action::AddTag(_) => "a_tag",
        Action::MajorCandidate(_) => "a_major",
        Action::AddNote(_) => "a_note",
        Action::Notify(_) => "a_notify",
        Action::CallWebhook(_) => "a_webhook",
    }
}

/// Reads the typed form into the use case's input, or the fields' refusals.
struct Reader<'a> {
    state: &'a AppState,
    lang: Lang,
    errors: FieldErrors,
    /// The categories, groups and webhooks a rule may name (read at the first id typed).
    live: Option<(Vec<i64>, Vec<i64>, Vec<i64>)>,
    /// A failure of the store while reading (the page is the error page then).
    failure: Option<crate::AppError>,
}

/// The kinds of record a rule's ids name, for [`Reader::live_id`].
#[derive(Clone, Copy)]
enum Named {
    Category,
    Group,
    Webhook,
}

impl<'a> Reader<'a> {
    fn new(state: &'a AppState, lang: Lang) -> Self {
        Reader {
            state,
            lang,
            errors: FieldErrors::default(),
            live: None,
            failure: None,
        }
    }

    fn id(&mut self, field: &str, value: &str) -> Option<i64> {
        id_field(self.lang, &mut self.errors, field, value).flatten()
    }

    /// An id of a category, group or webhook that exists and is in use (what the selects
    /// offer); another (a crafted post, one retired since the page was shown) is refused
    /// beside its field rather than saved as a broken rule.
    async fn live_id(&mut self, field: &str, value: &str, named: Named) -> Option<i64> {
        let id = self.id(field, value)?;
        if self.live.is_none() {
            match self.state.store.rules().live_refs().await {
                Ok(l) => self.live = Some(l),
                Err(e) => {
                    self.failure = Some(e.into());
                    return None;
                }
            }
        }
        let (c, g, w) = self.live.as_ref()?;
        let known = match named {
            Named::Category => c,
            Named::Group => g,
            Named::Webhook => w,
        };
        if known.contains(&id) {
            Some(id)
        } else {
            self.errors.add(field, self.lang.t("err-invalid"));
            None
        }
    }

    /// A user typed by e-mail address: `None` when empty, an error beside the field when
    /// no such user exists.
    async fn user(&mut self, field: &str, value: &str) -> Option<i64> {
        let typed = opt(value)?;
        let found = match Email::parse(&typed) {
            Ok(email) => match self.state.store.users().by_email(&email).await {
                Ok(u) => Some(u),
                Err(ventanilla_store::StoreError::NotFound) => None,
                Err(e) => {
                    self.failure = Some(e.into());
                    return None;
                }
            },
            Err(_) => None,
        };
        if found.is_none() {
            self.errors.add(field, self.lang.t("rule-unknown-user"));
        }
        found.map(|u| u.id.get())
    }

    fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) -> Option<String> {
        let v = opt(value)?;
        if allowed.contains(&v.as_str()) {
            Some(v)
        } else {
            self.errors.add(field, self.lang.t("err-invalid"));
            None
        }
    }

    async fn conditions(&mut self, f: &RuleForm) -> Conditions {
        let keywords: Vec<String> = f.keywords.lines().filter_map(opt).collect::<Vec<_>>();
        let priority: Vec<String> = PRIORITIES
            .iter()
            .filter(|p| f.has_priority(p))
            .map(|p| (*p).to_owned())
            .collect();
        let hours = match (opt(&f.hours_from), opt(&f.hours_to)) {
            (None, None) => None,
            (Some(from), Some(to)) => {
                if crate::desk::rules::model::minutes(&from).is_none()
                    || crate::desk::rules::model::minutes(&to).is_none()
                {
                    self.errors.add("hours", self.lang.t("err-field-hours"));
                }
                Some(Hours { from, to })
            }
            _ => {
                self.errors.add("hours", self.lang.t("rule-hours-both"));
                None
            }
        };
        Conditions {
            keywords: (!keywords.is_empty()).then_some(keywords),
            requester_id: self.user("requester", &f.requester).await,
            organisation_id: self.id("organisation_id", &f.organisation_id),
            department_id: self.id("department_id", &f.department_id),
            channel: self.one_of("channel", &f.channel, &CHANNELS),
            category_id: self
                .live_id("category_id", &f.category_id, Named::Category)
                .await,
            ci: opt(&f.ci),
            priority: (!priority.is_empty()).then_some(priority),
            hours,
        }
    }

    async fn actions(&mut self, f: &RuleForm) -> Vec<Action> {
        let mut out = Vec::new();
        if let Some(x) = self
            .live_id("a_category", &f.a_category, Named::Category)
            .await
        {
            out.push(Action::SetCategory(x));
        }
        if let Some(v) = self.one_of("a_impact", &f.a_impact, &LEVELS) {
            out.push(Action::SetImpact(v));
        }
        if let Some(v) = self.one_of("a_urgency", &f.a_urgency, &LEVELS) {
            out.push(Action::SetUrgency(v));
        }
        if let Some(x) = self.live_id("a_group", &f.a_group, Named::Group).await {
            out.push(Action::SetGroup(x));
        }
        if let Some(x) = self.user("a_assignee", &f.a_assignee).await {
            out.push(Action::SetAssignee(x));
        }
        if let Some(v) = self.one_of("a_tier", &f.a_tier, &TIERS) {
            out.push(Action::SetTier(v));
        }
        if let Some(v) = opt(&f.a_tag) {
            out.push(Action::AddTag(v));
        }
        if checked(&f.a_major) {
            out.push(Action::MajorCandidate(true));
        }
        if let Some(v) = opt(&f.a_note) {
            out.push(Action::AddNote(v));
        }
        if let Some(x) = self.user("a_notify", &f.a_notify).await {
            out.push(Action::Notify(x));
        }
        if let Some(x) = self
            .live_id("a_webhook", &f.a_webhook, Named::Webhook)
            .await
        {
            out.push(Action::CallWebhook(x));
        }
        out
    }

    fn position(&mut self, f: &RuleForm) -> i64 {
        match opt(&f.position).map(|p| p.parse::<i64>()) {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                self.errors.add("position", self.lang.t("err-invalid"));
                0
            }
        }
    }

    fn finish<T>(self, value: T) -> Result<T, Refused> {
        if let Some(e) = self.failure {
            return Err(Refused::App(e));
        }
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(Refused::Fields(self.errors))
        }
    }
}

async fn input_of(state: &AppState, lang: Lang, f: &RuleForm) -> Result<RuleInput, Refused> {
    let mut r = Reader::new(state, lang);
    let conditions = r.conditions(f).await;
    let actions = r.actions(f).await;
    let position = r.position(f);
    let input = RuleInput {
        name: f.name.clone(),
        position,
        active: checked(&f.active),
        on_create: checked(&f.on_create),
        on_update: checked(&f.on_update),
        stop: checked(&f.stop),
        conditions,
        actions,
    };
    r.finish(input)
}

/// The use case's refusal of a typed value, placed beside the field it names here
/// (`conditions.hours` is the hours fields, `actions[2].value` the third action's field).
fn placed(lang: Lang, input: &RuleInput, e: DeskError) -> Refused {
    let DeskError::Invalid(ValidationError { field, message }) = e else {
        return Refused::from(e);
    };
    let mut errors = FieldErrors::default();
    if field == "actions" {
        errors.add(FORM, lang.t("rule-needs-action"));
        return Refused::Fields(errors);
    }
    let on = field
        .strip_prefix("conditions.")
        .map(str::to_owned)
        .or_else(|| {
            let i: usize = field
                .strip_prefix("actions[")?
                .split(']')
                .next()?
                .parse()
                .ok()?;
            input.actions.get(i).map(|a| action_field(a).to_owned())
        })
        .unwrap_or(field);
    let on = if FIELDS.contains(&on.as_str()) {
        on
    } else {
        FORM.to_owned()
    };
    let words = crate::web::kit::form::invalid_text(lang, &on, &message);
    errors.add(&on, words);
    Refused::Fields(errors)
}

#[derive(Template)]
#[template(path = "admin/rule.html")]
struct RulePage {
    c: Ctx,
    /// `None`: a new rule.
    id: Option<i64>,
    form: RuleForm,
    errors: FieldErrors,
    broken: Vec<String>,
    preview: Option<Preview>,
    categories: Vec<(Category, usize)>,
    groups: Vec<SupportGroup>,
    organisations: Vec<Organisation>,
    departments: Vec<Department>,
    webhooks: Vec<Webhook>,
}

impl RulePage {
    async fn load(
        state: &AppState,
        viewer: &Viewer,
        id: Option<i64>,
        form: RuleForm,
    ) -> WebResult<RulePage> {
        let page = || PageRequest::new(None, Some(200));
        let mut c = viewer.ctx(if id.is_some() {
            "rule-edit"
        } else {
            "rule-new"
        });
        if id.is_some() && !form.name.is_empty() {
            c.title = format!("{} · {}", c.title, form.name);
        }
        Ok(RulePage {
            c,
            id,
            form,
            errors: FieldErrors::default(),
            broken: Vec::new(),
            preview: None,
            categories: super::categories::tree(&state.store.categories().list().await?),
            groups: state
                .store
                .groups()
                .list(&GroupFilter::default(), page()?)
                .await?
                .items
                .into_iter()
                .map(|(g, _)| g)
                .collect(),
            organisations: state
                .store
                .organisations()
                .list(&OrganisationFilter::default(), page()?)
                .await?
                .items,
            departments: state.store.departments().list(None, page()?).await?.items,
            webhooks: crate::desk::webhooks::list_webhooks(state, &viewer.caller()).await?,
        })
    }

    fn broken_words(&self) -> String {
        broken_words(self.c.lang, &self.broken)
    }

    /// "12 of the last 1,000 tickets match".
    fn preview_words(&self, p: &Preview) -> String {
        self.c.lang.tn(
            "rule-preview-result",
            &[
                ("matched".to_owned(), p.matched.to_string()),
                ("examined".to_owned(), p.examined.to_string()),
            ],
        )
    }

    /// The impact or urgency typed for the action `field`.
    fn level(&self, field: &str) -> &str {
        match field {
            "a_impact" => &self.form.a_impact,
            "a_urgency" => &self.form.a_urgency,
            _ => "",
        }
    }

    /// Whether the select's option `id` is the one typed in `value`.
    fn is(&self, value: &str, id: &i64) -> bool {
        value.trim() == id.to_string()
    }
}

/// The form for a stored rule (people by their e-mail address).
async fn form_of(state: &AppState, r: &RuleView) -> RuleForm {
    let email = |id: i64| async move {
        state
            .store
            .users()
            .get(UserId(id))
            .await
            .map(|u| u.email.as_str().to_owned())
            .unwrap_or_default()
    };
    let on = |b: bool| if b { "on" } else { "" }.to_owned();
    let c = &r.conditions;
    let mut f = RuleForm {
        name: r.name.clone(),
        position: r.position.to_string(),
        active: on(r.active),
        on_create: on(r.on_create),
        on_update: on(r.on_update),
        stop: on(r.stop),
        keywords: c.keywords.clone().unwrap_or_default().join("\n"),
        organisation_id: c.organisation_id.map(|x| x.to_string()).unwrap_or_default(),
        department_id: c.department_id.map(|x| x.to_string()).unwrap_or_default(),
        channel: c.channel.clone().unwrap_or_default(),
        category_id: c.category_id.map(|x| x.to_string()).unwrap_or_default(),
        ci: c.ci.clone().unwrap_or_default(),
        hours_from: c.hours.as_ref().map(|h| h.from.clone()).unwrap_or_default(),
        hours_to: c.hours.as_ref().map(|h| h.to.clone()).unwrap_or_default(),
        ..RuleForm::default()
    };
    if let Some(id) = c.requester_id {
        f.requester = email(id).await;
    }
    for p in c.priority.iter().flatten() {
        if let Some(field) = f.priority_field(p) {
            *field = "on".into();
        }
    }
    for a in &r.actions {
        match a {
            Action::SetCategory(x) => f.a_category = x.to_string(),
            Action::SetImpact(v) => f.a_impact = v.clone(),
            Action::SetUrgency(v) => f.a_urgency = v.clone(),
            Action::SetGroup(x) => f.a_group = x.to_string(),
            Action::SetAssignee(x) => f.a_assignee = email(*x).await,
            Action::SetTier(v) => f.a_tier = v.clone(),
            Action::AddTag(v) => f.a_tag = v.clone(),
            Action::MajorCandidate(b) => f.a_major = on(*b),
            Action::AddNote(v) => f.a_note = v.clone(),
            Action::Notify(x) => f.a_notify = email(*x).await,
            Action::CallWebhook(x) => f.a_webhook = x.to_string(),
        }
    }
    f
}

pub async fn new_page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let form = RuleForm {
        active: "on".into(),
        on_create: "on".into(),
        ..RuleForm::default()
    };
    render(&RulePage::load(&state, &viewer, None, form).await?)
}

/// The rule named in the address, or "not found".
async fn existing(state: &AppState, viewer: &Viewer, id: i64) -> WebResult<RuleView> {
    rules::list_rules(state, &viewer.caller())
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| crate::AppError::NotFound.into())
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let rule = existing(&state, &viewer, id).await?;
    let form = form_of(&state, &rule).await;
    let mut page = RulePage::load(&state, &viewer, Some(id), form).await?;
    page.broken = rule.broken;
    render(&page)
}

/// The preview button: the page again, with what the typed conditions match.
async fn preview(
    state: &AppState,
    viewer: &Viewer,
    id: Option<i64>,
    form: RuleForm,
) -> WebResult<Response> {
    let mut r = Reader::new(state, viewer.lang);
    let conditions = r.conditions(&form).await;
    if let Some(e) = r.failure {
        return Err(e.into());
    }
    let errors = r.errors;
    let mut page = RulePage::load(state, viewer, id, form).await?;
    if errors.is_empty() {
        page.preview = Some(rules::preview_rule(state, &viewer.caller(), &conditions).await?);
        render(&page)
    } else {
        page.errors = errors;
        crate::web::kit::page::render_as(&page, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    }
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<RuleForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    if form.intent == "preview" {
        return preview(&state, &viewer, None, form).await;
    }
    let save = async {
        let input = input_of(&state, viewer.lang, &form).await?;
        let saved = rules::create_rule(&state, &viewer.caller(), &input)
            .await
            .map_err(|e| placed(viewer.lang, &input, e))?;
        Ok(format!("/admin/rules/{}", saved.id))
    };
    let shown = RulePage::load(&state, &viewer, None, form.clone());
    submit(viewer.lang, FIELDS, save, shown, |p, errors| {
        p.errors = errors
    })
    .await
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<RuleForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let current = existing(&state, &viewer, id).await?;
    if form.intent == "preview" {
        return preview(&state, &viewer, Some(id), form).await;
    }
    let save = async {
        let input = input_of(&state, viewer.lang, &form).await?;
        rules::update_rule(&state, &viewer.caller(), current.id, &input)
            .await
            .map_err(|e| placed(viewer.lang, &input, e))?;
        Ok(format!("/admin/rules/{}", current.id))
    };
    let shown = RulePage::load(&state, &viewer, Some(id), form.clone());
    submit(viewer.lang, FIELDS, save, shown, |p, errors| {
        p.errors = errors
    })
    .await
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    rules::delete_rule(&state, &viewer.caller(), id).await?;
    Ok(Redirect::to("/admin/rules?flash=rule-deleted").into_response())
}
