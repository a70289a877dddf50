//! The knowledge base (SPEC C7, issue #12): articles and their revisions, votes and
//! deflections ([`articles`]), the one search over tickets and articles with its
//! suggestions ([`search`]), and the links between tickets and articles ([`tickets`]).
//! Requesters read published FAQs only; staff (who may read internal notes) read all, and
//! those who work tickets write.

pub mod articles;
pub mod markdown;
pub mod search;
pub mod tickets;

pub use articles::{ArticleInput, ArticleView};
