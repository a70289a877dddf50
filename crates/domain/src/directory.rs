//! The people directory (SPEC C15): organisations, departments, users and support groups,
//! with the validated inputs used to create and change them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{DepartmentId, GroupId, OrganisationId, RoleId, UserId};
use crate::people::{Email, Language, Tier, TimeZoneName};
use crate::text::{Text, ValidationError};

pub const NAME_MAX: usize = 200;
pub const PHONE_MAX: usize = 50;
pub const DESCRIPTION_MAX: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: OrganisationId,
    pub name: String,
    pub code: Option<String>,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: DepartmentId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub organisation_id: OrganisationId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// A user as the API shows it. The password hash never leaves the store's auth queries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub email: Email,
    pub name: String,
    pub phone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub organisation_id: Option<OrganisationId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub department_id: Option<DepartmentId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "es"))]
    pub language: Language,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Europe/Madrid"))]
    pub time_zone: TimeZoneName,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub role_id: RoleId,
    /// The role's name, e.g. `agent`.
    pub role: String,
    pub organisation_manager: bool,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportGroup {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: GroupId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "L1"))]
    pub tier: Tier,
    pub description: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMember {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub user_id: UserId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub email: Email,
    /// Supervisors of a group are notified on hierarchical escalation.
    pub supervisor: bool,
}

/// Validated input for a new organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: Text,
    pub code: Option<Text>,
}

impl NewOrganisation {
    pub fn parse(name: &str, code: Option<&str>) -> Result<Self, ValidationError> {
        Ok(Self {
            name: Text::parse("name", name, NAME_MAX)?,
            code: Text::parse_optional("code", code, 50)?,
        })
    }
}

/// A partial update of an organisation; `None` keeps the field.
#[derive(Debug, Clone, Default)]
pub struct OrganisationPatch {
    pub name: Option<Text>,
    pub code: Option<Option<Text>>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct NewDepartment {
    pub organisation_id: OrganisationId,
    pub name: Text,
}

/// Validated input for a new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: Text,
    pub phone: Option<Text>,
    pub organisation_id: Option<OrganisationId>,
    pub department_id: Option<DepartmentId>,
    pub language: Language,
    pub time_zone: TimeZoneName,
    pub role_id: RoleId,
    pub organisation_manager: bool,
    pub password_hash: Option<String>,
}

/// A partial update of a user; `None` keeps the field, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub email: Option<Email>,
    pub name: Option<Text>,
    pub phone: Option<Option<Text>>,
    pub organisation_id: Option<Option<OrganisationId>>,
    pub department_id: Option<Option<DepartmentId>>,
    pub language: Option<Language>,
    pub time_zone: Option<TimeZoneName>,
    pub role_id: Option<RoleId>,
    pub organisation_manager: Option<bool>,
    pub active: Option<bool>,
}

impl UserPatch {
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.name.is_none()
            && self.phone.is_none()
            && self.organisation_id.is_none()
            && self.department_id.is_none()
            && self.language.is_none()
            && self.time_zone.is_none()
            && self.role_id.is_none()
            && self.organisation_manager.is_none()
            && self.active.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct NewGroup {
    pub name: Text,
    pub tier: Tier,
    pub description: Option<Text>,
    pub email: Option<Email>,
}

#[derive(Debug, Clone, Default)]
pub struct GroupPatch {
    pub name: Option<Text>,
    pub tier: Option<Tier>,
    pub description: Option<Option<Text>>,
    pub email: Option<Option<Email>>,
    pub active: Option<bool>,
}

/// Keyset page request shared by every list: items after `after` (an id), at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PageRequest {
    pub after: Option<i64>,
    pub limit: u32,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 200;

    pub fn new(after: Option<i64>, limit: Option<u32>) -> Result<Self, ValidationError> {
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if limit == 0 || limit > Self::MAX_LIMIT {
            return Err(ValidationError::new(
                "limit",
                format!("must be between 1 and {}", Self::MAX_LIMIT),
            ));
        }
        Ok(Self { after, limit })
    }
}

/// One page of results and the cursor of the next page, if there is one: pass `next` as
/// `after` to get the following page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in id order: the extra row only
    /// says that another page exists, so no count query is needed.
    pub fn from_rows(mut rows: Vec<T>, limit: u32, id: impl Fn(&T) -> i64) -> Self {
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(id)
        } else {
            None
        };
        Self { items: rows, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_from_rows_uses_the_extra_row_only_as_a_marker() {
        let p = Page::from_rows(vec![1, 2, 3], 2, |x| *x);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next, Some(2));
        let p = Page::from_rows(vec![1, 2], 2, |x| *x);
        assert_eq!(p.next, None);
    }

    #[test]
    fn page_limits() {
        assert!(PageRequest::new(None, Some(0)).is_err());
        assert!(PageRequest::new(None, Some(201)).is_err());
        assert_eq!(PageRequest::new(Some(5), None).map(|p| p.limit), Ok(50));
    }
}
