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

use super::page::current_lang;
use crate::error::AppError;

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
