//! Test support shared by every crate's integration tests: a fresh database per test
//! (a SQLite file, or a PostgreSQL database created and dropped when
//! `VENTANILLA_TEST_POSTGRES_URL` is set), the in-process `TestApp` with a manual clock, and
//! request helpers. No port and no sleeps: requests go straight into the router.

mod db;
mod http;

pub use db::{POSTGRES_ENV, TestDb};
pub use http::{Caller, PASSWORD, TestApp, TestResponse, session_cookie};
