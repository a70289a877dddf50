//! The portal's knowledge base: searching the FAQs, one FAQ with "this solved my problem"
//! (a deflection: no ticket is opened) and "was this helpful?". The new-ticket form suggests
//! FAQs as the requester types (`app.js` asks `GET /api/v1/articles/suggest`); without
//! JavaScript the form links to this search.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::ArticleId;

use crate::AppState;
use crate::desk::kb::ArticleView;
use crate::desk::kb::articles::{DeflectionInput, VoteInput, deflect, get_article, vote_article};
use crate::desk::kb::search::{SearchQuery, SearchResult, search};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

#[derive(Template)]
#[template(path = "portal/kb_search.html")]
struct SearchPage {
    c: Ctx,
    q: String,
    results: Vec<SearchResult>,
}

#[derive(Deserialize, Default)]
pub struct QParam {
    #[serde(default)]
    q: String,
}

/// `/portal/kb?q=`: the requester's search over their tickets and the published FAQs.
pub async fn search_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(p): Query<QParam>,
) -> WebResult<Response> {
    let q = p.q.trim().chars().take(200).collect::<String>();
    let results = if q.is_empty() {
        Vec::new()
    } else {
        let query = SearchQuery {
            q: q.clone(),
            ..Default::default()
        };
        search(&state, &viewer.caller(), &query).await?.results
    };
    render(&SearchPage {
        c: viewer.ctx("kb-search-title"),
        q,
        results,
    })
}

#[derive(Template)]
#[template(path = "portal/kb_article.html")]
struct ArticlePage {
    c: Ctx,
    a: ArticleView,
    q: String,
}

pub async fn article(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(p): Query<QParam>,
) -> WebResult<Response> {
    let a = get_article(&state, &viewer.caller(), ArticleId(id)).await?;
    let title = a.fields.title.clone();
    let mut c = viewer.ctx("kb-search-title");
    c.title = title;
    render(&ArticlePage {
        c,
        a: ArticleView::of(a),
        q: p.q.chars().take(500).collect(),
    })
}

/// "This solved my problem": records the deflection and goes back to the portal.
pub async fn solved(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<QParam>,
) -> WebResult<Response> {
    deflect(
        &state,
        &viewer.caller(),
        ArticleId(id),
        &DeflectionInput { query: form.q },
    )
    .await?;
    Ok(Redirect::to("/portal?flash=kb-deflected").into_response())
}

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    helpful: String,
    #[serde(default)]
    comment: String,
}

pub async fn vote(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<VoteForm>,
) -> WebResult<Response> {
    let input = VoteInput {
        helpful: form.helpful == "yes",
        comment: Some(form.comment).filter(|c| !c.trim().is_empty()),
    };
    vote_article(&state, &viewer.caller(), ArticleId(id), &input).await?;
    Ok(Redirect::to(&format!("/portal/kb/{id}?flash=kb-voted")).into_response())
}
