//! Authentication and authorisation for HTTP requests: passwords, sessions, API tokens,
//! CSRF, login throttling, and the `Auth` extractor every protected handler takes.

pub mod extractor;
pub mod login;
pub mod password;
pub mod secret;
pub mod session;
pub mod throttle;

pub use extractor::{Auth, AuthMethod, ClientInfo};
