//! Users: the directory entries, their credentials and the actor loaded for each request.

use ventanilla_domain::access::{Actor, Scope, parse_permissions};
use ventanilla_domain::directory::{NewUser, Page, PageRequest, User, UserPatch};
use ventanilla_domain::{DepartmentId, Email, OrganisationId, RoleId, Text, TimeZoneName, UserId};

use crate::audit::NewAudit;
use crate::sql::{Param, SqlBuilder, like_contains};
use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    phone: Option<String>,
    organisation_id: Option<i64>,
    department_id: Option<i64>,
    language: String,
    time_zone: String,
    role_id: i64,
    role: String,
    organisation_manager: bool,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self> {
        Ok(User {
            id: UserId(r.id),
            email: Email::parse(&r.email)?,
            name: r.name,
            phone: r.phone,
            organisation_id: r.organisation_id.map(OrganisationId),
            department_id: r.department_id.map(DepartmentId),
            language: r.language.parse()?,
            time_zone: TimeZoneName::parse(&r.time_zone)?,
            role_id: RoleId(r.role_id),
            role: r.role,
            organisation_manager: r.organisation_manager,
            active: r.active,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
        })
    }
}

const USER_SELECT: &str =
    "SELECT u.id, u.email, u.name, u.phone, u.organisation_id, u.department_id,
    u.language, u.time_zone, u.role_id, r.name AS role, u.organisation_manager, u.active,
    u.created_at, u.updated_at
    FROM users u JOIN roles r ON r.id = u.role_id";

/// Filters for listing users.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Substring of the name or email, case-insensitive.
    pub q: Option<String>,
    pub organisation_id: Option<OrganisationId>,
    pub role: Option<String>,
    pub active: Option<bool>,
}

/// What authentication needs of a user: id, active flag and password hash.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: UserId,
    pub active: bool,
    pub password_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ActorRow {
    id: i64,
    organisation_id: Option<i64>,
    organisation_manager: bool,
    active: bool,
    role: String,
    permissions: String,
    scope: String,
}

impl TryFrom<ActorRow> for Actor {
    type Error = StoreError;
    fn try_from(r: ActorRow) -> Result<Self> {
        Ok(Actor {
            user_id: UserId(r.id),
            organisation_id: r.organisation_id.map(OrganisationId),
            role: r.role,
            permissions: parse_permissions(&r.permissions)?,
            scope: r.scope.parse::<Scope>()?,
            organisation_manager: r.organisation_manager,
        })
    }
}

/// The columns an actor needs, joined from users and roles; shared by session and token
/// look-ups so each request costs one query.
pub(crate) const ACTOR_COLUMNS: &str = "u.id, u.organisation_id, u.organisation_manager,
    u.active, r.name AS role, r.permissions, r.scope";
pub(crate) const ACTOR_FROM: &str = "FROM users u JOIN roles r ON r.id = u.role_id";

pub(crate) fn actor_from_row<R>(row: &R) -> Result<Option<Actor>>
where
    R: sqlx::Row,
    for<'r> ActorRow: sqlx::FromRow<'r, R>,
{
    let a = ActorRow::from_row(row)?;
    if !a.active {
        return Ok(None);
    }
    Ok(Some(a.try_into()?))
}

use sqlx::FromRow as _;

/// The fields of a user an administrator sees, as the audit log records them.
fn user_json(r: &UserRow) -> serde_json::Map<String, serde_json::Value> {
    let v = serde_json::json!({
        "email": r.email, "name": r.name, "phone": r.phone,
        "organisation_id": r.organisation_id, "department_id": r.department_id,
        "language": r.language, "time_zone": r.time_zone, "role": r.role,
        "organisation_manager": r.organisation_manager, "active": r.active,
    });
    match v {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// The fields that differ between two versions of a user: (before, after).
fn changed_fields(before: &UserRow, after: &UserRow) -> (serde_json::Value, serde_json::Value) {
    let (b, a) = (user_json(before), user_json(after));
    let mut was = serde_json::Map::new();
    let mut is = serde_json::Map::new();
    for (k, v) in &a {
        if b.get(k) != Some(v) {
            was.insert(k.clone(), b.get(k).cloned().unwrap_or_default());
            is.insert(k.clone(), v.clone());
        }
    }
    (was.into(), is.into())
}

pub struct Users<'a>(&'a Store);

impl Store {
    pub fn users(&self) -> Users<'_> {
        Users(self)
    }
}

