//! Cross-cutting HTTP pieces: the router and middleware stack, health checks, metrics, the
//! `Content-Disposition` of downloads, and the TLS client configuration of outbound
//! connections.

pub mod api_errors;
pub mod download;
pub mod health;
pub mod metrics;
pub mod router;
pub mod tls;
