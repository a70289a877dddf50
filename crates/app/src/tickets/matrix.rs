//! The impact × urgency matrix in force: the default of SPEC C2 until an administrator saves
//! another, kept in the settings table so every node uses the same one.

use ventanilla_domain::ticket::PriorityMatrix;
use ventanilla_store::Store;
use ventanilla_store::audit::NewAudit;

use crate::error::AppResult;

pub const KEY: &str = "priority_matrix";

pub async fn load(store: &Store) -> AppResult<PriorityMatrix> {
    Ok(store.settings().get(KEY).await?.unwrap_or_default())
}

pub async fn save(store: &Store, m: &PriorityMatrix, audit: &NewAudit) -> AppResult<()> {
    Ok(store.settings().put(KEY, m, audit).await?)
}
