//! LDAP / Active Directory (issue 19): sign-in by bind (the service account finds the
//! user's entry, then the user's own password is bound against it), and the directory sync
//! that creates, updates and deactivates users (ending a deactivated user's sessions) and
//! creates departments, with group membership mapped to roles and support groups. A dry run
//! reports the same changes without making them.
//!
//! An unreachable directory is a clear `directory_unavailable` (503) for directory users;
//! local accounts never touch the directory, so local administrators still sign in.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry};
use serde::Serialize;
use ventanilla_domain::directory::{NewDepartment, NewUser, PageRequest, UserPatch};
use ventanilla_domain::{DepartmentId, Email, GroupId, Language, OrganisationId, Text, UserId};
use ventanilla_store::audit::NewAudit;

use super::config::{LdapConfig, LdapSecurity};
use crate::App;
use crate::error::AppError;

/// The source name users synced or signed in from the directory carry.
pub const SOURCE: &str = "ldap";

/// What went wrong talking to the directory.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("directory unreachable or refusing the service account: {0}")]
    Unavailable(String),
    #[error("wrong credentials")]
    BadCredentials,
    #[error("directory configuration: {0}")]
    Config(String),
}

impl From<DirectoryError> for AppError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::BadCredentials => AppError::BadCredentials,
            DirectoryError::Unavailable(why) => {
                tracing::warn!(error = %why, "LDAP directory unavailable");
                unavailable()
            }
            DirectoryError::Config(why) => AppError::internal(anyhow::anyhow!(why)),
        }
    }
}

/// The refusal a directory user gets while the directory is out of reach.
pub fn unavailable() -> AppError {
    AppError::Refused {
        status: http::StatusCode::SERVICE_UNAVAILABLE,
        code: "directory_unavailable",
        message: "the directory server cannot be reached; try again later (local administrators can still sign in)".into(),
        field: None,
    }
}

/// The configured organisation of directory users, checked: a number that names no
/// organisation is the administrator's mistake, said as such (503 `directory_misconfigured`,
/// logged with the key), not a "refers to another record" conflict at every sign-in.
async fn organisation_of(
    state: &App,
    cfg: &LdapConfig,
) -> Result<Option<OrganisationId>, AppError> {
    let Some(id) = cfg.organisation_id.map(OrganisationId) else {
        return Ok(None);
    };
    match state.store.organisations().get(id).await {
        Ok(o) => Ok(Some(o.id)),
        Err(ventanilla_store::StoreError::NotFound) => {
            tracing::error!(
                organisation_id = id.get(),
                "[identity.ldap] organisation_id names no organisation"
            );
            Err(AppError::Refused {
                status: http::StatusCode::SERVICE_UNAVAILABLE,
                code: "directory_misconfigured",
                message: "the directory's settings name an organisation that does not exist \
                          ([identity.ldap] organisation_id)"
                    .into(),
                field: None,
            })
        }
        Err(e) => Err(e.into()),
    }
}

fn down(e: impl std::fmt::Display) -> DirectoryError {
    DirectoryError::Unavailable(e.to_string())
}

/// One person as the directory describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirUser {
    pub dn: String,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub department: Option<String>,
    /// Group DNs, lower case.
    pub groups: Vec<String>,
}

fn password_of(cfg: &LdapConfig) -> Result<String, DirectoryError> {
    if let Some(p) = &cfg.bind_password {
        return Ok(p.clone());
    }
    if let Some(f) = &cfg.bind_password_file {
        return std::fs::read_to_string(f)
            .map(|s| s.trim_end().to_owned())
            .map_err(|e| DirectoryError::Config(format!("bind_password_file: {e}")));
    }
    Ok(String::new())
}

fn tls_config(cfg: &LdapConfig) -> Result<Arc<tokio_rustls::rustls::ClientConfig>, DirectoryError> {
    crate::http::tls::client_config(cfg.ca_file.as_deref())
        .map_err(|e| DirectoryError::Config(e.to_string()))
}

