//! Validated text values and the validation error every constructor in the domain returns.

use serde::Serialize;

/// Why a value was refused. `field` names the input so forms and API errors can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Trimmed, non-empty text with a maximum length in characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    /// Trims `raw` (whitespace and invisible characters at both ends) and checks it is
    /// non-empty, at most `max` characters, and free of control characters (other than
    /// line breaks and tabs) and of bidirectional embedding, override and isolate controls
    /// (U+202A–U+202E, U+2066–U+2069), which make text display as something else
    /// (`\u{202e}txt.exe` shows as `exe.txt`). A value made only of invisible characters
    /// (zero-width spaces, joiners, marks…) is empty.
    pub fn parse(field: &str, raw: &str, max: usize) -> Result<Self, ValidationError> {
        let t = trim_invisible(raw);
        if t.is_empty() {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        if t.chars().count() > max {
            return Err(ValidationError::new(
                field,
                format!("must be at most {max} characters"),
            ));
        }
        if t.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(ValidationError::new(
                field,
                "must not contain control characters",
            ));
        }
        if t.chars().any(is_bidi_control) {
            return Err(ValidationError::new(
                field,
                "must not contain bidirectional control characters",
            ));
        }
        Ok(Self(t.to_owned()))
    }

    /// Like [`Text::parse`], but an absent or blank value is `None` rather than an error.
    pub fn parse_optional(
        field: &str,
        raw: Option<&str>,
        max: usize,
    ) -> Result<Option<Self>, ValidationError> {
        match raw.map(trim_invisible) {
            None | Some("") => Ok(None),
            Some(s) => Self::parse(field, s, max).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Characters that take no space and show nothing: zero-width space and joiners, word
/// joiner, BOM, soft hyphen, the Mongolian vowel separator, invisible operators, and the
/// directional marks (LRM, RLM, ALM). They may sit inside text (joiners shape emoji and
/// Indic scripts) but never make it non-empty.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    ) || is_bidi_control(c)
}

/// Bidirectional embedding, override and isolate controls (Trojan Source, CVE-2021-42574):
/// they reorder what follows them on screen.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `raw` without whitespace or invisible characters at either end.
pub fn trim_invisible(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(
            Text::parse("name", "  Ana  ", 10).map(Text::into_string),
            Ok("Ana".into())
        );
        assert!(Text::parse("name", "   ", 10).is_err());
        assert!(Text::parse("name", "abcdefghijk", 10).is_err());
        assert!(Text::parse("name", "a\u{0}b", 10).is_err());
        assert_eq!(Text::parse_optional("x", Some(" "), 5), Ok(None));
        assert_eq!(Text::parse_optional("x", None, 5), Ok(None));
    }

    #[test]
    fn invisible_only_is_empty() {
        for raw in [
            "\u{200B}\u{200B}\u{200B}",
            "\u{FEFF}",
            " \u{200D}\u{2060} ",
            "\u{00AD}\u{200E}\u{200F}",
            "\u{3164}",
            "\u{202E}",
        ] {
            let e = Text::parse("subject", raw, 10).unwrap_err();
            assert_eq!(e.message, "must not be empty", "{raw:?}");
            assert_eq!(Text::parse_optional("x", Some(raw), 5), Ok(None), "{raw:?}");
        }
        // Joiners inside text are kept (they shape emoji and scripts).
        assert_eq!(
            Text::parse("x", "\u{200B}a\u{200D}b\u{200B}", 10).map(Text::into_string),
            Ok("a\u{200D}b".into())
        );
    }

    #[test]
    fn bidi_controls_are_refused() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}',
        ] {
            let raw = format!("invoice{c}fdp.exe");
            let e = Text::parse("subject", &raw, 50).unwrap_err();
            assert_eq!(e.field, "subject");
            assert!(e.message.contains("bidirectional"), "{c:?}");
        }
        // Marks are fine inside right-to-left text.
        assert!(Text::parse("x", "\u{05E9}\u{200F}1", 10).is_ok());
    }

    #[test]
    fn error_names_field() {
        let e = Text::parse("organisation.name", "", 10).unwrap_err();
        assert_eq!(e.field, "organisation.name");
    }
}
