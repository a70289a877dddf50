//! Errors of the web pages: a signed-out visitor is sent to the sign-in page; everything else
//! is an HTML error page in the request's language with the right status (403, 404, 409,
//! 422, 500…), never a JSON body.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::ctx::{Ctx, current_lang, error_ctx};
use super::i18n::Lang;
use crate::AppError;

#[derive(Debug)]
pub enum WebError {
    /// Not signed in: go to the sign-in page, then back to `next`.
    SignIn {
        next: String,
    },
    /// A sign-in that is not finished (identity, issue 19): go where it finishes, e.g. the
    /// two-factor code, the enrolment or re-authentication.
    Goto(String),
    App(AppError),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthenticated => WebError::SignIn { next: "/".into() },
            AppError::Refused {
                code: "second_factor_required",
                ..
            } => WebError::Goto("/login/totp".into()),
            AppError::Refused {
                code: "totp_enrolment_required",
                ..
            } => WebError::Goto("/account/security".into()),
            AppError::Refused {
                code: "reauthentication_required",
                ..
            } => WebError::Goto("/reauth".into()),
            e => WebError::App(e),
        }
    }
}

impl From<crate::desk::DeskError> for WebError {
    fn from(e: crate::desk::DeskError) -> Self {
        WebError::App(e.into())
    }
}

impl From<ventanilla_store::StoreError> for WebError {
    fn from(e: ventanilla_store::StoreError) -> Self {
        WebError::App(e.into())
    }
}

impl From<ventanilla_domain::ValidationError> for WebError {
    fn from(e: ventanilla_domain::ValidationError) -> Self {
        WebError::App(e.into())
    }
}

pub type WebResult<T> = Result<T, WebError>;

#[derive(Template)]
#[template(path = "kit/error.html")]
struct ErrorPage {
    c: Ctx,
    status: u16,
    heading: String,
    detail: String,
}

/// The message key for a status: what happened, in words a requester understands.
fn heading_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        403 => "error-403",
        404 => "error-404",
        409 | 412 => "error-409",
        413 => "error-413",
        422 | 400 => "error-422",
        429 => "error-429",
        _ => "error-500",
    }
}

/// The page's words for a refusal's stable code: `refused-<code>` (as the ticket page's forms
/// use, `console::refuse`) or the identity pages' `identity-<code>` (kebab case), when the
/// catalogue has one.
fn refusal_words(lang: Lang, code: &str) -> Option<String> {
    let kebab = code.replace('_', "-");
    [format!("refused-{kebab}"), format!("identity-{kebab}")]
        .into_iter()
        .find(|k| lang.has(k))
        .map(|k| lang.t(&k))
}

pub fn error_page(lang: Lang, e: &AppError) -> Response {
    let status = e.status();
    if status.is_server_error() {
        match e {
            AppError::Internal(err) => tracing::error!(error = format!("{err:#}"), "page failed"),
            other => tracing::warn!(error = %other, "page failed"),
        }
    }
    // Rule refusals and validation carry a safe, specific message; others do not need one.
    let detail = match e {
        // The field at fault stays named (`subject`), as the form's own name for it.
        AppError::Refused { code, field, .. } => match (refusal_words(lang, code), field) {
            (Some(words), Some(f)) => format!("{words} ({f})"),
            (Some(words), None) => words,
            (None, _) => e.to_string(),
        },
        AppError::Validation(_) | AppError::Conflict(_) => e.to_string(),
        AppError::Csrf => lang.t("error-csrf"),
        _ => String::new(),
    };
    let page = ErrorPage {
        c: error_ctx(lang, heading_key(status)),
        status: status.as_u16(),
        heading: lang.t(heading_key(status)),
        detail,
    };
    match page.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(_) => (status, "error").into_response(),
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn { next } => {
                let safe = super::redirect::local_or(&next, "/");
                let to = format!("/login?next={}", super::url::url_encode(&safe));
                Redirect::to(&to).into_response()
            }
            WebError::Goto(to) => Redirect::to(&to).into_response(),
            WebError::App(e) => error_page(current_lang(), &e),
        }
    }
}