/// Opens a connection (TLS as configured) with the configured timeout.
async fn connect(cfg: &LdapConfig) -> Result<Ldap, DirectoryError> {
    let timeout = Duration::from_secs(cfg.timeout_secs.max(1));
    let mut settings = LdapConnSettings::new()
        .set_conn_timeout(timeout)
        .set_starttls(cfg.security == LdapSecurity::StartTls);
    if cfg.security != LdapSecurity::None {
        settings = settings.set_config(tls_config(cfg)?);
    }
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &cfg.url)
        .await
        .map_err(down)?;
    ldap3::drive!(conn);
    ldap.with_timeout(timeout);
    Ok(ldap)
}

/// A connection bound as the service account.
async fn service(cfg: &LdapConfig) -> Result<Ldap, DirectoryError> {
    let mut ldap = connect(cfg).await?;
    let pw = password_of(cfg)?;
    ldap.with_timeout(Duration::from_secs(cfg.timeout_secs.max(1)));
    ldap.simple_bind(&cfg.bind_dn, &pw)
        .await
        .and_then(|r| r.success())
        .map_err(down)?;
    Ok(ldap)
}

fn attr(e: &SearchEntry, name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    e.attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.first())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn attrs(e: &SearchEntry, name: &str) -> Vec<String> {
    if name.is_empty() {
        return Vec::new();
    }
    e.attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.iter().map(|s| s.to_lowercase()).collect())
        .unwrap_or_default()
}

fn wanted_attrs(cfg: &LdapConfig) -> Vec<String> {
    [
        &cfg.attr_email,
        &cfg.attr_name,
        &cfg.attr_phone,
        &cfg.attr_department,
        &cfg.attr_member_of,
    ]
    .iter()
    .filter(|a| !a.is_empty())
    .map(|a| (*a).clone())
    .collect()
}

fn to_dir_user(cfg: &LdapConfig, e: &SearchEntry, groups: Vec<String>) -> Option<DirUser> {
    let email = attr(e, &cfg.attr_email)?;
    Some(DirUser {
        dn: e.dn.clone(),
        name: attr(e, &cfg.attr_name).unwrap_or_else(|| email.clone()),
        email,
        phone: attr(e, &cfg.attr_phone),
        department: attr(e, &cfg.attr_department),
        groups,
    })
}

/// Group DN (lower case) → member DNs (lower case), from `group_base`.
async fn group_members(
    ldap: &mut Ldap,
    cfg: &LdapConfig,
) -> Result<HashMap<String, Vec<String>>, DirectoryError> {
    let mut out = HashMap::new();
    if cfg.group_base.is_empty() || !cfg.attr_member_of.is_empty() {
        return Ok(out);
    }
    let (rs, _) = ldap
        .search(
            &cfg.group_base,
            Scope::Subtree,
            "(|(objectClass=groupOfNames)(objectClass=group)(objectClass=groupOfUniqueNames))",
            vec!["member", "uniqueMember"],
        )
        .await
        .and_then(|r| r.success())
        .map_err(down)?;
    for entry in rs {
        let e = SearchEntry::construct(entry);
        let mut members = attrs(&e, "member");
        members.extend(attrs(&e, "uniqueMember"));
        out.insert(e.dn.to_lowercase(), members);
    }
    Ok(out)
}

fn groups_of(
    cfg: &LdapConfig,
    e: &SearchEntry,
    members: &HashMap<String, Vec<String>>,
) -> Vec<String> {
    if !cfg.attr_member_of.is_empty() {
        return attrs(e, &cfg.attr_member_of);
    }
    let dn = e.dn.to_lowercase();
    let mut g: Vec<String> = members
        .iter()
        .filter(|(_, m)| m.contains(&dn))
        .map(|(g, _)| g.clone())
        .collect();
    g.sort();
    g
}

