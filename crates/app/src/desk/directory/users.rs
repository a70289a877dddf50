//! People (SPEC C15): creating users and changing them (oneself or, with `users.manage`, anyone).

use super::{conflict_on, double_option};
use crate::App;
use crate::desk::require;
use crate::desk::{DeskError, DeskResult, audit, missing_as};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::Caller;
use ventanilla_domain::directory::{NAME_MAX, NewUser, PHONE_MAX, User, UserPatch};
use ventanilla_domain::{
    DepartmentId, Email, Language, OrganisationId, Permission, Text, TimeZoneName, UserId,
    ValidationError,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name or email.
    pub q: Option<String>,
    pub organisation_id: Option<i64>,
    /// Role name, e.g. `agent`.
    pub role: Option<String>,
    pub active: Option<bool>,
    /// The `next` value of the previous page.
    pub after: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub organisation_id: Option<i64>,
    pub department_id: Option<i64>,
    /// `es` (default) or `en`.
    pub language: Option<String>,
    /// IANA time zone, default `Europe/Madrid`.
    pub time_zone: Option<String>,
    /// Role name: `requester` (default), `agent`, `supervisor`, `admin` or a custom role.
    pub role: Option<String>,
    #[serde(default)]
    pub organisation_manager: bool,
    /// Optional initial password (at least 10 characters). Without one the user cannot sign
    /// in with a password until one is set.
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub email: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub organisation_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    pub role: Option<String>,
    pub organisation_manager: Option<bool>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
    /// Required when changing one's own password.
    pub current_password: Option<String>,
}

/// Creates a user.
pub async fn create_user(app: &App, caller: &Caller, req: CreateUser) -> DeskResult<User> {
    require(caller, Permission::UsersManage)?;
    insert_user(app, audit(app, caller, "user.create"), req).await
}

/// Creates a user for the machine's operator (`ventanilla user add`): nobody is signed in —
/// the first administrator is made this way — so the audit row has no actor and says `cli`.
pub async fn create_user_by_operator(app: &App, req: CreateUser) -> DeskResult<User> {
    let entry = ventanilla_store::audit::NewAudit::new(
        app.now(),
        None,
        "user.create",
        Some(ventanilla_domain::Origin::Cli.as_str().into()),
    );
    insert_user(app, entry, req).await
}

/// The one way a user is created: role, placement, password policy, every field validated,
/// the audit row written with the user.
async fn insert_user(
    app: &App,
    entry: ventanilla_store::audit::NewAudit,
    req: CreateUser,
) -> DeskResult<User> {
    let role = app
        .store
        .roles()
        .by_name(
            req.role
                .as_deref()
                .unwrap_or(ventanilla_domain::access::REQUESTER),
        )
        .await
        .map_err(|e| missing_as(e, "role", "is not a known role"))?;
    let organisation_id = req.organisation_id.map(OrganisationId);
    let department_id = req.department_id.map(DepartmentId);
    check_placement(app, organisation_id, department_id).await?;
    let password_hash = match req.password {
        Some(p) => Some(super::hash_password(app, p).await?),
        None => None,
    };
    let new = NewUser {
        email: Email::parse(&req.email)?,
        name: Text::parse("name", &req.name, NAME_MAX)?,
        phone: Text::parse_optional("phone", req.phone.as_deref(), PHONE_MAX)?,
        organisation_id,
        department_id,
        language: req
            .language
            .as_deref()
            .map_or(Ok(Language::Es), str::parse)?,
        time_zone: match req.time_zone.as_deref() {
            Some(z) => TimeZoneName::parse(z)?,
            None => app.config.defaults.time_zone()?,
        },
        role_id: role.id,
        organisation_manager: req.organisation_manager,
        password_hash,
    };
    let entry = entry.target("user", None).detail(serde_json::json!({
        "email": new.email, "name": new.name, "role": role.name,
        "organisation_id": new.organisation_id, "department_id": new.department_id,
    }));
    let user = app
        .store
        .users()
        .create(&new, &entry)
        .await
        .map_err(|e| conflict_on(e, "email"))?;
    Ok(user)
}

