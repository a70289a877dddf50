//! The self-service portal (requesters): the first choice between reporting an interruption
//! and requesting a service (seed 000), the form, "my tickets" in plain language, and one
//! ticket with its public timeline, replies, the validation answer and the rating.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::ticket::{Category, Status, Ticket, TicketEvent, TicketKind};
use ventanilla_domain::{Permission, TicketId};
use ventanilla_store::tickets::{TicketFilter, TicketSort};

use crate::AppState;
use crate::desk::tickets::access;
use crate::desk::tickets::{
    ActionBody, ConfirmationBody, SurveyBody, add_action, confirm_solution, may_attach, rate_ticket,
};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render, render_as};
use crate::web::kit::path::Path;
use crate::web::kit::upload::CsrfMultipart;
use crate::web::kit::view::{self, NewTicketForm};

#[derive(Template)]
#[template(path = "portal/home.html")]
struct Home {
    c: Ctx,
    list_title: &'static str,
    tickets: Vec<Ticket>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    after: Option<String>,
}

pub async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsRead)?;
    // An organisation manager follows the organisation's tickets (the scope limits them).
    let manager =
        viewer.auth.actor.organisation_manager && viewer.auth.actor.organisation_id.is_some();
    let filter = TicketFilter {
        requester_id: (!manager).then(|| viewer.auth.user_id()),
        ..TicketFilter::default()
    };
    let scope = access::scope(&state, &viewer.caller());
    let page = state
        .store
        .tickets()
        .list(&scope, &filter, TicketSort::Newest, q.after.as_deref(), 25)
        .await?;
    // The header's badge: what the portal has to tell, counted on the home page.
    let mut c = viewer.ctx("portal-title");
    // Staff have theirs from the viewer already.
    if !viewer.is_staff() {
        c.unread = crate::web::kit::staff::unread(&state, &viewer).await?;
    }
    render(&Home {
        c,
        list_title: if manager { "org-tickets" } else { "my-tickets" },
        tickets: page.items,
        next: page.next,
    })
}

#[derive(Template)]
#[template(path = "portal/new.html")]
pub struct NewPage {
    pub c: Ctx,
    pub form: NewTicketForm,
    pub errors: FieldErrors,
    pub categories: Vec<Category>,
    /// The per-file size limit, in megabytes.
    pub max_mb: String,
}

#[derive(Deserialize, Default)]
pub struct KindQuery {
    #[serde(default)]
    kind: String,
}

pub async fn new_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<KindQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsCreate)?;
    let kind = q.kind.parse::<TicketKind>().unwrap_or(TicketKind::Incident);
    let title = view::new_title(kind);
    render(&NewPage {
        c: viewer.ctx(title),
        form: NewTicketForm::for_kind(kind),
        errors: FieldErrors::default(),
        categories: view::categories(&state).await?,
        max_mb: crate::web::kit::upload::megabytes(
            viewer.lang,
            state.config.tickets.attachment_max_bytes,
        ),
    })
}