/// Checks `login`'s password against the directory: the service account finds exactly one
/// entry, then that entry's DN is bound with the password. An empty password is refused
/// before anything is sent (an empty simple bind is an anonymous bind that "succeeds").
pub async fn authenticate(
    cfg: &LdapConfig,
    login: &str,
    password: &str,
) -> Result<DirUser, DirectoryError> {
    if password.is_empty() || login.trim().is_empty() {
        return Err(DirectoryError::BadCredentials);
    }
    let mut ldap = service(cfg).await?;
    let filter = cfg
        .user_filter
        .replace("{login}", &ldap3::ldap_escape(login.trim()));
    let (rs, _) = ldap
        .search(&cfg.user_base, Scope::Subtree, &filter, wanted_attrs(cfg))
        .await
        .and_then(|r| r.success())
        .map_err(down)?;
    if rs.len() != 1 {
        let _ = ldap.unbind().await;
        return Err(DirectoryError::BadCredentials);
    }
    let entry = SearchEntry::construct(
        rs.into_iter()
            .next()
            .ok_or(DirectoryError::BadCredentials)?,
    );
    let members = group_members(&mut ldap, cfg).await?;
    let groups = groups_of(cfg, &entry, &members);
    let _ = ldap.unbind().await;
    // The user's own bind, on a fresh connection.
    let mut user_conn = connect(cfg).await?;
    let bound = user_conn.simple_bind(&entry.dn, password).await;
    let _ = user_conn.unbind().await;
    match bound.and_then(|r| r.success()) {
        Ok(_) => {}
        Err(LdapError::LdapResult { result }) if result.rc == 49 => {
            return Err(DirectoryError::BadCredentials);
        }
        Err(e) => return Err(down(e)),
    }
    to_dir_user(cfg, &entry, groups).ok_or(DirectoryError::BadCredentials)
}

/// Every person under `user_base` matching `sync_filter`.
pub async fn fetch_all(cfg: &LdapConfig) -> Result<Vec<DirUser>, DirectoryError> {
    let mut ldap = service(cfg).await?;
    let (rs, _) = ldap
        .search(
            &cfg.user_base,
            Scope::Subtree,
            &cfg.sync_filter,
            wanted_attrs(cfg),
        )
        .await
        .and_then(|r| r.success())
        .map_err(down)?;
    let members = group_members(&mut ldap, cfg).await?;
    let _ = ldap.unbind().await;
    let mut out: Vec<DirUser> = rs
        .into_iter()
        .map(SearchEntry::construct)
        .filter_map(|e| {
            let g = groups_of(cfg, &e, &members);
            to_dir_user(cfg, &e, g)
        })
        .collect();
    out.sort_by(|a, b| a.dn.cmp(&b.dn));
    Ok(out)
}

/// The role a directory user gets: the first mapped group they are in, else the default.
pub fn role_for(cfg: &LdapConfig, groups: &[String]) -> String {
    cfg.group_roles
        .iter()
        .find(|m| groups.contains(&m.group.to_lowercase()))
        .map_or_else(|| cfg.default_role.clone(), |m| m.value.clone())
}

/// The support groups a directory user belongs to by mapping.
fn support_groups_for(cfg: &LdapConfig, groups: &[String]) -> Vec<i64> {
    cfg.group_support_groups
        .iter()
        .filter(|m| groups.contains(&m.group.to_lowercase()))
        .filter_map(|m| m.value.parse().ok())
        .collect()
}

/// What a sync did (or, in a dry run, would do).
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SyncReport {
    pub dry_run: bool,
    /// E-mails of users created.
    pub created: Vec<String>,
    /// E-mail → the fields that change.
    #[schema(value_type = Object)]
    pub updated: BTreeMap<String, serde_json::Value>,
    /// E-mails of users deactivated (their sessions end).
    pub deactivated: Vec<String>,
    /// Names of departments created.
    pub departments_created: Vec<String>,
    /// (e-mail, support group id) memberships added.
    pub memberships_added: Vec<(String, i64)>,
    pub unchanged: usize,
    /// Entries skipped, with why (e.g. an e-mail that is not valid).
    pub skipped: Vec<String>,
}

fn sync_audit(state: &App, action: &str) -> NewAudit {
    NewAudit::new(state.now(), None, action, Some("ldap-sync".into()))
}

