//! Integrations (issue 13): a monitoring system allowed to post events. Creating one makes
//! its own account (the requester of the incidents it opens, who cannot sign in) and a
//! token, shown once and stored hashed like every API token.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::access::{Actor, Scope};
use ventanilla_domain::directory::NewUser;
use ventanilla_domain::{Caller, Email, Language, Origin, Permission, Text, ValidationError};
use ventanilla_store::events::Integration;

use crate::App;
use crate::desk::directory::tokens::issue_token;
use crate::desk::{DeskError, DeskResult, require};

/// The body of `POST /integrations`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIntegration {
    /// `alertmanager` or `generic`.
    pub kind: String,
    pub name: String,
    /// Per-integration settings overriding `[events]`: `group_by` (`fingerprint` or
    /// `group_key`), `on_resolved` (`none`, `validation`, `resolve`), `group_id`.
    #[serde(default)]
    pub settings: Option<IntegrationSettings>,
}

/// What an integration may set apart from the desk's `[events]` configuration.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegrationSettings {
    pub group_by: Option<String>,
    pub on_resolved: Option<String>,
    /// The support group its incidents go to (the default group otherwise).
    pub group_id: Option<i64>,
}

impl IntegrationSettings {
    fn check(&self) -> Result<(), ValidationError> {
        if let Some(g) = &self.group_by
            && !matches!(g.as_str(), "fingerprint" | "group_key")
        {
            return Err(ValidationError::new(
                "settings.group_by",
                "must be fingerprint or group_key",
            ));
        }
        if let Some(o) = &self.on_resolved
            && !ON_RESOLVED.contains(&o.as_str())
        {
            return Err(ValidationError::new(
                "settings.on_resolved",
                "must be none, validation or resolve",
            ));
        }
        Ok(())
    }
}

/// What a resolved alert may do to its incident.
pub const ON_RESOLVED: &[&str] = &["none", "validation", "resolve"];

/// The answer to creating an integration: its token, shown this once.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct CreatedIntegration {
    #[serde(flatten)]
    pub integration: Integration,
    /// Send as `Authorization: Bearer …`. It is not stored and cannot be shown again.
    pub token: String,
}

/// Creates an integration with its account and token (administrators).
pub async fn create_integration(
    app: &App,
    caller: &Caller,
    input: &CreateIntegration,
) -> DeskResult<CreatedIntegration> {
    require(caller, Permission::ConfigManage)?;
    if !matches!(input.kind.as_str(), "alertmanager" | "generic") {
        return Err(ValidationError::new("kind", "must be alertmanager or generic").into());
    }
    let name = Text::parse("name", &input.name, 100)?;
    let settings = input.settings.clone().unwrap_or_default();
    settings.check()?;
    if let Some(g) = settings.group_id {
        app.store
            .groups()
            .get(ventanilla_domain::GroupId(g))
            .await
            .map_err(|e| crate::desk::missing_as(e, "settings.group_id", "does not exist"))?;
    }
    let role = app
        .store
        .roles()
        .by_name(ventanilla_domain::access::REQUESTER)
        .await?;
    let tag = crate::auth::secret::random_token()
        .map_err(|e| DeskError::internal(anyhow::anyhow!("{e}")))?;
    let tag: String = tag
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    let email = Email::parse(&format!(
        "integration-{}@integrations.invalid",
        tag.to_lowercase()
    ))?;
    let new = NewUser {
        email,
        name: Text::parse("name", &format!("{} ({})", name.as_str(), input.kind), 200)?,
        phone: None,
        organisation_id: None,
        department_id: None,
        language: Language::Es,
        time_zone: app.config.defaults.time_zone()?,
        role_id: role.id,
        organisation_manager: false,
        password_hash: None,
    };
    let entry = crate::desk::audit(app, caller, "user.create")
        .target("user", None)
        .detail(serde_json::json!({ "email": new.email, "via": "integration" }));
    let user = app.store.users().create(&new, &entry).await?;
    let token = issue_token(
        app,
        user.id,
        &format!("integration {}", name.as_str()),
        None,
    )
    .await?;
    let settings_json =
        serde_json::to_value(&settings).map_err(|e| DeskError::internal(anyhow::anyhow!(e)))?;
    let integration = app
        .store
        .events()
        .create_integration(
            &input.kind,
            name.as_str(),
            user.id,
            token.info.id,
            &settings_json,
            app.now(),
        )
        .await?;
    let entry = crate::desk::audit(app, caller, "integration.create")
        .target("integration", Some(integration.id))
        .detail(serde_json::json!({ "kind": integration.kind, "name": integration.name }));
    app.store.audit().record(&entry).await?;
    Ok(CreatedIntegration {
        integration,
        token: token.token,
    })
}

/// Lists integrations (administrators).
pub async fn list_integrations(app: &App, caller: &Caller) -> DeskResult<Vec<Integration>> {
    require(caller, Permission::ConfigManage)?;
    Ok(app.store.events().integrations().await?)
}

/// The caller an integration's events act as: its own account, working tickets as a
/// machine agent would (it registers incidents for itself and moves them on), through the
/// `event` door. Its token alone grants no more than a requester's.
pub fn event_caller(integration: &Integration, ip: Option<String>) -> Caller {
    use Permission::*;
    let actor = Actor {
        user_id: integration.user_id,
        organisation_id: None,
        role: "integration".into(),
        permissions: [TicketsCreate, TicketsRead, TicketsReadInternal, TicketsWork]
            .into_iter()
            .collect(),
        scope: Scope::All,
        organisation_manager: false,
    };
    Caller {
        actor,
        origin: Origin::Event,
        ip,
    }
}
