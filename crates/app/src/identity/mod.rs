//! Identity (issue 19): two-factor authentication (TOTP with recovery codes), sessions and
//! re-authentication, the audit log page's queries, the LDAP directory (bind sign-in and
//! sync), OpenID Connect sign-in and the sealing of stored secrets. `config` is the `[identity]` section.

pub mod audit;
pub mod config;
pub mod ldap;
pub mod oidc;
pub mod sealing;
pub mod sessions;
pub mod totp;

pub use config::IdentityConfig;
