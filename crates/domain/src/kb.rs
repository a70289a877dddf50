//! The knowledge base (SPEC C7): articles of three kinds — public FAQs, internal standard
//! procedures (SOPs, ordered steps) and known errors (symptom, cause, workaround, the problem
//! they belong to) — in Spanish or English, drafted, published and archived, every saved
//! version kept. Who sees what is decided here: requesters read published FAQs only.

use jiff::Timestamp;
use serde::Serialize;

use crate::search::{Terms, index_terms};
use crate::ticket::names::named_enum;
use crate::{ArticleId, CategoryId, Language, Text, TicketId, UserId, ValidationError};

named_enum! {
    /// What an article is for.
    pub enum ArticleKind in "kind" {
        /// A question requesters ask, answered for them (public once published).
        Faq => "faq",
        /// A standard operating procedure for agents: ordered steps.
        Sop => "sop",
        /// A known error: symptom, cause and workaround, for agents.
        KnownError => "known_error",
    }
}

named_enum! {
    /// Where an article is in its life.
    pub enum ArticleStatus in "status" {
        Draft => "draft",
        Published => "published",
        Archived => "archived",
    }
}

/// Longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest Markdown body (and each known-error field), in characters.
pub const BODY_MAX: usize = 50_000;
/// At most this many steps, tags and related references.
pub const LIST_MAX: usize = 50;

/// A stored article.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Article {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: ArticleId,
    /// `KB-000012`.
    pub number: String,
    pub kind: ArticleKind,
    pub status: ArticleStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "es"))]
    pub language: Language,
    #[serde(flatten)]
    pub fields: ArticleFields,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub source_ticket_id: Option<TicketId>,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub author_id: UserId,
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub updated_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub published_at: Option<Timestamp>,
}

/// The words of an article, validated.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleFields {
    pub title: String,
    /// Markdown.
    pub body: String,
    pub symptom: Option<String>,
    pub cause: Option<String>,
    pub workaround: Option<String>,
    /// SOP steps, in order.
    pub steps: Vec<String>,
    /// The problem record this known error belongs to (free reference until problems exist).
    pub problem_ref: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub category_id: Option<CategoryId>,
    pub tags: Vec<String>,
    /// Configuration items or services this concerns (free references until the CMDB).
    pub related: Vec<String>,
}

/// `KB-000012`.
pub fn article_number(id: ArticleId) -> String {
    format!("KB-{:06}", id.get())
}

/// The id in `KB-12` or `kb-000012` (typed by hand in links and searches).
pub fn parse_article_number(raw: &str) -> Option<ArticleId> {
    let (prefix, digits) = raw.trim().split_once('-')?;
    if !prefix.eq_ignore_ascii_case("KB") || digits.is_empty() {
        return None;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|v| *v > 0).map(ArticleId)
}

/// Validates a list of short texts (steps, tags, references).
pub fn parse_list(
    field: &str,
    raw: &[String],
    max_chars: usize,
) -> Result<Vec<String>, ValidationError> {
    if raw.len() > LIST_MAX {
        return Err(ValidationError::new(
            field,
            format!("at most {LIST_MAX} entries"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for r in raw {
        let t = Text::parse(field, r, max_chars)?.into_string();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

impl Article {
    /// Whether someone who is not staff (no internal reading) may read it.
    pub fn is_public(&self) -> bool {
        self.kind == ArticleKind::Faq && self.status == ArticleStatus::Published
    }
}

impl ArticleFields {
    /// Index terms: the title, and every other word of the article.
    pub fn search_terms(&self) -> (Terms, Terms) {
        let title = index_terms(&self.title);
        let mut rest = String::with_capacity(self.body.len() + 256);
        for part in [&self.body]
            .into_iter()
            .chain(self.symptom.as_ref())
            .chain(self.cause.as_ref())
            .chain(self.workaround.as_ref())
            .chain(self.problem_ref.as_ref())
            .chain(self.steps.iter())
            .chain(self.tags.iter())
            .chain(self.related.iter())
        {
            rest.push_str(part);
            rest.push('\n');
        }
        (title, index_terms(&rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        assert_eq!(article_number(ArticleId(12)), "KB-000012");
        assert_eq!(parse_article_number("kb-12"), Some(ArticleId(12)));
        assert_eq!(parse_article_number("KB-000012"), Some(ArticleId(12)));
        assert_eq!(parse_article_number("KB-x"), None);
        assert_eq!(parse_article_number("INC-1"), None);
    }

    #[test]
    fn kinds_parse_by_name() {
        assert_eq!(
            "known_error".parse::<ArticleKind>().ok(),
            Some(ArticleKind::KnownError)
        );
        assert!("wiki".parse::<ArticleKind>().is_err());
    }
}
