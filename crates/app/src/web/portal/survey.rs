//! The survey page of the emailed link (`/survey/{ticket}/{token}`): no sign-in, the signed
//! single-use link is the credential (`desk::reports::surveys`). Shown in the requester's
//! language; a bad answer shows the form again with the comment kept; a used or expired
//! link says so (410).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::{Language, TicketId};

use super::pages::form_score;
use crate::AppState;
use crate::desk::reports::surveys;
use crate::desk::tickets::SurveyBody;
use crate::desk::{DeskError, Refusal};
use crate::error::AppError;
use crate::web::kit::ctx::Ctx;
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::{render, render_as};
use crate::web::kit::path::Path;

#[derive(Template)]
#[template(path = "portal/survey_link.html")]
struct SurveyPage {
    c: Ctx,
    action: String,
    number: String,
    subject: String,
    comment: String,
    error: String,
    done: bool,
    closed: bool,
}

async fn lang_of(state: &AppState, id: TicketId) -> Lang {
    match state.store.tickets().get(id).await {
        Ok(t) => Lang(
            surveys::language_of(state, t.requester_id)
                .await
                .parse::<Language>()
                .unwrap_or_default(),
        ),
        Err(_) => Lang::default(),
    }
}

fn page(lang: Lang, action: String) -> SurveyPage {
    SurveyPage {
        c: Ctx::anonymous(lang, "survey-title"),
        action,
        number: String::new(),
        subject: String::new(),
        comment: String::new(),
        error: String::new(),
        done: false,
        closed: false,
    }
}

fn is_closed(e: &DeskError) -> bool {
    matches!(
        e,
        DeskError::Refused {
            why: Refusal::State,
            code: "survey_closed",
            ..
        }
    )
}

pub async fn show(
    State(state): State<AppState>,
    Path((id, token)): Path<(i64, String)>,
) -> WebResult<Response> {
    let id = TicketId(id);
    let lang = lang_of(&state, id).await;
    let mut p = page(lang, format!("/survey/{}/{token}", id.get()));
    match surveys::ticket_for_link(&state, id, &token).await {
        Ok(t) => {
            p.number = t.number;
            p.subject = t.subject;
            render(&p)
        }
        Err(e) if is_closed(&e) => {
            p.closed = true;
            render_as(&p, StatusCode::GONE)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct SurveyForm {
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

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, token)): Path<(i64, String)>,
    axum::Form(form): axum::Form<SurveyForm>,
) -> WebResult<Response> {
    // Posted from our own page only (the token is a secret, and this is a second guard).
    if crate::web::kit::guard::cross_site(&headers, &state.config.server.public_url) {
        return Err(WebError::App(AppError::Csrf));
    }
    let id = TicketId(id);
    let lang = lang_of(&state, id).await;
    let mut p = page(lang, format!("/survey/{}/{token}", id.get()));
    let body = SurveyBody {
        rating: form.rating.trim().parse().unwrap_or(0),
        comment: Some(form.comment.clone()).filter(|c| !c.trim().is_empty()),
        response_time: form_score(&form.response_time),
        ability: form_score(&form.ability),
        communication: form_score(&form.communication),
    };
    let answered = match body.command() {
        Ok(cmd) => surveys::answer_by_link(&state, id, &token, &cmd).await,
        Err(e) => Err(e.into()),
    };
    match answered {
        Ok(_) => {
            p.done = true;
            render(&p)
        }
        Err(e) if is_closed(&e) => {
            p.closed = true;
            render_as(&p, StatusCode::GONE)
        }
        Err(DeskError::Invalid(v)) => {
            if let Ok(t) = surveys::ticket_for_link(&state, id, &token).await {
                p.number = t.number;
                p.subject = t.subject;
            }
            p.comment = form.comment;
            p.error = format!(
                "{}: {}",
                lang.t(&format!("survey-field-{}", v.field)),
                lang.t("survey-bad-score")
            );
            render_as(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}
