//! `[identity]`: two-factor enforcement, re-authentication, local passwords per role, and
//! the LDAP directory and OpenID provider (issue 19).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Identity settings. Everything is off by default: local passwords only, two-factor for
/// whoever enrols.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityConfig {
    /// Roles whose users must sign in with two-factor (e.g. `["admin", "supervisor"]`):
    /// until they enrol, their sessions reach only the enrolment.
    pub totp_required_roles: Vec<String>,
    /// Roles that may not sign in with a local password (they use LDAP or OpenID Connect).
    pub password_disabled_roles: Vec<String>,
    /// Sensitive administrative actions need a sign-in or re-authentication this recent.
    pub reauth_minutes: u32,
    /// Wrong two-factor codes per user before a lock of `[auth] lockout_minutes`.
    pub totp_max_failures: u32,
    /// The issuer name authenticator apps show.
    pub totp_issuer: String,
    /// The key that seals secrets stored in the database (TOTP secrets): base64 of 32 random
    /// bytes (`openssl rand -base64 32`). Never serialised. On SQLite, when unset, a key
    /// file beside the database is used (created at first start); see `identity::sealing`.
    #[serde(skip_serializing)]
    pub sealing_key: Option<String>,
    /// Read `sealing_key` from this file instead (for secrets mounted as files).
    pub sealing_key_file: Option<PathBuf>,
    pub ldap: Option<LdapConfig>,
    pub oidc: Option<OidcConfig>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            totp_required_roles: Vec::new(),
            password_disabled_roles: Vec::new(),
            reauth_minutes: 15,
            totp_max_failures: 5,
            totp_issuer: "Ventanilla".into(),
            sealing_key: None,
            sealing_key_file: None,
            ldap: None,
            oidc: None,
        }
    }
}

/// How the LDAP connection is protected.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LdapSecurity {
    /// `ldaps://` (TLS from the first byte).
    Ldaps,
    /// `ldap://` upgraded with StartTLS.
    StartTls,
    /// Plain `ldap://`: loopback and tests only.
    None,
}

/// `[identity.ldap]`: bind sign-in and the directory sync.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LdapConfig {
    /// e.g. `ldaps://dc1.example.com:636` or `ldap://127.0.0.1:389`.
    pub url: String,
    pub security: LdapSecurity,
    /// A CA certificate (PEM) to trust besides the system's.
    pub ca_file: Option<PathBuf>,
    /// The service account that searches the directory.
    pub bind_dn: String,
    pub bind_password: Option<String>,
    pub bind_password_file: Option<PathBuf>,
    /// Where users are searched (sign-in and sync).
    pub user_base: String,
    /// The filter for one user; `{login}` is replaced by the escaped e-mail or user name.
    pub user_filter: String,
    /// The filter for every user the sync takes.
    pub sync_filter: String,
    /// Attribute names: e-mail, display name, phone, department, language.
    pub attr_email: String,
    pub attr_name: String,
    pub attr_phone: String,
    pub attr_department: String,
    /// Group membership: the attribute on the user that lists group DNs (`memberOf`), or
    /// empty to search `group_base` for groups whose `member` is the user.
    pub attr_member_of: String,
    pub group_base: String,
    /// Group DN → role name; the first match in this list wins.
    pub group_roles: Vec<GroupMap>,
    /// Group DN → support group id.
    pub group_support_groups: Vec<GroupMap>,
    /// The role of users in no mapped group.
    pub default_role: String,
    /// The organisation synced users and their departments belong to.
    pub organisation_id: Option<i64>,
    /// Seconds between scheduled syncs (0: only on demand).
    pub sync_every_secs: u64,
    pub timeout_secs: u64,
}

/// One group mapping: the group's DN and what membership gives.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupMap {
    pub group: String,
    pub value: String,
}

impl Default for LdapConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            security: LdapSecurity::StartTls,
            ca_file: None,
            bind_dn: String::new(),
            bind_password: None,
            bind_password_file: None,
            user_base: String::new(),
            user_filter: "(&(objectClass=inetOrgPerson)(|(mail={login})(uid={login})))".into(),
            sync_filter: "(objectClass=inetOrgPerson)".into(),
            attr_email: "mail".into(),
            attr_name: "cn".into(),
            attr_phone: "telephoneNumber".into(),
            attr_department: "departmentNumber".into(),
            attr_member_of: String::new(),
            group_base: String::new(),
            group_roles: Vec::new(),
            group_support_groups: Vec::new(),
            default_role: "requester".into(),
            organisation_id: None,
            sync_every_secs: 0,
            timeout_secs: 10,
        }
    }
}

/// `[identity.oidc]`: one OpenID provider for single sign-on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OidcConfig {
    /// The issuer URL; its `/.well-known/openid-configuration` is read at sign-in.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The role of users created at their first sign-in.
    pub default_role: String,
    /// Create unknown users at their first sign-in (else only existing users may).
    pub create_users: bool,
    /// Claim names mapped to the user's fields (empty: not mapped).
    pub claim_organisation: String,
    pub claim_department: String,
    pub claim_language: String,
    pub claim_role: String,
    /// Claim value → role name, for `claim_role`.
    pub role_values: Vec<GroupMap>,
    /// Re-apply the mapped claims (role, organisation, department) at every sign-in, so
    /// changes at the provider reach the desk; false: only when the user is created.
    pub reapply_claims: bool,
    /// Allow plain http issuers (loopback tests only).
    pub allow_http: bool,
    pub timeout_secs: u64,
}

impl Default for OidcConfig {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: None,
            client_secret_file: None,
            scopes: vec!["email".into(), "profile".into()],
            default_role: "requester".into(),
            create_users: true,
            claim_organisation: String::new(),
            claim_department: String::new(),
            claim_language: "locale".into(),
            claim_role: String::new(),
            role_values: Vec::new(),
            reapply_claims: true,
            allow_http: false,
            timeout_secs: 10,
        }
    }
}
