//! The impact × urgency matrix in force: the default of SPEC C2 until an administrator saves
//! another, kept in the settings table so every node uses the same one.

use ventanilla_domain::ticket::PriorityMatrix;
use ventanilla_store::Store;
use ventanilla_store::audit::NewAudit;

use crate::desk::DeskResult;

pub const KEY: &str = "priority_matrix";

pub async fn load(store: &Store) -> DeskResult<PriorityMatrix> {
    Ok(store.settings().get(KEY).await?.unwrap_or_default())
}

/// Saves the matrix and drops this node's cached copy (see `refdata`).
pub async fn save(app: &crate::App, m: &PriorityMatrix, audit: &NewAudit) -> DeskResult<()> {
    app.store.settings().put(KEY, m, audit).await?;
    app.refdata.invalidate();
    Ok(())
}
