//! An agent's skills in the administration (issue 17): the categories they take, the
//! languages they serve requesters in and the configuration-item types they know, which
//! skill-matched routing weighs. One page reached from the user's page; the save replaces
//! the whole set through `desk::routing::set_skills`, and a refusal comes back above the
//! form with every tick and line kept.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use ventanilla_domain::{Permission, UserId};

use super::edit::{Refused, submit};
use crate::AppState;
use crate::desk::routing::SkillInput;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

/// The refusals the page places: every skill refusal names `skills` or `skills.code`.
const FIELDS: &[&str] = &["skills", "skills.code"];

/// The languages an agent may serve in (the desk's two).
pub const LANGUAGES: &[(&str, &str)] = &[("es", "Español"), ("en", "English")];

/// What the form holds: ticked categories and languages, and the CI types, one per line.
#[derive(Debug, Default, Clone)]
pub struct SkillsForm {
    pub categories: BTreeSet<String>,
    pub languages: BTreeSet<String>,
    pub ci_types: String,
}

impl SkillsForm {
    fn of(skills: &[SkillInput]) -> Self {
        let mut form = Self::default();
        let mut ci = Vec::new();
        for s in skills {
            match s.kind.as_str() {
                "category" => {
                    form.categories.insert(s.code.clone());
                }
                "language" => {
                    form.languages.insert(s.code.clone());
                }
                _ => ci.push(s.code.clone()),
            }
        }
        form.ci_types = ci.join("\n");
        form
    }

    /// From the posted pairs (`category`, `language` repeated; `ci_types` once).
    fn posted(pairs: &[(String, String)]) -> Self {
        let mut form = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "category" => {
                    form.categories.insert(v.clone());
                }
                "language" => {
                    form.languages.insert(v.clone());
                }
                "ci_types" => form.ci_types = v.clone(),
                _ => {}
            }
        }
        form
    }

    fn input(&self) -> Vec<SkillInput> {
        let skill = |kind: &str, code: &str| SkillInput {
            kind: kind.to_owned(),
            code: code.to_owned(),
        };
        let ci: BTreeSet<&str> = self
            .ci_types
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        self.categories
            .iter()
            .map(|c| skill("category", c))
            .chain(self.languages.iter().map(|l| skill("language", l)))
            .chain(ci.into_iter().map(|c| skill("ci_type", c)))
            .collect()
    }

    pub fn has_category(&self, id: &str) -> bool {
        self.categories.contains(id)
    }

    pub fn has_language(&self, code: &str) -> bool {
        self.languages.contains(code)
    }
}

#[derive(Template)]
#[template(path = "admin/user_skills.html")]
struct SkillsPage {
    c: Ctx,
    user_id: i64,
    user_name: String,
    form: SkillsForm,
    errors: FieldErrors,
    /// Active categories (id, name in the viewer's language), and retired ones the agent
    /// still has, so a save does not drop them unseen.
    categories: Vec<(String, String)>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    user: UserId,
    form: SkillsForm,
) -> WebResult<SkillsPage> {
    let u = state.store.users().get(user).await?;
    let es = viewer.lang.code() == "es";
    let categories = state
        .store
        .categories()
        .list()
        .await?
        .into_iter()
        .filter(|c| c.active || form.has_category(&c.id.to_string()))
        .map(|c| {
            let name = if es { c.name_es } else { c.name_en };
            (c.id.to_string(), name)
        })
        .collect();
    let mut c = viewer.ctx("skills-title");
    c.title = format!("{} · {}", c.title, u.name);
    Ok(SkillsPage {
        c,
        user_id: u.id.get(),
        user_name: u.name,
        form,
        errors: FieldErrors::default(),
        categories,
    })
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    let skills = crate::desk::routing::skills(&state, &viewer.caller(), UserId(id)).await?;
    render(&page(&state, &viewer, UserId(id), SkillsForm::of(&skills)).await?)
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::UsersManage)?;
    let form = SkillsForm::posted(&form);
    let save = async {
        crate::desk::routing::set_skills(&state, &viewer.caller(), UserId(id), &form.input())
            .await
            .map_err(Refused::from)?;
        Ok(format!("/admin/users/{id}/skills"))
    };
    let shown = page(&state, &viewer, UserId(id), form.clone());
    submit(viewer.lang, FIELDS, save, shown, |p, errors| {
        p.errors = errors
    })
    .await
}
