//! Cross-cutting HTTP pieces: the router and middleware stack, health checks, metrics.

pub mod health;
pub mod metrics;
pub mod router;
