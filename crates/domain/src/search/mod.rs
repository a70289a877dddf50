//! Full-text search, the part both databases share: how text becomes index terms, how a
//! query becomes groups of terms, and how a snippet is cut and highlighted.
//!
//! Both backends index exactly the terms computed here (SQLite FTS5 with a plain tokenizer,
//! PostgreSQL `tsvector` built from the terms verbatim), so they match the same documents:
//! case and accents are folded (`ALMACÉN`, `almacén`, `almacen` are one term), every word is
//! stemmed in Spanish and in English with the Snowball stemmers (`impresoras` and
//! `impresora` meet at `impresor`), common words are dropped, and ticket numbers and e-mail
//! addresses also become one exact term each, so `INC-000123` or `ana@example.com` find that
//! ticket and not every text with `inc` or `example` in it.

mod analyze;
mod query;
mod snippet;

pub use analyze::{Terms, fold, index_terms, is_stop_word, word_stems};
pub use query::{Query, QueryMode, Term, TermGroup};
pub use snippet::{snippet, snippet_plain};

/// Terms longer than this are noise (hashes, base64); they are not indexed.
pub const MAX_TERM_CHARS: usize = 40;
