//! @mentions in internal notes (issue 17): `@name` (an agent's e-mail local part) or
//! `@name@example.org` (a whole address). An `@` inside a word (an e-mail address written
//! in the text) is not a mention.

/// The most mentions one note notifies.
pub const MENTIONS_MAX: usize = 20;

fn handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@')
}

/// The handles mentioned in `text`, lower-cased, each once, in order (at most
/// [`MENTIONS_MAX`]). Trailing dots (end of a sentence) are not part of a handle.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let starts = c == '@' && !prev.is_some_and(|p| p.is_alphanumeric() || p == '@');
        prev = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[i + 1..];
        let end = rest.find(|ch: char| !handle_char(ch)).unwrap_or(rest.len());
        let handle = rest[..end].trim_end_matches(['.', '@', '-']).to_lowercase();
        if !handle.is_empty()
            && handle
                .chars()
                .next()
                .is_some_and(|h| h.is_ascii_alphanumeric())
            && !out.contains(&handle)
        {
            out.push(handle);
            if out.len() == MENTIONS_MAX {
                break;
            }
        }
        // Skip the handle itself.
        for _ in 0..rest[..end].chars().count() {
            prev = chars.next().map(|(_, ch)| ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn handles_at_word_starts_only() {
        assert_eq!(
            mentions("@Ana mira esto, y @luis.perez también. Correo: bob@x.test"),
            vec!["ana", "luis.perez"]
        );
        assert_eq!(mentions("(@l2@x.test) @l2@x.test"), vec!["l2@x.test"]);
        assert_eq!(mentions("@ @. @-x hola"), Vec::<String>::new());
        assert_eq!(mentions("fin de frase @agent."), vec!["agent"]);
    }
}
