//! The agent's phone form (issue 16, finding 8): the caller found by e-mail or name (a phone
//! system's screen pop opens `?caller=`), the ticket as the desk classifies it (category,
//! impact and urgency or an overriding priority with its reason, group, "assign to me") and
//! "resolved during the call", which registers and resolves in one use case
//! (`desk::tickets::register_call`) so the call counts as first-contact resolution.
//! A refused form comes back as typed with each error beside its field.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::directory::{PageRequest, SupportGroup};
use ventanilla_domain::ticket::{Category, Channel, Priority, Status, Ticket, TicketKind};
use ventanilla_domain::{Permission, ValidationError};
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::resolution_codes::ResolutionCode;
use ventanilla_store::tickets::{TicketFilter, TicketSort};
use ventanilla_store::users::UserFilter;

use crate::AppState;
use crate::desk::DeskError;
use crate::desk::tickets::{
    CallResolution, CreateTicket, FactsInput, RequesterInput, TakeCall, access, register_call,
};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::FieldErrors;
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::upload::{CsrfMultipart, megabytes};
use crate::web::kit::view::{self, same};

/// What the phone form sends (and shows again as typed when refused).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PhoneForm {
    pub caller_name: String,
    pub caller_email: String,
    pub caller_phone: String,
    pub kind: String,
    pub subject: String,
    pub description: String,
    pub category_id: String,
    pub impact: String,
    pub urgency: String,
    /// Empty: the priority matrix decides.
    pub priority: String,
    pub priority_reason: String,
    /// Empty: the desk's default routing decides.
    pub group_id: String,
    pub assign_to_me: String,
    pub ci_ref: String,
    pub resolved: String,
    pub resolution_code: String,
    pub resolution: String,
}

impl PhoneForm {
    fn fresh() -> Self {
        Self {
            kind: TicketKind::Incident.as_str().into(),
            // Whoever takes the call usually keeps it; the agent unticks to leave it to the group.
            assign_to_me: "on".into(),
            ..Self::default()
        }
    }

    pub fn is_incident(&self) -> bool {
        self.kind != TicketKind::ServiceRequest.as_str()
    }

    pub fn checked(&self, field: &str) -> bool {
        let v = match field {
            "assign_to_me" => &self.assign_to_me,
            _ => &self.resolved,
        };
        !v.is_empty()
    }
}

#[derive(Template)]
#[template(path = "console/phone.html")]
struct PhonePage {
    c: Ctx,
    form: PhoneForm,
    errors: FieldErrors,
    categories: Vec<Category>,
    groups: Vec<SupportGroup>,
    codes: Vec<ResolutionCode>,
    caller_tickets: Vec<Ticket>,
    max_mb: String,
}

impl PhonePage {
    fn priorities(&self) -> &'static [Priority] {
        Priority::ALL
    }

    fn code_name<'a>(&self, code: &'a ResolutionCode) -> &'a str {
        match self.c.lang.0 {
            ventanilla_domain::Language::Es => &code.name_es,
            ventanilla_domain::Language::En => &code.name_en,
        }
    }

    fn is(&self, value: impl AsRef<str>, wanted: impl AsRef<str>) -> bool {
        same(value.as_ref(), wanted.as_ref())
    }
}

