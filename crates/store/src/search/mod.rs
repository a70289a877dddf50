//! Full-text search over tickets and articles, with the caller's access inside the SQL: a
//! requester's query matches only tickets in their scope and only public text (never an
//! internal note), also when counting. The terms come from `ventanilla_domain::search`; how
//! each database stores and matches them is in [`crate::dialect`] (`ticket_match`, …).

pub(crate) mod index;
mod terms;

use ventanilla_domain::kb::{ArticleKind, ArticleStatus};
use ventanilla_domain::search::Query;
use ventanilla_domain::{CategoryId, Language};

use crate::sql::{Param, SqlBuilder, trusted};
use crate::tickets::{TicketFilter, TicketScope};
use crate::{Result, Store, dialect};

pub(crate) use index::{index_article, reindex_tickets};
pub use terms::TermDocs;

/// A ticket search: the query, whose tickets, whether internal notes match, and the list
/// filters (kind, statuses, category…; its `text` is ignored).
#[derive(Debug, Clone)]
pub struct TicketSearch<'a> {
    pub query: &'a Query,
    pub scope: &'a TicketScope,
    pub internal: bool,
    pub filter: &'a TicketFilter,
    pub limit: u32,
}

/// A matching ticket with what a result line shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketHit {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub status: String,
    pub subject: String,
    pub description: String,
    pub resolution: Option<String>,
    pub score: f64,
}

/// Which articles a search may return.
#[derive(Debug, Clone, Default)]
pub struct ArticleSearch<'a> {
    pub query: Option<&'a Query>,
    /// Only published FAQs (requesters).
    pub public_only: bool,
    pub kind: Option<ArticleKind>,
    pub status: Option<ArticleStatus>,
    pub category_id: Option<CategoryId>,
    pub language: Option<Language>,
    pub limit: u32,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArticleHit {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub language: String,
    pub title: String,
    pub body: String,
    pub score: f64,
}

pub struct Search<'a>(&'a Store);

impl Store {
    pub fn search(&self) -> Search<'_> {
        Search(self)
    }
}

/// Tickets: the match, the scope and filters, in one WHERE.
fn push_ticket_where(b: &mut SqlBuilder, kind: crate::BackendKind, s: &TicketSearch<'_>) {
    let m = dialect::ticket_match(kind, s.internal);
    b.push(" WHERE ")
        .push(m.cond)
        .bind(Param::Text(dialect::ticket_query_text(
            kind, s.query, s.internal,
        )))
        .push(m.cond_end);
    crate::tickets::read_scope(b, s.scope);
    let f = TicketFilter {
        text: None,
        ..s.filter.clone()
    };
    crate::tickets::read_filter(b, kind, &f);
}

fn push_article_where(
    b: &mut SqlBuilder,
    kind: crate::BackendKind,
    s: &ArticleSearch<'_>,
    q: &Query,
) {
    let m = dialect::article_match(kind);
    b.push(" WHERE ")
        .push(m.cond)
        .bind(Param::Text(dialect::article_query_text(kind, q)))
        .push(m.cond_end);
    push_article_filters(b, s);
}

pub(crate) fn push_article_filters(b: &mut SqlBuilder, s: &ArticleSearch<'_>) {
    if s.public_only {
        b.push(" AND a.kind = 'faq' AND a.status = 'published'");
    }
    if let Some(k) = s.kind {
        b.push(" AND a.kind = ")
            .bind(Param::Text(k.as_str().into()));
    }
    if let Some(st) = s.status {
        b.push(" AND a.status = ")
            .bind(Param::Text(st.as_str().into()));
    }
    if let Some(c) = s.category_id {
        b.push(" AND a.category_id = ").bind(Param::I64(c.get()));
    }
    if let Some(l) = s.language {
        b.push(" AND a.language = ")
            .bind(Param::Text(l.code().into()));
    }
}

/// Where a ticket search reads and in which order: the index first, in its own order, except
/// for a requester's own tickets on SQLite. Those are a few among a million, so they are read
/// first by their index and each is looked up in the search index (2.7 ms at 1 M tickets,
/// against 157 ms walking every match); `t.id DESC` is the same order.
fn ticket_plan(
    kind: crate::BackendKind,
    m: &dialect::MatchSql,
    scope: &TicketScope,
) -> (&'static str, &'static str) {
    match (kind, scope) {
        (crate::BackendKind::Sqlite, TicketScope::Own(_)) => (
            "tickets t CROSS JOIN ticket_fts ON ticket_fts.rowid = t.id",
            "t.id DESC",
        ),
        _ => (m.from, m.order),
    }
}

