//! Bulk actions from the queue (issue 17): the ticked rows and one change, applied by
//! `desk::tickets::bulk` ticket by ticket; the answer page says how many changed and lists
//! each refusal with its ticket and the reason in the viewer's language.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use ventanilla_domain::TicketId;

use crate::AppState;
use crate::desk::DeskError;
use crate::desk::tickets::bulk::{BulkBody, bulk_apply};
use crate::error::AppError;
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, render};

/// One refused ticket as the page shows it.
pub struct Refused {
    pub id: i64,
    /// Its number, when the viewer may see the ticket.
    pub number: Option<String>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/bulk.html")]
struct BulkPage {
    c: Ctx,
    done: Vec<(i64, String)>,
    refused: Vec<Refused>,
    back: String,
}

/// The form's fields; `ids` repeats (one per ticked row), so the body is read as pairs.
/// The action is `change` (a field named `action` would shadow the form's own).
fn body_of(pairs: &[(String, String)]) -> Result<BulkBody, WebError> {
    let mut b = BulkBody::default();
    let opt = |v: &str| (!v.trim().is_empty()).then(|| v.to_owned());
    let num = |k: &str, v: &str| -> Result<Option<i64>, WebError> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        v.trim().parse().map(Some).map_err(|_| {
            WebError::from(ventanilla_domain::ValidationError::new(
                k,
                "is not a number",
            ))
        })
    };
    for (k, v) in pairs {
        match k.as_str() {
            "ids" => {
                if let Some(id) = num("ids", v)? {
                    b.ids.push(id);
                }
            }
            "change" => b.action = v.clone(),
            "assignee_id" => b.assignee_id = num("assignee_id", v)?,
            "group_id" => b.group_id = num("group_id", v)?,
            "priority" => b.priority = opt(v),
            "to" => b.to = opt(v),
            "reason" => b.reason = opt(v),
            "resolution_code" => b.resolution_code = opt(v),
            "resolution" => b.resolution = opt(v),
            "body" => b.body = opt(v),
            _ => {}
        }
    }
    Ok(b)
}

/// The reason of a refusal in the viewer's language: the refusal's own text when the locale
/// files have one (`refused-<code>`, or `bulk-refused-<code>` for codes only bulk actions
/// show), else "not valid" with the use case's words.
fn reason(lang: crate::web::kit::i18n::Lang, e: DeskError) -> String {
    let e = AppError::from(e);
    let code = e.code().replace('_', "-");
    let key = format!("refused-{code}");
    let own = format!("bulk-refused-{code}");
    if lang.has(&key) {
        lang.t(&key)
    } else if lang.has(&own) {
        lang.t(&own)
    } else {
        format!("{} ({e})", lang.t("err-invalid"))
    }
}

pub async fn apply(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let back = form
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| crate::web::kit::signin::safe_next(v))
        .unwrap_or_else(|| "/console".into());
    let (ids, action) = body_of(&form)?.command().map_err(WebError::from)?;
    let out = bulk_apply(&state, &viewer.caller(), &ids, &action).await?;
    let lang = viewer.lang;
    let named: Vec<TicketId> = out
        .done
        .iter()
        .copied()
        .chain(
            out.refused
                .iter()
                .filter(|(_, e)| !matches!(e, DeskError::NotFound))
                .map(|(id, _)| *id),
        )
        .collect();
    let numbers = state.store.tickets().numbers(&named).await?;
    let number_of = |id: TicketId| {
        numbers
            .iter()
            .find(|(t, _)| *t == id)
            .map(|(_, n)| n.clone())
    };
    let done = out
        .done
        .iter()
        .map(|id| (id.get(), number_of(*id).unwrap_or_default()))
        .collect();
    let refused = out
        .refused
        .into_iter()
        .map(|(id, e)| Refused {
            id: id.get(),
            number: (!matches!(e, DeskError::NotFound))
                .then(|| number_of(id))
                .flatten(),
            reason: reason(lang, e),
        })
        .collect();
    let c = viewer.ctx("bulk-title");
    render(&BulkPage {
        c,
        done,
        refused,
        back,
    })
}
