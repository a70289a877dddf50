//! The agent's canned responses in the console (issue 17): the list of their own and the
//! shared ones, the new-response page and one page per response (language, title, text with
//! variables, shared), and removing one. Agents keep their personal snippets here, so these
//! pages live in the console rather than the administration; who may change which is the use
//! case's (`desk::canned`: another agent's snippet is "not found", a shared one is for
//! supervisors and administrators). Refusals come back beside the fields with what was typed.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_store::canned::Canned;

use crate::AppState;
use crate::desk::canned::{self, CannedInput};
use crate::web::admin::edit::{checked, submit};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

const FIELDS: &[&str] = &["language", "title", "body", "shared"];

/// The variables a text may hold, shown beside the text box.
pub const VARIABLES: &[&str] = &[
    "requester_name",
    "ticket_number",
    "ticket_subject",
    "due_at",
    "agent_name",
    "group_name",
];

#[derive(Template)]
#[template(path = "console/canned_list.html")]
struct ListPage {
    c: Ctx,
    items: Vec<Canned>,
    me: i64,
    may_share: bool,
}

impl ListPage {
    /// Whether the viewer may open this one's form: theirs, or shared when they keep those.
    fn editable(&self, k: &Canned) -> bool {
        match k.owner_id {
            Some(o) => o.get() == self.me,
            None => self.may_share,
        }
    }
}

/// The viewer's snippets and the shared ones.
pub async fn list(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let caller = viewer.caller();
    let items = canned::list_canned(&state, &caller).await?;
    render(&ListPage {
        c: viewer.ctx("canned-title"),
        items,
        me: viewer.user.id.get(),
        may_share: canned::may_share(&caller),
    })
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct CannedForm {
    pub language: String,
    pub title: String,
    pub body: String,
    pub shared: String,
}

impl CannedForm {
    fn input(&self) -> CannedInput {
        CannedInput {
            language: self.language.clone(),
            title: self.title.clone(),
            body: self.body.clone(),
            shared: checked(&self.shared),
        }
    }

    pub fn is_lang(&self, code: &str) -> bool {
        self.language == code
    }
}

#[derive(Template)]
#[template(path = "console/canned_form.html")]
struct FormPage {
    c: Ctx,
    /// `None`: a new response.
    id: Option<i64>,
    form: CannedForm,
    errors: FieldErrors,
    may_share: bool,
}

impl FormPage {
    fn variables(&self) -> String {
        VARIABLES
            .iter()
            .map(|v| format!("{{{{{v}}}}}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn page(viewer: &Viewer, id: Option<i64>, form: CannedForm) -> FormPage {
    FormPage {
        c: viewer.ctx(if id.is_some() {
            "canned-edit"
        } else {
            "canned-new"
        }),
        id,
        form,
        errors: FieldErrors::default(),
        may_share: canned::may_share(&viewer.caller()),
    }
}

pub async fn new_page(viewer: Viewer) -> WebResult<Response> {
    // The same check as saving: only staff keep snippets.
    crate::desk::require(&viewer.caller(), ventanilla_domain::Permission::TicketsWork)?;
    let form = CannedForm {
        language: viewer.lang.code().to_owned(),
        ..CannedForm::default()
    };
    render(&page(&viewer, None, form))
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<CannedForm>,
) -> WebResult<Response> {
    let save = async {
        let k = canned::create_canned(&state, &viewer.caller(), &form.input()).await?;
        Ok(format!("/console/canned/{}", k.id))
    };
    let shown = async { Ok(page(&viewer, None, form.clone())) };
    submit(viewer.lang, FIELDS, save, shown, |p, errors| {
        p.errors = errors
    })
    .await
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let k = canned::canned_to_edit(&state, &viewer.caller(), id).await?;
    let form = CannedForm {
        language: k.language.code().to_owned(),
        title: k.title,
        body: k.body,
        shared: if k.owner_id.is_none() { "on" } else { "" }.into(),
    };
    render(&page(&viewer, Some(id), form))
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<CannedForm>,
) -> WebResult<Response> {
    // Another agent's snippet is "not found" before anything typed is looked at.
    canned::canned_to_edit(&state, &viewer.caller(), id).await?;
    let save = async {
        canned::update_canned(&state, &viewer.caller(), id, &form.input()).await?;
        Ok(format!("/console/canned/{id}"))
    };
    let shown = async { Ok(page(&viewer, Some(id), form.clone())) };
    submit(viewer.lang, FIELDS, save, shown, |p, errors| {
        p.errors = errors
    })
    .await
}

#[derive(Deserialize)]
pub struct DeleteForm {}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form: _ }: CsrfForm<DeleteForm>,
) -> WebResult<Response> {
    canned::delete_canned(&state, &viewer.caller(), id).await?;
    Ok(Redirect::to("/console/canned?flash=deleted").into_response())
}
