//! A query typed by a person → groups of alternative terms. In [`QueryMode::All`] (the
//! search box) every group must match; in [`QueryMode::Any`] (suggestions while a requester
//! types) any group may, ranked by how many do, and the word being typed also matches as a
//! prefix. There is no operator syntax: quotes, minus signs and colons are just separators,
//! so no input is a syntax error on either database.

use super::analyze::{email_term, fold, is_stop_word, number_term, word_stems, words};

/// At most this many groups are searched; the rest of a pasted paragraph is ignored.
const MAX_GROUPS: usize = 12;
/// A word being typed needs this many letters before it matches as a prefix.
const MIN_PREFIX_CHARS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryMode {
    /// Every word must match (search box, list filters).
    #[default]
    All,
    /// Any word may match (suggestions).
    Any,
}

/// One index term (letters and digits only), or a prefix of terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub prefix: bool,
}

/// Terms of which a document needs one (the Spanish and English stems of a word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermGroup(pub Vec<Term>);

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub groups: Vec<TermGroup>,
    pub mode: QueryMode,
    /// The canonical ticket number when the whole query is one (`inc-12` → `INC-000012`).
    pub number: Option<String>,
}

fn exact(text: String) -> Term {
    Term {
        text,
        prefix: false,
    }
}

impl Query {
    /// The query of a search box (`All`) or of suggestions while typing (`Any`): at most
    /// [`MAX_GROUPS`] words are searched.
    pub fn parse(raw: &str, mode: QueryMode) -> Query {
        Self::parse_up_to(raw, mode, MAX_GROUPS)
    }

    /// As [`Query::parse`], keeping up to `max_groups` words (for a whole ticket's text, whose
    /// most telling words are chosen afterwards with [`Query::keep_rarest`]).
    pub fn parse_up_to(raw: &str, mode: QueryMode, max_groups: usize) -> Query {
        let mut groups: Vec<TermGroup> = Vec::new();
        let typing = mode == QueryMode::Any && !raw.ends_with(char::is_whitespace);
        let chunks: Vec<&str> = raw.split_whitespace().collect();
        for (ci, chunk) in chunks.iter().enumerate() {
            if let Some(t) = email_term(chunk).or_else(|| number_term(chunk)) {
                groups.push(TermGroup(vec![exact(t)]));
                continue;
            }
            let folded = fold(chunk);
            let ws: Vec<&str> = words(&folded).collect();
            for (wi, w) in ws.iter().enumerate() {
                let last = typing && ci + 1 == chunks.len() && wi + 1 == ws.len();
                if is_stop_word(w) && !last {
                    continue;
                }
                let mut alts = Vec::new();
                if !is_stop_word(w) {
                    let (es, en) = word_stems(w);
                    alts.push(exact(es));
                    if let Some(en) = en {
                        alts.push(exact(en));
                    }
                }
                if last && w.chars().count() >= MIN_PREFIX_CHARS {
                    alts.push(Term {
                        text: (*w).to_owned(),
                        prefix: true,
                    });
                }
                if !alts.is_empty() && !groups.iter().any(|g| g.0 == alts) {
                    groups.push(TermGroup(alts));
                }
            }
        }
        groups.truncate(max_groups);
        let number = match chunks.as_slice() {
            [one] => crate::ticket::parse_number(one.trim_matches(|c: char| !c.is_alphanumeric()))
                .map(|(k, s)| crate::ticket::format_number(k, s)),
            _ => None,
        };
        Query {
            groups,
            mode,
            number,
        }
    }

    /// Every term of the query, each once.
    pub fn terms(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in self.groups.iter().flat_map(|g| &g.0) {
            if !out.contains(&t.text.as_str()) {
                out.push(&t.text);
            }
        }
        out
    }

