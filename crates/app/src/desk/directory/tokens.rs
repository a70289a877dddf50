//! API tokens (SPEC C15): generated here, stored hashed, shown once. The API's
//! `POST /tokens` and the `ventanilla token create` command issue them through
//! [`issue_token`].

use utoipa::ToSchema;
use ventanilla_domain::UserId;

use crate::App;
use crate::auth::secret;
use crate::desk::{DeskError, DeskResult};

/// Generates and stores a token for `user`, valid until `expires_at` (never, if `None`).
pub async fn issue_token(
    app: &App,
    user: UserId,
    name: &str,
    expires_at: Option<jiff::Timestamp>,
) -> DeskResult<CreatedToken> {
    let token = secret::new_api_token().map_err(|e| DeskError::internal(anyhow::anyhow!("{e}")))?;
    let prefix: String = token.chars().take(10).collect();
    let info = app
        .store
        .tokens()
        .create(
            user,
            name,
            &secret::hash(&token),
            &prefix,
            app.now(),
            expires_at,
        )
        .await?;
    Ok(CreatedToken { token, info })
}

/// The answer to creating an API token: the secret, shown this once.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct CreatedToken {
    /// The secret to send as `Authorization: Bearer …`. It is not stored and cannot be shown again.
    pub token: String,
    #[serde(flatten)]
    pub info: ventanilla_store::tokens::ApiToken,
}
