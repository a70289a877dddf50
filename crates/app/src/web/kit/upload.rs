//! Forms that carry files without JavaScript: `CsrfMultipart<T>` reads a
//! `multipart/form-data` body (or an ordinary urlencoded one, without files), checks its
//! `_csrf` field like `CsrfForm`, and hands back the viewer, the text fields and the files.
//! Files over `tickets.attachment_max_bytes` are not kept but reported, so the page can say
//! so beside the field with what was typed kept; only a body far past every limit is refused
//! outright (413, a readable page).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use super::error::WebError;
use super::form::FieldErrors;
use super::i18n::Lang;
use super::page::Viewer;
use crate::AppState;
use crate::error::AppError;

/// At most this many files per form.
pub const MAX_FILES: usize = 5;

/// The name of the file input in every form that takes files.
pub const FILE_FIELD: &str = "files";

/// One uploaded file, as the browser named it.
#[derive(Debug)]
pub struct Upload {
    pub filename: String,
    pub data: Bytes,
}

/// What was wrong with the files of a form (nothing is stored when something is).
#[derive(Debug, Default)]
pub struct FileTrouble {
    /// Files over the size limit, by name.
    pub too_large: Vec<String>,
    /// Files chosen but empty, by name.
    pub empty: Vec<String>,
    /// More than [`MAX_FILES`] files were sent.
    pub too_many: bool,
}

impl FileTrouble {
    /// The status a form refused for its files is answered with.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.too_large.is_empty() {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        } else {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE
        }
    }
}

pub struct CsrfMultipart<T> {
    pub viewer: Viewer,
    pub form: T,
    pub files: Vec<Upload>,
    pub trouble: FileTrouble,
    /// The per-file limit in force, for messages.
    pub max_bytes: usize,
}

impl<T> CsrfMultipart<T> {
    /// The files' errors for the field, in the viewer's language (empty when all is well).
    pub fn file_errors(&self) -> FieldErrors {
        file_errors(self.viewer.lang, &self.trouble, self.max_bytes)
    }
}

/// A size in megabytes for people, e.g. `10.0` (`10,0` in Spanish).
pub fn megabytes(lang: Lang, bytes: usize) -> String {
    super::duration::decimal(lang, bytes as f64 / (1024.0 * 1024.0), 1)
}

/// The sentence for each kind of trouble, joined, as the `files` field's error.
pub fn file_errors(lang: Lang, t: &FileTrouble, max_bytes: usize) -> FieldErrors {
    let mut parts = Vec::new();
    let mb = megabytes(lang, max_bytes);
    for name in &t.too_large {
        let mut msg = lang.t1("err-file-too-large", "name", name);
        msg.push(' ');
        msg.push_str(&lang.t1("file-limit", "size", &mb));
        parts.push(msg);
    }
    for name in &t.empty {
        parts.push(lang.t1("err-file-empty", "name", name));
    }
    if t.too_many {
        parts.push(lang.t1("err-too-many-files", "count", &MAX_FILES.to_string()));
    }
    let mut errors = FieldErrors::default();
    if !parts.is_empty() {
        errors.add(FILE_FIELD, parts.join(" "));
    }
    errors
}

fn form_error(e: impl std::fmt::Display) -> WebError {
    WebError::App(AppError::BadRequest(format!("form: {e}")))
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfMultipart<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let max_bytes = state.config.tickets.attachment_max_bytes;
        let text_limit = state.config.server.body_limit_bytes;
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut files = Vec::new();
        let mut trouble = FileTrouble::default();
        if content_type.starts_with("multipart/form-data") {
            let boundary = multer::parse_boundary(&content_type).map_err(form_error)?;
            // Past this the body is refused whole: every file at its limit, and the text.
            let whole = max_bytes
                .saturating_mul(MAX_FILES + 1)
                .saturating_add(text_limit);
            let constraints = multer::Constraints::new()
                .size_limit(multer::SizeLimit::new().whole_stream(whole as u64));
            let mut multipart =
                multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
            let mut text_bytes = 0usize;
            let too_large = |e: multer::Error| match e {
                multer::Error::StreamSizeExceeded { .. } => {
                    WebError::App(AppError::PayloadTooLarge)
                }
                other => form_error(other),
            };
            while let Some(mut field) = multipart.next_field().await.map_err(too_large)? {
                let name = field.name().unwrap_or("").to_owned();
                match field.file_name().map(str::to_owned) {
                    Some(filename) => {
                        let mut data: Vec<u8> = Vec::new();
                        let mut over = false;
                        while let Some(chunk) = field.chunk().await.map_err(too_large)? {
                            if over {
                                continue;
                            }
                            if data.len() + chunk.len() > max_bytes {
                                over = true;
                                data = Vec::new();
                            } else {
                                data.extend_from_slice(&chunk);
                            }
                        }
                        if name != FILE_FIELD || (filename.is_empty() && data.is_empty() && !over) {
                            // No file chosen: browsers still send an empty part.
                            continue;
                        }
                        if over {
                            trouble.too_large.push(filename);
                        } else if data.is_empty() {
                            trouble.empty.push(filename);
                        } else if files.len() >= MAX_FILES {
                            trouble.too_many = true;
                        } else {
                            files.push(Upload {
                                filename,
                                data: Bytes::from(data),
                            });
                        }
                    }
                    None => {
                        // Strict UTF-8: multer's `text()` would put U+FFFD in place of
                        // bytes that are not text, and we would store that.
                        let raw = field.bytes().await.map_err(too_large)?;
                        let value = String::from_utf8(raw.to_vec())
                            .map_err(|_| crate::extract::not_utf8(&name))?;
                        text_bytes += name.len() + value.len();
                        if text_bytes > text_limit {
                            return Err(WebError::App(AppError::PayloadTooLarge));
                        }
                        pairs.push((name, value));
                    }
                }
            }
        } else {
            let req = Request::from_parts(parts, body);
            let bytes = Bytes::from_request(req, state)
                .await
                .map_err(|_| WebError::App(AppError::PayloadTooLarge))?;
            crate::extract::check_urlencoded_utf8(&bytes)?;
            pairs = serde_urlencoded::from_bytes(&bytes).map_err(form_error)?;
        }
        let csrf = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !viewer.auth.csrf_matches(csrf) {
            return Err(WebError::App(AppError::Csrf));
        }
        let encoded = serde_urlencoded::to_string(&pairs).map_err(form_error)?;
        let form = serde_urlencoded::from_str(&encoded).map_err(form_error)?;
        Ok(CsrfMultipart {
            viewer,
            form,
            files,
            trouble,
            max_bytes,
        })
    }
}
