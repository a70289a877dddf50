//! Cross-cutting HTTP pieces: the router and middleware stack, health checks, metrics, and
//! the `Content-Disposition` of downloads.

pub mod api_errors;
pub mod download;
pub mod health;
pub mod metrics;
pub mod router;
