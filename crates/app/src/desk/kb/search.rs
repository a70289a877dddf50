//! The one search: tickets (in the caller's scope; internal notes only for staff) and
//! articles (published FAQs only for requesters), ranked, with highlighted snippets; the
//! suggestions a requester sees while writing a ticket; similar resolved tickets.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::kb::{ArticleKind, ArticleStatus, article_number};
use ventanilla_domain::search::{Query, QueryMode, snippet};
use ventanilla_domain::ticket::{Status, TicketKind};
use ventanilla_domain::{ArticleId, Caller, CategoryId, Language, Permission, ValidationError};
use ventanilla_store::search::{ArticleHit, ArticleSearch, TicketHit, TicketSearch};
use ventanilla_store::tickets::{TicketFilter, TicketScope};

use super::articles::sees_all;
use crate::App;
use crate::desk::tickets::access::{scope, sees_internal};
use crate::desk::{DeskResult, require};

/// Words of a snippet.
const SNIPPET_WORDS: usize = 30;
/// Counts stop here ("1000+").
pub const COUNT_CAP: u32 = 1000;

/// `GET /search` parameters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to find (every word must match; accents and case do not matter).
    #[param(min_length = 1, max_length = 200)]
    pub q: String,
    /// `ticket` or `article` (default both).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind_of: Option<String>,
    /// A ticket kind (`incident`, `service_request`) or an article kind (`faq`, `sop`,
    /// `known_error`); limits the results to that type.
    pub kind: Option<String>,
    /// A ticket status (or `open`) or an article status (`draft`, `published`, `archived`).
    pub status: Option<String>,
    pub category_id: Option<i64>,
    /// Articles in this language (`es`, `en`).
    pub language: Option<String>,
    /// 1 to 200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// One result line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    /// `ticket` or `article`.
    #[serde(rename = "type")]
    pub kind_of: &'static str,
    pub id: i64,
    /// `INC-000123` or `KB-000012`.
    pub number: String,
    pub title: String,
    /// The ticket's kind or the article's.
    pub kind: String,
    pub status: String,
    /// An article's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// HTML-escaped text around the first match, matches in `<mark>`.
    pub snippet: String,
    /// Always 0 today, kept for the API contract: results come newest first within each
    /// type, an exact ticket number first (the store's `dialect::SEARCH_SCORE` says why
    /// neither backend ranks by term weight at a million tickets).
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchCounts {
    /// Matching tickets the caller may see (at most 1000).
    pub tickets: i64,
    pub articles: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    pub results: Vec<SearchResult>,
    pub counts: SearchCounts,
}

/// Which of the two searches a request runs, with its filters.
struct Plan {
    tickets: Option<TicketFilter>,
    articles: Option<ArticleSearch<'static>>,
}

fn plan(caller: &Caller, q: &SearchQuery) -> Result<Plan, ValidationError> {
    let mut tickets = matches!(q.kind_of.as_deref(), None | Some("") | Some("ticket"));
    let mut articles = matches!(q.kind_of.as_deref(), None | Some("") | Some("article"));
    if !tickets && !articles {
        return Err(ValidationError::new("type", "must be ticket or article"));
    }
    let mut tf = TicketFilter {
        text_internal: sees_internal(caller),
        ..Default::default()
    };
    let mut af = ArticleSearch {
        public_only: !sees_all(caller),
        ..Default::default()
    };
    if let Some(k) = q.kind.as_deref().filter(|s| !s.is_empty()) {
        if let Ok(tk) = k.parse::<TicketKind>() {
            tf.kind = Some(tk);
            articles = false;
        } else if let Ok(ak) = k.parse::<ArticleKind>() {
            af.kind = Some(ak);
            tickets = false;
        } else {
            return Err(ValidationError::new(
                "kind",
                "must be incident, service_request, faq, sop or known_error",
            ));
        }
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if s == "open" {
            tf.statuses = Status::ALL
                .iter()
                .copied()
                .filter(|s| !s.is_terminal())
                .collect();
            articles = false;
        } else if let Ok(ts) = s.parse::<Status>() {
            tf.statuses = vec![ts];
            articles = false;
        } else if let Ok(st) = s.parse::<ArticleStatus>() {
            af.status = Some(st);
            tickets = false;
        } else {
            return Err(ValidationError::new(
                "status",
                "is not a ticket or article status",
            ));
        }
    }
    if let Some(c) = q.category_id {
        tf.category_id = Some(CategoryId(c));
        af.category_id = Some(CategoryId(c));
    }
    if let Some(l) = q.language.as_deref().filter(|s| !s.is_empty()) {
        af.language = Some(
            l.parse::<Language>()
                .map_err(|_| ValidationError::new("language", "must be es or en"))?,
        );
        // Tickets have no language: a language filter asks for articles.
        tickets = false;
    }
    Ok(Plan {
        tickets: tickets.then_some(tf),
        articles: articles.then_some(af),
    })
}

