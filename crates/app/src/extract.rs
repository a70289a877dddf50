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
        parse_json(&bytes).map(Json)
    }
}

/// A JSON request body read as `T`, with the rules of [`Json`]: bad JSON or the wrong shape is
/// 400 `invalid_json`, an array is never read as an object, and an integral float is taken as
/// an integer. For handlers that read the body themselves (an optional body, say).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if starts_with_array(bytes) {
        return from_top_level_array(bytes);
    }
    match axum::Json::<T>::from_bytes(bytes) {
        Ok(axum::Json(v)) => Ok(v),
        Err(JsonRejection::JsonDataError(e)) => {
            integral_floats_as_integers(bytes).ok_or_else(|| AppError::InvalidJson(e.body_text()))
        }
        Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::InvalidJson(e.body_text())),
        Err(e) => Err(AppError::BadRequest(e.body_text())),
    }
}

/// Whether the body's first JSON token opens an array.
fn starts_with_array(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[')
}

/// A body that is an array. serde_json reads a struct from an array of its fields in order,
/// so `[]` would pass as an object whose fields all have defaults; the OpenAPI document says
/// "object", and so does this: an array is taken only where `T` is a list.
fn from_top_level_array<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| AppError::InvalidJson(e.to_string()))?;
    T::deserialize(TopLevel(value)).map_err(|e| {
        AppError::InvalidJson(format!(
            "Failed to deserialize the JSON body into the target type: {e}"
        ))
    })
}

/// A JSON value read as a request body: like `serde_json::Value`'s own deserializer, except
/// that a struct is never read from an array.
struct TopLevel(serde_json::Value);

impl<'de> serde::Deserializer<'de> for TopLevel {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_any(v)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        if self.0.is_array() {
            return Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Seq,
                &"a JSON object",
            ));
        }
        self.0.deserialize_struct(name, fields, v)
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_option(v)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_newtype_struct(name, v)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Vote {
        #[serde(default)]
        helpful: bool,
    }

    /// Schemathesis sent `2251799813685247.0` in a list of ids: read inexactly (…247.2) it
    /// was no integer and the whole schema-valid body was refused (`float_roundtrip`).
    #[test]
    fn a_large_integral_float_in_a_list_is_that_integer() {
        let ids: Vec<i64> =
            integral_floats_as_integers(b"[1, 2251799813685247.0, -121381313909.0]").unwrap();
        assert_eq!(ids, vec![1, 2_251_799_813_685_247, -121_381_313_909]);
    }

    #[test]
    fn an_array_is_no_object() {
        assert!(from_top_level_array::<Vote>(b"[]").is_err());
        assert!(from_top_level_array::<Vote>(b" [true]").is_err());
        assert!(starts_with_array(b"\n [1]"));
        assert!(!starts_with_array(b"{\"a\": [1]}"));
    }

    #[test]
    fn an_array_is_still_a_list() {
        let votes: Vec<Vote> = from_top_level_array(br#"[{"helpful": true}, {}]"#).unwrap();
        assert_eq!(votes, vec![Vote { helpful: true }, Vote { helpful: false }]);
        let ids: Vec<Option<i64>> = from_top_level_array(b"[1, null]").unwrap();
        assert_eq!(ids, vec![Some(1), None]);
    }
}
