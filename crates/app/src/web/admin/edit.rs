//! What the administration forms share: reading optional fields and checkboxes, and the one
//! flow every admin edit form follows ([`submit`]): save, then either the record's page with
//! the "saved" message, or the same page again with the refusal (a validation failure, a
//! conflict, a bad id typed) beside its field and what was typed kept.

use std::future::Future;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::AppError;
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::form::FieldErrors;
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::render_as;

/// The error key for a refusal that belongs to no one field (shown above the form).
pub const FORM: &str = "_form";

/// A trimmed value, or `None` when nothing was typed.
pub fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Whether a checkbox was ticked (browsers send `on`; scripts may send `true`).
pub fn checked(s: &str) -> bool {
    matches!(s, "on" | "true")
}

/// A select of ids: empty is `None`; anything else must be a number.
pub fn id_field(
    lang: Lang,
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
) -> Option<Option<i64>> {
    match opt(value) {
        None => Some(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                errors.add(field, lang.t("err-invalid"));
                None
            }
        },
    }
}

/// The page to return to after a save, with the "saved" message.
pub fn saved(to: &str) -> Response {
    let (path, anchor) = to.split_once('#').unwrap_or((to, ""));
    let sep = if path.contains('?') { '&' } else { '?' };
    let anchor = if anchor.is_empty() {
        String::new()
    } else {
        format!("#{anchor}")
    };
    Redirect::to(&format!("{path}{sep}flash=saved{anchor}")).into_response()
}

/// Why a save did not happen: errors the form found itself (an id that is not a number),
/// or the API's refusal, sorted by [`submit`].
#[derive(Debug)]
pub enum Refused {
    Fields(FieldErrors),
    App(AppError),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        Refused::App(e)
    }
}

impl From<crate::desk::DeskError> for Refused {
    fn from(e: crate::desk::DeskError) -> Self {
        Refused::App(e.into())
    }
}

/// An admin form's save and what follows it. `save` does the work (normally one API
/// handler) and returns the page to go to (a local path, optionally with `#anchor`), which
/// is answered with a redirect carrying the "saved" message. When it is refused, a
/// validation failure or conflict becomes errors beside the `fields` this form shows (others
/// above the form), `page` (the form's page built from what was typed; only awaited then)
/// gets them through `place`, and is shown under the refusal's status (422, 409…). Any
/// other error (forbidden, not found) is the error page.
pub async fn submit<P: Template>(
    lang: Lang,
    fields: &[&str],
    save: impl Future<Output = Result<String, Refused>>,
    page: impl Future<Output = WebResult<P>>,
    place: fn(&mut P, FieldErrors),
) -> WebResult<Response> {
    let (errors, status) = match save.await {
        Ok(to) => return Ok(saved(&to)),
        Err(Refused::Fields(errors)) => (errors, StatusCode::UNPROCESSABLE_ENTITY),
        Err(Refused::App(e)) => refusal(lang, e, fields)?,
    };
    let mut page = page.await?;
    place(&mut page, errors);
    render_as(&page, status)
}

/// Sorts an API refusal: a validation failure or a conflict becomes a field error (with
/// the status the page is answered with); anything else stays an error page. `fields` are
/// the fields this form shows: a refusal naming another field is shown above the form.
fn refusal(
    lang: Lang,
    e: AppError,
    fields: &[&str],
) -> Result<(FieldErrors, StatusCode), WebError> {
    let mut errors = FieldErrors::default();
    let on = |field: &str| {
        if fields.contains(&field) {
            field.to_owned()
        } else {
            FORM.to_owned()
        }
    };
    // A refusal of the typed values is the form's 422, whatever the API's own status.
    let status = match e {
        AppError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => e.status(),
    };
    match e {
        AppError::Validation(v) => {
            errors.add(
                &on(&v.field),
                crate::web::kit::form::invalid_text(lang, &v.field, &v.message),
            );
        }
        AppError::Conflict(m) => {
            // `conflict_on` names the field first: "email is already in use".
            match fields.iter().find(|f| m.starts_with(&format!("{f} is "))) {
                Some(f) => errors.add(f, lang.t("err-taken")),
                None => errors.add(FORM, m),
            }
        }
        // The store's own refusals read "field: why" (e.g. a category cycle).
        AppError::BadRequest(m) => match m.split_once(": ") {
            Some((field, why)) if fields.contains(&field) => {
                errors.add(field, format!("{} ({why})", lang.t("err-invalid")));
            }
            _ => errors.add(FORM, m),
        },
        other => return Err(other.into()),
    }
    Ok((errors, status))
}
