//! Extractors that turn axum's rejections into `AppError`, so a malformed body, query or
//! path always gets the JSON error shape with a stable code.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// JSON body. Unknown Content-Type → 415, bad JSON → 400, body too large → 413. A number
/// with a zero fraction (`3.0`) is taken where an integer is expected: JSON Schema (and so
/// the OpenAPI document) calls it an integer, serde alone would refuse it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest(e.body_text())
                }
            })?;
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::JsonDataError(e)) => integral_floats_as_integers(&bytes)
                .map(Json)
                .ok_or_else(|| AppError::InvalidJson(e.body_text())),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::InvalidJson(e.body_text())),
            Err(e) => Err(AppError::BadRequest(e.body_text())),
        }
    }
}

/// `application/json` or a `+json` type, as axum's own extractor decides.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The second try of a body that did not fit `T`: every float with a zero fraction that
/// fits an `i64` becomes that integer. `None` if it still does not fit.
fn integral_floats_as_integers<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Number(n) if n.is_f64() => {
                if let Some(f) = n.as_f64()
                    && f.fract() == 0.0
                    && (-9.2e18..=9.2e18).contains(&f)
                {
                    // Checked above: integral and within i64.
                    #[allow(clippy::cast_possible_truncation)]
                    let i = f as i64;
                    *v = serde_json::Value::from(i);
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            serde_json::Value::Object(map) => map.values_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    walk(&mut value);
    serde_json::from_value(value).ok()
}

/// Query string. A value that is not UTF-8 once percent-decoded is refused (400 naming the
/// parameter) rather than stored with U+FFFD in place of what was sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        check_urlencoded_utf8(parts.uri.query().unwrap_or("").as_bytes())?;
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| AppError::BadRequest(e.body_text()))
    }
}

/// Path parameters. An id that does not parse names nothing that exists: 404.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e: PathRejection| match e {
                PathRejection::FailedToDeserializePathParams(_) => AppError::NotFound,
                other => AppError::BadRequest(other.body_text()),
            })
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// One round of `application/x-www-form-urlencoded` decoding of `raw` (`+` is a space,
/// `%XY` a byte; a `%` without two hex digits stays as it is).
pub fn percent_decode(raw: &[u8], plus_is_space: bool) -> Vec<u8> {
    let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'%' => match (hex(raw.get(i + 1)), hex(raw.get(i + 2))) {
                (Some(h), Some(l)) => {
                    // Two hex digits are one byte: h, l < 16.
                    out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Refuses a query string or form body whose names or values are not UTF-8 once decoded:
/// serde's form decoding would silently turn them into U+FFFD. The error names the field.
pub fn check_urlencoded_utf8(raw: &[u8]) -> Result<(), AppError> {
    for pair in raw.split(|b| *b == b'&') {
        let mut kv = pair.splitn(2, |b| *b == b'=');
        let key = percent_decode(kv.next().unwrap_or(b""), true);
        let value = percent_decode(kv.next().unwrap_or(b""), true);
        if std::str::from_utf8(&key).is_err() || std::str::from_utf8(&value).is_err() {
            return Err(not_utf8(&String::from_utf8_lossy(&key)));
        }
    }
    Ok(())
}

/// 400 `invalid_encoding` naming the field whose bytes are not UTF-8.
pub fn not_utf8(field: &str) -> AppError {
    let field: String = field.chars().filter(|c| !c.is_control()).take(64).collect();
    AppError::Refused {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_encoding",
        message: format!("{field}: must be UTF-8 text"),
        field: Some(field),
    }
}