pub(crate) fn ticket_result(h: TicketHit, query: &Query) -> SearchResult {
    let text = match &h.resolution {
        Some(r) => format!("{}\n{}", h.description, r),
        None => h.description.clone(),
    };
    SearchResult {
        kind_of: "ticket",
        id: h.id,
        number: h.number,
        title: h.subject,
        kind: h.kind,
        status: h.status,
        language: None,
        snippet: snippet(&text, query, SNIPPET_WORDS),
        score: h.score,
    }
}

pub(crate) fn article_result(h: ArticleHit, query: &Query) -> SearchResult {
    SearchResult {
        kind_of: "article",
        id: h.id,
        number: article_number(ArticleId(h.id)),
        title: h.title,
        kind: h.kind,
        status: h.status,
        language: Some(h.language),
        snippet: snippet(&h.body, query, SNIPPET_WORDS),
        score: h.score,
    }
}

/// Searches tickets and articles; results best first (an exact ticket number first of all).
pub async fn search(app: &App, caller: &Caller, q: &SearchQuery) -> DeskResult<SearchResponse> {
    require(caller, Permission::TicketsRead)?;
    let raw = q.q.trim();
    if raw.is_empty() || raw.chars().count() > 200 {
        return Err(ValidationError::new("q", "must be 1 to 200 characters").into());
    }
    let limit = q.limit.unwrap_or(20);
    if !(1..=200).contains(&limit) {
        return Err(ValidationError::new("limit", "must be between 1 and 200").into());
    }
    let plan = plan(caller, q)?;
    let query = Query::parse(raw, QueryMode::All);
    let ticket_scope = scope(app, caller);
    let mut results: Vec<SearchResult> = Vec::new();
    let mut counts = SearchCounts {
        tickets: 0,
        articles: 0,
    };
    if let Some(filter) = &plan.tickets {
        let s = TicketSearch {
            query: &query,
            scope: &ticket_scope,
            internal: filter.text_internal,
            filter,
            limit,
        };
        let hits = app.store.search().tickets(&s).await?;
        counts.tickets = match short_page(hits.len(), limit) {
            Some(n) => n,
            None => app.store.search().count_tickets(&s, COUNT_CAP).await?,
        };
        results.extend(hits.into_iter().map(|h| ticket_result(h, &query)));
    }
    if let Some(af) = &plan.articles {
        let s = ArticleSearch {
            query: Some(&query),
            limit,
            ..af.clone()
        };
        let hits = app.store.search().articles(&s).await?;
        counts.articles = match short_page(hits.len(), limit) {
            Some(n) => n,
            None => app.store.search().count_articles(&s, COUNT_CAP).await?,
        };
        results.extend(hits.into_iter().map(|h| article_result(h, &query)));
    }
    // An exact ticket number outranks everything (it is one indexed term, so it matched).
    let exact = query.number.clone();
    results.sort_by(|a, b| {
        let ea = exact.as_deref() == Some(a.number.as_str());
        let eb = exact.as_deref() == Some(b.number.as_str());
        eb.cmp(&ea)
            .then(b.score.total_cmp(&a.score))
            .then(b.id.cmp(&a.id))
    });
    results.truncate(limit as usize);
    Ok(SearchResponse { results, counts })
}

/// How many match, when the page says it: a page that came back short holds every match,
/// so its length is the count, and only a full page needs the capped count query (the same
/// WHERE). On PostgreSQL that query costs 50–150 ms for an agent at 100 k tickets (the scope
/// and the match sit in two tables), and most searches fill less than a page.
fn short_page(on_page: usize, limit: u32) -> Option<i64> {
    (on_page < limit as usize).then_some(on_page as i64)
}

