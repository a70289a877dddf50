//! Role-based access control (SPEC C15): named permissions, data scopes, built-in roles and
//! the `Actor` every request acts as. Queries use `Actor::scope` inside their SQL.

use std::collections::BTreeSet;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{OrganisationId, RoleId, UserId};
use crate::text::ValidationError;

macro_rules! permissions {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// A named permission. Roles are sets of these; the names are stable (stored in the
        /// database and shown in the admin API).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Permission {
            $(#[doc = $doc] #[serde(rename = $name)] $variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Permission::$variant => $name,)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(Permission::$variant => $doc,)* }
            }
        }

        impl FromStr for Permission {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(Permission::$variant),)*
                    _ => Err(ValidationError::new("permissions", format!("unknown permission {s:?}"))),
                }
            }
        }
    };
}

permissions! {
    TicketsCreate => "tickets.create": "Open tickets for oneself (portal, email, API).",
    TicketsRead => "tickets.read": "Read tickets within the role's data scope.",
    TicketsReadInternal => "tickets.read_internal": "See internal notes and agent-only fields.",
    TicketsWork => "tickets.work": "Work tickets: reply, note, transition, assign, escalate.",
    TicketsClose => "tickets.close": "Review and close tickets, override priorities.",
    UsersRead => "users.read": "Look up users within the role's data scope.",
    UsersManage => "users.manage": "Create, change and deactivate users.",
    OrganisationsRead => "organisations.read": "List organisations and departments.",
    OrganisationsManage => "organisations.manage": "Create and change organisations and departments.",
    GroupsRead => "groups.read": "List support groups and their members.",
    GroupsManage => "groups.manage": "Create and change support groups and memberships.",
    RolesManage => "roles.manage": "Create and change roles and their permissions.",
    ConfigManage => "config.manage": "Change desk configuration (categories, priorities, SLAs, rules).",
    AuditRead => "audit.read": "Read the audit log of logins and administration.",
    ReportsRead => "reports.read": "Read reports and dashboards.",
    TokensCreate => "tokens.create": "Create personal API tokens.",
}

/// How far a role sees data (tickets, users): its own, its organisation's, its groups', or
/// everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Own,
    Organisation,
    Group,
    All,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Own => "own",
            Scope::Organisation => "organisation",
            Scope::Group => "group",
            Scope::All => "all",
        }
    }
}

impl FromStr for Scope {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "own" => Ok(Scope::Own),
            "organisation" => Ok(Scope::Organisation),
            "group" => Ok(Scope::Group),
            "all" => Ok(Scope::All),
            _ => Err(ValidationError::new(
                "scope",
                "must be own, organisation, group or all",
            )),
        }
    }
}

/// A role: a name, a set of permissions and a data scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    pub id: RoleId,
    pub name: String,
    pub permissions: BTreeSet<Permission>,
    pub scope: Scope,
    pub builtin: bool,
}

/// Parses a space-separated permission list as stored in the `role` table.
pub fn parse_permissions(s: &str) -> Result<BTreeSet<Permission>, ValidationError> {
    s.split_whitespace().map(Permission::from_str).collect()
}

/// The inverse of [`parse_permissions`].
pub fn format_permissions(p: &BTreeSet<Permission>) -> String {
    p.iter().map(|p| p.name()).collect::<Vec<_>>().join(" ")
}

/// The built-in roles, seeded by the first migration and kept in step by [`builtin_roles`].
pub const REQUESTER: &str = "requester";
pub const AGENT: &str = "agent";
pub const SUPERVISOR: &str = "supervisor";
pub const ADMIN: &str = "admin";

/// The permissions and scope of each built-in role. The store re-applies these at start-up
/// so a new release can widen a built-in role without a data migration.
pub fn builtin_roles() -> Vec<(&'static str, Scope, BTreeSet<Permission>)> {
    use Permission::*;
    let requester = [TicketsCreate, TicketsRead, TokensCreate];
    let agent = [
        TicketsCreate,
        TicketsRead,
        TicketsReadInternal,
        TicketsWork,
        UsersRead,
        OrganisationsRead,
        GroupsRead,
        TokensCreate,
    ];
    let supervisor: Vec<Permission> = agent
        .iter()
        .copied()
        .chain([TicketsClose, ReportsRead, AuditRead])
        .collect();
    vec![
        (REQUESTER, Scope::Own, requester.into_iter().collect()),
        (AGENT, Scope::Group, agent.into_iter().collect()),
        (SUPERVISOR, Scope::All, supervisor.into_iter().collect()),
        (ADMIN, Scope::All, Permission::ALL.iter().copied().collect()),
    ]
}

/// Who is acting, as loaded for each request: the user, their role's permissions and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub organisation_id: Option<OrganisationId>,
    pub role: String,
    pub permissions: BTreeSet<Permission>,
    pub scope: Scope,
    /// An organisation manager sees the organisation's data even with an `own` scope.
    pub organisation_manager: bool,
}

impl Actor {
    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    /// The scope to apply in queries: `own` widens to `organisation` for a manager.
    pub fn effective_scope(&self) -> Scope {
        if self.scope == Scope::Own && self.organisation_manager && self.organisation_id.is_some() {
            Scope::Organisation
        } else {
            self.scope
        }
    }

    pub fn is_self(&self, user: UserId) -> bool {
        self.user_id == user
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(p.name().parse::<Permission>(), Ok(*p));
        }
        let set: BTreeSet<_> = [Permission::UsersRead, Permission::AuditRead].into();
        assert_eq!(parse_permissions(&format_permissions(&set)), Ok(set));
        assert!(parse_permissions("users.read nonsense").is_err());
    }

    #[test]
    fn builtins_are_ordered_by_power() {
        let roles = builtin_roles();
        let perms = |n: &str| {
            roles
                .iter()
                .find(|r| r.0 == n)
                .map(|r| r.2.clone())
                .unwrap()
        };
        assert!(perms(REQUESTER).is_subset(&perms(AGENT)));
        assert!(perms(AGENT).is_subset(&perms(SUPERVISOR)));
        assert!(perms(SUPERVISOR).is_subset(&perms(ADMIN)));
        assert!(!perms(REQUESTER).contains(&Permission::UsersRead));
        assert!(!perms(AGENT).contains(&Permission::UsersManage));
    }

    #[test]
    fn manager_widens_own_scope() {
        let mut a = Actor {
            user_id: UserId(1),
            organisation_id: Some(OrganisationId(3)),
            role: REQUESTER.into(),
            permissions: BTreeSet::new(),
            scope: Scope::Own,
            organisation_manager: false,
        };
        assert_eq!(a.effective_scope(), Scope::Own);
        a.organisation_manager = true;
        assert_eq!(a.effective_scope(), Scope::Organisation);
        a.organisation_id = None;
        assert_eq!(a.effective_scope(), Scope::Own);
    }
}
