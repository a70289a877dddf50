//! The ticket page's automation card (issue 13): a supervisor approves a request waiting
//! for approval (its automation is called) or rejects it saying why. A refusal (no comment
//! to reject, nothing waiting any more) shows the page again with the error beside the field.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::TicketId;

use super::refuse::{Typed, finish};
use crate::AppState;
use crate::desk::hooks::{self, Decision};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::CsrfForm;
use crate::web::kit::path::Path;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    /// `approve` or `reject` (the button pressed).
    decision: String,
    comment: String,
}

pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<DecisionForm>,
) -> WebResult<Response> {
    let typed = Typed::new("approval", &[("comment", &form.comment)]);
    let result: WebResult<Response> = async {
        let approved = match form.decision.as_str() {
            "approve" => true,
            "reject" => false,
            // Neither button (a crafted post): said above the form.
            _ => {
                return Err(crate::error::AppError::Refused {
                    status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    code: "bad_request",
                    message: "approve or reject".into(),
                    field: None,
                }
                .into());
            }
        };
        let comment = form.comment.trim();
        let d = Decision {
            approved,
            comment: (!comment.is_empty()).then(|| comment.to_owned()),
        };
        hooks::decide(&state, &viewer.caller(), TicketId(id), &d).await?;
        Ok(Redirect::to(&format!("/console/tickets/{id}?flash=hook-decided")).into_response())
    }
    .await;
    finish(viewer.lang, &["comment"], result, |r| {
        super::ticket::again_with(&state, &viewer, id, typed, r)
    })
    .await
}
