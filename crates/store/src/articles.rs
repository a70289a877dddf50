//! Knowledge-base articles: saved with every revision and their search row in one
//! transaction; helpful votes, deflections, the article that solved a ticket, and
//! contributions per agent.

use jiff::Timestamp;
use ventanilla_domain::kb::{Article, ArticleFields, ArticleKind, ArticleStatus, article_number};
use ventanilla_domain::{ArticleId, CategoryId, Language, TicketId, UserId};

use crate::search::{ArticleSearch, index_article, push_article_filters};
use crate::sql::{Param, SqlBuilder, trusted};
use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

/// An article to save: everything but the id, version and instants.
#[derive(Debug, Clone)]
pub struct ArticleDraft {
    pub kind: ArticleKind,
    pub status: ArticleStatus,
    pub language: Language,
    pub fields: ArticleFields,
    pub source_ticket_id: Option<TicketId>,
}

/// One saved version of an article.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revision {
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub author_id: UserId,
    pub author_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    pub status: String,
    pub title: String,
    pub body: String,
}

/// "Was this helpful?" answers of an article.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Votes {
    pub helpful: i64,
    pub not_helpful: i64,
    pub deflections: i64,
    /// The latest comments (staff only).
    pub comments: Vec<VoteComment>,
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteComment {
    pub helpful: bool,
    pub comment: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
}

/// Knowledge contributions of one person (seed 003's KPI).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contribution {
    pub user_id: i64,
    pub name: String,
    /// Articles they wrote (first version).
    pub articles: i64,
    /// Of those, published now.
    pub published: i64,
    /// Later versions they saved of anyone's articles.
    pub revisions: i64,
    /// Tickets they marked as solved with an article.
    pub links: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ArticleRow {
    id: i64,
    kind: String,
    status: String,
    language: String,
    title: String,
    body: String,
    symptom: Option<String>,
    cause: Option<String>,
    workaround: Option<String>,
    steps: String,
    problem_ref: Option<String>,
    category_id: Option<i64>,
    tags: String,
    related: String,
    source_ticket_id: Option<i64>,
    author_id: i64,
    version: i64,
    created_at: i64,
    updated_at: i64,
    published_at: Option<i64>,
}

fn list_from_db(what: &str, s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("article {what}: {e}")))
}

fn list_to_db(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

impl ArticleRow {
    pub(crate) fn fields(&self) -> Result<ArticleFields> {
        Ok(ArticleFields {
            title: self.title.clone(),
            body: self.body.clone(),
            symptom: self.symptom.clone(),
            cause: self.cause.clone(),
            workaround: self.workaround.clone(),
            steps: list_from_db("steps", &self.steps)?,
            problem_ref: self.problem_ref.clone(),
            category_id: self.category_id.map(CategoryId),
            tags: list_from_db("tags", &self.tags)?,
            related: list_from_db("related", &self.related)?,
        })
    }
}

impl TryFrom<ArticleRow> for Article {
    type Error = StoreError;
    fn try_from(r: ArticleRow) -> Result<Self> {
        let fields = r.fields()?;
        Ok(Article {
            id: ArticleId(r.id),
            number: article_number(ArticleId(r.id)),
            kind: r.kind.parse()?,
            status: r.status.parse()?,
            language: r.language.parse()?,
            fields,
            source_ticket_id: r.source_ticket_id.map(TicketId),
            author_id: UserId(r.author_id),
            version: r.version,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
            published_at: r.published_at.map(from_db).transpose()?,
        })
    }
}

pub(crate) const COLUMNS: &str =
    "a.id, a.kind, a.status, a.language, a.title, a.body, a.symptom, a.cause,
    a.workaround, a.steps, a.problem_ref, a.category_id, a.tags, a.related, a.source_ticket_id,
    a.author_id, a.version, a.created_at, a.updated_at, a.published_at";

/// Reads an article's fields on a transaction (the index rebuild).
macro_rules! load_fields {
    ($tx:expr, $id:expr) => {{
        let sql = format!(
            "SELECT {} FROM articles a WHERE a.id = $1",
            $crate::articles::COLUMNS
        );
        let row: $crate::articles::ArticleRow = sqlx::query_as($crate::sql::trusted(&sql))
            .bind($id)
            .fetch_one(&mut *$tx)
            .await?;
        row.fields()?
    }};
}
pub(crate) use load_fields;

/// Writes a revision row for the article's current state.
macro_rules! insert_revision {
    ($tx:expr, $id:expr, $version:expr, $author:expr, $at:expr, $d:expr) => {{
        let d: &ArticleDraft = $d;
        let data = serde_json::json!({
            "kind": d.kind.as_str(),
            "language": d.language.code(),
            "symptom": d.fields.symptom,
            "cause": d.fields.cause,
            "workaround": d.fields.workaround,
            "steps": d.fields.steps,
            "problem_ref": d.fields.problem_ref,
            "category_id": d.fields.category_id.map(CategoryId::get),
            "tags": d.fields.tags,
            "related": d.fields.related,
        });
        sqlx::query(
            "INSERT INTO article_revisions (article_id, version, author_id, at, status, title, body, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($id)
        .bind($version)
        .bind($author)
        .bind(to_db($at))
        .bind(d.status.as_str())
        .bind(d.fields.title.as_str())
        .bind(d.fields.body.as_str())
        .bind(data.to_string())
        .execute(&mut *$tx)
        .await?;
    }};
}

pub struct Articles<'a>(&'a Store);

impl Store {
    pub fn articles(&self) -> Articles<'_> {
        Articles(self)
    }
}

