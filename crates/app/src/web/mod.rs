//! The web UI: server-rendered pages (askama) over the same services and access rules as the
//! API. Pages work without JavaScript; `assets/app.js` adds shortcuts and the queue's live
//! refresh. The folders are the audiences, with what they share underneath:
//!
//! - `portal/`: the self-service portal for requesters;
//! - `console/`: the agent console (queue, ticket, phone form, notifications);
//! - `admin/`: administration (users, groups, organisations, categories, SLA);
//! - `kit/`: what every page stands on — sign-in, the viewer and rendering, errors, forms
//!   and uploads, languages, assets and view helpers. `kit` imports nothing from the others.
//!
//! Templates live in the same folders under `crates/app/templates/`.

// Identity (issue 19): the two-factor step, re-authentication, account security.
pub mod account;
pub mod admin;
pub mod console;
pub mod kit;
pub mod portal;
// Reports (issue 14): dashboards.
pub mod reports;

use axum::Router;

use crate::AppState;

/// Every page route. The language layer makes error pages speak the visitor's language; the
/// one-time key layer applies a form that carries a key at most once (`kit::once`).
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(kit::routes())
        .merge(portal::routes())
        .merge(console::routes())
        .merge(admin::routes())
        // Reports (issue 14).
        .merge(reports::routes())
        // Identity (issue 19).
        .merge(account::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            kit::once::layer,
        ))
        .layer(axum::middleware::from_fn(kit::guard::lang_layer))
}
