//! The web pages' safety net, run inside the language layer: a query string that is not
//! UTF-8 is refused before any page sees it (axum would decode it with U+FFFD), and any
//! error answered outside our own error pages — axum's plain-text rejections of an id that
//! does not parse (`/console/tickets/abc`, an id past `i64`), a query or form that does not
//! fit, a GET on a POST-only path — becomes the HTML error page, with its status, in the visitor's language.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::ctx::current_lang;
use crate::error::AppError;

/// Sets the request language for everything rendered while handling this request.
pub async fn lang_layer(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = super::ctx::guess_lang(req.headers());
    let info = super::ctx::RequestInfo {
        lang,
        signed_in: None,
    };
    super::ctx::REQUEST
        .scope(std::cell::RefCell::new(info), run(req, next))
        .await
}

/// Checks the query, runs the page, and renders a bare error as the HTML error page.
pub async fn run(req: Request, next: Next) -> Response {
    if let Err(e) =
        crate::extract::check_urlencoded_utf8(req.uri().query().unwrap_or("").as_bytes())
    {
        return super::error::error_page(current_lang(), &e);
    }
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_ours(&res) {
        return res;
    }
    let mut page = super::error::error_page(current_lang(), &bare(status));
    if let Some(v) = res.headers().get(header::RETRY_AFTER) {
        page.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
    page
}

/// Our HTML pages, and JSON a script asked for, are already in their final shape.
fn is_ours(res: &Response<Body>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"))
}

/// The error as the page shows it: a page that exists only for another method is no page
/// for this one (404); the rest keep their status and show only the heading (axum's
/// rejection texts are not for visitors).
fn bare(status: StatusCode) -> AppError {
    match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => AppError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        status => AppError::Refused {
            status,
            code: "bad_request",
            message: String::new(),
            field: None,
        },
    }
}

/// Whether a form post comes from another site, judged by `Origin` (or, without it,
/// `Referer`): a request from a page of ours names this server as `server.public_url` or
/// as the `Host` it was sent to. `Origin: null` (sandboxed frames, opaque redirects) is
/// foreign. A request with neither header is not a browser's cross-site form (browsers send
/// `Origin` on every POST) and is let through.
pub fn cross_site(headers: &axum::http::HeaderMap, public_url: &str) -> bool {
    let header_text = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
    };
    let claimed = match (header_text(header::ORIGIN), header_text(header::REFERER)) {
        (Some(origin), _) => origin.trim().to_owned(),
        (None, Some(referer)) => referer.trim().to_owned(),
        (None, None) => return false,
    };
    let Some(claimed) = origin_of(&claimed) else {
        return true;
    };
    let ours = origin_of(public_url);
    let host = header_text(header::HOST).map(str::to_ascii_lowercase);
    let by_host = host.is_some_and(|h| {
        claimed.split_once("://").map(|(_, authority)| authority) == Some(h.as_str())
    });
    !(ours.as_deref() == Some(claimed.as_str()) || by_host)
}

/// `scheme://authority` of an absolute http(s) URL, lower-cased; `None` otherwise.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn with(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                k,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("x")),
            );
        }
        h
    }

    #[test]
    fn sign_in_posts_from_other_sites_are_recognised() {
        let public = "https://desk.example.com";
        let host = (header::HOST, "127.0.0.1:8080");
        let cases: &[(&[(header::HeaderName, &str)], bool)] = &[
            (&[(header::ORIGIN, "https://desk.example.com")], false),
            (&[(header::ORIGIN, "HTTPS://DESK.example.com")], false),
            (
                &[host.clone(), (header::ORIGIN, "http://127.0.0.1:8080")],
                false,
            ),
            (
                &[(header::REFERER, "https://desk.example.com/login?next=/x")],
                false,
            ),
            (&[], false),
            (&[(header::ORIGIN, "https://evil.example")], true),
            (
                &[host.clone(), (header::ORIGIN, "http://127.0.0.1:9999")],
                true,
            ),
            (&[(header::ORIGIN, "null")], true),
            (
                &[(header::ORIGIN, "https://desk.example.com.evil.example")],
                true,
            ),
            (
                &[(header::ORIGIN, "https://desk.example.com@evil.example")],
                true,
            ),
            (
                &[(header::REFERER, "https://evil.example/desk.example.com")],
                true,
            ),
            (
                &[
                    (header::ORIGIN, "https://evil.example"),
                    (header::REFERER, "https://desk.example.com/"),
                ],
                true,
            ),
        ];
        for (headers, foreign) in cases {
            assert_eq!(cross_site(&with(headers), public), *foreign, "{headers:?}");
        }
    }
}
