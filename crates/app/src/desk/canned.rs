//! Canned responses and macros (issue 17). An agent keeps personal snippets; supervisors
//! and administrators keep shared ones; each is in Spanish or English and may hold
//! variables, filled in for one ticket when inserted into the reply box. Macros (kept by
//! administrators) apply several changes in one action — category, a public reply, an
//! internal note, then a move — each through its own use case, so the state machine and
//! access rules decide every step; the first refusal stops the macro and says which step.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::canned::{self, Vars};
use ventanilla_domain::ticket::{EventKind, Status, Ticket, TicketPatch, TransitionFields};
use ventanilla_domain::{
    Caller, CategoryId, Language, Permission, Text, TicketId, ValidationError,
};
use ventanilla_store::canned::{Canned, Macro, NewCanned, NewMacro};

use crate::App;
use crate::desk::tickets::{AddAction, PatchTicket, add_action, move_ticket, patch_ticket};
use crate::desk::{DeskError, DeskResult, audit, missing_as, require};

/// A canned response as received.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedInput {
    /// `es` or `en`.
    pub language: String,
    pub title: String,
    /// The text; variables: `{{requester_name}}`, `{{ticket_number}}`, `{{ticket_subject}}`,
    /// `{{due_at}}`, `{{agent_name}}`, `{{group_name}}`.
    pub body: String,
    /// Shared with every agent (supervisors and administrators); personal otherwise.
    #[serde(default)]
    pub shared: bool,
}

impl CannedInput {
    fn command(&self, caller: &Caller) -> DeskResult<NewCanned> {
        let language: Language = self
            .language
            .parse()
            .map_err(|_| ValidationError::new("language", "must be es or en"))?;
        let title = Text::parse("title", &self.title, canned::TITLE_MAX)?;
        let body = Text::parse("body", &self.body, canned::BODY_MAX)?;
        canned::check_variables("body", body.as_str())?;
        if self.shared && !may_share(caller) {
            return Err(DeskError::Forbidden);
        }
        Ok(NewCanned {
            owner_id: (!self.shared).then(|| caller.user_id()),
            language,
            title: title.to_string(),
            body: body.to_string(),
        })
    }
}

/// Supervisors and administrators keep the shared snippets.
pub fn may_share(caller: &Caller) -> bool {
    caller.can(Permission::TicketsClose) || caller.can(Permission::ConfigManage)
}

/// The responses the caller may insert: theirs and the shared ones.
pub async fn list_canned(app: &App, caller: &Caller) -> DeskResult<Vec<Canned>> {
    require(caller, Permission::TicketsWork)?;
    Ok(app.store.canned().usable_by(caller.user_id()).await?)
}

/// Saves a new canned response.
pub async fn create_canned(app: &App, caller: &Caller, input: &CannedInput) -> DeskResult<Canned> {
    require(caller, Permission::TicketsWork)?;
    let new = input.command(caller)?;
    Ok(app
        .store
        .canned()
        .create(&new, caller.user_id(), app.now())
        .await?)
}

/// A response the caller may change: their own, or a shared one if they keep shared ones.
/// Another agent's personal snippet is "not found".
async fn changeable(app: &App, caller: &Caller, id: i64) -> DeskResult<Canned> {
    require(caller, Permission::TicketsWork)?;
    let c = app.store.canned().get(id).await?;
    match c.owner_id {
        Some(o) if o == caller.user_id() => Ok(c),
        Some(_) => Err(DeskError::NotFound),
        None if may_share(caller) => Ok(c),
        None => Err(DeskError::Forbidden),
    }
}

/// A response the caller may edit (their own, or a shared one they keep), for its form.
pub async fn canned_to_edit(app: &App, caller: &Caller, id: i64) -> DeskResult<Canned> {
    changeable(app, caller, id).await
}

pub async fn update_canned(
    app: &App,
    caller: &Caller,
    id: i64,
    input: &CannedInput,
) -> DeskResult<Canned> {
    changeable(app, caller, id).await?;
    let new = input.command(caller)?;
    Ok(app.store.canned().update(id, &new, app.now()).await?)
}

