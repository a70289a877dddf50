//! Directory use cases (SPEC C15): users, support groups, organisations and departments,
//! categories and the priority matrix — what administrators change, each change written
//! with its audit row (who, from where, before and after) in the same transaction.

pub mod categories;
pub mod departments;
pub mod groups;
pub mod organisations;
pub mod tokens;
pub mod users;

pub use crate::desk::tickets::patch::double_option;

use crate::desk::DeskError;

/// A unique-constraint conflict reported against the field the caller can change.
pub fn conflict_on(e: ventanilla_store::StoreError, field: &str) -> DeskError {
    match e {
        ventanilla_store::StoreError::Conflict { .. } => {
            DeskError::Conflict(format!("{field} is already in use"))
        }
        other => other.into(),
    }
}

/// Hashes a new password (argon2id, off the async threads); a password the policy refuses
/// is the caller's input on `password`.
pub async fn hash_password(app: &crate::App, password: String) -> crate::desk::DeskResult<String> {
    app.passwords.hash(password).await.map_err(|e| match e {
        crate::AppError::Validation(v) => DeskError::Invalid(v),
        other => DeskError::internal(anyhow::anyhow!("{other}")),
    })
}
