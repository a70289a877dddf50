//! The self-service portal for requesters (`/portal`): report or request, "my tickets", one
//! ticket with its public timeline, replies, the validation answer and the rating; the
//! requester's notifications and preferences (the page is `kit::notices`).

pub mod kb;
pub mod pages;
// Reports (issue 14): the survey page of the emailed link.
pub mod survey;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::web::kit::notices;

/// The portal's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(pages::home))
        .route("/portal/new", get(pages::new_page).post(pages::new_submit))
        .route("/portal/tickets/{id}", get(pages::ticket))
        .route("/portal/tickets/{id}/reply", post(pages::reply))
        .route(
            "/portal/tickets/{id}/confirmation",
            post(pages::confirmation),
        )
        .route("/portal/tickets/{id}/survey", post(pages::survey))
        .route("/portal/kb", get(kb::search_page))
        .route("/portal/kb/{id}", get(kb::article))
        .route("/portal/kb/{id}/solved", post(kb::solved))
        .route("/portal/kb/{id}/vote", post(kb::vote))
        // Reports (issue 14): the signed survey link, no sign-in.
        .route(
            "/survey/{id}/{token}",
            get(survey::show).post(survey::submit),
        )
        .route("/portal/notifications", get(notices::portal_page))
        .route("/portal/notifications/read", post(notices::portal_read_all))
        .route(
            "/portal/notifications/preferences",
            post(notices::portal_preferences),
        )
}
