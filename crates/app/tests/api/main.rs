//! API integration tests: the real router over a fresh database (SQLite, or PostgreSQL when
//! `VENTANILLA_TEST_POSTGRES_URL` is set), driven in-process.

// Tests may panic on unexpected shapes: that is how they fail.
#![allow(clippy::unwrap_used)]

mod access;
mod access_matrix;
mod agent_work;
mod assignee_membership;
mod auth;
mod backup;
mod bulk;
mod classifier;
mod directory;
mod downloads;
mod error_shape;
mod escalation_follow;
mod events;
mod file_inputs;
mod hooks;
mod identity;
mod kb;
mod kb_xss;
mod registration;
mod report_schedules;
mod reports;
mod reports_exports;
mod routing;
mod rules;
mod security;
mod shell;
mod sla;
mod sla_policy_change;
mod surveys;
mod tickets_access;
mod tickets_fields;
mod tickets_lifecycle;
mod tickets_work;
mod webhooks;
mod webhooks_https;
