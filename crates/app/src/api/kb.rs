//! `/articles` (the knowledge base), `/search` (one search over tickets and articles) and
//! the ticket's knowledge links, through `desk::kb`. Access is the use cases': requesters
//! read published FAQs and their own tickets' public text only.

use axum::extract::State;
use axum::http::StatusCode;
use ventanilla_domain::kb::Article;
use ventanilla_domain::{ArticleId, Language, TicketId};
use ventanilla_store::articles::{Contribution, Revision, Votes};

use crate::AppState;
use crate::auth::Auth;
use crate::desk::kb::ArticleView;
use crate::desk::kb::articles::{self as kb};
pub use crate::desk::kb::articles::{ArticleInput, ArticleListQuery, DeflectionInput, VoteInput};
use crate::desk::kb::search::{self, SearchQuery, SearchResponse, SearchResult, SuggestQuery};
use crate::desk::kb::tickets::{self as kbt, LinkArticle, TicketSuggestions};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

/// Creates an article (a draft unless `status` says otherwise).
#[utoipa::path(post, path = "/articles", tag = "knowledge", request_body = ArticleInput,
    responses((status = 201, body = ArticleView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<ArticleInput>,
) -> AppResult<(StatusCode, Json<ArticleView>)> {
    let a = kb::create_article(&state, &auth.caller(), &req).await?;
    Ok((StatusCode::CREATED, Json(ArticleView::of(a))))
}

/// Articles newest first (requesters: published FAQs only).
#[utoipa::path(get, path = "/articles", tag = "knowledge", params(ArticleListQuery),
    responses((status = 200, body = Vec<Article>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ArticleListQuery>,
) -> AppResult<Json<Vec<Article>>> {
    Ok(Json(kb::list_articles(&state, &auth.caller(), &q).await?))
}

/// One article, its body rendered to safe HTML.
#[utoipa::path(get, path = "/articles/{id}", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, body = ArticleView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<ArticleView>> {
    let a = kb::get_article(&state, &auth.caller(), ArticleId(id)).await?;
    Ok(Json(ArticleView::of(a)))
}

/// Replaces an article's content: the next version, the previous kept as a revision.
#[utoipa::path(put, path = "/articles/{id}", tag = "knowledge", params(("id" = i64, Path)), request_body = ArticleInput,
    responses((status = 200, body = ArticleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<ArticleInput>,
) -> AppResult<Json<ArticleView>> {
    let a = kb::update_article(&state, &auth.caller(), ArticleId(id), &req).await?;
    Ok(Json(ArticleView::of(a)))
}

/// Every saved version of an article, newest first (staff).
#[utoipa::path(get, path = "/articles/{id}/revisions", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Revision>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revisions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Revision>>> {
    Ok(Json(
        kb::article_revisions(&state, &auth.caller(), ArticleId(id)).await?,
    ))
}

/// "Was this helpful?" (one answer per person; a second replaces the first).
#[utoipa::path(post, path = "/articles/{id}/votes", tag = "knowledge", params(("id" = i64, Path)), request_body = VoteInput,
    responses((status = 200, body = Votes), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<VoteInput>,
) -> AppResult<Json<Votes>> {
    Ok(Json(
        kb::vote_article(&state, &auth.caller(), ArticleId(id), &req).await?,
    ))
}

/// "This solved my problem": a deflection, no ticket opened.
#[utoipa::path(post, path = "/articles/{id}/deflections", tag = "knowledge", params(("id" = i64, Path)), request_body = DeflectionInput,
    responses((status = 201, body = Votes), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deflect(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<DeflectionInput>,
) -> AppResult<(StatusCode, Json<Votes>)> {
    let v = kb::deflect(&state, &auth.caller(), ArticleId(id), &req).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Articles for what a requester is typing (any word, the last one as a prefix).
#[utoipa::path(get, path = "/articles/suggest", tag = "knowledge", params(SuggestQuery),
    responses((status = 200, body = Vec<SearchResult>), (status = 422, body = ErrorBody)))]
pub async fn suggest(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SuggestQuery>,
) -> AppResult<Json<Vec<SearchResult>>> {
    Ok(Json(search::suggest(&state, &auth.caller(), &q).await?))
}

/// Knowledge contributions per person (staff).
#[utoipa::path(get, path = "/articles/contributions", tag = "knowledge",
    responses((status = 200, body = Vec<Contribution>), (status = 403, body = ErrorBody)))]
pub async fn contributions(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<Contribution>>> {
    Ok(Json(kb::contributions(&state, &auth.caller()).await?))
}

/// One search over tickets and articles, ranked, access rules applied.
#[utoipa::path(get, path = "/search", tag = "knowledge", params(SearchQuery),
    responses((status = 200, body = SearchResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn run_search(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<SearchResponse>> {
    Ok(Json(search::search(&state, &auth.caller(), &q).await?))
}

/// The articles that solved a ticket.
#[utoipa::path(get, path = "/tickets/{id}/articles", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Article>), (status = 404, body = ErrorBody)))]
pub async fn ticket_articles(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Article>>> {
    Ok(Json(
        kbt::ticket_articles(&state, &auth.caller(), TicketId(id)).await?,
    ))
}

/// Links the article that solved a ticket ("resolved with KB-…").
#[utoipa::path(post, path = "/tickets/{id}/articles", tag = "knowledge", params(("id" = i64, Path)), request_body = LinkArticle,
    responses((status = 200, body = Vec<Article>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link_article(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<LinkArticle>,
) -> AppResult<Json<Vec<Article>>> {
    Ok(Json(
        kbt::link_article(&state, &auth.caller(), TicketId(id), &req).await?,
    ))
}

/// Turns the ticket's resolution into a draft article in the caller's language.
#[utoipa::path(post, path = "/tickets/{id}/article-draft", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 201, body = ArticleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn draft_from_ticket(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<(StatusCode, Json<ArticleView>)> {
    let caller = auth.caller();
    let language = state
        .store
        .users()
        .get(caller.user_id())
        .await
        .map(|u| u.language)
        .unwrap_or(Language::Es);
    let a = kbt::draft_from_ticket(&state, &caller, TicketId(id), language).await?;
    Ok((StatusCode::CREATED, Json(ArticleView::of(a))))
}

/// Suggested articles and similar resolved tickets for a ticket (staff).
#[utoipa::path(get, path = "/tickets/{id}/suggestions", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, body = TicketSuggestions), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn ticket_suggestions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<TicketSuggestions>> {
    Ok(Json(
        kbt::ticket_suggestions(&state, &auth.caller(), TicketId(id)).await?,
    ))
}
