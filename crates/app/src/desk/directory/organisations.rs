//! Organisations (SPEC C15): the customers a service provider serves.

use super::{conflict_on, double_option};
use crate::App;
use crate::desk::require;
use crate::desk::{DeskResult, audit};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::Caller;
use ventanilla_domain::directory::{NAME_MAX, NewOrganisation, Organisation, OrganisationPatch};
use ventanilla_domain::{OrganisationId, Permission, Text};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub q: Option<String>,
    pub active: Option<bool>,
    /// The `next` value of the previous page.
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisation {
    pub name: String,
    /// Optional short code, unique (e.g. `ACME`).
    pub code: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganisation {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Creates an organisation.
pub async fn create_organisation(
    app: &App,
    caller: &Caller,
    req: CreateOrganisation,
) -> DeskResult<Organisation> {
    require(caller, Permission::OrganisationsManage)?;
    let new = NewOrganisation::parse(&req.name, req.code.as_deref())?;
    let entry = audit(app, caller, "organisation.create")
        .target("organisation", None)
        .detail(serde_json::json!({ "name": new.name, "code": new.code }));
    let org = app
        .store
        .organisations()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "name or code"))?;
    Ok(org)
}

/// Changes an organisation (deactivate with `"active": false`).
pub async fn update_organisation(
    app: &App,
    caller: &Caller,
    id: i64,
    req: UpdateOrganisation,
) -> DeskResult<Organisation> {
    require(caller, Permission::OrganisationsManage)?;
    let patch = OrganisationPatch {
        name: req
            .name
            .as_deref()
            .map(|n| Text::parse("name", n, NAME_MAX))
            .transpose()?,
        code: req
            .code
            .as_ref()
            .map(|c| Text::parse_optional("code", c.as_deref(), 50))
            .transpose()?,
        active: req.active,
    };
    let entry = audit(app, caller, "organisation.update")
        .target("organisation", Some(id))
        .detail(serde_json::json!({
            "name": patch.name, "code": patch.code, "active": patch.active,
        }));
    let (_, after) = app
        .store
        .organisations()
        .update(OrganisationId(id), &patch, &entry)
        .await
        .map_err(|e| conflict_on(e, "name or code"))?;
    Ok(after)
}
