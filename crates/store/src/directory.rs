//! Organisations and departments.

use ventanilla_domain::directory::{
    Department, NewDepartment, NewOrganisation, Organisation, OrganisationPatch, Page, PageRequest,
};
use ventanilla_domain::{DepartmentId, OrganisationId, Text};

use crate::audit::NewAudit;
use crate::sql::{Param, SqlBuilder, like_contains};
use crate::time::{from_db, to_db};
use crate::{Result, Store};

#[derive(sqlx::FromRow)]
struct OrganisationRow {
    id: i64,
    name: String,
    code: Option<String>,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = crate::StoreError;
    fn try_from(r: OrganisationRow) -> Result<Self> {
        Ok(Organisation {
            id: OrganisationId(r.id),
            name: r.name,
            code: r.code,
            active: r.active,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DepartmentRow {
    id: i64,
    organisation_id: i64,
    name: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<DepartmentRow> for Department {
    type Error = crate::StoreError;
    fn try_from(r: DepartmentRow) -> Result<Self> {
        Ok(Department {
            id: DepartmentId(r.id),
            organisation_id: OrganisationId(r.organisation_id),
            name: r.name,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
        })
    }
}

const ORG_COLUMNS: &str = "id, name, code, active, created_at, updated_at";
const DEPT_COLUMNS: &str = "id, organisation_id, name, created_at, updated_at";

/// Filters for listing organisations.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    pub q: Option<String>,
    pub active: Option<bool>,
    /// Restricts the list to one organisation (a requester's data scope).
    pub only: Option<OrganisationId>,
}

pub struct Organisations<'a>(&'a Store);
pub struct Departments<'a>(&'a Store);

impl Store {
    pub fn organisations(&self) -> Organisations<'_> {
        Organisations(self)
    }
    pub fn departments(&self) -> Departments<'_> {
        Departments(self)
    }
}

impl Organisations<'_> {
    pub async fn create(&self, new: &NewOrganisation, audit: &NewAudit) -> Result<Organisation> {
        let now = audit.at;
        let sql = format!(
            "INSERT INTO organisations (name, code, active, created_at, updated_at)
             VALUES ($1, $2, TRUE, $3, $3) RETURNING {ORG_COLUMNS}"
        );
        let row: OrganisationRow = in_transaction!(self.0, |tx| {
            let row: OrganisationRow = sqlx::query_as(crate::sql::trusted(&sql))
                .bind(new.name.as_str())
                .bind(new.code.as_ref().map(Text::as_str))
                .bind(to_db(now))
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit, Some(row.id));
            row
        });
        row.try_into()
    }

    /// The active organisation whose code is `key`, else whose name is `key` ignoring ASCII
    /// case (names are unique that way, `organisations_name_key`); `NotFound` otherwise. What
    /// a directory or an identity provider names an organisation by.
    pub async fn by_name_or_code(&self, key: &str) -> Result<Organisation> {
        let sql = format!(
            "SELECT {ORG_COLUMNS} FROM organisations WHERE active = TRUE AND (code = $1 OR lower(name) = lower($1)) \
             ORDER BY CASE WHEN code = $1 THEN 0 ELSE 1 END LIMIT 1"
        );
        let row: OrganisationRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(key)
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    pub async fn get(&self, id: OrganisationId) -> Result<Organisation> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1");
        let row: OrganisationRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    pub async fn list(
        &self,
        f: &OrganisationFilter,
        page: PageRequest,
    ) -> Result<Page<Organisation>> {
        let mut b = SqlBuilder::new(&format!(
            "SELECT {ORG_COLUMNS} FROM organisations WHERE id > "
        ));
        b.bind(Param::I64(page.after.unwrap_or(0)));
        if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
            b.push(" AND lower(name) LIKE ")
                .bind(Param::Text(like_contains(q.trim())))
                .push(" ESCAPE '\\'");
        }
        if let Some(a) = f.active {
            b.push(" AND active = ").bind(Param::Bool(a));
        }
        if let Some(o) = f.only {
            b.push(" AND id = ").bind(Param::I64(o.get()));
        }
        b.push(" ORDER BY id LIMIT ")
            .bind(Param::I64(i64::from(page.limit) + 1));
        let (sql, params) = b.finish();
        let rows: Vec<OrganisationRow> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(crate::sql::trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        let items = rows
            .into_iter()
            .map(Organisation::try_from)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(items, page.limit, |o| o.id.get()))
    }

    pub async fn update(
        &self,
        id: OrganisationId,
        patch: &OrganisationPatch,
        audit: &NewAudit,
    ) -> Result<(Organisation, Organisation)> {
        let now = audit.at;
        let select = format!("SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1");
        let update = format!(
            "UPDATE organisations SET name = $2, code = $3, active = $4, updated_at = $5
             WHERE id = $1 RETURNING {ORG_COLUMNS}"
        );
        let (before, after): (OrganisationRow, OrganisationRow) = in_transaction!(self.0, |tx| {
            let before: OrganisationRow = sqlx::query_as(crate::sql::trusted(&select))
                .bind(id.get())
                .fetch_one(&mut *tx)
                .await?;
            let name = patch
                .name
                .as_ref()
                .map_or(before.name.clone(), |n| n.to_string());
            let code = match &patch.code {
                Some(c) => c.as_ref().map(|c| c.to_string()),
                None => before.code.clone(),
            };
            let after: OrganisationRow = sqlx::query_as(crate::sql::trusted(&update))
                .bind(id.get())
                .bind(name)
                .bind(code)
                .bind(patch.active.unwrap_or(before.active))
                .bind(to_db(now))
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit, Some(id.get()));
            (before, after)
        });
        Ok((before.try_into()?, after.try_into()?))
    }
}

