//! The category tree and the impact x urgency matrix (SPEC C2).

use super::{conflict_on, double_option};
use crate::App;
use crate::desk::require;
use crate::desk::tickets::matrix;
use crate::desk::{DeskResult, audit, missing_as};
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::Caller;
use ventanilla_domain::ticket::{Category, PriorityMatrix, parse_category_code};
use ventanilla_domain::{CategoryId, Permission, Text};
use ventanilla_store::categories::{CategoryPatch, NewCategory};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategory {
    /// Stable code, e.g. `hardware.printer`.
    pub code: String,
    pub parent_id: Option<i64>,
    pub name_es: String,
    pub name_en: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategory {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    pub name_es: Option<String>,
    pub name_en: Option<String>,
    pub active: Option<bool>,
}

/// Adds a category.
pub async fn create_category(
    app: &App,
    caller: &Caller,
    req: CreateCategory,
) -> DeskResult<Category> {
    require(caller, Permission::ConfigManage)?;
    let parent_id = match req.parent_id {
        Some(p) => Some(
            app.store
                .categories()
                .get(CategoryId(p))
                .await
                .map_err(|e| missing_as(e, "parent_id", "does not exist"))?
                .id,
        ),
        None => None,
    };
    let new = NewCategory {
        code: parse_category_code(&req.code)?,
        parent_id,
        name_es: Text::parse("name_es", &req.name_es, 200)?.into_string(),
        name_en: Text::parse("name_en", &req.name_en, 200)?.into_string(),
    };
    let entry = audit(app, caller, "category.create")
        .target("category", None)
        .detail(serde_json::json!({ "code": new.code }));
    let c = app
        .store
        .categories()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "code"))?;
    Ok(c)
}

/// Renames, moves or retires a category (retired ones stay on old tickets).
pub async fn update_category(
    app: &App,
    caller: &Caller,
    id: i64,
    req: UpdateCategory,
) -> DeskResult<Category> {
    require(caller, Permission::ConfigManage)?;
    let patch = CategoryPatch {
        parent_id: match req.parent_id {
            Some(Some(p)) => Some(Some(
                app.store
                    .categories()
                    .get(CategoryId(p))
                    .await
                    .map_err(|e| missing_as(e, "parent_id", "does not exist"))?
                    .id,
            )),
            Some(None) => Some(None),
            None => None,
        },
        name_es: req
            .name_es
            .as_deref()
            .map(|n| Text::parse("name_es", n, 200).map(Text::into_string))
            .transpose()?,
        name_en: req
            .name_en
            .as_deref()
            .map(|n| Text::parse("name_en", n, 200).map(Text::into_string))
            .transpose()?,
        active: req.active,
    };
    let entry = audit(app, caller, "category.update").target("category", Some(id));
    Ok(app
        .store
        .categories()
        .update(CategoryId(id), &patch, &entry)
        .await?)
}

/// Replaces the matrix. Existing tickets keep their priority; new ones and re-derived ones
/// use the new matrix.
pub async fn save_matrix(
    app: &App,
    caller: &Caller,
    m: PriorityMatrix,
) -> DeskResult<PriorityMatrix> {
    require(caller, Permission::ConfigManage)?;
    let entry = audit(app, caller, "settings.priority_matrix")
        .detail(serde_json::to_value(m).unwrap_or_default());
    matrix::save(app, &m, &entry).await?;
    Ok(m)
}
