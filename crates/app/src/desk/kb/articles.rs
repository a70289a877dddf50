//! Writing and reading articles: create, edit (every save a revision), read with the
//! caller's visibility, list, votes and deflections, contributions per agent.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::kb::{
    Article, ArticleFields, ArticleKind, ArticleStatus, BODY_MAX, TITLE_MAX, parse_list,
};
use ventanilla_domain::{
    ArticleId, Caller, CategoryId, Language, Permission, Text, ValidationError,
};
use ventanilla_store::StoreError;
use ventanilla_store::articles::{ArticleDraft, Contribution, Revision, Votes};
use ventanilla_store::search::ArticleSearch;

use super::markdown;
use crate::App;
use crate::desk::{DeskError, DeskResult, missing_as, require};

/// What a person writes to create an article, or to replace it (with `version`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// `faq`, `sop` or `known_error`.
    pub kind: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// `es` or `en`.
    pub language: String,
    /// `draft` (default), `published` or `archived`.
    pub status: Option<String>,
    pub symptom: Option<String>,
    pub cause: Option<String>,
    pub workaround: Option<String>,
    #[serde(default)]
    pub steps: Vec<String>,
    pub problem_ref: Option<String>,
    pub category_id: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    /// When replacing: the version read (a newer one is refused with 412).
    pub version: Option<i64>,
}

/// An article as shown: the stored article and its body rendered to safe HTML.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleView {
    #[serde(flatten)]
    pub article: Article,
    /// The Markdown body rendered and sanitised.
    pub body_html: String,
}

impl ArticleView {
    pub fn of(article: Article) -> Self {
        let body_html = markdown::render(&article.fields.body);
        Self { article, body_html }
    }
}

fn opt_text(field: &str, v: Option<&str>) -> Result<Option<String>, ValidationError> {
    Ok(Text::parse_optional(field, v, BODY_MAX)?.map(Text::into_string))
}

/// Markdown keeps its line breaks and may be long; only its length and emptiness are checked.
fn body(raw: &str) -> Result<String, ValidationError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(ValidationError::new("body", "must not be empty"));
    }
    if t.chars().count() > BODY_MAX {
        return Err(ValidationError::new(
            "body",
            format!("must be at most {BODY_MAX} characters"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ValidationError::new(
            "body",
            "must not contain control characters",
        ));
    }
    Ok(t.to_owned())
}

impl ArticleInput {
    /// Validates the input into what the store saves.
    pub async fn draft(&self, app: &App) -> DeskResult<ArticleDraft> {
        let kind: ArticleKind = self.kind.parse()?;
        let status = match self.status.as_deref() {
            None | Some("") => ArticleStatus::Draft,
            Some(s) => s.parse()?,
        };
        let language: Language = self
            .language
            .parse()
            .map_err(|_| ValidationError::new("language", "must be es or en"))?;
        let category_id = match self.category_id {
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
        let fields = ArticleFields {
            title: Text::parse("title", &self.title, TITLE_MAX)?.into_string(),
            body: body(&self.body)?,
            symptom: opt_text("symptom", self.symptom.as_deref())?,
            cause: opt_text("cause", self.cause.as_deref())?,
            workaround: opt_text("workaround", self.workaround.as_deref())?,
            steps: parse_list("steps", &self.steps, 2000)?,
            problem_ref: Text::parse_optional("problem_ref", self.problem_ref.as_deref(), 100)?
                .map(Text::into_string),
            category_id,
            tags: parse_list("tags", &self.tags, 60)?,
            related: parse_list("related", &self.related, 200)?,
        };
        Ok(ArticleDraft {
            kind,
            status,
            language,
            fields,
            source_ticket_id: None,
        })
    }
}

/// Whether the caller reads every article (staff) or published FAQs only.
pub fn sees_all(caller: &Caller) -> bool {
    caller.can(Permission::TicketsReadInternal)
}

pub async fn create_article(
    app: &App,
    caller: &Caller,
    input: &ArticleInput,
) -> DeskResult<Article> {
    require(caller, Permission::TicketsWork)?;
    let d = input.draft(app).await?;
    Ok(app
        .store
        .articles()
        .create(&d, caller.user_id(), app.now())
        .await?)
}

pub async fn update_article(
    app: &App,
    caller: &Caller,
    id: ArticleId,
    input: &ArticleInput,
) -> DeskResult<Article> {
    require(caller, Permission::TicketsWork)?;
    let current = app.store.articles().get(id).await?;
    let mut d = input.draft(app).await?;
    d.source_ticket_id = current.source_ticket_id;
    app.store
        .articles()
        .update(id, input.version, &d, caller.user_id(), app.now())
        .await
        .map_err(|e| stale_as(e, current.version))
}

/// A version conflict of the store is the caller's stale read (412 on the API).
fn stale_as(e: StoreError, current: i64) -> DeskError {
    match e {
        StoreError::Conflict { .. } => DeskError::Stale { current },
        other => other.into(),
    }
}

/// Archives an article: the content stays as it is and the status becomes archived, saved
/// as the next version so the history shows who archived it and when. Archived articles
/// leave searches for requesters and suggestions. `version` is the version read (a newer
/// one is refused as stale, as an edit would be).
pub async fn archive_article(
    app: &App,
    caller: &Caller,
    id: ArticleId,
    version: Option<i64>,
) -> DeskResult<Article> {
    require(caller, Permission::TicketsWork)?;
    let current = app.store.articles().get(id).await?;
    let d = ArticleDraft {
        kind: current.kind,
        status: ArticleStatus::Archived,
        language: current.language,
        fields: current.fields.clone(),
        source_ticket_id: current.source_ticket_id,
    };
    app.store
        .articles()
        .update(id, version, &d, caller.user_id(), app.now())
        .await
        .map_err(|e| stale_as(e, current.version))
}

/// An article the caller may read; any other is "not found".
pub async fn get_article(app: &App, caller: &Caller, id: ArticleId) -> DeskResult<Article> {
    let a = app.store.articles().get(id).await?;
    if sees_all(caller) || a.is_public() {
        Ok(a)
    } else {
        Err(DeskError::NotFound)
    }
}

/// Filters of the article list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListQuery {
    /// `faq`, `sop` or `known_error`.
    pub kind: Option<String>,
    /// `draft`, `published` or `archived`.
    pub status: Option<String>,
    pub category_id: Option<i64>,
    /// `es` or `en`.
    pub language: Option<String>,
    /// The id of the last article of the previous page.
    pub before: Option<i64>,
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

pub async fn list_articles(
    app: &App,
    caller: &Caller,
    q: &ArticleListQuery,
) -> DeskResult<Vec<Article>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ValidationError::new("limit", "must be between 1 and 200").into());
    }
    let f = ArticleSearch {
        query: None,
        public_only: !sees_all(caller),
        kind: q.kind.as_deref().map(str::parse).transpose()?,
        status: q.status.as_deref().map(str::parse).transpose()?,
        category_id: q.category_id.map(CategoryId),
        language: q
            .language
            .as_deref()
            .map(|l| {
                l.parse::<Language>()
                    .map_err(|_| ValidationError::new("language", "must be es or en"))
            })
            .transpose()?,
        limit,
    };
    Ok(app.store.articles().list(&f, q.before).await?)
}

