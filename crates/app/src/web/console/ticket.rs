//! The agent's ticket page: every field, the full timeline (internal notes marked, newest
//! first unless the agent flips it; the choice is kept in a cookie), the reply box beside the
//! newest entry, and one action panel — take, the transitions the state machine allows now
//! (only those, in one form), assign, escalate with a handover, priority override,
//! reclassify, major-incident flag, child links — plus attachments (a plain multipart form).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use ventanilla_domain::directory::{PageRequest, SupportGroup, User};
use ventanilla_domain::ticket::{Category, Status, Ticket, TicketEvent};
use ventanilla_domain::{Permission, TicketId, UserId};
use ventanilla_store::groups::GroupFilter;

use crate::AppState;
use crate::desk::tickets::access;
use crate::desk::tickets::{
    ActionBody, EscalationBody, MajorBody, TransitionBody, UpdateTicket, add_action,
    escalate_ticket, link_child, move_ticket, patch_ticket, set_major,
};
use crate::web::console::refuse::{FORM, Refusal, Typed, finish};
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render, render_as};
use crate::web::kit::path::Path;
use crate::web::kit::staff::{Staff, sla_key};
use crate::web::kit::upload::CsrfMultipart;

#[derive(Template)]
#[template(path = "console/ticket.html")]
struct TicketPage {
    c: Ctx,
    t: Ticket,
    events: Vec<TicketEvent>,
    attachments: Vec<ventanilla_store::tickets::attachments::AttachmentMeta>,
    requester: User,
    staff: Staff,
    groups: Vec<SupportGroup>,
    categories: Vec<Category>,
    allowed: Vec<Status>,
    children: Vec<Ticket>,
    me: UserId,
    sla: &'static str,
    /// The attachment form (files and whether the requester sees them) and its errors.
    upload_form: bool,
    upload_errors: FieldErrors,
    max_mb: String,
    /// The viewer sees the ticket because their group escalated it: they may read, reply and
    /// note, not move, assign or classify it.
    following: bool,
    /// What was typed into the form that was refused, and its errors.
    typed: Typed,
    errors: FieldErrors,
    /// Knowledge: suggested articles, similar resolved tickets, articles that solved it.
    kb: crate::desk::kb::tickets::TicketSuggestions,
    kb_linked: Vec<ventanilla_domain::kb::Article>,
    /// Canned responses and macros (issue 17).
    work: super::work::Work,
    /// The history newest first, the reply box above it (else oldest first, the box below).
    newest_first: bool,
    /// The SLA clock in words, as the queue says it ("due in 3 h", "Clock paused").
    countdown: String,
    /// Automation hooks' calls on this ticket (issue 13), oldest first.
    hook_calls: Vec<ventanilla_store::hooks::HookCall>,
}