/// `GET /articles/suggest` parameters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// What the requester has typed so far (subject and description).
    pub q: String,
    /// 1 to 200 (default 5).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Articles for what someone is typing: any word may match, the last one as a prefix;
/// requesters get published FAQs, staff every published article.
pub async fn suggest(
    app: &App,
    caller: &Caller,
    q: &SuggestQuery,
) -> DeskResult<Vec<SearchResult>> {
    let limit = q.limit.unwrap_or(5);
    if !(1..=200).contains(&limit) {
        return Err(ValidationError::new("limit", "must be between 1 and 200").into());
    }
    let raw: String = q.q.chars().take(1000).collect();
    let query = Query::parse(&raw, QueryMode::Any);
    let s = ArticleSearch {
        query: Some(&query),
        public_only: !sees_all(caller),
        status: Some(ArticleStatus::Published),
        limit,
        ..Default::default()
    };
    let hits = app.store.search().articles(&s).await?;
    Ok(hits
        .into_iter()
        .map(|h| article_result(h, &query))
        .collect())
}

/// Words of a ticket's text weighed for its similar tickets (subject first).
const SIMILAR_CANDIDATES: usize = 24;
/// Tickets a word's count stops at: held by more, it is common, however common. Each count
/// reads at most this many entries of the index (40 terms: 1.5 ms at 1 M tickets on SQLite).
const COUNT_WORDS_UP_TO: i64 = 256;
/// Words a similar-tickets search looks for: any of them may match.
const SIMILAR_WORDS: usize = 5;
/// A word held by more than this share of all tickets (1 in N) says little about a ticket.
const COMMON_SHARE: i64 = 20;

/// The words of a ticket's text that tell it apart: the [`SIMILAR_WORDS`] held by the fewest
/// other tickets, common ones left out while rarer ones remain (`Query::keep_rarest`). Every
/// word OR-ed made the search walk the matches of the commonest ones, newest first, through
/// every status and scope: 1.5–22 ms at 1 M tickets, the ticket page's slowest statement
/// (docs/PERFORMANCE.md, session 11); and a ticket that shares only "no" and "funciona"
/// with this one is not similar.
async fn telling_words(app: &App, text: &str) -> DeskResult<Query> {
    let mut query = Query::parse_up_to(text, QueryMode::Any, SIMILAR_CANDIDATES);
    if query.is_empty() {
        return Ok(query);
    }
    let counts = app
        .store
        .search()
        .ticket_term_docs(&query.terms(), COUNT_WORDS_UP_TO)
        .await?;
    let common = (counts.total / COMMON_SHARE).clamp(1, COUNT_WORDS_UP_TO - 1);
    query.keep_rarest(SIMILAR_WORDS, common, |t| {
        counts.docs.get(t).copied().unwrap_or(0)
    });
    Ok(query)
}

/// Resolved tickets like the given text (for the agent's ticket page), with their
/// resolutions in the snippet; `except` is the ticket being looked at.
pub async fn similar_resolved(
    app: &App,
    caller: &Caller,
    text: &str,
    except: i64,
    limit: u32,
) -> DeskResult<Vec<SearchResult>> {
    require(caller, Permission::TicketsReadInternal)?;
    let query = telling_words(app, text).await?;
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let filter = TicketFilter {
        statuses: vec![
            Status::Solution,
            Status::Validation,
            Status::Survey,
            Status::Review,
            Status::Closed,
        ],
        ..Default::default()
    };
    let scope: TicketScope = scope(app, caller);
    let hits = app
        .store
        .search()
        .tickets(&TicketSearch {
            query: &query,
            scope: &scope,
            internal: false,
            filter: &filter,
            limit: limit + 1,
        })
        .await?;
    Ok(hits
        .into_iter()
        .filter(|h| h.id != except && h.resolution.is_some())
        .take(limit as usize)
        .map(|h| {
            let res = h.resolution.clone().unwrap_or_default();
            let mut r = ticket_result(h, &query);
            r.snippet = snippet(&res, &query, SNIPPET_WORDS);
            r
        })
        .collect())
}
