//! Single sign-on pages: `GET /auth/oidc/login` (404 without a configured provider) sends
//! the browser to the OpenID provider; `GET /auth/oidc/callback` finishes the sign-in, or
//! shows why it was refused (400 with the stable reason, audited).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::AppState;
use crate::auth::ClientInfo;
use crate::auth::session::Stage;
use crate::error::AppError;
use crate::identity::oidc;
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::redirect::local_or;
use crate::web::kit::url::url_encode;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
}

/// Starts the sign-in at the provider.
pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<LoginQuery>,
) -> WebResult<Response> {
    let next = local_or(&q.next, "/");
    let (url, cookie) = oidc::start(&state, &next).await?;
    Ok((jar.add(cookie), Redirect::to(&url)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CallbackQuery {
    code: String,
    state: String,
    error: String,
}

/// The provider's answer.
pub async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    client: ClientInfo,
    Query(q): Query<CallbackQuery>,
) -> WebResult<Response> {
    if state.config.identity.oidc.is_none() {
        return Err(AppError::NotFound.into());
    }
    let outcome = async {
        if !q.error.is_empty() {
            return Err(AppError::Refused {
                status: http::StatusCode::BAD_REQUEST,
                code: "oidc_denied",
                message: "the provider did not sign you in".into(),
                field: None,
            });
        }
        let (who, next) = oidc::finish_flow(&state, &jar, &q.code, &q.state).await?;
        let user = oidc::user_for(&state, &who, &client).await?;
        let actor = state
            .store
            .users()
            .actor(user)
            .await?
            .ok_or(AppError::Forbidden)?;
        let started =
            crate::auth::login::finish(&state, &jar, user, &actor.role, &client, oidc::SOURCE)
                .await?;
        Ok::<_, AppError>((started, next))
    }
    .await;
    match outcome {
        Ok((started, next)) => {
            let to = match started.stage {
                Stage::Full => local_or(&next, "/"),
                Stage::SecondFactor => format!("/login/totp?next={}", url_encode(&next)),
                Stage::Enrol => "/account/security".to_owned(),
            };
            let jar = jar.add(oidc::flow_removal()).add(started.cookie);
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(e) => {
            if !matches!(e, AppError::Internal(_)) {
                oidc::audit_failure(&state, &client, &e).await?;
            }
            let page = WebError::App(e).into_response();
            Ok((jar.add(oidc::flow_removal()), page).into_response())
        }
    }
}