impl TicketPage {
    /// A canned response's language code.
    fn pick_lang(&self, p: &ventanilla_store::canned::Pick) -> &'static str {
        p.language.map_or("", |l| l.code())
    }

    /// An agent's name from a user id written as text (time totals), or the system.
    fn agent_of(&self, key: &str) -> String {
        self.actor_name(&key.parse::<i64>().ok().map(UserId))
    }

    fn actor_name(&self, id: &Option<UserId>) -> String {
        match id {
            None => self.c.t("system"),
            Some(u) if *u == self.requester.id => self.requester.name.clone(),
            Some(_) => self.staff.name(id),
        }
    }

    fn group_name(&self) -> String {
        self.t
            .group_id
            .and_then(|g| self.groups.iter().find(|x| x.id == g))
            .map(|g| g.name.clone())
            .unwrap_or_default()
    }

    fn category_name(&self) -> String {
        self.t
            .category_id
            .and_then(|id| self.categories.iter().find(|c| c.id == id))
            .map(|c| crate::web::kit::view::category_name(&self.c.lang, c))
            .unwrap_or_default()
    }

    /// Whether a move the panel offers asks for the resolution (validation, closing).
    fn offers_resolution(&self) -> bool {
        self.allowed
            .iter()
            .any(|to| matches!(to, Status::Validation | Status::Closed))
    }

    /// The refused move's form name (`move-<status>`), or "" when no move was refused; the
    /// move form reads what was typed from it.
    fn move_refused(&self) -> String {
        if self.typed.form.starts_with("move-") {
            self.typed.form.clone()
        } else {
            String::new()
        }
    }

    /// The action panel's open section: the one whose form was refused, else the status
    /// moves (the most frequent action), or none when no move is offered.
    fn open_panel(&self) -> &'static str {
        if !self.errors.is_empty() {
            match self.typed.form.as_str() {
                "assign" => return "assign",
                "escalate" => return "escalate",
                "classify" | "priority" => return "classify",
                "major" | "child" => return "major",
                _ => {}
            }
        }
        if self.allowed.is_empty() { "" } else { "move" }
    }

    /// What was typed into `field` of the refused `form`, or `default`.
    fn v(&self, form: &str, field: &str, default: &str) -> String {
        self.typed.get(form, field).unwrap_or(default).to_owned()
    }

    /// The error beside `field` of `form` (empty when that form was not the one refused).
    fn err(&self, form: &str, field: &str) -> String {
        if self.typed.form == form {
            self.errors.get(field)
        } else {
            String::new()
        }
    }

    /// An optional id as a form value.
    fn id_text<T: std::fmt::Display>(&self, id: &Option<T>) -> String {
        id.as_ref().map(|i| i.to_string()).unwrap_or_default()
    }

    /// The form name of a move to `to`.
    fn move_form(&self, to: &Status) -> String {
        format!("move-{}", to.as_str())
    }

    /// Whether the ticket takes no more work: closed or cancelled (no form is offered).
    fn terminal(&self) -> bool {
        self.t.status.is_terminal()
    }

    /// Whether agents wait for the requester's answer in validation (no change is offered).
    fn locked(&self) -> bool {
        self.t.status == Status::Validation
    }

    /// The error summary: (the field's element id, its message) for the refused form.
    fn summary(&self) -> Vec<(String, String)> {
        let form = self.typed.form.as_str();
        self.errors
            .0
            .iter()
            .map(|(f, m)| {
                // Every move shares one form, whose fields are named `move-<field>`.
                let prefix = if form.starts_with("move-") {
                    "move"
                } else {
                    form
                };
                let id = if f == FORM {
                    format!("{prefix}-form")
                } else {
                    format!("{prefix}-{f}")
                };
                (id, m.clone())
            })
            .collect()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    /// A canned response to fill in for this ticket and put in the reply box.
    canned: Option<i64>,
    /// `oldest` or `newest`: the history's order, kept in [`ORDER_COOKIE`] from then on.
    order: Option<String>,
}

/// The agent's chosen history order on the ticket page (`oldest`; anything else is newest
/// first). A cookie rather than a profile field: it is a reading habit of one browser.
const ORDER_COOKIE: &str = "ventanilla_tl_order";

