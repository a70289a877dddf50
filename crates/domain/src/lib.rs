//! Ventanilla's domain model: identifiers, people and access, validated values and the clock.
//!
//! This crate does no I/O on purpose (it lists no tokio, sqlx or axum): the store and the
//! application depend on it, never the other way round.

pub mod access;
pub mod caller;
pub mod canned;
pub mod clock;
pub mod directory;
pub mod ids;
pub mod kb;
pub mod mention;
pub mod people;
pub mod report;
pub mod routing;
pub mod search;
pub mod sla;
pub mod text;
pub mod textfile;
pub mod ticket;

pub use access::{Actor, Permission, Role, Scope};
pub use caller::{Caller, Origin};
pub use clock::{Clock, ManualClock, SystemClock};
pub use ids::*;
pub use people::{Email, Language, Tier, TimeZoneName};
pub use text::{Text, ValidationError};
