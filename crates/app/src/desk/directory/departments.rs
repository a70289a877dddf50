//! Departments of organisations (SPEC C15).

use super::conflict_on;
use crate::App;
use crate::desk::require;
use crate::desk::{DeskResult, audit, missing_as};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::Caller;
use ventanilla_domain::directory::{Department, NAME_MAX, NewDepartment};
use ventanilla_domain::{DepartmentId, OrganisationId, Permission, Text};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub organisation_id: Option<i64>,
    /// The `next` value of the previous page.
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDepartment {
    pub organisation_id: i64,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDepartment {
    pub name: String,
}

/// Creates a department.
pub async fn create_department(
    app: &App,
    caller: &Caller,
    req: CreateDepartment,
) -> DeskResult<Department> {
    require(caller, Permission::OrganisationsManage)?;
    let organisation_id = OrganisationId(req.organisation_id);
    app.store
        .organisations()
        .get(organisation_id)
        .await
        .map_err(|e| missing_as(e, "organisation_id", "does not exist"))?;
    let new = NewDepartment {
        organisation_id,
        name: Text::parse("name", &req.name, NAME_MAX)?,
    };
    let entry = audit(app, caller, "department.create")
        .target("department", None)
        .detail(serde_json::json!({ "organisation_id": organisation_id, "name": new.name }));
    let dept = app
        .store
        .departments()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    Ok(dept)
}

/// Renames a department.
pub async fn update_department(
    app: &App,
    caller: &Caller,
    id: i64,
    req: UpdateDepartment,
) -> DeskResult<Department> {
    require(caller, Permission::OrganisationsManage)?;
    let name = Text::parse("name", &req.name, NAME_MAX)?;
    let entry = audit(app, caller, "department.update")
        .target("department", Some(id))
        .detail(serde_json::json!({ "name": name }));
    let (_, after) = app
        .store
        .departments()
        .rename(DepartmentId(id), &name, &entry)
        .await
        .map_err(|e| conflict_on(e, "name"))?;
    Ok(after)
}
