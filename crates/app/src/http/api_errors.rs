//! Every error under `/api/` in the JSON error shape `{"error":{"code","message"}}`: the
//! handlers' own errors already are; this layer catches the rest at the edge — axum's
//! plain-text rejections (a body that is not UTF-8 or is too large for a `String` or
//! `Bytes` extractor), the empty 405 of a known path with another method, the 503 of the
//! request timeout — so a client never has to parse two shapes.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;

use crate::error::AppError;

/// The longest rejection text kept as the message (axum's are one line).
const MAX_MESSAGE_BYTES: usize = 512;

pub async fn shape(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !api || !(status.is_client_error() || status.is_server_error()) || is_json(&res) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = match http_body_util::Limited::new(body, MAX_MESSAGE_BYTES)
        .collect()
        .await
    {
        Ok(b) => String::from_utf8_lossy(&b.to_bytes()).trim().to_owned(),
        Err(_) => String::new(),
    };
    let error = of_status(status, text);
    let mut shaped = error.into_response();
    *shaped.status_mut() = status;
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            shaped.headers_mut().insert(name, v.clone());
        }
    }
    if let Some(id) = parts.headers.get("x-request-id") {
        shaped.headers_mut().insert("x-request-id", id.clone());
    }
    shaped
}

fn is_json(res: &Response<Body>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"))
}

/// The error a bare status stands for, with the rejection's text as its message where it
/// is a client's mistake (it says what was wrong with the request, nothing internal).
fn of_status(status: StatusCode, text: String) -> AppError {
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text
    };
    match status {
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
        StatusCode::METHOD_NOT_ALLOWED => AppError::refused(
            status,
            "method_not_allowed",
            "this method is not allowed on this path (see the Allow header)",
        ),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => AppError::Unavailable,
        s if s.is_server_error() => AppError::internal(anyhow::anyhow!("{message}")),
        s if message.contains("UTF-8") => AppError::Refused {
            status: s,
            code: "invalid_encoding",
            message: "body: must be UTF-8 text".into(),
            field: Some("body".into()),
        },
        s => AppError::refused(s, "bad_request", message),
    }
}
