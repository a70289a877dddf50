//! The one error path of the ticket page's forms: a refused reply, note, move, assignment,
//! escalation or flag shows the ticket page again (as it is now) with what the agent typed
//! kept in that form, the message beside its field, and a summary at the top, under the
//! refusal's status (422 input, 409 state or a stale version). Nothing typed is lost.

use axum::http::StatusCode;
use axum::response::Response;

use crate::error::AppError;
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::form::FieldErrors;
use crate::web::kit::i18n::Lang;

/// The error key for a refusal that belongs to no one field (shown above the form).
pub const FORM: &str = "_form";

/// What was typed into one form of the page: the form's name (`action`, `move-pending`,
/// `assign`, `escalate`, `classify`, `priority`, `major`, `child`) and its fields.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    pub form: String,
    values: Vec<(&'static str, String)>,
}

impl Typed {
    pub fn new(form: impl Into<String>, values: &[(&'static str, &str)]) -> Self {
        Typed {
            form: form.into(),
            values: values.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        }
    }

    /// The value typed into `field` of `form`, if that form was the one sent.
    pub fn get(&self, form: &str, field: &str) -> Option<&str> {
        if self.form != form {
            return None;
        }
        self.values
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.as_str())
    }
}

/// A refusal of one form: its errors (by field, or [`FORM`]) and the page's status.
pub struct Refusal {
    pub errors: FieldErrors,
    pub status: StatusCode,
}

/// One error on one field, refused by the page itself before any use case ran.
pub fn on_field(field: &str, message: String) -> Refusal {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    Refusal {
        errors,
        status: StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The message for a refusal code in the reader's language (`refused-<code>` in the locale
/// files), or the use case's own words under "not valid" when the code has no text.
fn refused_text(lang: Lang, code: &str, message: &str) -> String {
    let key = format!("refused-{}", code.replace('_', "-"));
    if lang.has(&key) {
        lang.t(&key)
    } else {
        format!("{} ({message})", lang.t("err-invalid"))
    }
}

/// Sorts an error of a form's use case: input and state refusals and a stale version become
/// errors beside the fields this form shows (others above it); not found, forbidden and
/// internal errors stay the error page.
pub fn sort(lang: Lang, e: WebError, fields: &[&str]) -> Result<Refusal, WebError> {
    let WebError::App(e) = e else {
        return Err(e);
    };
    let on = |field: &str| {
        if fields.contains(&field) {
            field.to_owned()
        } else {
            FORM.to_owned()
        }
    };
    let mut errors = FieldErrors::default();
    let status = match e {
        AppError::Validation(v) => {
            errors.add(
                &on(&v.field),
                crate::web::kit::form::invalid_text(lang, &v.field, &v.message),
            );
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Refused {
            status,
            code,
            message,
            field,
        } if status.is_client_error() && status != StatusCode::FORBIDDEN => {
            let at = field.as_deref().map_or(FORM.to_owned(), on);
            errors.add(&at, refused_text(lang, code, &message));
            status
        }
        AppError::Refused {
            status: StatusCode::FORBIDDEN,
            code: "following_only",
            ..
        } => {
            errors.add(FORM, lang.t("refused-following-only"));
            StatusCode::FORBIDDEN
        }
        AppError::PreconditionFailed { .. } => {
            errors.add(FORM, lang.t("refused-stale"));
            StatusCode::CONFLICT
        }
        AppError::Conflict(m) | AppError::BadRequest(m) => {
            errors.add(FORM, format!("{} ({m})", lang.t("err-invalid")));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        other => return Err(other.into()),
    };
    Ok(Refusal { errors, status })
}

/// The outcome of a form: its redirect, or the page again through `again`.
pub async fn finish<F, Fut>(
    lang: Lang,
    fields: &[&str],
    result: WebResult<Response>,
    again: F,
) -> WebResult<Response>
where
    F: FnOnce(Refusal) -> Fut,
    Fut: std::future::Future<Output = WebResult<Response>>,
{
    match result {
        Ok(r) => Ok(r),
        Err(e) => again(sort(lang, e, fields)?).await,
    }
}
