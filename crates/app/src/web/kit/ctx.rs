//! What a page knows about its request before any handler runs: the `Ctx` every template
//! receives, the request's language (a task-local set by `guard::lang_layer`, so error pages speak
//! it) and the guess made before sign-in. It sits below `error` and `page`: both import it,
//! it imports neither.

use std::cell::RefCell;

use axum::http::{HeaderMap, header};
use axum_extra::extract::CookieJar;
use jiff::Timestamp;
use ventanilla_domain::Language;

use super::i18n::Lang;
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
                availability: c.availability,
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
    /// Unread notifications (shown in the header; staff pages get it from the `Viewer`).
    pub unread: i64,
    /// Staff: their availability code (routing, issue 17), marked on the header's switch of
    /// every staff page (read by the `Viewer` extractor).
    pub availability: Option<&'static str>,
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
            availability: None,
        }
    }

    /// A fresh one-time key for a form that creates or appends something, rendered in its
    /// action as `?once=…` (see `web::kit::once`); empty if no randomness was to be had.
    pub fn once(&self) -> String {
        crate::auth::secret::random_token().unwrap_or_default()
    }

    /// Whether the viewer's availability is `code` (the header's switch, issue 17).
    pub fn is_availability(&self, code: &str) -> bool {
        self.availability == Some(code)
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A timeline entry's system statement in the viewer's language.
    pub fn said(&self, code: &str, params: &ventanilla_domain::ticket::Params) -> String {
        super::said::history(self.lang, &self.tz, code, params)
    }

    /// A notification's title in the viewer's language.
    pub fn notice(&self, kind: &str, params: &ventanilla_domain::ticket::Params) -> String {
        super::said::notice(self.lang, &self.tz, kind, params)
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
            "requester_status" => "rstatus",
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
