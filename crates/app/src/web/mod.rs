//! The web UI: server-rendered pages (askama) over the same services and access rules as the
//! API — sign-in, the self-service portal for requesters and the agent console. Pages work
//! without JavaScript; `assets/app.js` adds shortcuts and the queue's live refresh.

pub mod admin;
pub mod admin_directory;
pub mod admin_sla;
pub mod assets;
pub mod console;
pub mod error;
pub mod form;
pub mod i18n;
pub mod page;
pub mod phone;
pub mod portal;
pub mod signin;
pub mod staff;
pub mod ticket;
pub mod view;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// Every page route. The language layer makes error pages speak the visitor's language.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(signin::home))
        .route("/login", get(signin::login_page).post(signin::login_submit))
        .route("/logout", post(signin::logout))
        .route("/language", post(signin::language))
        .route("/portal", get(portal::home))
        .route(
            "/portal/new",
            get(portal::new_page).post(portal::new_submit),
        )
        .route("/portal/tickets/{id}", get(portal::ticket))
        .route("/portal/tickets/{id}/reply", post(portal::reply))
        .route(
            "/portal/tickets/{id}/confirmation",
            post(portal::confirmation),
        )
        .route("/portal/tickets/{id}/survey", post(portal::survey))
        .route("/console", get(console::queue))
        .route("/console/phone", get(phone::page).post(phone::submit))
        .route("/console/notifications", get(phone::notifications))
        .route("/console/notifications/read", post(phone::read_all))
        .route("/console/tickets/{id}", get(ticket::page))
        .route("/console/tickets/{id}/actions", post(ticket::action))
        .route(
            "/console/tickets/{id}/transitions",
            post(ticket::transition),
        )
        .route("/console/tickets/{id}/update", post(ticket::update))
        .route("/console/tickets/{id}/escalations", post(ticket::escalate))
        .route("/console/tickets/{id}/major", post(ticket::major))
        .route("/console/tickets/{id}/children", post(ticket::link))
        .route("/admin", get(admin::page))
        .route("/admin/matrix", post(admin::save_matrix))
        .route("/admin/sla", get(admin_sla::page))
        .route("/admin/users", post(admin_directory::create_user))
        .route(
            "/admin/users/{id}/active",
            post(admin_directory::set_active),
        )
        .route(
            "/admin/organisations",
            post(admin_directory::create_organisation),
        )
        .route("/admin/groups", post(admin_directory::create_group))
        .route("/admin/members", post(admin_directory::put_member))
        .route("/admin/calendars", post(admin_sla::save_calendar))
        .route("/admin/policies", post(admin_sla::save_policy))
        .route("/assets/{version}/{name}", get(assets::serve))
        .layer(axum::middleware::from_fn(page::lang_layer))
}