pub async fn new_submit(
    State(state): State<AppState>,
    upload: CsrfMultipart<NewTicketForm>,
) -> WebResult<Response> {
    let file_errors = upload.file_errors();
    let status = upload.trouble.status();
    let CsrfMultipart {
        viewer,
        form,
        files,
        ..
    } = upload;
    match view::register(&state, &viewer, &form, (&files, file_errors)).await? {
        Ok(ticket) => Ok(
            Redirect::to(&format!("/portal/tickets/{}?flash=created", ticket.id)).into_response(),
        ),
        Err(errors) => {
            let kind = form.kind.parse().unwrap_or(TicketKind::Incident);
            let mut res = render(&NewPage {
                c: viewer.ctx(view::new_title(kind)),
                form,
                errors,
                categories: view::categories(&state).await?,
                max_mb: crate::web::kit::upload::megabytes(
                    viewer.lang,
                    state.config.tickets.attachment_max_bytes,
                ),
            })?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

#[derive(Template)]
#[template(path = "portal/ticket.html")]
struct TicketPage {
    c: Ctx,
    t: Ticket,
    events: Vec<TicketEvent>,
    attachments: Vec<ventanilla_store::tickets::attachments::AttachmentMeta>,
    me: i64,
    can_confirm: bool,
    can_reply: bool,
    can_rate: bool,
    /// The reply form, as typed, with its errors (files included).
    reply_body: String,
    reply_errors: FieldErrors,
    /// The portal attaches files with the reply, not on their own.
    upload_form: bool,
    upload_errors: FieldErrors,
    max_mb: String,
}

impl TicketPage {
    /// The portal names the requester ("you") and otherwise speaks for the desk.
    fn actor_name(&self, id: &Option<ventanilla_domain::UserId>) -> String {
        match id {
            Some(u) if u.get() == self.me => self.c.t("you"),
            _ => self.c.t("service-desk"),
        }
    }
}

async fn ticket_page(state: &AppState, viewer: &Viewer, id: i64) -> WebResult<TicketPage> {
    let t = access::load(state, &viewer.caller(), TicketId(id)).await?;
    // The portal always shows the requester's view: public entries only, in their words.
    let events = crate::desk::tickets::timeline::requester_timeline(state, t.id).await?;
    let attachments = state.store.tickets().attachments(t.id, true).await?;
    let mine = ventanilla_domain::ticket::requester_or_supervisor(&viewer.auth.actor, &t).is_some();
    // The header's unread count: the ticket page is where a requester lands after every
    // step, so a new notice shows there too (issue 16, finding 2).
    let mut c = viewer.ctx("ticket");
    c.unread = crate::web::kit::staff::unread(state, viewer).await?;
    Ok(TicketPage {
        can_confirm: mine && t.status == Status::Validation,
        can_rate: mine && t.status == Status::Survey,
        can_reply: t.requester_id == viewer.auth.user_id() && !t.status.is_terminal(),
        me: viewer.auth.user_id().get(),
        c,
        t,
        events,
        attachments,
        reply_body: String::new(),
        reply_errors: FieldErrors::default(),
        upload_form: false,
        upload_errors: FieldErrors::default(),
        max_mb: crate::web::kit::upload::megabytes(
            viewer.lang,
            state.config.tickets.attachment_max_bytes,
        ),
    })
}

pub async fn ticket(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    render(&ticket_page(&state, &viewer, id).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    body: String,
}

/// A reply, with files or without, or files alone. A refusal (an empty reply, a file too
/// large) shows the page again with what was typed; nothing is half done.
pub async fn reply(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    upload: CsrfMultipart<ReplyForm>,
) -> WebResult<Response> {
    let mut errors = upload.file_errors();
    let status = upload.trouble.status();
    let CsrfMultipart {
        viewer,
        form,
        files,
        ..
    } = upload;
    view::check_files(&state, viewer.lang, &files, &mut errors);
    let has_text = !form.body.trim().is_empty();
    if !has_text && files.is_empty() && errors.is_empty() {
        errors.add("body", viewer.lang.t("err-reply-empty"));
    }
    if !errors.is_empty() {
        let mut page = ticket_page(&state, &viewer, id).await?;
        page.reply_body = form.body;
        page.reply_errors = errors;
        return render_as(&page, status);
    }
    let id = TicketId(id);
    if !files.is_empty() {
        // Asked before the reply is written, so a refusal leaves nothing behind.
        may_attach(&state, &viewer.caller(), id).await?;
    }
    if has_text {
        let body = ActionBody {
            kind: "reply".into(),
            body: form.body,
            minutes: None,
        };
        add_action(&state, &viewer.caller(), id, &body.command()?).await?;
    }
    view::attach_all(&state, &viewer.caller(), id, &files, None).await?;
    let flash = if has_text { "reply-sent" } else { "attached" };
    Ok(Redirect::to(&format!("/portal/tickets/{id}?flash={flash}")).into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    solved: String,
    #[serde(default)]
    comment: String,
}

pub async fn confirmation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<ConfirmForm>,
) -> WebResult<Response> {
    let body = ConfirmationBody {
        solved: form.solved == "yes",
        comment: Some(form.comment).filter(|c| !c.trim().is_empty()),
    };
    let t = confirm_solution(&state, &viewer.caller(), TicketId(id), &body.command()?).await?;
    let flash = if body.solved { "confirmed" } else { "reopened" };
    Ok(Redirect::to(&format!("/portal/tickets/{}?flash={flash}", t.id)).into_response())
}

#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    response_time: String,
    #[serde(default)]
    ability: String,
    #[serde(default)]
    communication: String,
}

/// An optional 1–5 answer of a form: empty is unanswered, anything else must parse.
pub(crate) fn form_score(v: &str) -> Option<i64> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.parse().unwrap_or(0))
}

pub async fn survey(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<RateForm>,
) -> WebResult<Response> {
    let body = SurveyBody {
        rating: form.rating.trim().parse().unwrap_or(0),
        comment: Some(form.comment).filter(|c| !c.trim().is_empty()),
        response_time: form_score(&form.response_time),
        ability: form_score(&form.ability),
        communication: form_score(&form.communication),
    };
    let t = rate_ticket(&state, &viewer.caller(), TicketId(id), &body.command()?).await?;
    Ok(Redirect::to(&format!("/portal/tickets/{}?flash=rated", t.id)).into_response())
}
