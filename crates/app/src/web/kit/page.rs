//! Who is looking at a page and how to show it to them: the `Viewer` extractor (session
//! cookie, user, language, time zone) and rendering. The `Ctx` every template receives is
//! built here from the viewer and lives in `ctx`, below the error pages.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use ventanilla_domain::Permission;
use ventanilla_domain::directory::User;

pub use super::ctx::Ctx;
use super::ctx::REQUEST;
use super::error::WebError;
use super::i18n::Lang;
use crate::AppState;
use crate::auth::{Auth, AuthMethod};
/// A signed-in person looking at a page. Anonymous visitors are sent to the sign-in page.
pub struct Viewer {
    pub auth: Auth,
    pub user: User,
    pub lang: Lang,
    pub flash: Option<String>,
    pub path: String,
    /// Staff: their availability code, so the header's switch marks it on every page (the
    /// switch is on every staff page, and a pressed state that only some pages knew told
    /// the others' readers "none"). `None` for requesters.
    pub availability: Option<&'static str>,
    /// Staff: their unread notifications, read with the availability (the header's badge).
    pub unread: i64,
    /// The request's cookies: a page that remembers a reading choice (the ticket history's
    /// order) reads it here, also when a refused form shows that page again.
    pub cookies: axum_extra::extract::CookieJar,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let Some(auth) = Auth::from_session_cookie(parts, state).await? else {
            return Err(WebError::SignIn { next: path });
        };
        let user = state.store.users().get(auth.user_id()).await?;
        let lang = Lang(user.language);
        let flash = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("flash="))
                .filter(|k| k.len() < 40 && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
                .map(|k| format!("flash-{k}"))
                .filter(|k| lang.has(k))
        });
        // The staff header's facts (unread count, availability) in one statement, read here
        // once for every staff page; requesters have no switch and read their count where
        // their pages show it.
        let (unread, availability) = if auth.actor.can(Permission::TicketsWork) {
            let (n, a) = state.store.routing().header(auth.user_id()).await?;
            (n, Some(a.as_str()))
        } else {
            (0, None)
        };
        let viewer = Viewer {
            auth,
            user,
            lang,
            flash,
            path,
            availability,
            unread,
            cookies: axum_extra::extract::CookieJar::from_headers(&parts.headers),
        };
        let ctx = viewer.ctx("error-500");
        let _ = REQUEST.try_with(|r| {
            let mut r = r.borrow_mut();
            r.lang = lang;
            r.signed_in = Some(ctx);
        });
        Ok(viewer)
    }
}

impl Viewer {
    /// The caller of a use case from a page.
    pub fn caller(&self) -> ventanilla_domain::Caller {
        self.auth.caller_via(ventanilla_domain::Origin::Web)
    }

    pub fn is_staff(&self) -> bool {
        self.auth.actor.can(Permission::TicketsWork)
    }

    pub fn can(&self, p: Permission) -> bool {
        self.auth.actor.can(p)
    }

    /// What every template needs to know about the viewer.
    pub fn ctx(&self, title: &str) -> Ctx {
        Ctx {
            lang: self.lang,
            title: self.lang.t(title),
            user_name: Some(self.user.name.clone()),
            csrf: match &self.auth.method {
                AuthMethod::Session { csrf_token, .. } => csrf_token.clone(),
                AuthMethod::Token(_) => String::new(),
            },
            flash: self.flash.as_ref().map(|k| self.lang.t(k)),
            staff: self.is_staff(),
            supervisor: self.can(Permission::TicketsClose),
            admin: self.can(Permission::ConfigManage),
            tz: self.user.time_zone.zone(),
            path: self.path.clone(),
            unread: self.unread,
            availability: self.availability,
        }
    }
}

/// Renders a template into an HTML response (no caching: pages are per user).
pub fn render<T: Template>(t: &T) -> Result<Response, WebError> {
    let html = t.render().map_err(crate::AppError::internal)?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}

/// Renders a page under another status (a form shown again with its errors: 422, 409…).
pub fn render_as<T: Template>(t: &T, status: axum::http::StatusCode) -> Result<Response, WebError> {
    let mut res = render(t)?;
    *res.status_mut() = status;
    Ok(res)
}
