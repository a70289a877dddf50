//! Cross-cutting HTTP pieces: the router and middleware stack, health checks, metrics.

pub mod api_errors;
pub mod health;
pub mod metrics;
pub mod router;
