//! Form posts: `CsrfForm<T>` reads an `application/x-www-form-urlencoded` body, checks its
//! `_csrf` field against the signed-in session's token, and hands back the viewer and the
//! fields. Every unsafe web route takes it, so no form is accepted without the token.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::WebError;
use super::page::Viewer;
use crate::AppState;
use crate::error::AppError;

pub struct CsrfForm<T> {
    pub viewer: Viewer,
    pub form: T,
}

#[derive(Deserialize)]
struct Token {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        crate::extract::check_urlencoded_utf8(&bytes)?;
        let token: Token = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(format!("form: {e}")))?;
        if !viewer.auth.csrf_matches(&token.csrf) {
            return Err(WebError::App(AppError::Csrf));
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(format!("form: {e}")))?;
        Ok(CsrfForm { viewer, form })
    }
}

/// Field errors of a form, shown next to each field.
#[derive(Debug, Default)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: String) {
        self.0.push((field.to_owned(), message));
    }

    pub fn get(&self, field: &str) -> String {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A form with nothing to read but its CSRF token (a button: delete, retrain, end sessions).
#[derive(Debug, Deserialize, Default)]
pub struct NoFields {}

/// The words beside a field a use case refused (`ValidationError { field, message }`): the
/// field's own sentence when the locale files have one (`err-field-<field>`, e.g.
/// `err-field-url`), "required" for an empty required text, else "not valid" with the use
/// case's reason.
pub fn invalid_text(lang: super::i18n::Lang, field: &str, message: &str) -> String {
    let key = format!("err-field-{}", field.replace(['_', '.', '[', ']'], "-"));
    if message == "must not be empty" || message.starts_with("is required") {
        lang.t("err-required")
    } else if lang.has(&key) {
        lang.t(&key)
    } else {
        format!("{} ({message})", lang.t("err-invalid"))
    }
}