impl Departments<'_> {
    pub async fn create(&self, new: &NewDepartment, audit: &NewAudit) -> Result<Department> {
        let now = audit.at;
        let sql = format!(
            "INSERT INTO departments (organisation_id, name, created_at, updated_at)
             VALUES ($1, $2, $3, $3) RETURNING {DEPT_COLUMNS}"
        );
        let row: DepartmentRow = in_transaction!(self.0, |tx| {
            let row: DepartmentRow = sqlx::query_as(crate::sql::trusted(&sql))
                .bind(new.organisation_id.get())
                .bind(new.name.as_str())
                .bind(to_db(now))
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit, Some(row.id));
            row
        });
        row.try_into()
    }

    /// The organisation's department named `name`, ignoring ASCII case (unique that way,
    /// `departments_org_name_key`); `NotFound` otherwise.
    pub async fn by_name(&self, organisation: OrganisationId, name: &str) -> Result<Department> {
        let sql = format!(
            "SELECT {DEPT_COLUMNS} FROM departments WHERE organisation_id = $1 AND lower(name) = lower($2)"
        );
        let row: DepartmentRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(organisation.get())
                .bind(name)
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    pub async fn get(&self, id: DepartmentId) -> Result<Department> {
        let sql = format!("SELECT {DEPT_COLUMNS} FROM departments WHERE id = $1");
        let row: DepartmentRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    pub async fn list(
        &self,
        organisation: Option<OrganisationId>,
        page: PageRequest,
    ) -> Result<Page<Department>> {
        let mut b = SqlBuilder::new(&format!(
            "SELECT {DEPT_COLUMNS} FROM departments WHERE id > "
        ));
        b.bind(Param::I64(page.after.unwrap_or(0)));
        if let Some(o) = organisation {
            b.push(" AND organisation_id = ").bind(Param::I64(o.get()));
        }
        b.push(" ORDER BY id LIMIT ")
            .bind(Param::I64(i64::from(page.limit) + 1));
        let (sql, params) = b.finish();
        let rows: Vec<DepartmentRow> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(crate::sql::trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        let items = rows
            .into_iter()
            .map(Department::try_from)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(items, page.limit, |d| d.id.get()))
    }

    /// Renames a department; returns (before, after).
    pub async fn rename(
        &self,
        id: DepartmentId,
        name: &Text,
        audit: &NewAudit,
    ) -> Result<(Department, Department)> {
        let now = audit.at;
        let select = format!("SELECT {DEPT_COLUMNS} FROM departments WHERE id = $1");
        let update = format!(
            "UPDATE departments SET name = $2, updated_at = $3 WHERE id = $1 RETURNING {DEPT_COLUMNS}"
        );
        let (before, after): (DepartmentRow, DepartmentRow) = in_transaction!(self.0, |tx| {
            let before: DepartmentRow = sqlx::query_as(crate::sql::trusted(&select))
                .bind(id.get())
                .fetch_one(&mut *tx)
                .await?;
            let after: DepartmentRow = sqlx::query_as(crate::sql::trusted(&update))
                .bind(id.get())
                .bind(name.as_str())
                .bind(to_db(now))
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit, Some(id.get()));
            (before, after)
        });
        Ok((before.try_into()?, after.try_into()?))
    }
}
