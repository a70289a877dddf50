//! Sign-in and sign-out pages, the language switch and the home redirect (portal for
//! requesters, console for staff).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use ventanilla_domain::Language;
use ventanilla_domain::directory::UserPatch;

use super::ctx::{Ctx, LANG_COOKIE, guess_lang};
use super::error::{WebError, WebResult};
use super::form::CsrfForm;
use super::i18n::Lang;
use super::page::{Viewer, render};
use crate::AppState;
use crate::auth::{AuthMethod, ClientInfo, session};
use crate::error::AppError;

#[derive(Template)]
#[template(path = "kit/login.html")]
struct LoginPage {
    c: Ctx,
    next: String,
    email: String,
    error: String,
    /// Identity (issue 19): a single sign-on provider is configured.
    sso: bool,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    lang: String,
}

/// Only local paths are followed after sign-in or a language switch (no open redirect);
/// the decision is [`super::redirect::local_target`]'s.
pub(crate) fn safe_next(next: &str) -> String {
    super::redirect::local_or(next, "/")
}

fn lang_cookie(l: Language) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, l.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .build()
}

pub async fn home(viewer: Result<Viewer, WebError>) -> Response {
    match viewer {
        Ok(v) if v.is_staff() => Redirect::to("/console").into_response(),
        Ok(_) => Redirect::to("/portal").into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> WebResult<Response> {
    // `?lang=en` on the sign-in page switches before there is a profile to remember it.
    let chosen = q.lang.parse::<Language>().ok();
    let lang = chosen.map(Lang).unwrap_or_else(|| guess_lang(&headers));
    let page = LoginPage {
        c: Ctx::anonymous(lang, "sign-in"),
        next: safe_next(&q.next),
        email: String::new(),
        error: String::new(),
        sso: state.config.identity.oidc.is_some(),
    };
    let res = render(&page)?;
    Ok(match chosen {
        Some(l) => (jar.add(lang_cookie(l)), res).into_response(),
        None => res,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientInfo,
    jar: CookieJar,
    axum::Form(f): axum::Form<LoginForm>,
) -> WebResult<Response> {
    let lang = guess_lang(&headers);
    // Login CSRF: another site must not sign a visitor into an account of its choosing.
    if super::guard::cross_site(&headers, &state.config.server.public_url) {
        return Err(WebError::App(AppError::Csrf));
    }
    // Decided before signing in, so no value of `next` can fail after the cookie is set.
    let target = safe_next(&f.next);
    match crate::auth::login::sign_in(&state, &jar, &f.email, f.password, &client).await {
        Ok((user, started)) => {
            let user = state.store.users().get(user).await?;
            let jar = jar.add(started.cookie).add(lang_cookie(user.language));
            // Identity (issue 19): a second factor or an enrolment may still be due.
            let to = match started.stage {
                session::Stage::Full => target,
                session::Stage::SecondFactor => {
                    format!("/login/totp?next={}", super::url::url_encode(&target))
                }
                session::Stage::Enrol => "/account/security".to_owned(),
            };
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(
            e @ (AppError::BadCredentials
            | AppError::TooManyAttempts { .. }
            | AppError::Refused { .. }),
        ) => {
            let key = match &e {
                AppError::BadCredentials => "sign-in-failed".to_owned(),
                AppError::TooManyAttempts { .. } => "error-429".to_owned(),
                AppError::Refused { code, .. } => format!("identity-{}", code.replace('_', "-")),
                _ => "error-500".to_owned(),
            };
            let key = key.as_str();
            let page = LoginPage {
                c: Ctx::anonymous(lang, "sign-in"),
                next: target,
                email: f.email,
                error: lang.t(key),
                sso: state.config.identity.oidc.is_some(),
            };
            let mut res = render(&page)?;
            *res.status_mut() = e.status();
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    let method = match &viewer.auth.method {
        AuthMethod::Session { id_hash, .. } => state.store.sessions().end(id_hash).await?,
        AuthMethod::Token(_) => None,
    };
    let entry = crate::desk::audit(&state, &viewer.caller(), "logout")
        .target("user", Some(viewer.auth.user_id().get()));
    state.store.audit().record(&entry).await?;
    let jar = jar.add(session::removal(&state));
    // Signed in through the provider: signed out there too, which brings the browser back
    // to the sign-in page (else the next "sign in with…" would walk straight back in).
    let to = match method.as_deref() {
        Some(m) if m == crate::identity::oidc::SOURCE => {
            crate::identity::oidc::logout_url(&state).await
        }
        _ => None,
    };
    let to = to.unwrap_or_else(|| "/login?flash=signed-out".to_owned());
    Ok((jar, Redirect::to(&to)).into_response())
}

#[derive(Deserialize)]
pub struct LanguageForm {
    language: String,
    #[serde(default)]
    back: String,
}

/// Switches the language and remembers it on the user's profile.
pub async fn language(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm { viewer, form }: CsrfForm<LanguageForm>,
) -> WebResult<Response> {
    let language: Language = form.language.parse().map_err(WebError::from)?;
    let patch = UserPatch {
        language: Some(language),
        ..UserPatch::default()
    };
    let entry = crate::desk::audit(&state, &viewer.caller(), "user.update")
        .target("user", Some(viewer.auth.user_id().get()))
        .detail(serde_json::json!({ "language": language.code() }));
    state
        .store
        .users()
        .update(viewer.auth.user_id(), &patch, &entry)
        .await?;
    let jar = jar.add(lang_cookie(language));
    Ok((jar, Redirect::to(&safe_next(&form.back))).into_response())
}
