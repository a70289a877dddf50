//! Who is looking at a page and how to show it to them: the `Viewer` extractor (session
//! cookie, user, language, time zone), the `Ctx` every template receives, and rendering.

use std::cell::RefCell;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;
use jiff::Timestamp;
use ventanilla_domain::directory::User;
use ventanilla_domain::{Language, Permission};

use super::error::WebError;
use super::i18n::Lang;
use crate::AppState;
use crate::auth::{Auth, AuthMethod};

/// The cookie that remembers the language before sign-in and for error pages.
pub const LANG_COOKIE: &str = "ventanilla_lang";

/// What an error page needs to know about the request: its language and, once the viewer
/// is known, the header's signed-in context.
#[derive(Default)]
pub struct RequestInfo {
    pub lang: Lang,
    pub signed_in: Option<Ctx>,
}

tokio::task_local! {
    /// The current web request, for pages rendered without a viewer (errors).
    pub static REQUEST: RefCell<RequestInfo>;
}

/// The language of the current request (Spanish outside a web request).
pub fn current_lang() -> Lang {
    REQUEST.try_with(|r| r.borrow().lang).unwrap_or_default()
}

/// The context for an error page: the viewer's (with the header) when known.
pub fn error_ctx(lang: Lang, title: &str) -> Ctx {
    let known = REQUEST
        .try_with(|r| {
            r.borrow().signed_in.as_ref().map(|c| Ctx {
                lang: c.lang,
                title: c.lang.t(title),
                user_name: c.user_name.clone(),
                csrf: c.csrf.clone(),
                flash: None,
                staff: c.staff,
                supervisor: c.supervisor,
                admin: c.admin,
                tz: c.tz.clone(),
                path: c.path.clone(),
                unread: 0,
            })
        })
        .ok()
        .flatten();
    known.unwrap_or_else(|| Ctx::anonymous(lang, title))
}

/// The language before we know the user: the language cookie, then `Accept-Language`.
pub fn guess_lang(headers: &HeaderMap) -> Lang {
    let jar = CookieJar::from_headers(headers);
    if let Some(l) = jar
        .get(LANG_COOKIE)
        .and_then(|c| c.value().parse::<Language>().ok())
    {
        return Lang(l);
    }
    Lang::from_accept(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
    .unwrap_or_default()
}

/// Sets the request language for everything rendered while handling this request.
pub async fn lang_layer(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = guess_lang(req.headers());
    let info = RequestInfo {
        lang,
        signed_in: None,
    };
    REQUEST
        .scope(RefCell::new(info), super::guard::run(req, next))
        .await
}

/// A signed-in person looking at a page. Anonymous visitors are sent to the sign-in page.
pub struct Viewer {
    pub auth: Auth,
    pub user: User,
    pub lang: Lang,
    pub flash: Option<String>,
    pub path: String,
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
        let viewer = Viewer {
            auth,
            user,
            lang,
            flash,
            path,
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
            unread: 0,
        }
    }
}

/// The page-wide context: language, who is signed in, the CSRF token, the flash message.
pub struct Ctx {
    pub lang: Lang,
    pub title: String,
    pub user_name: Option<String>,
    pub csrf: String,
    pub flash: Option<String>,
    pub staff: bool,
    pub supervisor: bool,
    pub admin: bool,
    pub tz: jiff::tz::TimeZone,
    pub path: String,
    /// Unread notifications (shown in the console header).
    pub unread: i64,
}

impl Ctx {
    /// For pages without a signed-in user (sign-in, errors).
    pub fn anonymous(lang: Lang, title: &str) -> Ctx {
        Ctx {
            lang,
            title: lang.t(title),
            user_name: None,
            csrf: String::new(),
            flash: None,
            staff: false,
            supervisor: false,
            admin: false,
            tz: jiff::tz::TimeZone::UTC,
            path: "/".into(),
            unread: 0,
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        self.lang.t1(key, name, value)
    }

    /// An instant in the viewer's time zone, e.g. `2026-03-02 10:00`.
    pub fn time(&self, at: &Timestamp) -> String {
        at.to_zoned(self.tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn time_opt(&self, at: &Option<Timestamp>) -> String {
        at.as_ref().map(|t| self.time(t)).unwrap_or_default()
    }

    /// The machine-readable form for `<time datetime>`.
    pub fn iso(&self, at: &Timestamp) -> String {
        at.to_string()
    }

    /// `prefix-value`, e.g. `status-analysis`: the word for an enum value.
    pub fn word(&self, prefix: &str, value: &str) -> String {
        self.lang.t(&format!("{prefix}-{value}"))
    }

    /// A changed value in the timeline, in words where the field has them.
    pub fn value(&self, field: &str, v: &Option<String>) -> String {
        let Some(v) = v.as_deref() else {
            return "—".into();
        };
        let prefix = match field {
            "status" => "status",
            "priority" => "priority",
            "impact" | "urgency" => "level",
            _ => return v.to_owned(),
        };
        let key = format!("{prefix}-{v}");
        if self.lang.has(&key) {
            self.lang.t(&key)
        } else {
            v.to_owned()
        }
    }

    /// A role's name: the word for a built-in role, a custom role's own name.
    pub fn role_name(&self, role: &str) -> String {
        let key = format!("role-{role}");
        if self.lang.has(&key) {
            self.lang.t(&key)
        } else {
            role.to_owned()
        }
    }

    pub fn other_lang(&self) -> &'static str {
        match self.lang.0 {
            Language::Es => "en",
            Language::En => "es",
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
