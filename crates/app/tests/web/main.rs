//! Web UI integration tests: the pages over the real router and a fresh database, driven
//! in-process with form posts, checking access rules, CSRF, errors and the portal path.

// Tests may panic on unexpected shapes: that is how they fail.
#![allow(clippy::unwrap_used)]

mod access;
mod admin;
mod admin_automation;
mod admin_edit;
mod admin_rules;
mod agent_admin;
mod day;
mod desk_forms;
mod double_submit;
mod helpers;
mod history_language;
mod kb;
mod pages;
mod portal;
mod queue_counts;
mod report_schedules;
mod routing;
mod security;
mod uploads;
