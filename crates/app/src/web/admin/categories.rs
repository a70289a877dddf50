//! Administration of the category tree (SPEC C2): the whole tree in order with its depth, the
//! new-category page and one page per category (Spanish and English names, parent, active).
//! Retired categories stay on old tickets and leave the pickers. Saves go through the API's
//! handlers (which refuse a parent that would make a cycle); refusals come back beside the
//! fields.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::ticket::Category;
use ventanilla_domain::{CategoryId, Permission};

use super::edit::{Refused, checked, id_field, submit};
use crate::AppState;
use crate::desk::directory::categories::{CreateCategory, UpdateCategory};
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

const FIELDS: &[&str] = &["code", "parent_id", "name_es", "name_en", "active"];

/// The tree in display order (each parent followed by its children), with each depth.
pub fn tree(all: &[Category]) -> Vec<(Category, usize)> {
    fn walk(
        all: &[Category],
        parent: Option<CategoryId>,
        depth: usize,
        out: &mut Vec<(Category, usize)>,
    ) {
        // Depth is bounded: the store refuses cycles, and this guards against bad data.
        if depth > 16 {
            return;
        }
        for c in all.iter().filter(|c| c.parent_id == parent) {
            out.push((c.clone(), depth));
            walk(all, Some(c.id), depth + 1, out);
        }
    }
    let mut out = Vec::with_capacity(all.len());
    walk(all, None, 0, &mut out);
    out
}

/// Indentation for a depth in a select (`— — `).
pub fn indent(depth: &usize) -> String {
    "— ".repeat(*depth)
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct CategoryForm {
    pub code: String,
    pub parent_id: String,
    pub name_es: String,
    pub name_en: String,
    pub active: String,
}

#[derive(Template)]
#[template(path = "admin/category.html")]
struct CategoryPage {
    c: Ctx,
    category: Option<Category>,
    form: CategoryForm,
    errors: FieldErrors,
    /// Possible parents: the tree without this category and its descendants.
    parents: Vec<(Category, usize)>,
}

impl CategoryPage {
    async fn load(
        state: &AppState,
        viewer: &Viewer,
        category: Option<Category>,
        form: CategoryForm,
    ) -> WebResult<CategoryPage> {
        let all = state.store.categories().list().await?;
        let mut parents = Vec::new();
        let mut skip_below: Option<usize> = None;
        for (cat, depth) in tree(&all) {
            if let Some(d) = skip_below {
                if depth > d {
                    continue;
                }
                skip_below = None;
            }
            if category.as_ref().is_some_and(|own| own.id == cat.id) {
                skip_below = Some(depth);
                continue;
            }
            parents.push((cat, depth));
        }
        let mut c = viewer.ctx(if category.is_some() {
            "edit-category"
        } else {
            "new-category"
        });
        if let Some(cat) = &category {
            c.title = format!(
                "{} · {}",
                c.title,
                crate::web::kit::view::category_name(&c.lang, cat)
            );
        }
        Ok(CategoryPage {
            c,
            category,
            form,
            errors: FieldErrors::default(),
            parents,
        })
    }
}

pub async fn new_page(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let form = CategoryForm {
        active: "on".into(),
        ..CategoryForm::default()
    };
    render(&CategoryPage::load(&state, &viewer, None, form).await?)
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<CategoryForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let save = async {
        let mut errors = FieldErrors::default();
        let Some(parent_id) = id_field(viewer.lang, &mut errors, "parent_id", &form.parent_id)
        else {
            return Err(Refused::Fields(errors));
        };
        let req = CreateCategory {
            code: form.code.trim().to_owned(),
            parent_id,
            name_es: form.name_es.clone(),
            name_en: form.name_en.clone(),
        };
        let cat =
            crate::desk::directory::categories::create_category(&state, &viewer.caller(), req)
                .await?;
        Ok(format!("/admin/categories/{}", cat.id))
    };
    let page = CategoryPage::load(&state, &viewer, None, form.clone());
    submit(viewer.lang, FIELDS, save, page, |p, errors| {
        p.errors = errors
    })
    .await
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let cat = state.store.categories().get(CategoryId(id)).await?;
    let form = CategoryForm {
        code: cat.code.clone(),
        parent_id: cat.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        name_es: cat.name_es.clone(),
        name_en: cat.name_en.clone(),
        active: if cat.active { "on" } else { "" }.into(),
    };
    render(&CategoryPage::load(&state, &viewer, Some(cat), form).await?)
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<CategoryForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::ConfigManage)?;
    let current = state.store.categories().get(CategoryId(id)).await?;
    let save = async {
        let mut errors = FieldErrors::default();
        let Some(parent) = id_field(viewer.lang, &mut errors, "parent_id", &form.parent_id) else {
            return Err(Refused::Fields(errors));
        };
        let active = checked(&form.active);
        let req = UpdateCategory {
            parent_id: (parent != current.parent_id.map(|p| p.get())).then_some(parent),
            name_es: (form.name_es.trim() != current.name_es).then(|| form.name_es.clone()),
            name_en: (form.name_en.trim() != current.name_en).then(|| form.name_en.clone()),
            active: (active != current.active).then_some(active),
        };
        let unchanged = req.parent_id.is_none()
            && req.name_es.is_none()
            && req.name_en.is_none()
            && req.active.is_none();
        if !unchanged {
            crate::desk::directory::categories::update_category(&state, &viewer.caller(), id, req)
                .await?;
        }
        Ok(format!("/admin/categories/{id}"))
    };
    let page = CategoryPage::load(&state, &viewer, Some(current.clone()), form.clone());
    submit(viewer.lang, FIELDS, save, page, |p, errors| {
        p.errors = errors
    })
    .await
}
