//! Administration of the resolution codes (issue 17): the list in its order, the new-code
//! page and one page per code (names in Spanish and English, position, in use). Codes are
//! never deleted, only retired: tickets keep the code they were resolved with. Saves go
//! through `desk::resolution`; refusals come back beside the fields with what was typed.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_store::resolution_codes::ResolutionCode;

use super::edit::{Refused, checked, submit};
use crate::AppState;
use crate::desk::resolution::ResolutionCodeInput;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

const FIELDS: &[&str] = &["code", "name_es", "name_en", "position", "active"];

#[derive(Template)]
#[template(path = "admin/resolution_codes.html")]
struct ListPage {
    c: Ctx,
    codes: Vec<ResolutionCode>,
}

/// Every code, in use or retired.
pub async fn list(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let codes = crate::desk::resolution::list(&state, &viewer.caller()).await?;
    render(&ListPage {
        c: viewer.ctx("resolution-codes"),
        codes,
    })
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
    pub name_es: String,
    pub name_en: String,
    pub position: String,
    pub active: String,
}

impl CodeForm {
    /// The input for the use case, or the position's refusal (a number is typed there).
    fn input(&self, viewer: &Viewer) -> Result<ResolutionCodeInput, Refused> {
        let t = self.position.trim();
        let position = if t.is_empty() {
            0
        } else {
            match t.parse::<i64>() {
                Ok(n) if n >= 0 => n,
                _ => {
                    let mut errors = FieldErrors::default();
                    errors.add("position", viewer.lang.t("err-invalid"));
                    return Err(Refused::Fields(errors));
                }
            }
        };
        Ok(ResolutionCodeInput {
            name_es: self.name_es.clone(),
            name_en: self.name_en.clone(),
            active: checked(&self.active),
            position,
        })
    }
}

#[derive(Template)]
#[template(path = "admin/resolution_code.html")]
struct CodePage {
    c: Ctx,
    /// `None`: a new code.
    code: Option<String>,
    form: CodeForm,
    errors: FieldErrors,
}

fn page(viewer: &Viewer, code: Option<String>, form: CodeForm) -> CodePage {
    let mut c = viewer.ctx(if code.is_some() {
        "resolution-code-edit"
    } else {
        "resolution-code-new"
    });
    if let Some(code) = &code {
        c.title = format!("{} · {code}", c.title);
    }
    CodePage {
        c,
        code,
        form,
        errors: FieldErrors::default(),
    }
}

pub async fn new_page(viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let form = CodeForm {
        active: "on".into(),
        ..CodeForm::default()
    };
    render(&page(&viewer, None, form))
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<CodeForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let save = async {
        let input = form.input(&viewer)?;
        let code = form.code.trim();
        let saved = crate::desk::resolution::create(&state, &viewer.caller(), code, &input).await?;
        Ok(format!("/admin/resolution-codes/{}", saved.code))
    };
    let shown = async { Ok(page(&viewer, None, form.clone())) };
    submit(viewer.lang, FIELDS, save, shown, |p, errors| {
        p.errors = errors
    })
    .await
}

/// The code named in the address, or "not found".
async fn existing(state: &AppState, viewer: &Viewer, code: &str) -> WebResult<ResolutionCode> {
    crate::desk::resolution::list(state, &viewer.caller())
        .await?
        .into_iter()
        .find(|c| c.code == code)
        .ok_or_else(|| crate::AppError::NotFound.into())
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let c = existing(&state, &viewer, &code).await?;
    let form = CodeForm {
        code: c.code.clone(),
        name_es: c.name_es,
        name_en: c.name_en,
        position: c.position.to_string(),
        active: if c.active { "on" } else { "" }.into(),
    };
    render(&page(&viewer, Some(c.code), form))
}

pub async fn save(
    State(state): State<AppState>,
    Path(code): Path<String>,
    CsrfForm { viewer, form }: CsrfForm<CodeForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let current = existing(&state, &viewer, &code).await?;
    let save = async {
        let input = form.input(&viewer)?;
        crate::desk::resolution::put(&state, &viewer.caller(), &current.code, &input).await?;
        Ok(format!("/admin/resolution-codes/{}", current.code))
    };
    let shown = async { Ok(page(&viewer, Some(current.code.clone()), form.clone())) };
    submit(viewer.lang, FIELDS, save, shown, |p, errors| {
        p.errors = errors
    })
    .await
}