/// Whether the history reads newest first: the query's choice, else the cookie's.
fn newest_first(jar: &CookieJar, asked: Option<&str>) -> bool {
    let order = asked.or_else(|| jar.get(ORDER_COOKIE).map(|c| c.value()));
    order != Some("oldest")
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> WebResult<Response> {
    let mut page = load(&state, &viewer, id).await?;
    if let Some(canned) = q.canned {
        page.typed = super::work::prefill(&state, &viewer.caller(), page.t.id, canned).await?;
    }
    let asked = q
        .order
        .as_deref()
        .filter(|o| matches!(*o, "oldest" | "newest"));
    page.set_order(newest_first(&viewer.cookies, asked));
    let html = render(&page)?;
    Ok(match asked {
        Some(o) => {
            let cookie = Cookie::build((ORDER_COOKIE, o.to_owned()))
                .path("/console")
                .same_site(SameSite::Lax)
                .http_only(true)
                .permanent()
                .build();
            (viewer.cookies.clone().add(cookie), html).into_response()
        }
        None => html,
    })
}

impl TicketPage {
    /// Puts the history in the chosen order (it is read oldest first).
    fn set_order(&mut self, newest_first: bool) {
        if newest_first != self.newest_first {
            self.events.reverse();
            self.newest_first = newest_first;
        }
    }
}

/// The page again with a refused form of another module (the macro panel).
pub async fn again_with(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    typed: Typed,
    refusal: Refusal,
) -> WebResult<Response> {
    again(state, viewer, id, typed, refusal).await
}

async fn load(state: &AppState, viewer: &Viewer, id: i64) -> WebResult<TicketPage> {
    viewer.auth.require(Permission::TicketsWork)?;
    let caller = viewer.caller();
    let t = access::load(state, &caller, TicketId(id)).await?;
    let public_only = !access::sees_internal(&caller);
    let events = state.store.tickets().events(t.id, public_only).await?;
    let requester = state.store.users().get(t.requester_id).await?;
    let attachments = state.store.tickets().attachments(t.id, public_only).await?;
    let children = state.store.tickets().children(t.id).await?;
    let staff = Staff::load_for(state, viewer).await?;
    let groups = state
        .store
        .groups()
        .list(&GroupFilter::default(), PageRequest::new(None, Some(200))?)
        .await?
        .items
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    let mut c = viewer.ctx("ticket");
    c.title = format!("{} {}", t.number, t.subject);
    let following = access::follows_only(state, &caller, &t).await?;
    // What the agent has now seen: the queue marks the ticket again once it changes.
    state
        .store
        .desk_day()
        .mark_seen(viewer.auth.user_id(), t.id, t.version, state.now())
        .await?;
    let kb = crate::desk::kb::tickets::suggestions_for(state, &caller, &t).await?;
    let kb_linked = crate::desk::kb::tickets::articles_of(state, &caller, &t).await?;
    let work = super::work::load(state, &caller, &t).await?;
    // Automation calls carry what the automation reported: internal, like notes. Every call
    // writes a `hook_*` entry when it opens, so a ticket without one costs no statement.
    let has_calls = events
        .iter()
        .any(|e| e.code.as_deref().is_some_and(|c| c.starts_with("hook_")));
    let hook_calls = if public_only || !has_calls {
        Vec::new()
    } else {
        state.store.hooks().of_ticket(t.id).await?
    };
    let mut page = TicketPage {
        hook_calls,
        work,
        kb,
        kb_linked,
        allowed: if following {
            Vec::new()
        } else {
            ventanilla_domain::ticket::allowed(&viewer.auth.actor, &t)
        },
        following,
        children,
        me: viewer.auth.user_id(),
        sla: sla_key(&t),
        events,
        attachments,
        requester,
        staff,
        groups,
        categories: crate::web::kit::view::categories(state).await?,
        upload_form: true,
        upload_errors: FieldErrors::default(),
        max_mb: crate::web::kit::upload::megabytes(
            viewer.lang,
            state.config.tickets.attachment_max_bytes,
        ),
        typed: Typed::default(),
        errors: FieldErrors::default(),
        countdown: crate::web::kit::staff::countdown(&c, &t, state.now()),
        c,
        t,
        newest_first: false,
    };
    page.set_order(newest_first(&viewer.cookies, None));
    Ok(page)
}

/// The page again, as the ticket is now, with what was typed into the refused form and why.
async fn again(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    typed: Typed,
    refusal: Refusal,
) -> WebResult<Response> {
    let mut page = load(state, viewer, id).await?;
    page.typed = typed;
    page.errors = refusal.errors;
    render_as(&page, refusal.status)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UploadForm {
    /// Ticked: the requester sees the files; unticked: internal.
    public: String,
}

/// Files from the console's attachment form, through the attachments service. A refusal
/// (a file too large, none chosen) shows the page again with the error beside the field.
pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    upload: CsrfMultipart<UploadForm>,
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
    crate::web::kit::view::check_files(&state, viewer.lang, &files, &mut errors);
    if files.is_empty() && errors.is_empty() {
        errors.add(
            crate::web::kit::upload::FILE_FIELD,
            viewer.lang.t("err-choose-file"),
        );
    }
    if !errors.is_empty() {
        let mut page = load(&state, &viewer, id).await?;
        page.upload_errors = errors;
        return render_as(&page, status);
    }
    let public = Some(matches!(form.public.as_str(), "on" | "true"));
    crate::web::kit::view::attach_all(&state, &viewer.caller(), TicketId(id), &files, public)
        .await?;
    Ok(back(TicketId(id), "attached"))
}

fn back(id: TicketId, flash: &str) -> Response {
    Redirect::to(&format!("/console/tickets/{id}?flash={flash}")).into_response()
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    kind: String,
    body: String,
    minutes: String,
}

/// Minutes typed into a form: empty is none; anything else must be a whole number.
fn minutes_of(s: &str) -> Result<Option<i64>, ventanilla_domain::ValidationError> {
    opt(s)
        .map(|m| {
            m.parse().map_err(|_| {
                ventanilla_domain::ValidationError::new("minutes", "must be a whole number")
            })
        })
        .transpose()
}

pub async fn action(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<ActionForm>,
) -> WebResult<Response> {
    let typed = Typed::new(
        "action",
        &[
            ("kind", &form.kind),
            ("body", &form.body),
            ("minutes", &form.minutes),
        ],
    );
    let result: WebResult<Response> = async {
        let body = ActionBody {
            kind: form.kind.clone(),
            body: form.body.clone(),
            minutes: minutes_of(&form.minutes)?,
        };
        let t = add_action(&state, &viewer.caller(), TicketId(id), &body.command()?).await?;
        let flash = if form.kind == "note" {
            "note-added"
        } else {
            "reply-sent"
        };
        Ok(back(t.id, flash))
    }
    .await;
    finish(viewer.lang, &["kind", "body", "minutes"], result, |r| {
        again(&state, &viewer, id, typed, r)
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TransitionForm {
    to: String,
    reason: String,
    resolution_code: String,
    resolution: String,
    version: String,
}

pub async fn transition(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<TransitionForm>,
) -> WebResult<Response> {
    let typed = Typed::new(
        format!("move-{}", form.to),
        &[
            ("reason", &form.reason),
            ("resolution_code", &form.resolution_code),
            ("resolution", &form.resolution),
        ],
    );
    let result: WebResult<Response> = async {
        let body = TransitionBody {
            to: form.to.clone(),
            reason: opt(&form.reason),
            resolution_code: opt(&form.resolution_code),
            resolution: opt(&form.resolution),
            summary: None,
        };
        let expected = form.version.trim().parse().ok();
        let (to, fields) = body.command()?;
        let t = move_ticket(&state, &viewer.caller(), TicketId(id), expected, to, fields).await?;
        Ok(back(t.id, "moved"))
    }
    .await;
    finish(
        viewer.lang,
        &["reason", "resolution_code", "resolution"],
        result,
        |r| again(&state, &viewer, id, typed, r),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UpdateForm {
    op: String,
    assignee_id: String,
    group_id: String,
    category_id: String,
    kind: String,
    priority: String,
    priority_reason: String,
    version: String,
}

/// Take, assign, classify and priority override: one PATCH through the API's service.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<UpdateForm>,
) -> WebResult<Response> {
    let op = match form.op.as_str() {
        "take" | "assign" | "classify" | "priority" => form.op.clone(),
        _ => return Err(crate::AppError::BadRequest("unknown operation".into()).into()),
    };
    let typed = Typed::new(
        op.clone(),
        &[
            ("assignee_id", &form.assignee_id),
            ("group_id", &form.group_id),
            ("category_id", &form.category_id),
            ("kind", &form.kind),
            ("priority", &form.priority),
            ("priority_reason", &form.priority_reason),
        ],
    );
    let result: WebResult<Response> = async {
        let id_of = |field: &str, s: &str| -> Result<Option<i64>, WebError> {
            opt(s)
                .map(|v| {
                    v.parse::<i64>().map_err(|_| {
                        ventanilla_domain::ValidationError::new(field, "is not a valid id").into()
                    })
                })
                .transpose()
        };
        let mut req = UpdateTicket::default();
        match op.as_str() {
            "take" => req.assignee_id = Some(Some(viewer.auth.user_id().get())),
            "assign" => {
                req.assignee_id = Some(id_of("assignee_id", &form.assignee_id)?);
                req.group_id = Some(id_of("group_id", &form.group_id)?);
            }
            "classify" => {
                req.category_id = Some(id_of("category_id", &form.category_id)?);
                req.kind = opt(&form.kind);
            }
            _ => {
                req.priority = Some(opt(&form.priority));
                req.priority_reason = opt(&form.priority_reason);
            }
        }
        let expected = form.version.trim().parse().ok();
        let t = patch_ticket(
            &state,
            &viewer.caller(),
            TicketId(id),
            expected,
            &req.command()?,
        )
        .await?;
        Ok(back(t.id, "saved"))
    }
    .await;
    finish(
        viewer.lang,
        &[
            "assignee_id",
            "group_id",
            "category_id",
            "kind",
            "priority",
            "priority_reason",
        ],
        result,
        |r| again(&state, &viewer, id, typed, r),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EscalateForm {
    kind: String,
    summary: String,
    group_id: String,
}

pub async fn escalate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<EscalateForm>,
) -> WebResult<Response> {
    let typed = Typed::new(
        "escalate",
        &[
            ("kind", &form.kind),
            ("summary", &form.summary),
            ("group_id", &form.group_id),
        ],
    );
    let result: WebResult<Response> = async {
        let req = EscalationBody {
            kind: form.kind.clone(),
            summary: form.summary.clone(),
            group_id: opt(&form.group_id).and_then(|g| g.parse().ok()),
        };
        let t = escalate_ticket(
            &state,
            &viewer.caller(),
            TicketId(id),
            None,
            &req.command()?,
        )
        .await?;
        // The escalating agent's group follows the ticket (SPEC C5), so the page stays
        // theirs to read; someone who escalated a ticket outside their groups goes back to
        // the queue.
        match access::load(&state, &viewer.caller(), t.id).await {
            Ok(_) => Ok(back(t.id, "escalated")),
            Err(crate::desk::DeskError::NotFound) => Ok(Redirect::to(
                "/console?view=following&flash=escalated-following",
            )
            .into_response()),
            Err(e) => Err(e.into()),
        }
    }
    .await;
    finish(viewer.lang, &["kind", "summary", "group_id"], result, |r| {
        again(&state, &viewer, id, typed, r)
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MajorForm {
    major: String,
    reason: String,
}

pub async fn major(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<MajorForm>,
) -> WebResult<Response> {
    let typed = Typed::new("major", &[("reason", &form.reason)]);
    let result: WebResult<Response> = async {
        let req = MajorBody {
            major: form.major == "true",
            reason: form.reason.clone(),
        };
        let t = set_major(&state, &viewer.caller(), TicketId(id), &req.command()?).await?;
        Ok(back(t.id, "saved"))
    }
    .await;
    finish(viewer.lang, &["reason"], result, |r| {
        again(&state, &viewer, id, typed, r)
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChildForm {
    number: String,
}

/// Links a ticket, named by its number, under this one (a major incident's children).
pub async fn link(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<ChildForm>,
) -> WebResult<Response> {
    let typed = Typed::new("child", &[("number", &form.number)]);
    let result: WebResult<Response> = async {
        let number = form.number.trim().to_ascii_uppercase();
        let child = match state.store.tickets().by_number(&number).await {
            Ok(c) => c.id,
            Err(ventanilla_store::StoreError::NotFound) => {
                return Err(ventanilla_domain::ValidationError::new(
                    "number",
                    "no ticket has this number",
                )
                .into());
            }
            Err(e) => return Err(e.into()),
        };
        link_child(&state, &viewer.caller(), TicketId(id), child).await?;
        Ok(back(TicketId(id), "saved"))
    }
    .await;
    finish(viewer.lang, &["number"], result, |r| {
        again(&state, &viewer, id, typed, r)
    })
    .await
}