impl Articles<'_> {
    /// Saves a new article (version 1), its first revision and its search row.
    pub async fn create(
        &self,
        d: &ArticleDraft,
        author: UserId,
        now: Timestamp,
    ) -> Result<Article> {
        let kind = self.0.kind();
        let published = (d.status == ArticleStatus::Published).then_some(to_db(now));
        let id: i64 = in_transaction!(self.0, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO articles (kind, status, language, title, body, symptom, cause, workaround,
                    steps, problem_ref, category_id, tags, related, source_ticket_id, author_id,
                    version, created_at, updated_at, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16, $17)
                 RETURNING id",
            )
            .bind(d.kind.as_str())
            .bind(d.status.as_str())
            .bind(d.language.code())
            .bind(d.fields.title.as_str())
            .bind(d.fields.body.as_str())
            .bind(d.fields.symptom.as_deref())
            .bind(d.fields.cause.as_deref())
            .bind(d.fields.workaround.as_deref())
            .bind(list_to_db(&d.fields.steps))
            .bind(d.fields.problem_ref.as_deref())
            .bind(d.fields.category_id.map(CategoryId::get))
            .bind(list_to_db(&d.fields.tags))
            .bind(list_to_db(&d.fields.related))
            .bind(d.source_ticket_id.map(TicketId::get))
            .bind(author.get())
            .bind(to_db(now))
            .bind(published)
            .fetch_one(&mut *tx)
            .await?;
            insert_revision!(tx, id, 1_i64, author.get(), now, d);
            index_article!(tx, kind, id, &d.fields);
            id
        });
        self.get(ArticleId(id)).await
    }

    pub async fn get(&self, id: ArticleId) -> Result<Article> {
        let sql = format!("SELECT {COLUMNS} FROM articles a WHERE a.id = $1");
        let row: ArticleRow = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// Several articles by id, in no particular order (a result page's articles at once).
    pub async fn get_many(&self, ids: &[ArticleId]) -> Result<Vec<Article>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM articles a WHERE a.id IN ("));
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Param::I64(id.get()));
        }
        b.push(")");
        let (sql, params) = b.finish();
        let rows: Vec<ArticleRow> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Article::try_from).collect()
    }

    /// Replaces an article's content with `d` as the next version (refused with
    /// [`StoreError::Conflict`] on `articles.version` when `expected` is not the current
    /// version), keeps the revision and updates the search row, in one transaction.
    pub async fn update(
        &self,
        id: ArticleId,
        expected: Option<i64>,
        d: &ArticleDraft,
        author: UserId,
        now: Timestamp,
    ) -> Result<Article> {
        let kind = self.0.kind();
        in_transaction!(self.0, |tx| {
            let current: (i64, Option<i64>) =
                sqlx::query_as("SELECT version, published_at FROM articles WHERE id = $1")
                    .bind(id.get())
                    .fetch_one(&mut *tx)
                    .await?;
            if expected.is_some_and(|v| v != current.0) {
                return Err(StoreError::Conflict {
                    constraint: "articles.version".into(),
                });
            }
            let version = current.0 + 1;
            let published = match (current.1, d.status) {
                (Some(p), _) => Some(p),
                (None, ArticleStatus::Published) => Some(to_db(now)),
                (None, _) => None,
            };
            sqlx::query(
                "UPDATE articles SET kind = $2, status = $3, language = $4, title = $5, body = $6,
                    symptom = $7, cause = $8, workaround = $9, steps = $10, problem_ref = $11,
                    category_id = $12, tags = $13, related = $14, version = $15, updated_at = $16,
                    published_at = $17
                 WHERE id = $1",
            )
            .bind(id.get())
            .bind(d.kind.as_str())
            .bind(d.status.as_str())
            .bind(d.language.code())
            .bind(d.fields.title.as_str())
            .bind(d.fields.body.as_str())
            .bind(d.fields.symptom.as_deref())
            .bind(d.fields.cause.as_deref())
            .bind(d.fields.workaround.as_deref())
            .bind(list_to_db(&d.fields.steps))
            .bind(d.fields.problem_ref.as_deref())
            .bind(d.fields.category_id.map(CategoryId::get))
            .bind(list_to_db(&d.fields.tags))
            .bind(list_to_db(&d.fields.related))
            .bind(version)
            .bind(to_db(now))
            .bind(published)
            .execute(&mut *tx)
            .await?;
            insert_revision!(tx, id.get(), version, author.get(), now, d);
            index_article!(tx, kind, id.get(), &d.fields);
        });
        self.get(id).await
    }

    /// Articles newest first, keyset-paginated by id (`before`), with the search filters.
    pub async fn list(&self, f: &ArticleSearch<'_>, before: Option<i64>) -> Result<Vec<Article>> {
        let mut b = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM articles a WHERE 1 = 1"));
        push_article_filters(&mut b, f);
        if let Some(id) = before {
            b.push(" AND a.id < ").bind(Param::I64(id));
        }
        b.push(" ORDER BY a.id DESC LIMIT ")
            .bind(Param::I64(i64::from(f.limit)));
        let (sql, params) = b.finish();
        let rows: Vec<ArticleRow> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Article::try_from).collect()
    }

    /// Every saved version, newest first.
    pub async fn revisions(&self, id: ArticleId) -> Result<Vec<Revision>> {
        type Row = (i64, i64, String, i64, String, String, String);
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT r.version, r.author_id, u.name, r.at, r.status, r.title, r.body
                 FROM article_revisions r JOIN users u ON u.id = r.author_id
                 WHERE r.article_id = $1 ORDER BY r.version DESC",
            )
            .bind(id.get())
            .fetch_all(db)
            .await?
        });
        rows.into_iter()
            .map(|(version, author, name, at, status, title, body)| {
                Ok(Revision {
                    version,
                    author_id: UserId(author),
                    author_name: name,
                    at: from_db(at)?,
                    status,
                    title,
                    body,
                })
            })
            .collect()
    }

    /// Records (or replaces) a person's "was this helpful?" answer.
    pub async fn vote(
        &self,
        id: ArticleId,
        user: UserId,
        helpful: bool,
        comment: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO article_votes (article_id, user_id, helpful, comment, at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (article_id, user_id)
                 DO UPDATE SET helpful = excluded.helpful, comment = excluded.comment, at = excluded.at",
            )
            .bind(id.get())
            .bind(user.get())
            .bind(helpful)
            .bind(comment)
            .bind(to_db(now))
            .execute(db)
            .await?;
        });
        Ok(())
    }

    /// Vote and deflection counts, and the latest comments (at most 20).
    pub async fn votes(&self, id: ArticleId) -> Result<Votes> {
        let (yes, no, defl): (i64, i64, i64) = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT
                   (SELECT count(*) FROM article_votes WHERE article_id = $1 AND helpful = TRUE),
                   (SELECT count(*) FROM article_votes WHERE article_id = $1 AND helpful = FALSE),
                   (SELECT count(*) FROM deflections WHERE article_id = $1)",
            )
            .bind(id.get())
            .fetch_one(db)
            .await?
        });
        let rows: Vec<(bool, String, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT helpful, comment, at FROM article_votes
                 WHERE article_id = $1 AND comment IS NOT NULL ORDER BY at DESC LIMIT 20",
            )
            .bind(id.get())
            .fetch_all(db)
            .await?
        });
        let comments = rows
            .into_iter()
            .map(|(helpful, comment, at)| {
                Ok(VoteComment {
                    helpful,
                    comment,
                    at: from_db(at)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Votes {
            helpful: yes,
            not_helpful: no,
            deflections: defl,
            comments,
        })
    }

    /// Records that `user` solved their issue with the article, without a ticket.
    pub async fn deflect(
        &self,
        id: ArticleId,
        user: UserId,
        query: &str,
        now: Timestamp,
    ) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO deflections (article_id, user_id, query, at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.get())
            .bind(user.get())
            .bind(query)
            .bind(to_db(now))
            .execute(db)
            .await?;
        });
        Ok(())
    }

    /// Deflections recorded since `since` (all of them with `None`).
    pub async fn deflection_count(&self, since: Option<Timestamp>) -> Result<i64> {
        let n: i64 = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT count(*) FROM deflections WHERE at >= $1")
                .bind(since.map_or(i64::MIN, to_db))
                .fetch_one(db)
                .await?
        });
        Ok(n)
    }

    /// Marks `article` as the one that solved `ticket` (again: no change).
    pub async fn link_ticket(
        &self,
        ticket: TicketId,
        article: ArticleId,
        by: UserId,
        now: Timestamp,
    ) -> Result<()> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO ticket_articles (ticket_id, article_id, linked_by, at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (ticket_id, article_id) DO NOTHING",
            )
            .bind(ticket.get())
            .bind(article.get())
            .bind(by.get())
            .bind(to_db(now))
            .execute(db)
            .await?;
        });
        Ok(())
    }

    /// The articles linked as having solved a ticket.
    pub async fn for_ticket(&self, ticket: TicketId) -> Result<Vec<Article>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ticket_articles l JOIN articles a ON a.id = l.article_id
             WHERE l.ticket_id = $1 ORDER BY l.at"
        );
        let rows: Vec<ArticleRow> = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(ticket.get())
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Article::try_from).collect()
    }

    /// Tickets solved with an article (how often it helped agents).
    pub async fn ticket_count(&self, article: ArticleId) -> Result<i64> {
        let n: i64 = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT count(*) FROM ticket_articles WHERE article_id = $1")
                .bind(article.get())
                .fetch_one(db)
                .await?
        });
        Ok(n)
    }

    /// Knowledge contributions per person, most articles first (people with none omitted).
    pub async fn contributions(&self) -> Result<Vec<Contribution>> {
        let rows: Vec<Contribution> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT u.id AS user_id, u.name,
                   (SELECT count(*) FROM articles a WHERE a.author_id = u.id) AS articles,
                   (SELECT count(*) FROM articles a WHERE a.author_id = u.id AND a.status = 'published') AS published,
                   (SELECT count(*) FROM article_revisions r WHERE r.author_id = u.id AND r.version > 1) AS revisions,
                   (SELECT count(*) FROM ticket_articles l WHERE l.linked_by = u.id) AS links
                 FROM users u
                 WHERE u.id IN (SELECT author_id FROM article_revisions UNION SELECT linked_by FROM ticket_articles)
                 ORDER BY articles DESC, revisions DESC, links DESC, u.id",
            )
            .fetch_all(db)
            .await?
        });
        Ok(rows)
    }
}
