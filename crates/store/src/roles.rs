//! Roles: named permission sets with a data scope. Built-in roles are re-applied from the
//! domain at every migration, so their definition lives in code.

use ventanilla_domain::RoleId;
use ventanilla_domain::access::{
    Role, Scope, builtin_roles, format_permissions, parse_permissions,
};

use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: i64,
    name: String,
    permissions: String,
    scope: String,
    builtin: bool,
}

impl TryFrom<RoleRow> for Role {
    type Error = StoreError;
    fn try_from(r: RoleRow) -> Result<Role> {
        Ok(Role {
            id: RoleId(r.id),
            name: r.name,
            permissions: parse_permissions(&r.permissions)?,
            scope: r.scope.parse::<Scope>()?,
            builtin: r.builtin,
        })
    }
}

pub struct Roles<'a>(&'a Store);

impl Store {
    pub fn roles(&self) -> Roles<'_> {
        Roles(self)
    }
}

impl Roles<'_> {
    pub(crate) async fn sync_builtin(&self) -> Result<()> {
        in_transaction!(self.0, |tx| {
            for (name, scope, perms) in builtin_roles() {
                sqlx::query(
                    "INSERT INTO roles (name, permissions, scope, builtin) VALUES ($1, $2, $3, TRUE)
                     ON CONFLICT (name) DO UPDATE
                     SET permissions = excluded.permissions, scope = excluded.scope, builtin = TRUE",
                )
                .bind(name)
                .bind(format_permissions(&perms))
                .bind(scope.name())
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    pub async fn list(&self) -> Result<Vec<Role>> {
        let rows: Vec<RoleRow> = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT id, name, permissions, scope, builtin FROM roles ORDER BY id")
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(Role::try_from).collect()
    }

    pub async fn by_name(&self, name: &str) -> Result<Role> {
        let row: RoleRow = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT id, name, permissions, scope, builtin FROM roles WHERE name = $1",
            )
            .bind(name)
            .fetch_one(db)
            .await?
        });
        row.try_into()
    }

    pub async fn get(&self, id: RoleId) -> Result<Role> {
        let row: RoleRow = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT id, name, permissions, scope, builtin FROM roles WHERE id = $1")
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// Creates a custom role.
    pub async fn create(
        &self,
        name: &str,
        scope: Scope,
        permissions: &std::collections::BTreeSet<ventanilla_domain::Permission>,
    ) -> Result<Role> {
        let row: RoleRow = on_writer!(self.0, |db| {
            sqlx::query_as(
                "INSERT INTO roles (name, permissions, scope, builtin) VALUES ($1, $2, $3, FALSE)
                 RETURNING id, name, permissions, scope, builtin",
            )
            .bind(name)
            .bind(format_permissions(permissions))
            .bind(scope.name())
            .fetch_one(db)
            .await?
        });
        row.try_into()
    }
}
