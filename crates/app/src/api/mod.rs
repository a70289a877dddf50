//! The REST API under `/api/v1`. Every route is listed in [`router`] and documented in the
//! OpenAPI document generated from the handlers' annotations.

mod audit;
mod auth;
pub mod canned;
pub mod categories;
pub mod classifier;
pub mod collab;
pub mod departments;
mod doc_errors;
pub mod events;
pub mod groups;
pub mod hooks;
// Identity (issue 19).
mod identity;
pub mod kb;
pub mod mail;
mod notifications;
pub mod organisations;
// Reports (issue 14).
pub mod reports;
mod roles;
pub mod routing;
pub mod rules;
pub mod sla;
pub mod tickets;
mod tokens;
pub mod types;
pub mod users;
pub mod webhooks;
pub mod worktime;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub use tokens::issue as issue_token;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ventanilla API",
        description = "IT service desk: people, access, and (as they land) tickets, SLAs and knowledge.",
        license(name = "AGPL-3.0-or-later")
    ),
    servers((url = "/api/v1")),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = []))
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("ventanilla_session"))),
        );
    }
}

/// All API routes (relative to `/api/v1`) and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update))
        .routes(routes!(users::set_password))
        .routes(routes!(organisations::list, organisations::create))
        .routes(routes!(organisations::get, organisations::update))
        .routes(routes!(organisations::departments))
        .routes(routes!(departments::list, departments::create))
        .routes(routes!(departments::get, departments::update))
        .routes(routes!(groups::list, groups::create))
        .routes(routes!(groups::get, groups::update))
        .routes(routes!(groups::put_member, groups::remove_member))
        .routes(routes!(roles::list, roles::create))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(audit::list))
        // Identity (issue 19): two-factor, sessions, re-authentication, audit export.
        .routes(routes!(audit::export))
        .routes(routes!(identity::totp_status, identity::totp_begin))
        .routes(routes!(identity::totp_confirm))
        .routes(routes!(identity::totp_verify))
        .routes(routes!(identity::totp_recovery_codes))
        .routes(routes!(identity::totp_disable))
        .routes(routes!(identity::totp_reset))
        .routes(routes!(identity::my_sessions))
        .routes(routes!(identity::end_my_session))
        .routes(routes!(
            identity::user_sessions,
            identity::end_user_sessions
        ))
        .routes(routes!(identity::reauth))
        .routes(routes!(identity::directory_sync))
        .routes(routes!(
            events::create_integration,
            events::list_integrations
        ))
        .routes(routes!(events::alertmanager))
        .routes(routes!(events::generic))
        .routes(routes!(webhooks::create, webhooks::list))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(rules::list, rules::create))
        .routes(routes!(rules::update, rules::delete))
        .routes(routes!(rules::preview))
        .routes(routes!(hooks::list))
        .routes(routes!(hooks::put, hooks::delete))
        .routes(routes!(hooks::calls))
        .routes(routes!(hooks::approval))
        .routes(routes!(hooks::result))
        .routes(routes!(classifier::suggestion, classifier::accept))
        .routes(routes!(classifier::info))
        .routes(routes!(classifier::train))
        .routes(routes!(categories::list, categories::create))
        .routes(routes!(categories::update))
        .routes(routes!(categories::get_matrix, categories::put_matrix))
        .routes(routes!(tickets::read::list, tickets::create::create))
        .routes(routes!(tickets::read::get, tickets::update::update))
        .routes(routes!(tickets::transitions::transition))
        .routes(routes!(tickets::transitions::confirmation))
        .routes(routes!(tickets::transitions::survey))
        .routes(routes!(tickets::actions::list, tickets::actions::add))
        .routes(routes!(tickets::escalate::escalate))
        .routes(routes!(tickets::escalate::major))
        .routes(routes!(tickets::read::children, tickets::links::link))
        .routes(routes!(tickets::links::unlink))
        .routes(routes!(
            tickets::attachments::list,
            tickets::attachments::upload
        ))
        .routes(routes!(tickets::attachments::download))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::read))
        .routes(routes!(notifications::read_all))
        .routes(routes!(
            notifications::preferences,
            notifications::set_preferences
        ))
        .routes(routes!(mail::log))
        .routes(routes!(mail::resend))
        .routes(routes!(mail::test))
        .routes(routes!(sla::list_calendars, sla::create_calendar))
        .routes(routes!(sla::update_calendar))
        .routes(routes!(sla::import_holidays))
        .routes(routes!(sla::list_policies, sla::create_policy))
        .routes(routes!(sla::update_policy))
        .routes(routes!(sla::list_jobs))
        .routes(routes!(sla::retry_job))
        .routes(routes!(kb::list, kb::create))
        .routes(routes!(kb::suggest))
        .routes(routes!(kb::contributions))
        .routes(routes!(kb::get, kb::update))
        .routes(routes!(kb::revisions))
        .routes(routes!(kb::vote))
        .routes(routes!(kb::deflect))
        .routes(routes!(kb::run_search))
        .routes(routes!(kb::ticket_articles, kb::link_article))
        .routes(routes!(kb::draft_from_ticket))
        .routes(routes!(kb::ticket_suggestions))
        // Routing (issue 17).
        .routes(routes!(
            routing::get_availability,
            routing::put_availability
        ))
        .routes(routes!(routing::team))
        .routes(routes!(routing::get_group, routing::put_group))
        .routes(routes!(routing::get_skills, routing::put_skills))
        .routes(routes!(tickets::bulk::bulk))
        .routes(routes!(canned::list, canned::create))
        .routes(routes!(canned::update, canned::delete))
        .routes(routes!(canned::rendered))
        .routes(routes!(canned::list_macros, canned::create_macro))
        .routes(routes!(canned::apply))
        .routes(routes!(collab::watchers, collab::add_watcher))
        .routes(routes!(collab::remove_watcher))
        .routes(routes!(collab::cc, collab::add_cc))
        .routes(routes!(collab::remove_cc))
        .routes(routes!(collab::merge))
        .routes(routes!(worktime::ticket_time))
        .routes(routes!(worktime::days))
        .routes(routes!(worktime::list_codes))
        .routes(routes!(worktime::put_code))
        // Reports (issue 14).
        .routes(routes!(reports::kpis))
        .routes(routes!(reports::kpis_csv))
        .routes(routes!(reports::tickets_csv))
        .routes(routes!(reports::staffing))
        .routes(routes!(reports::charging))
        .routes(routes!(reports::charging_csv))
        .routes(routes!(reports::get_rates, reports::put_rates))
        .routes(routes!(reports::surveys))
        .routes(routes!(reports::list_schedules, reports::create_schedule))
        .routes(routes!(
            reports::get_schedule,
            reports::update_schedule,
            reports::delete_schedule
        ))
        .split_for_parts();
    // After every route is in: the common error answers of each operation.
    utoipa::Modify::modify(&doc_errors::ErrorResponses, &mut doc);
    (router, doc)
}
