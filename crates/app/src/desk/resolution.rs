//! Resolution codes (issue 17): administrators keep the list; every resolution a person
//! gives (a move to validation or closed, a patch, a macro) names a code in use from it.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::{Caller, Permission, Text, ValidationError};
use ventanilla_store::resolution_codes::ResolutionCode;

use crate::App;
use crate::desk::{DeskResult, audit, require};

/// A code as administrators write it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionCodeInput {
    pub name_es: String,
    pub name_en: String,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub position: i64,
}

fn yes() -> bool {
    true
}

/// Every code (staff read the list to choose from it).
pub async fn list(app: &App, caller: &Caller) -> DeskResult<Vec<ResolutionCode>> {
    require(caller, Permission::TicketsWork)?;
    Ok(app.store.resolution_codes().list().await?)
}

/// Adds or changes a code (administrators). Codes are lower-case letters, digits and `_`.
pub async fn put(
    app: &App,
    caller: &Caller,
    code: &str,
    input: &ResolutionCodeInput,
) -> DeskResult<ResolutionCode> {
    require(caller, Permission::ConfigManage)?;
    if code.is_empty()
        || code.len() > 50
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(ValidationError::new(
            "code",
            "must be 1 to 50 lower-case letters, digits or _",
        )
        .into());
    }
    let c = ResolutionCode {
        code: code.to_owned(),
        name_es: Text::parse("name_es", &input.name_es, 200)?.to_string(),
        name_en: Text::parse("name_en", &input.name_en, 200)?.to_string(),
        active: input.active,
        position: input.position.clamp(0, 1_000_000),
    };
    let entry = audit(app, caller, "resolution_code.put")
        .target("resolution_code", None)
        .detail(serde_json::json!({ "code": c.code, "active": c.active }));
    Ok(app.store.resolution_codes().put(&c, &entry).await?)
}

/// Adds a code that is not in the list yet (administrators): the console's "new code" form,
/// where typing an existing code must not silently rename it.
pub async fn create(
    app: &App,
    caller: &Caller,
    code: &str,
    input: &ResolutionCodeInput,
) -> DeskResult<ResolutionCode> {
    require(caller, Permission::ConfigManage)?;
    if app
        .store
        .resolution_codes()
        .list()
        .await?
        .iter()
        .any(|c| c.code == code)
    {
        return Err(ValidationError::new("code", "is already in the list").into());
    }
    put(app, caller, code, input).await
}

/// Refuses a resolution code that is not in the list (or no longer in use).
pub async fn check(app: &App, code: Option<&str>) -> DeskResult<()> {
    match code {
        Some(c) if !app.store.resolution_codes().is_active(c).await? => Err(ValidationError::new(
            "resolution_code",
            "is not in the list of resolution codes",
        )
        .into()),
        _ => Ok(()),
    }
}
