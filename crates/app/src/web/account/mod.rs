//! One's own account security (identity, issue 19): the two-factor step of sign-in
//! (`/login/totp`), re-authentication before sensitive actions (`/reauth`), and the
//! security page (`/account/security`): two-factor enrolment with recovery codes, the
//! sessions and API tokens one holds, each revocable.

pub mod security;
pub mod sso;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The account's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/login/totp",
            get(security::totp_login_page).post(security::totp_login_submit),
        )
        .route(
            "/reauth",
            get(security::reauth_page).post(security::reauth_submit),
        )
        .route("/account/security", get(security::page))
        .route("/account/totp", post(security::totp_begin))
        .route("/account/totp/confirm", post(security::totp_confirm))
        .route("/account/totp/disable", post(security::totp_disable))
        .route("/account/sessions/{id}/end", post(security::end_session))
        .route("/account/tokens/{id}/revoke", post(security::revoke_token))
        .route("/auth/oidc/login", get(sso::login))
        .route("/auth/oidc/callback", get(sso::callback))
}
