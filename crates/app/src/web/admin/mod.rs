//! Administration (`/admin`): the overview with the priority matrix (`overview`), users
//! (`user_list`, `users`), organisations and departments (`orgs`), support groups and their
//! members (`groups`) and their routing (`group_routing`), the category tree
//! (`categories`), resolution codes (`resolution_codes`), classification rules (`rules`),
//! monitoring integrations (`integrations`), outbound webhooks (`webhooks`), automation
//! hooks (`hooks`), the suggestion model (`classifier`), service levels (`sla`: the list and
//! the JSON import/export; `sla_policy`, `sla_calendar`: their forms) and outbound mail
//! (`mail`: the log and the SMTP settings). Every edit form goes through `edit`: the save,
//! then the page again with the refusal beside its field and what was typed kept.

// Identity (issue 19): the audit log page, ending sessions, two-factor reset.
pub mod audit;
pub mod categories;
pub mod classifier;
pub mod edit;
pub mod group_routing;
pub mod groups;
pub mod hooks;
pub mod integrations;
pub mod mail;
pub mod mail_log;
pub mod orgs;
pub mod overview;
pub mod resolution_codes;
pub mod rules;
pub mod sla;
pub mod sla_calendar;
pub mod sla_policy;
pub mod user_list;
pub mod user_skills;
pub mod users;
pub mod webhooks;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The administration's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview::page))
        .route("/admin/matrix", post(overview::save_matrix))
        .route("/admin/sla", get(sla::page))
        .route("/admin/calendars/{id}/holidays", post(sla::import_holidays))
        .route("/admin/users", get(user_list::list).post(users::create))
        .route("/admin/users/new", get(users::new_page))
        .route("/admin/users/{id}", get(users::edit_page).post(users::save))
        .route("/admin/users/{id}/active", post(user_list::set_active))
        .route(
            "/admin/users/{id}/skills",
            get(user_skills::edit_page).post(user_skills::save),
        )
        .route("/admin/users/{id}/password", post(users::set_password))
        .route("/admin/organisations", post(orgs::create))
        .route("/admin/organisations/new", get(orgs::new_page))
        .route(
            "/admin/organisations/{id}",
            get(orgs::edit_page).post(orgs::save),
        )
        .route("/admin/departments", post(orgs::create_department))
        .route(
            "/admin/departments/{id}",
            get(orgs::department_edit_page).post(orgs::department_save),
        )
        .route("/admin/groups", post(groups::create))
        .route("/admin/groups/new", get(groups::new_page))
        .route(
            "/admin/groups/{id}",
            get(groups::edit_page).post(groups::save),
        )
        .route(
            "/admin/groups/{id}/members/{user_id}/remove",
            post(groups::remove_member),
        )
        .route(
            "/admin/groups/{id}/routing",
            get(group_routing::edit_page).post(group_routing::save),
        )
        .route("/admin/members", post(groups::put_member))
        .route("/admin/categories", post(categories::create))
        .route("/admin/categories/new", get(categories::new_page))
        .route(
            "/admin/categories/{id}",
            get(categories::edit_page).post(categories::save),
        )
        .route("/admin/calendars", post(sla::save_calendar))
        .route("/admin/policies", post(sla::save_policy))
        .route(
            "/admin/sla/policies/new",
            get(sla_policy::new_page).post(sla_policy::create),
        )
        .route(
            "/admin/sla/policies/{id}",
            get(sla_policy::edit_page).post(sla_policy::update),
        )
        .route(
            "/admin/sla/calendars/new",
            get(sla_calendar::new_page).post(sla_calendar::create),
        )
        .route(
            "/admin/sla/calendars/{id}",
            get(sla_calendar::edit_page).post(sla_calendar::update),
        )
        .route(
            "/admin/resolution-codes",
            get(resolution_codes::list).post(resolution_codes::create),
        )
        .route(
            "/admin/resolution-codes/new",
            get(resolution_codes::new_page),
        )
        .route(
            "/admin/resolution-codes/{code}",
            get(resolution_codes::edit_page).post(resolution_codes::save),
        )
        .route("/admin/mail/received", get(mail_log::list))
        .route("/admin/mail/received/{id}/raw", get(mail_log::raw))
        .route("/admin/mail/received/{id}/retry", post(mail_log::retry))
        .route("/admin/mail", get(mail::log))
        .route("/admin/mail/{id}/resend", post(mail::resend))
        .route("/admin/mail/smtp", get(mail::smtp))
        .route("/admin/mail/test", post(mail::test))
        // Rules (issue 13).
        .route("/admin/rules", get(rules::list).post(rules::create))
        .route("/admin/rules/new", get(rules::new_page))
        .route("/admin/rules/{id}", get(rules::edit_page).post(rules::save))
        .route("/admin/rules/{id}/delete", post(rules::delete))
        .route(
            "/admin/integrations",
            get(integrations::list).post(integrations::create),
        )
        .route(
            "/admin/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route("/admin/webhooks/{id}", get(webhooks::page))
        .route("/admin/webhooks/{id}/active", post(webhooks::set_active))
        .route("/admin/hooks", get(hooks::list).post(hooks::save))
        .route("/admin/hooks/{id}/delete", post(hooks::delete))
        .route("/admin/classifier", get(classifier::page))
        .route("/admin/classifier/training", post(classifier::train))
        // Identity (issue 19).
        .route("/admin/audit", get(audit::list))
        .route("/admin/audit/export", get(audit::export))
        .route("/admin/users/{id}/sessions/end", post(audit::end_sessions))
        .route("/admin/users/{id}/totp/reset", post(audit::reset_totp))
}
