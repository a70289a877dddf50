//! Request and response shapes shared by several API resources, and small helpers that
//! turn API input into validated domain values.

use serde::{Deserialize, Deserializer};
use utoipa::IntoParams;
use ventanilla_domain::directory::PageRequest;

use crate::error::AppError;

/// Keyset pagination parameters: `after` is the `next` value of the previous page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PageQuery {
    pub fn page(&self) -> Result<PageRequest, AppError> {
        Self::of(self.after, self.limit)
    }

    pub fn of(after: Option<i64>, limit: Option<u32>) -> Result<PageRequest, AppError> {
        Ok(PageRequest::new(after, limit)?)
    }
}

/// Distinguishes an absent field (keep) from an explicit `null` (clear) in PATCH bodies.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

pub use crate::desk::directory::tokens::CreatedToken;

/// An audit entry for an action taken by `auth` now.
pub fn audit(
    state: &crate::AppState,
    auth: &crate::auth::Auth,
    action: &str,
) -> ventanilla_store::audit::NewAudit {
    ventanilla_store::audit::NewAudit::new(
        state.now(),
        Some(auth.user_id()),
        action,
        auth.client.ip_string(),
    )
}
