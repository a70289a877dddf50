//! What every page stands on: sign-in and the language switch (`signin`), who is looking and
//! how pages are rendered (`page`), error pages (`error`), form posts with their CSRF check
//! and field errors (`form`), one-time form keys so a form is applied once (`once`), multipart uploads (`upload`), messages in the viewer's language
//! (`i18n`), the notifications page of both surfaces (`notices`), the versioned static files (`assets`), the staff lists the console and the
//! administration share (`staff`) and the helpers the ticket pages share (`view`).

pub mod assets;
pub mod ctx;
pub mod duration;
pub mod error;
pub mod form;
pub mod guard;
pub mod i18n;
pub mod notices;
pub mod once;
pub mod page;
pub mod path;
pub mod redirect;
pub mod said;
pub mod signin;
pub mod staff;
pub mod upload;
pub mod url;
pub mod view;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// Sign-in, sign-out, the language switch and the static files.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(signin::home))
        .route("/login", get(signin::login_page).post(signin::login_submit))
        .route("/logout", post(signin::logout))
        .route("/language", post(signin::language))
        .route("/assets/{version}/{name}", get(assets::serve))
}
