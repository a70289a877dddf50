//! The agent console (`/console`): the queue (`queue`), one ticket with everything an agent
//! does to it (`ticket`), the phone form (`phone`), the knowledge base's search and ticket
//! actions (`kb`) and its article pages (`articles`), the agent's canned responses
//! (`canned`), availability and the team page (`availability`), bulk actions (`bulk`) and
//! agent work on a ticket (`work`), a supervisor's approval of an automation (`approval`);
//! the notifications page is `kit::notices`.

pub mod approval;
pub mod articles;
pub mod availability;
pub mod bulk;
pub mod canned;
pub mod kb;
pub mod phone;
pub mod queue;
pub mod refuse;
pub mod ticket;
pub mod work;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::web::kit::notices;

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(queue::queue))
        .route("/console/views", post(queue::save_view))
        .route("/console/views/{id}/delete", post(queue::delete_view))
        .route("/console/phone", get(phone::page).post(phone::submit))
        .route("/console/notifications", get(notices::console_page))
        .route(
            "/console/notifications/read",
            post(notices::console_read_all),
        )
        .route(
            "/console/notifications/preferences",
            post(notices::console_preferences),
        )
        .route("/console/tickets/{id}", get(ticket::page))
        .route("/console/tickets/{id}/actions", post(ticket::action))
        .route(
            "/console/tickets/{id}/transitions",
            post(ticket::transition),
        )
        .route("/console/tickets/{id}/update", post(ticket::update))
        .route("/console/tickets/{id}/escalations", post(ticket::escalate))
        .route("/console/tickets/{id}/major", post(ticket::major))
        .route("/console/tickets/{id}/approval", post(approval::decide))
        .route("/console/tickets/{id}/children", post(ticket::link))
        .route("/console/tickets/{id}/attachments", post(ticket::upload))
        .route("/console/search", get(kb::search_page))
        .route("/console/tickets/{id}/kb-link", post(kb::link))
        .route("/console/tickets/{id}/kb-draft", post(kb::draft))
        .route(
            "/console/articles",
            get(articles::list).post(articles::create),
        )
        .route("/console/articles/new", get(articles::new_page))
        .route(
            "/console/articles/{id}",
            get(articles::edit_page).post(articles::save),
        )
        .route("/console/articles/{id}/archive", post(articles::archive))
        // Routing (issue 17).
        .route("/console/availability", post(availability::set))
        .route("/console/team", get(availability::team))
        .route("/console/bulk", post(bulk::apply))
        .route("/console/tickets/{id}/macro", post(work::apply))
        .route("/console/tickets/{id}/watch", post(work::watch))
        .route("/console/tickets/{id}/cc", post(work::cc))
        .route("/console/tickets/{id}/merge", post(work::merge))
        .route("/console/canned", get(canned::list).post(canned::create))
        .route("/console/canned/new", get(canned::new_page))
        .route(
            "/console/canned/{id}",
            get(canned::edit_page).post(canned::save),
        )
        .route("/console/canned/{id}/delete", post(canned::delete))
}
