//! The key facts of seed 003's preprocessing (when it started, who is affected, error
//! codes, what was tried) as any surface receives them, and their validation: shared by
//! registration and changes.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::KeyFacts;
use ventanilla_domain::{Text, ValidationError};

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactsInput {
    /// When the interruption started (RFC 3339).
    pub started_at: Option<String>,
    pub impact_scope: Option<String>,
    pub error_codes: Option<String>,
    pub tried: Option<String>,
}

pub fn facts_of(f: &FactsInput) -> Result<KeyFacts, ValidationError> {
    Ok(KeyFacts {
        started_at: f
            .started_at
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<jiff::Timestamp>())
            .transpose()
            .map_err(|_| ValidationError::new("facts.started_at", "must be an RFC 3339 instant"))?,
        impact_scope: Text::parse_optional("facts.impact_scope", f.impact_scope.as_deref(), 2000)?
            .map(Text::into_string),
        error_codes: Text::parse_optional("facts.error_codes", f.error_codes.as_deref(), 2000)?
            .map(Text::into_string),
        tried: Text::parse_optional("facts.tried", f.tried.as_deref(), 4000)?
            .map(Text::into_string),
    })
}
