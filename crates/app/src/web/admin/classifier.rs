//! The suggested-classification model's page (issue 13): when the model in force was
//! trained, on how many closed tickets, its top-1 accuracy on the held-out fifth for
//! category and for group, how long training took, and the button that queues a
//! retraining now (the `classifier.train` job also runs every `[events] retrain_hours`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use ventanilla_domain::Permission;
use ventanilla_store::classifier::ModelInfo;

use crate::AppState;
use crate::desk::classifier;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, NoFields};
use crate::web::kit::page::{Ctx, Viewer, render};

#[derive(Template)]
#[template(path = "admin/classifier.html")]
struct ModelPage {
    c: Ctx,
    model: Option<ModelInfo>,
}

impl ModelPage {
    /// An accuracy held per ten thousand, as a percentage with one decimal in the
    /// viewer's notation ("87,5 %" or "87.5 %").
    fn percent(&self, per_10k: &i64) -> String {
        let text = format!("{:.1}", *per_10k as f64 / 100.0);
        let text = if self.c.lang.decimal_comma() {
            text.replace('.', ",")
        } else {
            text
        };
        format!("{text} %")
    }
}

pub async fn page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    render(&ModelPage {
        c: viewer.ctx("classifier-title"),
        model: classifier::model_info(&state, &viewer.caller()).await?,
    })
}

/// Queues a retraining now.
pub async fn train(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    classifier::request_training(&state, &viewer.caller()).await?;
    Ok(Redirect::to("/admin/classifier?flash=classifier-queued").into_response())
}
