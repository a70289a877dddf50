//! The few places where SQLite and PostgreSQL need different SQL, named in one file.
//! (Job claiming here; later full-text search and date bucketing.)

use crate::{BackendKind, Store};

impl Store {
    /// The backend's name as shown in `/readyz` and `ventanilla --version` output.
    pub fn backend_name(&self) -> &'static str {
        match self.kind() {
            BackendKind::Sqlite => "sqlite",
            BackendKind::Postgres => "postgres",
        }
    }
}

/// Job claiming. PostgreSQL nodes claim concurrently, so the candidate rows are locked and
/// rows another node holds are skipped. SQLite has one writer, and the claim runs under
/// `BEGIN IMMEDIATE`, so nothing else can claim meanwhile and the clause does not exist.
pub(crate) fn skip_locked(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Postgres => "FOR UPDATE SKIP LOCKED",
        BackendKind::Sqlite => "",
    }
}