/// The fallback for unknown paths outside the API: an HTML 404 page.
pub async fn not_found() -> Response {
    error_page(current_lang(), &AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt as _;
    use ventanilla_domain::Language;

    use super::*;

    async fn body_of(r: Response) -> String {
        let bytes = r.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    fn refused(code: &'static str) -> AppError {
        AppError::Refused {
            status: StatusCode::CONFLICT,
            code,
            message: "an English message for the API".into(),
            field: None,
        }
    }

    /// Every stable refusal code written in this crate's sources: `code: "…"` in an
    /// `AppError::Refused`/`DeskError::Refused`, and the first string of the `refused(…)`
    /// helpers (`DeskError::refused(Refusal::…, "…"`, `AppError::refused(status, "…"`, the
    /// OpenID module's `refused("…"`).
    fn codes_in_sources() -> std::collections::BTreeSet<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let literal = |rest: &str| -> Option<String> {
            let rest = rest.trim_start().strip_prefix('"')?;
            let end = rest.find('"')?;
            let code = &rest[..end];
            (!code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                .then(|| code.to_owned())
        };
        let mut codes = std::collections::BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // This file's own test codes are not refusals.
            if f.ends_with("web/kit/error.rs") {
                continue;
            }
            for (i, _) in text.match_indices("code: \"") {
                let before = text[..i].chars().last().unwrap_or(' ');
                if before.is_whitespace() || before == '{' {
                    codes.extend(literal(&text[i + 5..]));
                }
            }
            for (i, _) in text.match_indices("refused(") {
                let rest = &text[i + 8..];
                let rest = match rest.trim_start().strip_prefix("Refusal::") {
                    Some(r) => r.split_once(',').map_or("", |(_, r)| r),
                    None if text[..i].ends_with("AppError::") => {
                        rest.split_once(',').map_or("", |(_, r)| r)
                    }
                    None => rest,
                };
                codes.extend(literal(rest));
            }
        }
        codes
    }

    #[test]
    fn every_refusal_code_has_words_in_both_languages() {
        let codes = codes_in_sources();
        assert!(codes.len() > 30, "the scan finds the codes: {codes:?}");
        for needle in ["ticket_closed", "oidc_no_flow", "two_factor_unavailable"] {
            assert!(codes.contains(needle), "{needle} not found by the scan");
        }
        let missing: Vec<&String> = codes
            .iter()
            .filter(|c| {
                [Language::Es, Language::En]
                    .into_iter()
                    .any(|l| refusal_words(Lang(l), c).is_none())
            })
            .collect();
        assert!(
            missing.is_empty(),
            "refusal codes with no words: {missing:?}"
        );
    }

    #[tokio::test]
    async fn a_refusal_is_explained_in_the_page_language_when_its_code_has_words() {
        let es = body_of(error_page(Lang(Language::Es), &refused("totp_not_enabled"))).await;
        assert!(es.contains("Esta cuenta no tiene activada"), "{es}");
        assert!(!es.contains("an English message"), "{es}");
        let en = body_of(error_page(Lang(Language::En), &refused("totp_not_enabled"))).await;
        assert!(en.contains("is not on for this account"), "{en}");
        // The field at fault is named.
        let with_field = AppError::Refused {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_encoding",
            message: "subject: must be UTF-8 text".into(),
            field: Some("subject".into()),
        };
        let es = body_of(error_page(Lang(Language::Es), &with_field)).await;
        assert!(es.contains("El texto debe estar en UTF-8"), "{es}");
        assert!(es.contains("(subject)"), "{es}");
        // A code with no words of its own keeps the refusal's message.
        let other = body_of(error_page(Lang(Language::Es), &refused("no_such_code"))).await;
        assert!(other.contains("an English message"), "{other}");
    }
}