pub async fn delete_canned(app: &App, caller: &Caller, id: i64) -> DeskResult<()> {
    changeable(app, caller, id).await?;
    Ok(app.store.canned().delete(id).await?)
}

/// The variables' values for `ticket` as `caller` would send it now.
async fn vars_for(app: &App, caller: &Caller, t: &Ticket) -> DeskResult<Vars> {
    let requester = app.store.users().get(t.requester_id).await?;
    let agent = app.store.users().get(caller.user_id()).await?;
    let group_name = match t.group_id {
        Some(g) => app.store.groups().get(g).await?.name,
        None => String::new(),
    };
    let due_at = t
        .sla
        .due_at
        .map(|d| {
            // In the requester's zone: the text is written to them.
            d.to_zoned(requester.time_zone.zone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    Ok(Vars {
        requester_name: requester.name,
        ticket_number: t.number.clone(),
        ticket_subject: t.subject.clone(),
        due_at,
        agent_name: agent.name,
        group_name,
    })
}

/// A canned response's text filled in for one ticket the caller works.
pub async fn render_canned(
    app: &App,
    caller: &Caller,
    ticket: TicketId,
    id: i64,
) -> DeskResult<String> {
    require(caller, Permission::TicketsWork)?;
    let t = crate::desk::tickets::access::load(app, caller, ticket).await?;
    let c = app.store.canned().get(id).await?;
    if c.owner_id.is_some_and(|o| o != caller.user_id()) {
        return Err(DeskError::NotFound);
    }
    Ok(canned::render(&c.body, &vars_for(app, caller, &t).await?))
}

/// A macro as received.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MacroInput {
    pub name: String,
    /// A public reply (variables allowed).
    pub reply: Option<String>,
    /// An internal note (variables allowed).
    pub note: Option<String>,
    pub category_id: Option<i64>,
    /// `analysis`, `solution`, `validation`, `pending`, `closed` or `cancelled`.
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
}

fn opt_text(
    field: &str,
    v: &Option<String>,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    Ok(Text::parse_optional(field, v.as_deref(), max)?.map(|t| t.to_string()))
}

/// Saves a macro (administrators).
pub async fn create_macro(app: &App, caller: &Caller, input: &MacroInput) -> DeskResult<Macro> {
    require(caller, Permission::ConfigManage)?;
    let name = Text::parse("name", &input.name, 200)?;
    let reply = opt_text("reply", &input.reply, canned::BODY_MAX)?;
    let note = opt_text("note", &input.note, canned::BODY_MAX)?;
    for (field, text) in [("reply", &reply), ("note", &note)] {
        if let Some(t) = text {
            canned::check_variables(field, t)?;
        }
    }
    let to_status = match input.to_status.as_deref().filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(s) => {
            let st: Status = s
                .parse()
                .map_err(|_| ValidationError::new("to_status", "is not a ticket status"))?;
            if matches!(st, Status::New | Status::Survey | Status::Review) {
                return Err(
                    ValidationError::new("to_status", "is not a status an agent moves to").into(),
                );
            }
            Some(st.as_str().to_owned())
        }
    };
    let category_id = match input.category_id {
        Some(c) => Some(
            app.store
                .categories()
                .get(CategoryId(c))
                .await
                .map_err(|e| missing_as(e, "category_id", "does not exist"))?
                .id,
        ),
        None => None,
    };
    if reply.is_none() && note.is_none() && category_id.is_none() && to_status.is_none() {
        return Err(ValidationError::new("name", "a macro must change something").into());
    }
    let m = NewMacro {
        name: name.to_string(),
        reply,
        note,
        category_id,
        to_status,
        reason: opt_text("reason", &input.reason, 4000)?,
        resolution_code: opt_text("resolution_code", &input.resolution_code, 100)?,
        resolution: opt_text("resolution", &input.resolution, 100_000)?,
        active: true,
    };
    let entry = audit(app, caller, "macro.create")
        .target("macro", None)
        .detail(serde_json::json!({ "name": m.name }));
    match app
        .store
        .canned()
        .create_macro(&m, caller.user_id(), &entry)
        .await
    {
        Err(ventanilla_store::StoreError::Conflict { .. }) => {
            Err(ValidationError::new("name", "is already the name of a macro").into())
        }
        other => Ok(other?),
    }
}

/// The macros agents may apply (active ones).
pub async fn list_macros(app: &App, caller: &Caller) -> DeskResult<Vec<Macro>> {
    require(caller, Permission::TicketsWork)?;
    Ok(app
        .store
        .canned()
        .macros()
        .await?
        .into_iter()
        .filter(|m| m.active)
        .collect())
}

/// Which step of a macro refused, and why.
#[derive(Debug)]
pub struct MacroRefusal {
    /// `category`, `reply`, `note` or `status`.
    pub step: &'static str,
    /// Steps applied before it.
    pub applied: Vec<&'static str>,
    pub error: DeskError,
}

/// Applies a macro to a ticket: category, reply, note, move — in that order, each through
/// its use case. Returns the ticket after the last step, or the step that refused (the
/// steps before it stay applied, each on the timeline like any change).
pub async fn apply_macro(
    app: &App,
    caller: &Caller,
    ticket: TicketId,
    macro_id: i64,
) -> DeskResult<Result<Ticket, MacroRefusal>> {
    require(caller, Permission::TicketsWork)?;
    let m = app.store.canned().macro_by_id(macro_id).await?;
    if !m.active {
        return Err(DeskError::NotFound);
    }
    let mut t = crate::desk::tickets::access::load(app, caller, ticket).await?;
    let vars = vars_for(app, caller, &t).await?;
    let mut applied: Vec<&'static str> = Vec::new();
    macro_rules! step {
        ($name:literal, $e:expr) => {
            match $e {
                Ok(after) => {
                    t = after;
                    applied.push($name);
                }
                Err(e @ (DeskError::Unavailable(_) | DeskError::Internal(_))) => return Err(e),
                Err(error) => {
                    return Ok(Err(MacroRefusal {
                        step: $name,
                        applied,
                        error,
                    }));
                }
            }
        };
    }
    if let Some(c) = m.category_id.filter(|c| Some(*c) != t.category_id) {
        let cmd = PatchTicket {
            patch: TicketPatch {
                category_id: Some(Some(c)),
                ..TicketPatch::default()
            },
            kind: None,
        };
        step!(
            "category",
            patch_ticket(app, caller, ticket, None, &cmd).await
        );
    }
    for (name, kind, text) in [
        ("reply", EventKind::Reply, &m.reply),
        ("note", EventKind::Note, &m.note),
    ] {
        let Some(text) = text else { continue };
        let body = Text::parse("body", &canned::render(text, &vars), 100_000)?;
        let cmd = AddAction {
            kind,
            body,
            minutes: None,
        };
        let done = add_action(app, caller, ticket, &cmd).await;
        match done {
            Ok(after) => {
                t = after;
                applied.push(name);
            }
            Err(e @ (DeskError::Unavailable(_) | DeskError::Internal(_))) => return Err(e),
            Err(error) => {
                return Ok(Err(MacroRefusal {
                    step: name,
                    applied,
                    error,
                }));
            }
        }
    }
    if let Some(to) = m.to_status.as_deref() {
        let to: Status = to
            .parse()
            .map_err(|_| DeskError::internal(anyhow::anyhow!("macro {} status {to}", m.id)))?;
        let text = |v: &Option<String>, max| Text::parse_optional("macro", v.as_deref(), max);
        let fields = TransitionFields {
            reason: text(&m.reason, 4000)?,
            resolution_code: text(&m.resolution_code, 100)?,
            resolution: text(
                &m.resolution.as_ref().map(|r| canned::render(r, &vars)),
                100_000,
            )?,
            summary: None,
        };
        step!(
            "status",
            move_ticket(app, caller, ticket, None, to, fields).await
        );
    }
    Ok(Ok(t))
}