    /// Keeps the `k` words that the fewest documents hold, in the order they were written:
    /// the words that tell this text apart (a ticket's "similar" search). `docs` says how many
    /// documents hold a term, the text itself included, so a word only it holds (1, or 0 when
    /// it is not indexed yet) finds nothing and is dropped. A word held by more than `common`
    /// documents is dropped too, unless no rarer word is left: "equipo lento zebra" looks for
    /// "zebra", not for every slow computer. A group's count is its most held alternative's
    /// (the Spanish and English stems of one word mostly hold the same documents).
    pub fn keep_rarest(&mut self, k: usize, common: i64, docs: impl Fn(&str) -> i64) {
        let mut counted: Vec<(usize, i64)> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (i, g.0.iter().map(|t| docs(&t.text)).max().unwrap_or(0)))
            .filter(|&(_, n)| n > 1)
            .collect();
        counted.sort_by_key(|&(i, n)| (n, i));
        if counted.first().is_some_and(|&(_, n)| n <= common) {
            counted.retain(|&(_, n)| n <= common);
        }
        counted.truncate(k);
        let mut keep: Vec<usize> = counted.into_iter().map(|(i, _)| i).collect();
        keep.sort_unstable();
        let mut i = 0;
        self.groups.retain(|_| {
            let kept = keep.contains(&i);
            i += 1;
            kept
        });
    }

    /// Nothing to search for (empty, or only common words).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Whether a folded word of a text is one the query looks for (for highlighting).
    pub fn matches_word(&self, folded: &str) -> bool {
        if is_stop_word(folded) {
            return false;
        }
        let (es, en) = word_stems(folded);
        self.groups.iter().flat_map(|g| &g.0).any(|t| {
            if t.prefix {
                folded.starts_with(&t.text)
            } else {
                t.text == es || en.as_deref() == Some(t.text.as_str())
            }
        })
    }

    /// The query in SQLite FTS5 syntax: terms quoted, groups joined by AND (or OR).
    pub fn to_fts5(&self) -> String {
        self.render(
            " OR ",
            if self.mode == QueryMode::All {
                " AND "
            } else {
                " OR "
            },
            |t| {
                if t.prefix {
                    format!("\"{}\"*", t.text)
                } else {
                    format!("\"{}\"", t.text)
                }
            },
        )
    }

    /// The query in PostgreSQL `tsquery` input syntax (cast with `::tsquery`, which takes
    /// lexemes verbatim, as `array_to_tsvector` indexed them).
    pub fn to_tsquery(&self) -> String {
        self.render(
            " | ",
            if self.mode == QueryMode::All {
                " & "
            } else {
                " | "
            },
            |t| {
                if t.prefix {
                    format!("'{}':*", t.text)
                } else {
                    format!("'{}'", t.text)
                }
            },
        )
    }

    fn render(&self, or: &str, join: &str, term: impl Fn(&Term) -> String) -> String {
        self.groups
            .iter()
            .map(|g| format!("({})", g.0.iter().map(&term).collect::<Vec<_>>().join(or)))
            .collect::<Vec<_>>()
            .join(join)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_dropped_and_words_stemmed() {
        let q = Query::parse("La impresora de RECEPCIÓN", QueryMode::All);
        assert_eq!(q.groups.len(), 2);
        assert_eq!(
            q.to_fts5(),
            r#"("impresor" OR "impresora") AND ("recepcion")"#
        );
        assert!(q.matches_word("impresoras"));
    }

    #[test]
    fn the_word_being_typed_is_also_a_prefix() {
        let q = Query::parse("no puedo impri", QueryMode::Any);
        let last = q.groups.last().map(|g| g.0.clone()).unwrap_or_default();
        assert!(last.iter().any(|t| t.prefix && t.text == "impri"));
        assert!(q.to_tsquery().contains("'impri':*"));
        assert!(q.to_fts5().contains(" OR "));
    }

    #[test]
    fn operators_are_plain_separators() {
        let q = Query::parse("\"a* OR -b NEAR(c) :col ' & | !", QueryMode::All);
        assert!(
            q.to_fts5()
                .chars()
                .all(|c| c.is_alphanumeric() || " ()\"*".contains(c) || "ANDOR".contains(c))
        );
        assert!(!q.to_tsquery().contains('!'));
    }

    #[test]
    fn the_rarest_words_are_kept_in_their_order() {
        let mut q = Query::parse_up_to(
            "equipo lento zebra pantalla teclado raton",
            QueryMode::Any,
            32,
        );
        // Per term; a word's count is its most held stem's.
        let docs = |t: &str| {
            if t.starts_with("zebr") {
                2
            } else if t.starts_with("pantall") {
                9
            } else if t.starts_with("tecl") {
                0
            } else {
                500
            }
        };
        q.keep_rarest(5, 100, docs);
        // "teclado" only in the text itself; the common words go while rarer ones remain.
        assert_eq!(q.groups.len(), 2, "{:?}", q.groups);
        assert!(q.matches_word("zebra") && q.matches_word("pantalla"));
        assert!(!q.matches_word("equipo") && !q.matches_word("teclado"));
        // Only common words: the rarest of them still.
        let mut q = Query::parse_up_to("equipo lento", QueryMode::Any, 32);
        q.keep_rarest(1, 100, |t| if t.starts_with("lent") { 200 } else { 900 });
        assert!(q.matches_word("lento") && !q.matches_word("equipo"));
        // Nothing anyone else holds: nothing to look for.
        let mut q = Query::parse_up_to("equipo lento", QueryMode::Any, 32);
        q.keep_rarest(5, 100, |_| 0);
        assert!(q.is_empty());
    }

    #[test]
    fn parse_up_to_keeps_more_words() {
        let text = (0..40)
            .map(|i| format!("palabra{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(Query::parse(&text, QueryMode::Any).groups.len(), MAX_GROUPS);
        assert_eq!(
            Query::parse_up_to(&text, QueryMode::Any, 32).groups.len(),
            32
        );
    }

    #[test]
    fn a_ticket_number_is_recognised() {
        let q = Query::parse(" inc-42 ", QueryMode::All);
        assert_eq!(q.number.as_deref(), Some("INC-000042"));
        assert_eq!(q.to_fts5(), "(\"tninc000042\")");
    }
}