async fn phone_page(
    state: &AppState,
    viewer: &Viewer,
    form: PhoneForm,
    errors: FieldErrors,
    caller_tickets: Vec<Ticket>,
) -> WebResult<PhonePage> {
    let groups = state
        .store
        .groups()
        .list(&GroupFilter::default(), PageRequest::new(None, Some(200))?)
        .await?
        .items
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    let codes = state
        .store
        .resolution_codes()
        .list()
        .await?
        .into_iter()
        .filter(|c| c.active)
        .collect();
    Ok(PhonePage {
        c: viewer.ctx("phone-title"),
        form,
        errors,
        categories: view::categories(state).await?,
        groups,
        codes,
        caller_tickets,
        max_mb: megabytes(viewer.lang, state.config.tickets.attachment_max_bytes),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CallerQuery {
    /// The caller's email (or part of a name), as a phone system's screen pop sends it.
    caller: String,
}

/// The form; `?caller=` (email or name) fills in a known caller and lists their open
/// tickets, so a phone system can open this page when a call comes in.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CallerQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let mut form = PhoneForm::fresh();
    let mut caller_tickets = Vec::new();
    let wanted = q.caller.trim();
    if !wanted.is_empty() {
        let filter = UserFilter {
            q: Some(wanted.to_owned()),
            ..UserFilter::default()
        };
        let found = state
            .store
            .users()
            .list(
                &viewer.auth.actor,
                &filter,
                PageRequest::new(None, Some(2))?,
            )
            .await?
            .items;
        form.caller_email = wanted.to_owned();
        if let [u] = found.as_slice() {
            form.caller_name = u.name.clone();
            form.caller_email = u.email.as_str().to_owned();
            form.caller_phone = u.phone.clone().unwrap_or_default();
            let filter = TicketFilter {
                requester_id: Some(u.id),
                statuses: Status::ALL
                    .iter()
                    .copied()
                    .filter(|s| !s.is_terminal())
                    .collect(),
                ..TicketFilter::default()
            };
            let scope = access::scope(&state, &viewer.caller());
            caller_tickets = state
                .store
                .tickets()
                .list(&scope, &filter, TicketSort::Newest, None, 20)
                .await?
                .items;
        }
    }
    let page = phone_page(
        &state,
        &viewer,
        form,
        FieldErrors::default(),
        caller_tickets,
    )
    .await?;
    render(&page)
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The form's own checks, all at once, so the agent sees every missing field together.
fn check(l: Lang, f: &PhoneForm, errors: &mut FieldErrors) {
    let required = [
        ("caller_name", &f.caller_name),
        ("caller_email", &f.caller_email),
        ("subject", &f.subject),
        ("description", &f.description),
    ];
    for (field, value) in required {
        if value.trim().is_empty() {
            errors.add(field, l.t("err-required"));
        }
    }
    for (field, value) in [("impact", &f.impact), ("urgency", &f.urgency)] {
        if !matches!(value.as_str(), "high" | "medium" | "low") {
            errors.add(field, l.t("err-choose"));
        }
    }
    if !f.priority.is_empty() && f.priority_reason.trim().is_empty() {
        errors.add("priority_reason", l.t("err-priority-reason"));
    }
    if !f.resolved.is_empty() {
        if f.resolution_code.trim().is_empty() {
            errors.add("resolution_code", l.t("err-choose"));
        }
        if f.resolution.trim().is_empty() {
            errors.add("resolution", l.t("err-required"));
        }
    }
}

/// The form as the use case's command.
fn command(f: &PhoneForm, me: i64) -> Result<TakeCall, ValidationError> {
    let input = CreateTicket {
        kind: f.kind.clone(),
        subject: f.subject.clone(),
        description: f.description.clone(),
        impact: f.impact.clone(),
        urgency: f.urgency.clone(),
        channel: Some(Channel::Phone.as_str().into()),
        requester_id: None,
        requester: Some(RequesterInput {
            name: f.caller_name.trim().into(),
            email: f.caller_email.trim().into(),
            phone: opt(&f.caller_phone),
        }),
        organisation_id: None,
        category_id: opt(&f.category_id).and_then(|c| c.parse().ok()),
        ci_ref: opt(&f.ci_ref),
        group_id: match opt(&f.group_id) {
            Some(g) => Some(
                g.parse()
                    .map_err(|_| ValidationError::new("group_id", "is not a group"))?,
            ),
            None => None,
        },
        assignee_id: (!f.assign_to_me.is_empty()).then_some(me),
        priority: opt(&f.priority),
        priority_reason: opt(&f.priority_reason),
        facts: FactsInput::default(),
    };
    Ok(TakeCall {
        ticket: input.command(Channel::Phone)?,
        resolved: if f.resolved.is_empty() {
            None
        } else {
            Some(CallResolution::parse(&f.resolution_code, &f.resolution)?)
        },
    })
}

/// Where the use case's field names are shown on this form.
fn form_field(field: &str) -> String {
    match field {
        "assignee_id" => "assign_to_me".into(),
        f if f.starts_with("requester.") => f.replace("requester.", "caller_"),
        "subject" | "description" | "category_id" | "impact" | "urgency" | "priority"
        | "priority_reason" | "group_id" | "ci_ref" | "resolution_code" | "resolution" | "kind" => {
            field.into()
        }
        _ => "_form".into(),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    upload: CsrfMultipart<PhoneForm>,
) -> WebResult<Response> {
    upload.viewer.auth.require(Permission::TicketsWork)?;
    let mut errors = upload.file_errors();
    let status = upload.trouble.status();
    let CsrfMultipart {
        viewer,
        form,
        files,
        ..
    } = upload;
    let l = viewer.lang;
    view::check_files(&state, l, &files, &mut errors);
    check(l, &form, &mut errors);
    if errors.is_empty() {
        let caller = viewer.caller();
        let attached: Vec<(&str, &[u8])> = files
            .iter()
            .map(|u| (u.filename.as_str(), u.data.as_ref()))
            .collect();
        let done = match command(&form, caller.user_id().get()) {
            Ok(call) => register_call(&state, &caller, &call, &attached).await,
            Err(v) => Err(DeskError::Invalid(v)),
        };
        match done {
            Ok(t) => {
                let flash = if t.status == Status::Validation {
                    "resolved"
                } else {
                    "created"
                };
                return Ok(
                    Redirect::to(&format!("/console/tickets/{}?flash={flash}", t.id))
                        .into_response(),
                );
            }
            Err(DeskError::Invalid(v)) => {
                errors.add(
                    &form_field(&v.field),
                    format!("{} ({})", l.t("err-invalid"), v.message),
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = phone_page(&state, &viewer, form, errors, Vec::new()).await?;
    let mut res = render(&page)?;
    *res.status_mut() = status;
    Ok(res)
}
