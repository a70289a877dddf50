//! The console's knowledge pages: the one search (the header's search box) with its
//! filters, and the ticket page's knowledge actions — link the article that solved the
//! ticket, turn its resolution into a draft article (refusals shown on the ticket page like
//! its other forms').

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::TicketId;

use crate::AppState;
use crate::desk::kb::search::{SearchQuery, SearchResponse, search};
use crate::desk::kb::tickets::{LinkArticle, draft_from_ticket, link_article};
use crate::web::console::refuse::{Typed, finish};
use crate::web::console::ticket::again_with;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

#[derive(Template)]
#[template(path = "console/search.html")]
struct SearchPage {
    c: Ctx,
    q: SearchForm,
    found: Option<SearchResponse>,
}

/// The search form as typed (kept when the page is shown again).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SearchForm {
    q: String,
    #[serde(rename = "type")]
    kind_of: String,
    kind: String,
    status: String,
    language: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub async fn search_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(f): Query<SearchForm>,
) -> WebResult<Response> {
    let found = if f.q.trim().is_empty() {
        None
    } else {
        let query = SearchQuery {
            q: f.q.chars().take(200).collect(),
            kind_of: opt(&f.kind_of),
            kind: opt(&f.kind),
            status: opt(&f.status),
            language: opt(&f.language),
            ..Default::default()
        };
        Some(search(&state, &viewer.caller(), &query).await?)
    };
    render(&SearchPage {
        c: viewer.ctx("kb-search-title"),
        q: f,
        found,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    article: String,
}

/// Links the article that solved the ticket. A refusal (a number no article has, a closed
/// ticket) shows the ticket page again through the path of its other forms, with the
/// number typed kept and the error beside the field.
pub async fn link(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<LinkForm>,
) -> WebResult<Response> {
    let typed = Typed::new("kb-link", &[("article", &form.article)]);
    let result: WebResult<Response> = async {
        link_article(
            &state,
            &viewer.caller(),
            TicketId(id),
            &LinkArticle {
                article: form.article.clone(),
            },
        )
        .await?;
        Ok(Redirect::to(&format!("/console/tickets/{id}?flash=kb-linked")).into_response())
    }
    .await;
    finish(viewer.lang, &["article"], result, |r| {
        again_with(&state, &viewer, id, typed, r)
    })
    .await
}

#[derive(Deserialize)]
pub struct Empty {}

/// Turns the ticket's resolution into a draft article and opens it for editing. A refusal
/// (no resolution yet) is shown on the ticket page above the button.
pub async fn draft(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    let result: WebResult<Response> = async {
        let a =
            draft_from_ticket(&state, &viewer.caller(), TicketId(id), viewer.user.language).await?;
        Ok(Redirect::to(&format!("/console/articles/{}?flash=kb-drafted", a.id)).into_response())
    }
    .await;
    finish(viewer.lang, &[], result, |r| {
        again_with(&state, &viewer, id, Typed::new("kb-draft", &[]), r)
    })
    .await
}
