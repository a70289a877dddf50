//! The few places where SQLite and PostgreSQL need different SQL, named in one file.
//! (Later: full-text search, job claiming, date bucketing.)

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
