//! Text → index terms: fold, split, drop common words, stem in Spanish and English, and add
//! one exact term per ticket number and e-mail address.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

use super::MAX_TERM_CHARS;

static SPANISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Spanish));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Common Spanish and English words (the head of the Snowball stop lists): they match
/// nearly every document, so they are neither indexed nor searched.
const STOP_WORDS: &[&str] = &[
    "a", "al", "algo", "ante", "con", "como", "contra", "cual", "de", "del", "desde", "donde", "e",
    "el", "ella", "ellos", "en", "entre", "era", "es", "esa", "ese", "eso", "esta", "este", "esto",
    "fue", "ha", "hay", "la", "las", "le", "les", "lo", "los", "me", "mi", "mis", "muy", "ni",
    "no", "nos", "o", "para", "pero", "por", "que", "se", "si", "sin", "sobre", "su", "sus", "te",
    "tu", "un", "una", "uno", "unos", "unas", "y", "ya", "yo", "an", "and", "are", "as", "at",
    "be", "but", "by", "for", "from", "has", "have", "i", "if", "in", "into", "is", "it", "its",
    "of", "on", "or", "our", "so", "such", "than", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "we", "were", "will", "with", "you", "your",
];

/// Lower case without accents: `ALMACÉN` → `almacen`, `Configuración` → `configuracion`.
pub fn fold(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a folded word is too common to index.
pub fn is_stop_word(folded: &str) -> bool {
    STOP_WORDS.contains(&folded)
}

/// The Spanish and the English stem of a folded word (one value when they agree). Numbers
/// are kept as they are.
pub fn word_stems(folded: &str) -> (String, Option<String>) {
    if folded.chars().all(|c| c.is_ascii_digit()) {
        return (folded.to_owned(), None);
    }
    let es = SPANISH.stem(folded).into_owned();
    let en = ENGLISH.stem(folded).into_owned();
    if en == es { (es, None) } else { (es, Some(en)) }
}

/// Index terms of a text, space-separated, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms(String);

impl Terms {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn push(&mut self, term: &str) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(term);
    }

    /// Appends the terms of another text.
    pub fn extend(&mut self, other: &Terms) {
        if !other.is_empty() {
            self.push(&other.0);
        }
    }
}

/// The exact term of an e-mail address: `em` and the hex of its folded bytes (letters and
/// digits only, so both tokenizers keep it whole; one address, one term).
pub(crate) fn email_term(raw: &str) -> Option<String> {
    let trimmed = raw.trim_matches(|c: char| !c.is_alphanumeric());
    let (local, domain) = trimmed.split_once('@')?;
    if local.is_empty() || !domain.contains('.') || domain.contains('@') {
        return None;
    }
    let folded = fold(trimmed);
    let mut out = String::with_capacity(2 + folded.len() * 2);
    out.push_str("em");
    for b in folded.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    Some(out)
}

/// The exact term of a ticket number (`INC-000123`, also typed as `inc-123`).
pub(crate) fn number_term(raw: &str) -> Option<String> {
    let trimmed = raw.trim_matches(|c: char| !c.is_alphanumeric());
    let (kind, seq) = crate::ticket::parse_number(trimmed)?;
    let canonical = crate::ticket::format_number(kind, seq);
    Some(format!("tn{}", canonical.replace('-', "").to_lowercase()))
}

/// The folded words of a text: runs of letters and digits.
pub(crate) fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_TERM_CHARS)
}

/// Every term of `text`: the Spanish and English stems of each word that is not a stop
/// word, plus the exact term of each ticket number and e-mail address.
pub fn index_terms(text: &str) -> Terms {
    let mut out = Terms::default();
    for chunk in text.split_whitespace() {
        if let Some(t) = email_term(chunk).or_else(|| number_term(chunk)) {
            out.push(&t);
        }
    }
    let folded = fold(text);
    for w in words(&folded) {
        if is_stop_word(w) {
            continue;
        }
        let (es, en) = word_stems(w);
        out.push(&es);
        if let Some(en) = en {
            out.push(&en);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_and_accents() {
        assert_eq!(
            fold("CORTE DE LUZ EN ALMACÉN NORTE"),
            "corte de luz en almacen norte"
        );
        assert_eq!(fold("Configuración"), "configuracion");
        assert_eq!(fold("Ñandú"), "nandu");
    }

    #[test]
    fn spanish_plurals_and_accents_meet() {
        let a = index_terms("La impresora de recepción");
        let b = index_terms("impresoras recepcion");
        for t in b.as_str().split(' ') {
            assert!(a.as_str().split(' ').any(|x| x == t), "{t} not in {a:?}");
        }
        assert!(!a.as_str().split(' ').any(|x| x == "la" || x == "de"));
    }

    #[test]
    fn numbers_and_addresses_are_exact_terms() {
        let t = index_terms("Ver INC-000123, escribir a Ana.Perez@Example.com.");
        assert!(t.as_str().contains("tninc000123"));
        assert_eq!(number_term("inc-123").as_deref(), Some("tninc000123"));
        let e = email_term("ana.perez@example.com").unwrap_or_default();
        assert!(t.as_str().split(' ').any(|x| x == e));
        assert!(email_term("not-an-address").is_none());
        assert!(number_term("INCIDENT-5").is_none());
    }

    #[test]
    fn terms_are_letters_and_digits_only() {
        let t = index_terms("¿Qué <script>alert(1)</script> pasa? \"x\" 'y' a-b_c");
        assert!(t.as_str().chars().all(|c| c == ' ' || c.is_alphanumeric()));
    }
}