/// Finds (or, unless `dry_run`, creates) the department named `name` in the organisation.
async fn department_id(
    state: &App,
    org: Option<OrganisationId>,
    name: &str,
    dry_run: bool,
    report: &mut SyncReport,
) -> Result<Option<DepartmentId>, AppError> {
    let Some(org) = org else {
        return Ok(None);
    };
    let mut after = None;
    loop {
        let page = state
            .store
            .departments()
            .list(Some(org), PageRequest::new(after, Some(200))?)
            .await?;
        if let Some(d) = page
            .items
            .iter()
            .find(|d| d.name.as_str().eq_ignore_ascii_case(name))
        {
            return Ok(Some(d.id));
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    if !report.departments_created.iter().any(|d| d == name) {
        report.departments_created.push(name.to_owned());
    }
    if dry_run {
        return Ok(None);
    }
    let new = NewDepartment {
        organisation_id: org,
        name: Text::parse("department", name, 200)?,
    };
    let entry = sync_audit(state, "department.create")
        .target("department", None)
        .detail(serde_json::json!({ "organisation_id": org, "name": name }));
    Ok(Some(
        state.store.departments().create(&new, &entry).await?.id,
    ))
}

/// Creates or updates the local user for a directory entry; returns the user (None in a
/// dry run of a creation).
pub async fn upsert_user(
    state: &App,
    cfg: &LdapConfig,
    d: &DirUser,
    dry_run: bool,
    report: &mut SyncReport,
) -> Result<Option<UserId>, AppError> {
    let email = Email::parse(&d.email)?;
    let org = organisation_of(state, cfg).await?;
    let dept = match &d.department {
        Some(name) => department_id(state, org, name, dry_run, report).await?,
        None => None,
    };
    let role_name = role_for(cfg, &d.groups);
    let role = state.store.roles().by_name(&role_name).await.map_err(|_| {
        AppError::internal(anyhow::anyhow!(
            "[identity.ldap] names unknown role {role_name:?}"
        ))
    })?;
    let linked = state.store.identity().by_external(SOURCE, &d.dn).await?;
    let existing = match linked {
        Some(id) => Some(state.store.users().get(id).await?),
        None => match state.store.users().credentials(&email).await {
            Ok(c) => Some(state.store.users().get(c.user_id).await?),
            Err(ventanilla_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let name = Text::parse("name", &d.name, 200)?;
    let phone = d
        .phone
        .as_deref()
        .map(|p| Text::parse("phone", p, 50))
        .transpose()?;
    let user_id = match existing {
        None => {
            report.created.push(d.email.clone());
            if dry_run {
                return Ok(None);
            }
            let new = NewUser {
                email: email.clone(),
                name,
                phone,
                organisation_id: org,
                department_id: dept,
                language: Language::Es,
                time_zone: state.config.defaults.time_zone()?,
                role_id: role.id,
                organisation_manager: false,
                password_hash: None,
            };
            let entry = sync_audit(state, "user.create")
                .target("user", None)
                .detail(serde_json::json!({ "email": d.email, "role": role.name, "via": "ldap", "dn": d.dn }));
            let user = state.store.users().create(&new, &entry).await?;
            state
                .store
                .identity()
                .link_external(user.id, SOURCE, &d.dn)
                .await?;
            user.id
        }
        Some(u) => {
            let mut patch = UserPatch::default();
            let mut diff = serde_json::Map::new();
            if u.email != email {
                diff.insert("email".into(), d.email.clone().into());
                patch.email = Some(email.clone());
            }
            if u.name != name.as_str() {
                diff.insert("name".into(), d.name.clone().into());
                patch.name = Some(name);
            }
            if u.phone.as_deref() != phone.as_ref().map(|p| p.as_str()) {
                diff.insert("phone".into(), d.phone.clone().into());
                patch.phone = Some(phone);
            }
            if org.is_some() && u.organisation_id != org {
                diff.insert("organisation_id".into(), org.map(|o| o.get()).into());
                patch.organisation_id = Some(org);
            }
            if dept.is_some() && u.department_id != dept {
                diff.insert("department".into(), d.department.clone().into());
                patch.department_id = Some(dept);
            }
            if u.role_id != role.id {
                diff.insert("role".into(), role.name.clone().into());
                patch.role_id = Some(role.id);
            }
            if !u.active {
                diff.insert("active".into(), true.into());
                patch.active = Some(true);
            }
            if diff.is_empty() {
                report.unchanged += 1;
            } else {
                report
                    .updated
                    .insert(d.email.clone(), serde_json::Value::Object(diff.clone()));
                if !dry_run {
                    let entry = sync_audit(state, "user.update")
                        .target("user", Some(u.id.get()))
                        .detail(serde_json::Value::Object(diff));
                    state.store.users().update(u.id, &patch, &entry).await?;
                }
            }
            if !dry_run && linked.is_none() {
                state
                    .store
                    .identity()
                    .link_external(u.id, SOURCE, &d.dn)
                    .await?;
            }
            u.id
        }
    };
    for g in support_groups_for(cfg, &d.groups) {
        let group = GroupId(g);
        let members = state.store.groups().ids_of_member(user_id).await?;
        if !members.contains(&group) {
            report.memberships_added.push((d.email.clone(), g));
            if !dry_run {
                let entry = sync_audit(state, "group.member.put")
                    .target("group", Some(g))
                    .detail(serde_json::json!({ "user_id": user_id, "supervisor": false, "via": "ldap" }));
                state
                    .store
                    .groups()
                    .put_member(group, user_id, false, &entry)
                    .await?;
            }
        }
    }
    Ok(Some(user_id))
}

/// The job kind of the scheduled sync (`[identity.ldap] sync_every_secs`).
pub const SYNC_JOB: &str = "directory.sync";

/// Syncs the directory into the desk: creates and updates the users found, deactivates
/// (and signs out) the linked users no longer found. With `dry_run`, only reports.
pub async fn sync(state: &App, dry_run: bool) -> Result<SyncReport, AppError> {
    let Some(cfg) = state.config.identity.ldap.clone() else {
        return Err(AppError::NotFound);
    };
    let found = fetch_all(&cfg).await?;
    organisation_of(state, &cfg).await?;
    let mut report = SyncReport {
        dry_run,
        ..SyncReport::default()
    };
    for d in &found {
        if let Err(e) = upsert_user(state, &cfg, d, dry_run, &mut report).await {
            match e {
                AppError::Validation(v) => report.skipped.push(format!("{}: {v}", d.dn)),
                other => return Err(other),
            }
        }
    }
    let dns: std::collections::HashSet<&str> = found.iter().map(|d| d.dn.as_str()).collect();
    for linked in state.store.identity().linked(SOURCE).await? {
        if !linked.active || dns.contains(linked.external_id.as_str()) {
            continue;
        }
        report.deactivated.push(linked.email.clone());
        if dry_run {
            continue;
        }
        let patch = UserPatch {
            active: Some(false),
            ..UserPatch::default()
        };
        let entry = sync_audit(state, "user.update")
            .target("user", Some(linked.user_id.get()))
            .detail(serde_json::json!({ "active": false, "reason": "removed_from_directory" }));
        // Deactivation ends every session of the user in the same transaction.
        state
            .store
            .users()
            .update(linked.user_id, &patch, &entry)
            .await?;
    }
    let entry = sync_audit(
        state,
        if dry_run {
            "directory.sync.dry_run"
        } else {
            "directory.sync"
        },
    )
    .detail(serde_json::json!({
        "created": report.created.len(), "updated": report.updated.len(),
        "deactivated": report.deactivated.len(),
        "departments_created": report.departments_created.len(),
    }));
    state.store.audit().record(&entry).await?;
    Ok(report)
}

/// Signs a directory user in: the password is checked by the directory, the local user
/// created or brought up to date, and returned.
pub async fn sign_in(
    state: &App,
    cfg: &LdapConfig,
    login: &str,
    password: &str,
) -> Result<UserId, AppError> {
    let d = authenticate(cfg, login, password).await?;
    // A person an administrator deactivated here stays out, whatever the directory says.
    let known = match state.store.identity().by_external(SOURCE, &d.dn).await? {
        Some(id) => Some(id),
        None => match Email::parse(&d.email) {
            Ok(e) => match state.store.users().credentials(&e).await {
                Ok(c) => Some(c.user_id),
                Err(ventanilla_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            Err(_) => None,
        },
    };
    if let Some(id) = known
        && !state.store.users().get(id).await?.active
    {
        return Err(AppError::BadCredentials);
    }
    let mut report = SyncReport::default();
    upsert_user(state, cfg, &d, false, &mut report)
        .await?
        .ok_or(AppError::BadCredentials)
}
