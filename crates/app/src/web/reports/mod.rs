//! Report pages (issue 14): the supervisor's and the manager's dashboards (`/reports`,
//! `/reports/manager`), the agent's own (`/reports/me`), survey follow-ups, scheduled report mails (`schedules`), charging and its rates (`charging`), with charts
//! drawn as SVG on the server (`svg`) and the same numbers in tables. Every KPI shows its
//! definition and formula (`docs/REPORTS.md` says the same).

pub mod charging;
pub mod pages;
pub mod schedules;
pub mod svg;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The report pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(pages::supervisor))
        .route("/reports/manager", get(pages::manager))
        .route("/reports/me", get(pages::agent))
        .route("/reports/follow-ups/{id}/done", post(pages::follow_up_done))
        .route("/reports/staffing", get(pages::staffing))
        .route("/reports/staffing/schedule", post(pages::save_schedule))
        .route(
            "/reports/schedules",
            get(schedules::list).post(schedules::create),
        )
        .route(
            "/reports/schedules/{id}",
            get(schedules::edit).post(schedules::update),
        )
        .route(
            "/reports/schedules/{id}/delete",
            get(schedules::confirm_delete).post(schedules::delete),
        )
        .route("/reports/charging", get(charging::show))
        // A reload of a refused save's page shows the charges again.
        .route(
            "/reports/charging/rates",
            get(charging::show).post(charging::save_rates),
        )
}
