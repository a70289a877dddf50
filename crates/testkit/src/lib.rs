//! Test support shared by every crate's integration tests: a fresh database per test
//! (re-exported from `ventanilla-testdb`: a SQLite file, or a PostgreSQL database created and
//! dropped when `VENTANILLA_TEST_POSTGRES_URL` is set), the in-process `TestApp` with a manual
//! clock and request helpers, and the `Desk` builder that speaks the desk (people, groups,
//! tickets, jobs). No port and no sleeps: requests go straight into the router.

pub mod certs;
mod desk;
mod http;
pub mod slapd;

pub use desk::{Desk, DeskBuilder, Person, TicketBuilder, desk};
pub use http::{Caller, PASSWORD, TestApp, TestResponse, session_cookie};
pub use ventanilla_testdb::{POSTGRES_ENV, TestDb, fixtures};
