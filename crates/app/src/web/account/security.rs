//! The account security pages: the two-factor code at sign-in, re-authentication, and the
//! security page with enrolment, recovery codes, sessions and tokens.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::TokenId;
use ventanilla_store::sessions::SessionSummary;
use ventanilla_store::tokens::ApiToken;

use crate::AppState;
use crate::auth::ClientInfo;
use crate::error::AppError;
use crate::identity::totp::TotpStatus;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, Viewer, render, render_as};
use crate::web::kit::path::Path;
use crate::web::kit::redirect::local_or;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

#[derive(Template)]
#[template(path = "account/totp_login.html")]
struct CodePage {
    c: Ctx,
    action: &'static str,
    heading: &'static str,
    intro: &'static str,
    next: String,
    error: String,
    /// Re-authentication may use the password instead.
    password: bool,
}

/// The two-factor step of sign-in: the code from the app, or a recovery code.
pub async fn totp_login_page(viewer: Viewer, Query(q): Query<NextQuery>) -> WebResult<Response> {
    render(&CodePage {
        c: viewer.ctx("identity-totp-title"),
        action: "/login/totp",
        heading: "identity-totp-title",
        intro: "identity-totp-intro",
        next: local_or(&q.next, "/"),
        error: String::new(),
        password: false,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    password: String,
    next: String,
}

/// The words for a refused code or password, or the error itself for anything else.
fn refusal_words(c: &Ctx, e: AppError) -> Result<String, AppError> {
    match e {
        AppError::Refused { code, .. } => Ok(c.t(&format!("identity-{}", code.replace('_', "-")))),
        AppError::TooManyAttempts { .. } => Ok(c.t("error-429")),
        AppError::BadCredentials => Ok(c.t("identity-password-wrong")),
        AppError::Validation(_) => Ok(c.t("identity-totp-code-invalid")),
        other => Err(other),
    }
}

pub async fn totp_login_submit(
    State(state): State<AppState>,
    client: ClientInfo,
    CsrfForm { viewer, form }: CsrfForm<CodeForm>,
) -> WebResult<Response> {
    let next = local_or(&form.next, "/");
    match crate::identity::totp::verify(&state, viewer.auth.user_id(), &form.code, &client).await {
        Ok(_) => {
            crate::identity::sessions::promote(&state, &viewer.auth).await?;
            Ok(Redirect::to(&next).into_response())
        }
        Err(e) => {
            let c = viewer.ctx("identity-totp-title");
            let error = refusal_words(&c, e)?;
            render_as(
                &CodePage {
                    c,
                    action: "/login/totp",
                    heading: "identity-totp-title",
                    intro: "identity-totp-intro",
                    next,
                    error,
                    password: false,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

/// Re-authentication before a sensitive action: the password, or a two-factor code.
pub async fn reauth_page(viewer: Viewer, Query(q): Query<NextQuery>) -> WebResult<Response> {
    render(&CodePage {
        c: viewer.ctx("identity-reauth-title"),
        action: "/reauth",
        heading: "identity-reauth-title",
        intro: "identity-reauth-intro",
        next: local_or(&q.next, "/"),
        error: String::new(),
        password: true,
    })
}

pub async fn reauth_submit(
    State(state): State<AppState>,
    client: ClientInfo,
    CsrfForm { viewer, form }: CsrfForm<CodeForm>,
) -> WebResult<Response> {
    let next = local_or(&form.next, "/");
    let password = (!form.password.is_empty()).then_some(form.password);
    let code = (!form.code.trim().is_empty()).then_some(form.code.as_str());
    match crate::identity::sessions::reauthenticate(&state, &viewer.auth, password, code, &client)
        .await
    {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(e) => {
            let c = viewer.ctx("identity-reauth-title");
            let error = refusal_words(&c, e)?;
            render_as(
                &CodePage {
                    c,
                    action: "/reauth",
                    heading: "identity-reauth-title",
                    intro: "identity-reauth-intro",
                    next,
                    error,
                    password: true,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "account/security.html")]
struct SecurityPage {
    c: Ctx,
    totp: TotpStatus,
    /// The secret and `otpauth://` URI of an enrolment waiting for its first code.
    pending: Option<(String, String)>,
    /// Recovery codes just handed out (shown once).
    codes: Vec<String>,
    error: String,
    sessions: Vec<SessionSummary>,
    tokens: Vec<ApiToken>,
}

async fn security_page(
    state: &AppState,
    viewer: &Viewer,
    codes: Vec<String>,
    error: String,
) -> WebResult<SecurityPage> {
    let user = viewer.auth.user_id();
    let totp = crate::identity::totp::status(state, user, &viewer.auth.actor.role).await?;
    let pending = match state.store.identity().totp(user).await? {
        Some(r) if r.confirmed_at.is_none() => {
            let secret = crate::identity::totp::secret_of(state, user, &r)?;
            let uri = crate::identity::totp::otpauth_uri(
                &secret,
                &state.config.identity.totp_issuer,
                viewer.user.email.as_str(),
            )?;
            Some((secret, uri))
        }
        _ => None,
    };
    let tokens = state.store.tokens().list_for(user).await?;
    Ok(SecurityPage {
        c: viewer.ctx("identity-security-title"),
        totp,
        pending,
        codes,
        error,
        sessions: crate::identity::sessions::list_own(state, &viewer.auth).await?,
        tokens,
    })
}

/// The security page.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    render(&security_page(&state, &viewer, Vec::new(), String::new()).await?)
}

#[derive(Deserialize, Default)]
pub struct Empty {}

/// Starts enrolment; the page then shows the secret and asks for the first code. A refusal
/// (already on) is the page again with the reason in the viewer's language.
pub async fn totp_begin(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    match crate::identity::totp::begin(&state, viewer.auth.user_id(), viewer.user.email.as_str())
        .await
    {
        Ok(_) => Ok(Redirect::to("/account/security#totp").into_response()),
        Err(e) => {
            let status = e.status();
            let words = refusal_words(&viewer.ctx("identity-security-title"), e)?;
            render_as(
                &security_page(&state, &viewer, Vec::new(), words).await?,
                status,
            )
        }
    }
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    client: ClientInfo,
    CsrfForm { viewer, form }: CsrfForm<CodeForm>,
) -> WebResult<Response> {
    match crate::identity::totp::confirm(&state, viewer.auth.user_id(), &form.code, &client).await {
        Ok(codes) => {
            crate::identity::sessions::promote(&state, &viewer.auth).await?;
            render(&security_page(&state, &viewer, codes.recovery_codes, String::new()).await?)
        }
        Err(e) => {
            let words = refusal_words(&viewer.ctx("identity-security-title"), e)?;
            render_as(
                &security_page(&state, &viewer, Vec::new(), words).await?,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

pub async fn totp_disable(
    State(state): State<AppState>,
    client: ClientInfo,
    CsrfForm { viewer, form }: CsrfForm<CodeForm>,
) -> WebResult<Response> {
    let user = viewer.auth.user_id();
    let role = viewer.auth.actor.role.clone();
    match crate::identity::totp::disable(&state, user, &role, &form.code, &client).await {
        Ok(()) => Ok(Redirect::to("/account/security?flash=saved").into_response()),
        Err(e) => {
            let words = refusal_words(&viewer.ctx("identity-security-title"), e)?;
            render_as(
                &security_page(&state, &viewer, Vec::new(), words).await?,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

pub async fn end_session(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    crate::identity::sessions::end_own(&state, &viewer.auth, &id).await?;
    Ok(Redirect::to("/account/security?flash=saved").into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    let token = state.store.tokens().get(TokenId(id)).await?;
    if token.user_id != viewer.auth.user_id() {
        return Err(AppError::NotFound.into());
    }
    state.store.tokens().revoke(token.id, state.now()).await?;
    let entry = crate::desk::audit(&state, &viewer.caller(), "token.revoke")
        .target("token", Some(id))
        .detail(serde_json::json!({ "user_id": token.user_id }));
    state.store.audit().record(&entry).await?;
    Ok(Redirect::to("/account/security?flash=saved").into_response())
}