pub async fn article_revisions(
    app: &App,
    caller: &Caller,
    id: ArticleId,
) -> DeskResult<Vec<Revision>> {
    require(caller, Permission::TicketsReadInternal)?;
    app.store.articles().get(id).await?;
    Ok(app.store.articles().revisions(id).await?)
}

/// "Was this helpful?"
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteInput {
    pub helpful: bool,
    pub comment: Option<String>,
}

pub async fn vote_article(
    app: &App,
    caller: &Caller,
    id: ArticleId,
    v: &VoteInput,
) -> DeskResult<Votes> {
    get_article(app, caller, id).await?;
    let comment = Text::parse_optional("comment", v.comment.as_deref(), 2000)?;
    app.store
        .articles()
        .vote(
            id,
            caller.user_id(),
            v.helpful,
            comment.as_ref().map(Text::as_str),
            app.now(),
        )
        .await?;
    article_votes(app, caller, id).await
}

/// Counts for everyone who reads the article; comments only for staff.
pub async fn article_votes(app: &App, caller: &Caller, id: ArticleId) -> DeskResult<Votes> {
    let mut v = app.store.articles().votes(id).await?;
    if !sees_all(caller) {
        v.comments.clear();
    }
    Ok(v)
}

/// "This solved my problem": what the requester had typed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeflectionInput {
    #[serde(default)]
    pub query: String,
}

/// Records a deflection: the caller solved their issue with the article, no ticket opened.
pub async fn deflect(
    app: &App,
    caller: &Caller,
    id: ArticleId,
    input: &DeflectionInput,
) -> DeskResult<Votes> {
    get_article(app, caller, id).await?;
    let query: String = input.query.trim().chars().take(500).collect();
    app.store
        .articles()
        .deflect(id, caller.user_id(), &query, app.now())
        .await?;
    article_votes(app, caller, id).await
}

pub async fn contributions(app: &App, caller: &Caller) -> DeskResult<Vec<Contribution>> {
    require(caller, Permission::TicketsReadInternal)?;
    Ok(app.store.articles().contributions().await?)
}
