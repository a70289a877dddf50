//! The console's knowledge-base pages for agents: the article list with its filters, the
//! new-article and edit pages (kind-specific fields, language, category, tags, related
//! CIs/services, status) with the revision history, and the archive action. Every save goes
//! through `desk::kb::articles`, the use cases the API calls; a refusal shows the form again
//! with what was typed and the error beside its field.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use ventanilla_domain::kb::{Article, ArticleKind, ArticleStatus};
use ventanilla_domain::ticket::Category;
use ventanilla_domain::{ArticleId, Permission, ValidationError};
use ventanilla_store::articles::Revision;

use crate::AppState;
use crate::desk::kb::articles::{
    ArticleInput, ArticleListQuery, archive_article, article_revisions, create_article,
    get_article, list_articles, update_article,
};
use crate::error::AppError;
use crate::web::console::refuse::{self, FORM};
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render, render_as};
use crate::web::kit::path::Path;

/// The fields of the article form, as the use case names them in its refusals.
const FIELDS: &[&str] = &[
    "kind",
    "title",
    "body",
    "language",
    "status",
    "category_id",
    "tags",
    "related",
    "steps",
    "symptom",
    "cause",
    "workaround",
    "problem_ref",
];

/// Articles per page of the list (the use case allows up to 200).
const PAGE: u32 = 50;

/// Kinds and statuses in the order the pages offer them.
pub const KINDS: [&str; 3] = ["faq", "sop", "known_error"];
pub const STATUSES: [&str; 3] = ["draft", "published", "archived"];

/// The list's filters as typed in the query string (empty means any).
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ListForm {
    pub kind: String,
    pub status: String,
    pub language: String,
    pub category_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A category picked in a select: empty is none; anything else must be a number.
fn category_of(s: &str) -> Result<Option<i64>, ValidationError> {
    opt(s)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| ValidationError::new("category_id", "is not a valid id"))
        })
        .transpose()
}

#[derive(Template)]
#[template(path = "console/articles.html")]
struct ListPage {
    c: Ctx,
    f: ListForm,
    articles: Vec<Article>,
    categories: Vec<Category>,
    /// The next page's address, when this page is full.
    next: Option<String>,
}

impl ListPage {
    fn category_name(&self, a: &Article) -> String {
        category_label(&self.c, &self.categories, a)
    }
}

fn category_label(c: &Ctx, categories: &[Category], a: &Article) -> String {
    a.fields
        .category_id
        .and_then(|id| categories.iter().find(|x| x.id == id))
        .map(|x| crate::web::kit::view::category_name(&c.lang, x))
        .unwrap_or_default()
}

/// `/console/articles`: every article newest first, filtered, a page at a time (keyset by
/// id, so a page costs the same however deep).
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(f): Query<ListForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let q = ArticleListQuery {
        kind: opt(&f.kind),
        status: opt(&f.status),
        language: opt(&f.language),
        category_id: category_of(&f.category_id)?,
        before: f.before,
        limit: Some(PAGE),
    };
    let articles = list_articles(&state, &viewer.caller(), &q).await?;
    let next = match articles.last() {
        Some(last) if articles.len() == PAGE as usize => {
            let mut n = f.clone();
            n.before = Some(last.id.get());
            serde_urlencoded::to_string(&n)
                .ok()
                .map(|qs| format!("/console/articles?{qs}"))
        }
        _ => None,
    };
    render(&ListPage {
        c: viewer.ctx("kb-articles"),
        f,
        articles,
        categories: crate::web::kit::view::categories(&state).await?,
        next,
    })
}

