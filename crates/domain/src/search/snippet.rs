//! Snippets: the part of a text around the first word a query looks for, HTML-escaped, with
//! each matching word in `<mark>`. Cut here, from the stored text, so both databases show
//! the same snippet.

use super::Query;
use super::analyze::fold;

/// Words shown before the first match.
const LEAD_WORDS: usize = 8;

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// Splits a text into alternating runs of word and non-word characters.
fn runs(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut word: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let w = c.is_alphanumeric();
        match word {
            Some(prev) if prev != w => {
                out.push((prev, &text[start..i]));
                start = i;
            }
            _ => {}
        }
        word = Some(w);
    }
    if let Some(w) = word {
        out.push((w, &text[start..]));
    }
    out
}

/// At most `max_words` words of `text` from a little before the first match, HTML-escaped,
/// matches wrapped in `<mark>…</mark>`, `…` where the text was cut.
pub fn snippet(text: &str, query: &Query, max_words: usize) -> String {
    let runs = runs(text);
    let hits: Vec<bool> = runs
        .iter()
        .map(|(w, s)| *w && query.matches_word(&fold(s)))
        .collect();
    let first = hits.iter().position(|h| *h).unwrap_or(0);
    let mut words_before = 0;
    let mut start = first;
    while start > 0 && words_before < LEAD_WORDS {
        start -= 1;
        if runs[start].0 {
            words_before += 1;
        }
    }
    while start > 0 && start < runs.len() && !runs[start].0 {
        start += 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut words = 0;
    let mut end = start;
    while end < runs.len() {
        let (w, s) = runs[end];
        if w {
            if words == max_words {
                break;
            }
            words += 1;
        }
        if hits[end] {
            out.push_str("<mark>");
            escape_into(&mut out, s);
            out.push_str("</mark>");
        } else {
            escape_into(&mut out, s);
        }
        end += 1;
    }
    if end < runs.len() {
        out.push('…');
    }
    out.trim().to_owned()
}

/// The first `max_words` words of a text, escaped (a result with nothing to highlight).
pub fn snippet_plain(text: &str, max_words: usize) -> String {
    snippet(text, &Query::default(), max_words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::QueryMode;

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        let q = Query::parse("impresoras", QueryMode::All);
        let s = snippet("<b>La impresora</b> de recepción & más", &q, 20);
        assert_eq!(
            s,
            "&lt;b&gt;La <mark>impresora</mark>&lt;/b&gt; de recepción &amp; más"
        );
    }

    #[test]
    fn cuts_around_the_first_match() {
        let text = (1..=50)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
            + " almacén norte";
        let q = Query::parse("ALMACEN", QueryMode::All);
        let s = snippet(&text, &q, 12);
        assert!(s.starts_with('…'));
        assert!(s.contains("<mark>almacén</mark>"), "{s}");
    }
}
