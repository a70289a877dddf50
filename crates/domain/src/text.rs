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
    /// Trims `raw` and checks it is non-empty and at most `max` characters.
    pub fn parse(field: &str, raw: &str, max: usize) -> Result<Self, ValidationError> {
        let t = raw.trim();
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
        Ok(Self(t.to_owned()))
    }

    /// Like [`Text::parse`], but an absent or blank value is `None` rather than an error.
    pub fn parse_optional(
        field: &str,
        raw: Option<&str>,
        max: usize,
    ) -> Result<Option<Self>, ValidationError> {
        match raw.map(str::trim) {
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
    fn error_names_field() {
        let e = Text::parse("organisation.name", "", 10).unwrap_err();
        assert_eq!(e.field, "organisation.name");
    }
}