/// The article form as typed: lists are one entry per line (steps, related) or separated by
/// commas (tags), so nothing needs JavaScript.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct ArticleForm {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub language: String,
    pub status: String,
    pub category_id: String,
    pub tags: String,
    pub related: String,
    pub steps: String,
    pub symptom: String,
    pub cause: String,
    pub workaround: String,
    pub problem_ref: String,
    /// The version read; a save over a newer one is refused as stale.
    pub version: String,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ArticleForm {
    fn of(a: &Article) -> Self {
        let f = &a.fields;
        ArticleForm {
            kind: a.kind.as_str().to_owned(),
            title: f.title.clone(),
            body: f.body.clone(),
            language: a.language.code().to_owned(),
            status: a.status.as_str().to_owned(),
            category_id: f.category_id.map(|c| c.to_string()).unwrap_or_default(),
            tags: f.tags.join(", "),
            related: f.related.join("\n"),
            steps: f.steps.join("\n"),
            symptom: f.symptom.clone().unwrap_or_default(),
            cause: f.cause.clone().unwrap_or_default(),
            workaround: f.workaround.clone().unwrap_or_default(),
            problem_ref: f.problem_ref.clone().unwrap_or_default(),
            version: a.version.to_string(),
        }
    }

    /// The use case's input; the use case validates every value.
    fn input(&self) -> Result<ArticleInput, ValidationError> {
        Ok(ArticleInput {
            kind: self.kind.trim().to_owned(),
            title: self.title.clone(),
            body: self.body.clone(),
            language: self.language.trim().to_owned(),
            status: opt(&self.status),
            symptom: opt(&self.symptom),
            cause: opt(&self.cause),
            workaround: opt(&self.workaround),
            steps: lines(&self.steps),
            problem_ref: opt(&self.problem_ref),
            category_id: category_of(&self.category_id)?,
            tags: self
                .tags
                .split([',', '\n'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            related: lines(&self.related),
            version: self.version.trim().parse().ok(),
        })
    }
}

#[derive(Template)]
#[template(path = "console/article.html")]
struct ArticlePage {
    c: Ctx,
    article: Option<Article>,
    form: ArticleForm,
    errors: FieldErrors,
    categories: Vec<Category>,
    /// Every saved version, newest first (empty for a new article).
    revisions: Vec<Revision>,
}

impl ArticlePage {
    async fn load(
        state: &AppState,
        viewer: &Viewer,
        article: Option<Article>,
        form: ArticleForm,
    ) -> WebResult<ArticlePage> {
        let mut c = viewer.ctx(if article.is_some() {
            "kb-edit-article"
        } else {
            "kb-new-article"
        });
        let revisions = match &article {
            Some(a) => {
                c.title = format!("{} · {}", a.number, a.fields.title);
                article_revisions(state, &viewer.caller(), a.id).await?
            }
            None => Vec::new(),
        };
        Ok(ArticlePage {
            c,
            article,
            form,
            errors: FieldErrors::default(),
            categories: crate::web::kit::view::categories(state).await?,
            revisions,
        })
    }

    fn category_selected(&self, c: &Category) -> bool {
        self.form.category_id.trim() == c.id.to_string()
    }
}

/// The answer to a refused save: the form again with what was typed, each error beside its
/// field (a stale version above the form, in the article's words), under the refusal's
/// status. Forbidden and not found stay the error page.
async fn again(
    state: &AppState,
    viewer: &Viewer,
    article: Option<Article>,
    form: ArticleForm,
    e: WebError,
) -> WebResult<Response> {
    let (errors, status) = match e {
        WebError::App(AppError::PreconditionFailed { .. }) => {
            let mut errors = FieldErrors::default();
            errors.add(FORM, viewer.lang.t("kb-refused-stale"));
            (errors, StatusCode::CONFLICT)
        }
        other => {
            let r = refuse::sort(viewer.lang, other, FIELDS)?;
            (r.errors, r.status)
        }
    };
    let mut page = ArticlePage::load(state, viewer, article, form).await?;
    page.errors = errors;
    render_as(&page, status)
}

fn saved(id: ArticleId, flash: &str) -> Response {
    Redirect::to(&format!("/console/articles/{id}?flash={flash}")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    kind: String,
}

/// `/console/articles/new?kind=sop`: an empty draft of the chosen kind in the agent's language.
pub async fn new_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NewQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let kind = q
        .kind
        .parse::<ArticleKind>()
        .unwrap_or(ArticleKind::Faq)
        .as_str()
        .to_owned();
    let form = ArticleForm {
        kind,
        language: viewer.lang.code().to_owned(),
        status: ArticleStatus::Draft.as_str().to_owned(),
        ..ArticleForm::default()
    };
    render(&ArticlePage::load(&state, &viewer, None, form).await?)
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<ArticleForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let result: WebResult<Article> = async {
        let mut input = form.input()?;
        input.version = None;
        Ok(create_article(&state, &viewer.caller(), &input).await?)
    }
    .await;
    match result {
        Ok(a) => Ok(saved(a.id, "kb-saved")),
        Err(e) => again(&state, &viewer, None, form, e).await,
    }
}

/// `/console/articles/{id}`: the article's form, filled in, with its revisions.
pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let a = get_article(&state, &viewer.caller(), ArticleId(id)).await?;
    let form = ArticleForm::of(&a);
    render(&ArticlePage::load(&state, &viewer, Some(a), form).await?)
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<ArticleForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let current = get_article(&state, &viewer.caller(), ArticleId(id)).await?;
    let result: WebResult<Article> = async {
        let input = form.input()?;
        Ok(update_article(&state, &viewer.caller(), current.id, &input).await?)
    }
    .await;
    match result {
        Ok(a) => Ok(saved(a.id, "kb-saved")),
        Err(e) => {
            // The page shows the article as it is now (a stale save's newer version),
            // with what was typed kept in the form.
            let now = get_article(&state, &viewer.caller(), current.id).await?;
            again(&state, &viewer, Some(now), form, e).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VersionForm {
    version: String,
}

/// Archives the article (the next version, content unchanged).
pub async fn archive(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<VersionForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let current = get_article(&state, &viewer.caller(), ArticleId(id)).await?;
    let version = form.version.trim().parse().ok();
    match archive_article(&state, &viewer.caller(), current.id, version).await {
        Ok(a) => Ok(saved(a.id, "kb-archived")),
        Err(e) => {
            let now = get_article(&state, &viewer.caller(), current.id).await?;
            let typed = ArticleForm::of(&now);
            again(&state, &viewer, Some(now), typed, e.into()).await
        }
    }
}
