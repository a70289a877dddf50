//! The web UI: server-rendered pages (askama) over the same services and access rules as the
//! API — sign-in, the self-service portal for requesters and the agent console. Pages work
//! without JavaScript; `assets/app.js` adds shortcuts and the queue's live refresh.

pub mod admin;
pub mod admin_categories;
pub mod admin_form;
pub mod admin_groups;
pub mod admin_orgs;
pub mod admin_sla;
pub mod admin_user_list;
pub mod admin_users;
pub mod assets;
pub mod console;
pub mod error;
pub mod form;
pub mod guard;
pub mod i18n;
pub mod page;
pub mod phone;
pub mod portal;
pub mod redirect;
pub mod signin;
pub mod staff;
pub mod ticket;
pub mod upload;
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
        .route("/console/tickets/{id}/attachments", post(ticket::upload))
        .route("/admin", get(admin::page))
        .route("/admin/matrix", post(admin::save_matrix))
        .route("/admin/sla", get(admin_sla::page))
        .route(
            "/admin/users",
            get(admin_user_list::list).post(admin_users::create),
        )
        .route("/admin/users/new", get(admin_users::new_page))
        .route(
            "/admin/users/{id}",
            get(admin_users::edit_page).post(admin_users::save),
        )
        .route(
            "/admin/users/{id}/active",
            post(admin_user_list::set_active),
        )
        .route(
            "/admin/users/{id}/password",
            post(admin_users::set_password),
        )
        .route("/admin/organisations", post(admin_orgs::create))
        .route("/admin/organisations/new", get(admin_orgs::new_page))
        .route(
            "/admin/organisations/{id}",
            get(admin_orgs::edit_page).post(admin_orgs::save),
        )
        .route("/admin/departments", post(admin_orgs::create_department))
        .route(
            "/admin/departments/{id}",
            get(admin_orgs::department_edit_page).post(admin_orgs::department_save),
        )
        .route("/admin/groups", post(admin_groups::create))
        .route("/admin/groups/new", get(admin_groups::new_page))
        .route(
            "/admin/groups/{id}",
            get(admin_groups::edit_page).post(admin_groups::save),
        )
        .route(
            "/admin/groups/{id}/members/{user_id}/remove",
            post(admin_groups::remove_member),
        )
        .route("/admin/members", post(admin_groups::put_member))
        .route("/admin/categories", post(admin_categories::create))
        .route("/admin/categories/new", get(admin_categories::new_page))
        .route(
            "/admin/categories/{id}",
            get(admin_categories::edit_page).post(admin_categories::save),
        )
        .route("/admin/calendars", post(admin_sla::save_calendar))
        .route("/admin/policies", post(admin_sla::save_policy))
        .route("/assets/{version}/{name}", get(assets::serve))
        .layer(axum::middleware::from_fn(page::lang_layer))
}