impl Search<'_> {
    /// Matching tickets, best first.
    pub async fn tickets(&self, s: &TicketSearch<'_>) -> Result<Vec<TicketHit>> {
        if s.query.is_empty() {
            return Ok(Vec::new());
        }
        let kind = self.0.kind();
        let m = dialect::ticket_match(kind, s.internal);
        let mut b = SqlBuilder::new(
            "SELECT t.id, t.number, t.kind, t.status, t.subject, t.description, t.resolution, ",
        );
        b.push(dialect::SEARCH_SCORE);
        let (from, order) = ticket_plan(kind, &m, s.scope);
        b.push(" AS score FROM ").push(from);
        push_ticket_where(&mut b, kind, s);
        b.push(" ORDER BY ")
            .push(order)
            .push(" LIMIT ")
            .bind(Param::I64(i64::from(s.limit)));
        let (sql, params) = b.finish();
        let rows: Vec<TicketHit> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        Ok(rows)
    }

    /// How many tickets match (at most `cap`), with the same access rules.
    pub async fn count_tickets(&self, s: &TicketSearch<'_>, cap: u32) -> Result<i64> {
        if s.query.is_empty() {
            return Ok(0);
        }
        let kind = self.0.kind();
        let m = dialect::ticket_match(kind, s.internal);
        let mut b = SqlBuilder::new("SELECT count(*) FROM (SELECT 1 FROM ");
        b.push(ticket_plan(kind, &m, s.scope).0);
        push_ticket_where(&mut b, kind, s);
        b.push(" LIMIT ").bind(Param::I64(i64::from(cap)));
        b.push(") capped");
        let (sql, params) = b.finish();
        let n: i64 = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_scalar(trusted(&sql)), params)
                .fetch_one(db)
                .await?
        });
        Ok(n)
    }

    /// Matching articles, best first.
    pub async fn articles(&self, s: &ArticleSearch<'_>) -> Result<Vec<ArticleHit>> {
        let Some(q) = s.query.filter(|q| !q.is_empty()) else {
            return Ok(Vec::new());
        };
        let kind = self.0.kind();
        let m = dialect::article_match(kind);
        let mut b = SqlBuilder::new("SELECT a.id, a.kind, a.status, a.language, a.title, a.body, ");
        b.push(dialect::SEARCH_SCORE);
        b.push(" AS score FROM ").push(m.from);
        push_article_where(&mut b, kind, s, q);
        b.push(" ORDER BY ")
            .push(m.order)
            .push(" LIMIT ")
            .bind(Param::I64(i64::from(s.limit)));
        let (sql, params) = b.finish();
        let rows: Vec<ArticleHit> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        Ok(rows)
    }

    /// How many articles match (at most `cap`).
    pub async fn count_articles(&self, s: &ArticleSearch<'_>, cap: u32) -> Result<i64> {
        let Some(q) = s.query.filter(|q| !q.is_empty()) else {
            return Ok(0);
        };
        let kind = self.0.kind();
        let m = dialect::article_match(kind);
        let mut b = SqlBuilder::new("SELECT count(*) FROM (SELECT 1 FROM ");
        b.push(m.from);
        push_article_where(&mut b, kind, s, q);
        b.push(" LIMIT ").bind(Param::I64(i64::from(cap)));
        b.push(") capped");
        let (sql, params) = b.finish();
        let n: i64 = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_scalar(trusted(&sql)), params)
                .fetch_one(db)
                .await?
        });
        Ok(n)
    }

    /// Rebuilds the index rows of the tickets with ids above `after`, `batch` of them in one
    /// short transaction; returns the last id done (`None` when none was left). Searches and
    /// writes go on meanwhile: each row is replaced in place.
    pub async fn reindex_tickets_after(&self, after: i64, batch: i64) -> Result<Option<i64>> {
        let kind = self.0.kind();
        let last: Option<i64> = in_transaction!(self.0, |tx| {
            let ids: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(batch)
                    .fetch_all(&mut *tx)
                    .await?;
            reindex_tickets!(tx, kind, &ids, false);
            ids.last().copied()
        });
        Ok(last)
    }

    /// Rebuilds the index rows of the articles with ids above `after` (see
    /// [`Search::reindex_tickets_after`]).
    pub async fn reindex_articles_after(&self, after: i64, batch: i64) -> Result<Option<i64>> {
        let kind = self.0.kind();
        let mut last = None;
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT id FROM articles WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(batch)
                .fetch_all(db)
                .await?
        });
        for id in ids {
            in_transaction!(self.0, |tx| {
                let a = crate::articles::load_fields!(tx, id);
                index_article!(tx, kind, id, &a);
            });
            last = Some(id);
        }
        Ok(last)
    }

    /// Compacts the index after a rebuild (see `dialect::search_optimize`).
    pub async fn optimize(&self) -> Result<()> {
        for sql in dialect::search_optimize(self.0.kind()) {
            on_writer!(self.0, |db| {
                sqlx::query(*sql).execute(db).await?;
            });
        }
        Ok(())
    }
}
