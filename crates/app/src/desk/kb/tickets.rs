//! Tickets and the knowledge base: the article that solved a ticket ("resolved with
//! KB-…"), a ticket's resolution turned into a draft article in one action, and the
//! suggestions shown on the agent's ticket page.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::kb::{
    Article, ArticleFields, ArticleKind, ArticleStatus, parse_article_number,
};
use ventanilla_domain::ticket::Ticket;
use ventanilla_domain::{Caller, Language, Permission, TicketId, ValidationError};
use ventanilla_store::articles::ArticleDraft;

use super::articles::get_article;
use super::search::{SearchResult, SuggestQuery, similar_resolved, suggest};
use crate::App;
use crate::desk::tickets::access;
use crate::desk::{DeskError, DeskResult, Refusal, require};

/// Which article solved the ticket: its id or its number (`KB-12`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkArticle {
    pub article: String,
}

/// Marks an article as the one that solved a ticket (the agent's "resolved with KB-…").
pub async fn link_article(
    app: &App,
    caller: &Caller,
    ticket: TicketId,
    input: &LinkArticle,
) -> DeskResult<Vec<Article>> {
    require(caller, Permission::TicketsWork)?;
    access::load(app, caller, ticket).await?;
    let raw = input.article.trim();
    let id = parse_article_number(raw)
        .or_else(|| {
            raw.parse::<i64>()
                .ok()
                .filter(|v| *v > 0)
                .map(ventanilla_domain::ArticleId)
        })
        .ok_or_else(|| {
            ValidationError::new("article", "must be an article number (KB-12) or id")
        })?;
    let article = get_article(app, caller, id).await.map_err(|e| match e {
        DeskError::NotFound => ValidationError::new("article", "no such article").into(),
        other => other,
    })?;
    app.store
        .articles()
        .link_ticket(ticket, article.id, caller.user_id(), app.now())
        .await?;
    Ok(app.store.articles().for_ticket(ticket).await?)
}

/// The articles linked to a ticket the caller sees.
pub async fn ticket_articles(
    app: &App,
    caller: &Caller,
    ticket: TicketId,
) -> DeskResult<Vec<Article>> {
    let t = access::load(app, caller, ticket).await?;
    articles_of(app, caller, &t).await
}

/// [`ticket_articles`] of a ticket the caller was already shown (`access::load`), for a
/// page that has it in hand.
pub async fn articles_of(app: &App, caller: &Caller, t: &Ticket) -> DeskResult<Vec<Article>> {
    let all = app.store.articles().for_ticket(t.id).await?;
    let sees_all = super::articles::sees_all(caller);
    Ok(all
        .into_iter()
        .filter(|a| sees_all || a.is_public())
        .collect())
}

/// Turns a ticket's resolution into a draft article (a known error for an incident's
/// workaround is a choice the author makes later: the draft is an FAQ in the caller's
/// language, the ticket's subject as title, its description and resolution as body).
pub async fn draft_from_ticket(
    app: &App,
    caller: &Caller,
    ticket: TicketId,
    language: Language,
) -> DeskResult<Article> {
    require(caller, Permission::TicketsWork)?;
    let t = access::load(app, caller, ticket).await?;
    let Some(resolution) = t.resolution.clone().filter(|r| !r.trim().is_empty()) else {
        return Err(DeskError::refused(
            Refusal::State,
            "no_resolution",
            "the ticket has no resolution to turn into an article yet",
        ));
    };
    let (problem, solution) = match language {
        Language::Es => ("Problema", "Solución"),
        Language::En => ("Problem", "Solution"),
    };
    let draft = ArticleDraft {
        kind: ArticleKind::Faq,
        status: ArticleStatus::Draft,
        language,
        fields: ArticleFields {
            title: t.subject.clone(),
            body: format!(
                "## {problem}\n\n{}\n\n## {solution}\n\n{resolution}\n",
                t.description
            ),
            category_id: t.category_id,
            ..Default::default()
        },
        source_ticket_id: Some(t.id),
    };
    Ok(app
        .store
        .articles()
        .create(&draft, caller.user_id(), app.now())
        .await?)
}

/// What the agent's ticket page suggests.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketSuggestions {
    pub articles: Vec<SearchResult>,
    /// Resolved tickets like this one; the snippet is their resolution.
    pub similar: Vec<SearchResult>,
}

pub async fn ticket_suggestions(
    app: &App,
    caller: &Caller,
    ticket: TicketId,
) -> DeskResult<TicketSuggestions> {
    require(caller, Permission::TicketsReadInternal)?;
    let t = access::load(app, caller, ticket).await?;
    suggestions_for(app, caller, &t).await
}

/// [`ticket_suggestions`] of a ticket the caller was already shown (`access::load`), for a
/// page that has it in hand.
pub async fn suggestions_for(
    app: &App,
    caller: &Caller,
    t: &Ticket,
) -> DeskResult<TicketSuggestions> {
    require(caller, Permission::TicketsReadInternal)?;
    let text = format!("{} {} ", t.subject, t.description);
    let articles = suggest(
        app,
        caller,
        &SuggestQuery {
            q: text.clone(),
            limit: Some(5),
        },
    )
    .await?;
    let similar = similar_resolved(app, caller, &text, t.id.get(), 5).await?;
    Ok(TicketSuggestions { articles, similar })
}