impl Users<'_> {
    pub async fn create(&self, new: &NewUser, audit: &NewAudit) -> Result<User> {
        let now = audit.at;
        let id: i64 = in_transaction!(self.0, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, name, phone, organisation_id, department_id, language,
                    time_zone, role_id, organisation_manager, active, password_hash, created_at,
                    updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, $11, $11)
                 RETURNING id",
            )
            .bind(new.email.as_str())
            .bind(new.name.as_str())
            .bind(new.phone.as_ref().map(Text::as_str))
            .bind(new.organisation_id.map(OrganisationId::get))
            .bind(new.department_id.map(DepartmentId::get))
            .bind(new.language.code())
            .bind(new.time_zone.as_str())
            .bind(new.role_id.get())
            .bind(new.organisation_manager)
            .bind(new.password_hash.as_deref())
            .bind(to_db(now))
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, audit, Some(id));
            id
        });
        self.get(UserId(id)).await
    }

    pub async fn get(&self, id: UserId) -> Result<User> {
        let sql = format!("{USER_SELECT} WHERE u.id = $1");
        let row: UserRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    pub async fn by_email(&self, email: &Email) -> Result<User> {
        let sql = format!("{USER_SELECT} WHERE u.email = $1");
        let row: UserRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(email.as_str())
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// Lists users the actor may see: scope `own` sees only themself, `organisation` their
    /// organisation's users, `group` and `all` everyone. The scope is part of the SQL.
    pub async fn list(
        &self,
        actor: &Actor,
        f: &UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>> {
        let mut b = SqlBuilder::new(USER_SELECT);
        b.push(" WHERE u.id > ")
            .bind(Param::I64(page.after.unwrap_or(0)));
        match actor.effective_scope() {
            Scope::Own => {
                b.push(" AND u.id = ").bind(Param::I64(actor.user_id.get()));
            }
            Scope::Organisation => {
                b.push(" AND u.organisation_id = ").bind(Param::OptI64(
                    actor.organisation_id.map(OrganisationId::get),
                ));
            }
            Scope::Group | Scope::All => {}
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = like_contains(q);
            b.push(" AND (lower(u.name) LIKE ")
                .bind(Param::Text(pattern.clone()));
            b.push(" ESCAPE '\\' OR u.email LIKE ")
                .bind(Param::Text(pattern))
                .push(" ESCAPE '\\')");
        }
        if let Some(o) = f.organisation_id {
            b.push(" AND u.organisation_id = ")
                .bind(Param::I64(o.get()));
        }
        if let Some(r) = &f.role {
            b.push(" AND r.name = ").bind(Param::Text(r.clone()));
        }
        if let Some(a) = f.active {
            b.push(" AND u.active = ").bind(Param::Bool(a));
        }
        b.push(" ORDER BY u.id LIMIT ")
            .bind(Param::I64(i64::from(page.limit) + 1));
        let (sql, params) = b.finish();
        let rows: Vec<UserRow> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(crate::sql::trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        let items = rows
            .into_iter()
            .map(User::try_from)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(items, page.limit, |u| u.id.get()))
    }

    /// Applies a patch; returns the user before and after, for the audit log.
    pub async fn update(
        &self,
        id: UserId,
        p: &UserPatch,
        audit: &NewAudit,
    ) -> Result<(User, User)> {
        let now = audit.at;
        let select = format!("{USER_SELECT} WHERE u.id = $1");
        let before: UserRow = in_transaction!(self.0, |tx| {
            let before: UserRow = sqlx::query_as(crate::sql::trusted(&select))
                .bind(id.get())
                .fetch_one(&mut *tx)
                .await?;
            let phone = match &p.phone {
                Some(v) => v.as_ref().map(|t| t.to_string()),
                None => before.phone.clone(),
            };
            let org = match p.organisation_id {
                Some(v) => v.map(OrganisationId::get),
                None => before.organisation_id,
            };
            let dept = match p.department_id {
                Some(v) => v.map(DepartmentId::get),
                None => before.department_id,
            };
            sqlx::query(
                "UPDATE users SET email = $2, name = $3, phone = $4, organisation_id = $5,
                    department_id = $6, language = $7, time_zone = $8, role_id = $9,
                    organisation_manager = $10, active = $11, updated_at = $12
                 WHERE id = $1",
            )
            .bind(id.get())
            .bind(
                p.email
                    .as_ref()
                    .map_or(before.email.clone(), |e| e.to_string()),
            )
            .bind(
                p.name
                    .as_ref()
                    .map_or(before.name.clone(), |n| n.to_string()),
            )
            .bind(phone)
            .bind(org)
            .bind(dept)
            .bind(
                p.language
                    .map_or(before.language.clone(), |l| l.code().to_owned()),
            )
            .bind(
                p.time_zone
                    .as_ref()
                    .map_or(before.time_zone.clone(), |t| t.as_str().to_owned()),
            )
            .bind(p.role_id.map_or(before.role_id, RoleId::get))
            .bind(
                p.organisation_manager
                    .unwrap_or(before.organisation_manager),
            )
            .bind(p.active.unwrap_or(before.active))
            .bind(to_db(now))
            .execute(&mut *tx)
            .await?;
            if p.active == Some(false) {
                // A deactivated user is signed out everywhere at once.
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            let after: UserRow = sqlx::query_as(crate::sql::trusted(&select))
                .bind(id.get())
                .fetch_one(&mut *tx)
                .await?;
            let (was, is) = changed_fields(&before, &after);
            let audit = audit.clone().change(was, is);
            insert_audit!(&mut *tx, &audit, Some(id.get()));
            before
        });
        Ok((before.try_into()?, self.get(id).await?))
    }

    /// Sets a new password hash and signs the user out of every session.
    pub async fn set_password_hash(&self, id: UserId, hash: &str, audit: &NewAudit) -> Result<()> {
        in_transaction!(self.0, |tx| {
            let done =
                sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
                    .bind(id.get())
                    .bind(hash)
                    .bind(to_db(audit.at))
                    .execute(&mut *tx)
                    .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit, Some(id.get()));
        });
        Ok(())
    }

    pub async fn credentials(&self, email: &Email) -> Result<Credentials> {
        let (id, active, hash): (i64, bool, Option<String>) = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT id, active, password_hash FROM users WHERE email = $1")
                .bind(email.as_str())
                .fetch_one(db)
                .await?
        });
        Ok(Credentials {
            user_id: UserId(id),
            active,
            password_hash: hash,
        })
    }

    /// The actor for an active user, or `None` when the user is inactive.
    pub async fn actor(&self, id: UserId) -> Result<Option<Actor>> {
        let sql = format!("SELECT {ACTOR_COLUMNS} {ACTOR_FROM} WHERE u.id = $1");
        on_reader!(self.0, |db| {
            let row = sqlx::query(crate::sql::trusted(&sql))
                .bind(id.get())
                .fetch_one(db)
                .await?;
            actor_from_row(&row)
        })
    }

    pub async fn count(&self) -> Result<i64> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT count(*) FROM users")
                .fetch_one(db)
                .await?
        }))
    }
}

impl Users<'_> {
    /// The active users whose role grants `permission` (its code, e.g. `reports.read`), by
    /// name; at most `limit`. Roles keep their permissions as a space-separated list.
    pub async fn active_with_permission(&self, permission: &str, limit: i64) -> Result<Vec<User>> {
        let sql = format!(
            "{USER_SELECT} WHERE u.active = TRUE AND (' ' || r.permissions || ' ') LIKE $1
             ORDER BY u.name, u.id LIMIT $2"
        );
        let rows: Vec<UserRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(format!("% {permission} %"))
                .bind(limit)
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(User::try_from).collect()
    }

    /// The ids of the active users holding `role` (e.g. every supervisor to notify).
    pub async fn active_with_role(&self, role: &str) -> Result<Vec<UserId>> {
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id
                 WHERE r.name = $1 AND u.active = TRUE ORDER BY u.id",
            )
            .bind(role)
            .fetch_all(db)
            .await?
        });
        Ok(ids.into_iter().map(UserId).collect())
    }
}
