//! Shared pieces of the pages: the portal's new-ticket form with its checks
//! and attachments, the category list, and message keys for enums shown to people.

use serde::Deserialize;
use ventanilla_domain::ticket::Channel;
use ventanilla_domain::ticket::{Category, Ticket, TicketKind};
use ventanilla_domain::{Caller, TicketId};

use super::error::WebResult;
use super::form::FieldErrors;
use super::i18n::Lang;
use super::page::Viewer;
use super::upload::{FILE_FIELD, Upload};
use crate::AppState;
use crate::desk::DeskError;
use crate::desk::tickets::{
    CreateTicket, FactsInput, attach_file, check_file, may_attach, register_ticket,
};

/// What the new-ticket form sends (and shows again, as typed, when something is missing).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewTicketForm {
    pub kind: String,
    pub subject: String,
    pub description: String,
    pub category_id: String,
    pub impact: String,
    pub urgency: String,
    pub ci_ref: String,
    pub started_at: String,
    pub impact_scope: String,
    pub error_codes: String,
    pub tried: String,
}

impl NewTicketForm {
    pub fn for_kind(kind: TicketKind) -> Self {
        Self {
            kind: kind.as_str().into(),
            ..Self::default()
        }
    }

    pub fn is_incident(&self) -> bool {
        self.kind != TicketKind::ServiceRequest.as_str()
    }

    pub fn category_selected(&self, id: &ventanilla_domain::CategoryId) -> bool {
        self.category_id == id.get().to_string()
    }
}

pub fn new_title(kind: TicketKind) -> &'static str {
    match kind {
        TicketKind::Incident => "new-incident",
        TicketKind::ServiceRequest => "new-request",
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Checks the form and its files, and registers the ticket through the same service as the
/// API, then attaches the files through the attachments service. Field errors (the files'
/// included, so nothing is registered when a file is refused) come back to be shown next to
/// their fields; other refusals are errors.
pub async fn register(
    state: &AppState,
    viewer: &Viewer,
    f: &NewTicketForm,
    upload: (&[Upload], FieldErrors),
) -> WebResult<Result<Ticket, FieldErrors>> {
    let l = viewer.lang;
    let (files, mut errors) = upload;
    check_files(state, l, files, &mut errors);
    for (field, value) in [("subject", &f.subject), ("description", &f.description)] {
        if value.trim().is_empty() {
            errors.add(field, l.t("err-required"));
        }
    }
    for (field, value) in [("impact", &f.impact), ("urgency", &f.urgency)] {
        if !matches!(value.as_str(), "high" | "medium" | "low") {
            errors.add(field, l.t("err-choose"));
        }
    }
    let started_at = match opt(&f.started_at) {
        None => None,
        Some(s) => match s.parse::<jiff::civil::DateTime>() {
            Ok(dt) => dt
                .to_zoned(viewer.user.time_zone.zone())
                .ok()
                .map(|z| z.timestamp().to_string()),
            Err(_) => {
                errors.add("started_at", l.t("err-invalid"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let req = CreateTicket {
        kind: f.kind.clone(),
        subject: f.subject.clone(),
        description: f.description.clone(),
        impact: f.impact.clone(),
        urgency: f.urgency.clone(),
        channel: Some("portal".into()),
        requester_id: None,
        requester: None,
        organisation_id: None,
        category_id: opt(&f.category_id).and_then(|c| c.parse().ok()),
        ci_ref: opt(&f.ci_ref),
        group_id: None,
        assignee_id: None,
        priority: None,
        priority_reason: None,
        facts: FactsInput {
            started_at,
            impact_scope: opt(&f.impact_scope),
            error_codes: opt(&f.error_codes),
            tried: opt(&f.tried),
        },
    };
    let caller = viewer.caller();
    let registered = match req.command(Channel::Portal) {
        Ok(cmd) => register_ticket(state, &caller, &cmd, None).await,
        Err(v) => Err(DeskError::Invalid(v)),
    };
    match registered {
        Ok((t, _)) => {
            attach_all(state, &caller, t.id, files, None).await?;
            Ok(Ok(t))
        }
        Err(DeskError::Invalid(v)) => {
            let field = v.field.trim_start_matches("facts.");
            errors.add(field, format!("{} ({})", l.t("err-invalid"), v.message));
            Ok(Err(errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// Checks each file with the attachments service before anything is stored; a refusal is
/// the `files` field's error.
pub fn check_files(state: &AppState, l: Lang, files: &[Upload], errors: &mut FieldErrors) {
    let mut refused = Vec::new();
    for u in files {
        if let Err(e) = check_file(state, &u.filename, &u.data) {
            refused.push(format!("{}: {} ({e})", u.filename, l.t("err-invalid")));
        }
    }
    if !refused.is_empty() {
        errors.add(FILE_FIELD, refused.join(" "));
    }
}

/// Attaches checked files to a ticket through the attachments service (who may attach, and
/// when, is the API's rule).
pub async fn attach_all(
    state: &AppState,
    caller: &Caller,
    id: TicketId,
    files: &[Upload],
    public: Option<bool>,
) -> WebResult<()> {
    if files.is_empty() {
        return Ok(());
    }
    let ticket = may_attach(state, caller, id).await?;
    for u in files {
        attach_file(state, caller, &ticket, &u.filename, public, &u.data).await?;
    }
    Ok(())
}

/// Active categories, parents before their children.
pub async fn categories(state: &AppState) -> WebResult<Vec<Category>> {
    let all = state.store.categories().list().await?;
    let mut out = Vec::with_capacity(all.len());
    for p in all.iter().filter(|c| c.parent_id.is_none() && c.active) {
        out.push(p.clone());
        for ch in all.iter().filter(|c| c.parent_id == Some(p.id) && c.active) {
            out.push(ch.clone());
        }
    }
    Ok(out)
}

/// A category's name in the page's language.
pub fn category_name(lang: &super::i18n::Lang, c: &Category) -> String {
    match lang.0 {
        ventanilla_domain::Language::Es => c.name_es.clone(),
        ventanilla_domain::Language::En => c.name_en.clone(),
    }
}

/// String equality for templates, whatever the reference depth of each side.
pub fn same(a: &str, b: &str) -> bool {
    a == b
}