/// Changes a user. Users may change their own name, phone, language and time zone; all
/// other changes, and changes to others, need `users.manage`.
pub async fn update_user(app: &App, caller: &Caller, id: i64, req: UpdateUser) -> DeskResult<User> {
    let id = UserId(id);
    let admin_fields = req.email.is_some()
        || req.organisation_id.is_some()
        || req.department_id.is_some()
        || req.role.is_some()
        || req.organisation_manager.is_some()
        || req.active.is_some();
    if !caller.actor.is_self(id) || admin_fields {
        require(caller, Permission::UsersManage)?;
    }
    let current = app.store.users().get(id).await?;
    let role_id = match &req.role {
        Some(name) => Some(
            app.store
                .roles()
                .by_name(name)
                .await
                .map_err(|e| missing_as(e, "role", "is not a known role"))?
                .id,
        ),
        None => None,
    };
    // An administrator cannot lock themself out by accident.
    if caller.actor.is_self(id)
        && (req.active == Some(false) || role_id.is_some_and(|r| r != current.role_id))
    {
        return Err(DeskError::Conflict(
            "you cannot deactivate yourself or change your own role".into(),
        ));
    }
    let patch = UserPatch {
        email: req.email.as_deref().map(Email::parse).transpose()?,
        name: req
            .name
            .as_deref()
            .map(|n| Text::parse("name", n, NAME_MAX))
            .transpose()?,
        phone: req
            .phone
            .as_ref()
            .map(|p| Text::parse_optional("phone", p.as_deref(), PHONE_MAX))
            .transpose()?,
        organisation_id: req.organisation_id.map(|o| o.map(OrganisationId)),
        department_id: req.department_id.map(|d| d.map(DepartmentId)),
        language: req.language.as_deref().map(str::parse).transpose()?,
        time_zone: req
            .time_zone
            .as_deref()
            .map(TimeZoneName::parse)
            .transpose()?,
        role_id,
        organisation_manager: req.organisation_manager,
        active: req.active,
    };
    if patch.is_empty() {
        return Ok(current);
    }
    check_placement(
        app,
        patch.organisation_id.unwrap_or(current.organisation_id),
        patch.department_id.unwrap_or(current.department_id),
    )
    .await?;
    let entry = audit(app, caller, "user.update")
        .target("user", Some(id.get()))
        .detail(serde_json::json!({
            "email": patch.email, "name": patch.name, "phone": patch.phone,
            "organisation_id": patch.organisation_id, "department_id": patch.department_id,
            "language": patch.language, "time_zone": patch.time_zone, "role": req.role,
            "organisation_manager": patch.organisation_manager, "active": patch.active,
        }));
    let (_, after) = app
        .store
        .users()
        .update(id, &patch, &entry)
        .await
        .map_err(|e| conflict_on(e, "email"))?;
    Ok(after)
}

/// A department must belong to the user's organisation.
pub async fn check_placement(
    app: &App,
    org: Option<OrganisationId>,
    dept: Option<DepartmentId>,
) -> DeskResult<()> {
    if let Some(o) = org {
        app.store
            .organisations()
            .get(o)
            .await
            .map_err(|e| missing_as(e, "organisation_id", "does not exist"))?;
    }
    if let Some(d) = dept {
        let dept = app
            .store
            .departments()
            .get(d)
            .await
            .map_err(|e| missing_as(e, "department_id", "does not exist"))?;
        if Some(dept.organisation_id) != org {
            return Err(
                ValidationError::new("department_id", "belongs to another organisation").into(),
            );
        }
    }
    Ok(())
}

/// Sets another user's password (`users.manage`); every session of that user ends. One's own
/// password changes through the API with the current password, throttled like sign-in.
pub async fn set_password_of(
    app: &App,
    caller: &Caller,
    id: i64,
    password: String,
) -> DeskResult<()> {
    require(caller, Permission::UsersManage)?;
    let id = UserId(id);
    if caller.actor.is_self(id) {
        return Err(DeskError::Forbidden);
    }
    let hash = super::hash_password(app, password).await?;
    let entry = audit(app, caller, "user.password").target("user", Some(id.get()));
    app.store
        .users()
        .set_password_hash(id, &hash, &entry)
        .await?;
    Ok(())
}
