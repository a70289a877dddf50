//! The access matrix (issue 18, campaign item 1): every operation of the served OpenAPI
//! document × every kind of caller (anonymous, requester, first-line agent, an agent of
//! another group, supervisor, administrator), each on a desk of its own with real records in
//! the paths, each cell's class of answer (401, 403, 404 or allowed) compared with a
//! table written here from the roles' permissions — not read from the router — and printed
//! into `docs/SECURITY.md` ("Access matrix (generated)"; `VENTANILLA_WRITE_ACCESS_MATRIX=1`
//! rewrites it, otherwise the test fails when the document drifts).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use ventanilla_domain::Permission::{self, *};
use ventanilla_domain::access::{Scope, builtin_roles};
use ventanilla_store::jobs::NewJob;
use ventanilla_testkit::{Caller, Desk, PASSWORD, TestResponse, desk};

/// The callers of the matrix, in its column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    Requester,
    Agent,
    /// A first-line agent of another group: the walk's ticket is outside their scope.
    OtherAgent,
    Supervisor,
    Admin,
}

const WHO: [Who; 6] = [
    Who::Anonymous,
    Who::Requester,
    Who::Agent,
    Who::OtherAgent,
    Who::Supervisor,
    Who::Admin,
];

impl Who {
    fn column(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Requester => "requester",
            Who::Agent => "agent (L1)",
            Who::OtherAgent => "agent (other group)",
            Who::Supervisor => "supervisor",
            Who::Admin => "administrator",
        }
    }

    fn role(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::Requester => Some("requester"),
            Who::Agent | Who::OtherAgent => Some("agent"),
            Who::Supervisor => Some("supervisor"),
            Who::Admin => Some("admin"),
        }
    }

    /// What each role may do, read from SPEC.md's "Users" (not from the server): a
    /// requester opens, follows and confirms their own tickets; an agent works a queue
    /// (diagnoses, applies knowledge, escalates, looks people up); a supervisor also reviews
    /// and closes, reads reports (and the audit log of the desk); an administrator
    /// configures everything. Checked against the domain's built-in roles below.
    fn permissions(self) -> (BTreeSet<Permission>, Option<Scope>) {
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
        let supervisor = [&agent[..], &[TicketsClose, ReportsRead, AuditRead]].concat();
        match self {
            Who::Anonymous => (BTreeSet::new(), None),
            Who::Requester => (requester.into(), Some(Scope::Own)),
            Who::Agent | Who::OtherAgent => (agent.into(), Some(Scope::Group)),
            Who::Supervisor => (supervisor.into_iter().collect(), Some(Scope::All)),
            Who::Admin => (Permission::ALL.iter().copied().collect(), Some(Scope::All)),
        }
    }
}

/// The class of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// 401: no credentials (or credentials this operation does not take).
    Unauthenticated,
    /// 403: the role lacks the permission.
    Forbidden,
    /// 404: the record is outside the caller's data scope.
    NotFound,
    /// Anything else but a 5xx: the access check passed (2xx, 400, 409, 412, 422, 429).
    Allowed,
    /// 5xx: never expected.
    ServerError,
}

impl Outcome {
    fn of(status: StatusCode) -> Outcome {
        match status.as_u16() {
            401 => Outcome::Unauthenticated,
            403 => Outcome::Forbidden,
            404 => Outcome::NotFound,
            s if s >= 500 => Outcome::ServerError,
            _ => Outcome::Allowed,
        }
    }

    fn cell(self) -> &'static str {
        match self {
            Outcome::Unauthenticated => "401",
            Outcome::Forbidden => "403",
            Outcome::NotFound => "404",
            Outcome::Allowed => "✓",
            Outcome::ServerError => "5xx",
        }
    }
}

/// What an operation needs, as the table below says.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// Nothing: open to anonymous callers (sign-in).
    Nobody,
    /// Any signed-in user, acting on their own things (profile, notifications, tokens…).
    SignedIn,
    /// A permission of the caller's role.
    Perm(Permission),
    /// Any one of these permissions.
    AnyOf(&'static [Permission]),
    /// The ticket's own requester, or a role with the permission.
    RequesterOr(Permission),
    /// The permission, on a record that is personal to its author (the administrator's
    /// here): others who hold the permission do not see it (404).
    Personal(Permission),
    /// A password session: a bearer token is refused (403 `session_required`).
    Session,
    /// An integration's own token: no credentials 401, a person's 403.
    IntegrationToken,
    /// A one-time callback token in the body is the credential: without it, 401 for all.
    CallbackToken,
}

impl Need {
    fn describe(self) -> String {
        let names = |ps: &[Permission]| {
            ps.iter()
                .map(|p| format!("`{}`", p.name()))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        match self {
            Need::Nobody => "—".into(),
            Need::SignedIn => "signed in".into(),
            Need::Perm(p) => names(&[p]),
            Need::AnyOf(ps) => names(ps),
            Need::RequesterOr(p) => format!("the ticket's requester or {}", names(&[p])),
            Need::Personal(p) => format!("{}, own record", names(&[p])),
            Need::Session => "password session".into(),
            Need::IntegrationToken => "integration token".into(),
            Need::CallbackToken => "callback token".into(),
        }
    }

    /// The answer for `who` on an operation whose path is `template`. The walk's ticket
    /// (and its attachment) is the requester's, in the L1 group "Mesa": within every
    /// caller's data scope but the other group's agent's, who is refused it as not found.
    fn expect(self, who: Who, template: &str) -> Outcome {
        let base = self.expect_in_scope(who);
        let ticket_bound =
            template.starts_with("/tickets/{id}") || template.starts_with("/attachments/{id}");
        // Whether the caller is the ticket's requester is read from the ticket, so out of
        // scope that is "not found" too.
        let about_the_ticket = base == Outcome::Allowed || matches!(self, Need::RequesterOr(_));
        if who == Who::OtherAgent && ticket_bound && about_the_ticket {
            Outcome::NotFound
        } else {
            base
        }
    }

    fn expect_in_scope(self, who: Who) -> Outcome {
        let (perms, _) = who.permissions();
        let allow = |ok: bool| {
            if ok {
                Outcome::Allowed
            } else {
                Outcome::Forbidden
            }
        };
        match (self, who) {
            (Need::Nobody, _) => Outcome::Allowed,
            (_, Who::Anonymous) | (Need::CallbackToken, _) => Outcome::Unauthenticated,
            (Need::SignedIn, _) => Outcome::Allowed,
            (Need::Perm(p), _) => allow(perms.contains(&p)),
            (Need::AnyOf(ps), _) => allow(ps.iter().any(|p| perms.contains(p))),
            // The walk's ticket is the requester's.
            (Need::RequesterOr(p), _) => allow(who == Who::Requester || perms.contains(&p)),
            // The walk's personal records are the administrator's.
            (Need::Personal(p), _) if perms.contains(&p) && who != Who::Admin => Outcome::NotFound,
            (Need::Personal(p), _) => allow(perms.contains(&p)),
            (Need::Session | Need::IntegrationToken, _) => Outcome::Forbidden,
        }
    }
}

use Need::{
    AnyOf, CallbackToken, IntegrationToken, Nobody, Perm, Personal, RequesterOr, Session, SignedIn,
};

/// Every operation of the API and what it needs, written from the permissions' meaning
/// (`access.rs`' descriptions) and SPEC.md, not from the handlers. A new operation fails
/// the test until it is added here.
const TABLE: &[(&str, &str, Need)] = &[
    // Sign-in, the caller's own account.
    ("POST", "/auth/login", Nobody),
    ("POST", "/auth/logout", SignedIn),
    ("POST", "/auth/reauth", Session),
    ("GET", "/me", SignedIn),
    ("GET", "/me/availability", Perm(TicketsWork)),
    ("PUT", "/me/availability", Perm(TicketsWork)),
    ("GET", "/users/me/sessions", SignedIn),
    ("DELETE", "/users/me/sessions/{id}", SignedIn),
    ("GET", "/users/me/totp", SignedIn),
    ("POST", "/users/me/totp", SignedIn),
    ("POST", "/users/me/totp/confirm", SignedIn),
    ("POST", "/users/me/totp/disable", SignedIn),
    ("POST", "/users/me/totp/recovery-codes", SignedIn),
    ("POST", "/users/me/totp/verify", SignedIn),
    ("GET", "/tokens", SignedIn),
    ("POST", "/tokens", Perm(TokensCreate)),
    ("DELETE", "/tokens/{id}", SignedIn),
    ("GET", "/notifications", SignedIn),
    ("GET", "/notifications/preferences", SignedIn),
    ("PUT", "/notifications/preferences", SignedIn),
    ("POST", "/notifications/read-all", SignedIn),
    ("POST", "/notifications/{id}/read", SignedIn),
    // People and access.
    ("GET", "/users", Perm(UsersRead)),
    ("POST", "/users", Perm(UsersManage)),
    ("GET", "/users/{id}", Perm(UsersRead)),
    ("PATCH", "/users/{id}", Perm(UsersManage)),
    ("PUT", "/users/{id}/password", Perm(UsersManage)),
    ("GET", "/users/{id}/sessions", Perm(UsersManage)),
    ("DELETE", "/users/{id}/sessions", Perm(UsersManage)),
    ("DELETE", "/users/{id}/totp", Perm(UsersManage)),
    ("GET", "/users/{id}/skills", Perm(UsersRead)),
    ("PUT", "/users/{id}/skills", Perm(UsersManage)),
    ("POST", "/directory/sync", Perm(UsersManage)),
    ("GET", "/organisations", Perm(OrganisationsRead)),
    ("POST", "/organisations", Perm(OrganisationsManage)),
    ("GET", "/organisations/{id}", Perm(OrganisationsRead)),
    ("PATCH", "/organisations/{id}", Perm(OrganisationsManage)),
    (
        "GET",
        "/organisations/{id}/departments",
        Perm(OrganisationsRead),
    ),
    ("GET", "/departments", Perm(OrganisationsRead)),
    ("POST", "/departments", Perm(OrganisationsManage)),
    ("GET", "/departments/{id}", Perm(OrganisationsRead)),
    ("PATCH", "/departments/{id}", Perm(OrganisationsManage)),
    ("GET", "/groups", Perm(GroupsRead)),
    ("POST", "/groups", Perm(GroupsManage)),
    ("GET", "/groups/{id}", Perm(GroupsRead)),
    ("PATCH", "/groups/{id}", Perm(GroupsManage)),
    ("PUT", "/groups/{id}/members/{user_id}", Perm(GroupsManage)),
    (
        "DELETE",
        "/groups/{id}/members/{user_id}",
        Perm(GroupsManage),
    ),
    ("GET", "/groups/{id}/routing", Perm(GroupsRead)),
    ("PUT", "/groups/{id}/routing", Perm(GroupsManage)),
    // Who is available: supervisors and administrators (an agent who supervises a group
    // sees that group; the walk's agent supervises none).
    ("GET", "/team", AnyOf(&[ReportsRead, GroupsManage])),
    ("GET", "/roles", Perm(RolesManage)),
    ("POST", "/roles", Perm(RolesManage)),
    ("GET", "/audit", Perm(AuditRead)),
    ("GET", "/audit/export", Perm(AuditRead)),
    // Tickets.
    ("GET", "/tickets", Perm(TicketsRead)),
    ("POST", "/tickets", Perm(TicketsCreate)),
    ("POST", "/tickets/bulk", Perm(TicketsWork)),
    ("GET", "/tickets/{id}", Perm(TicketsRead)),
    ("PATCH", "/tickets/{id}", Perm(TicketsWork)),
    ("GET", "/tickets/{id}/actions", Perm(TicketsRead)),
    ("POST", "/tickets/{id}/actions", Perm(TicketsRead)),
    // The requester may withdraw (cancel) their own ticket.
    (
        "POST",
        "/tickets/{id}/transitions",
        RequesterOr(TicketsWork),
    ),
    (
        "POST",
        "/tickets/{id}/confirmation",
        RequesterOr(TicketsClose),
    ),
    ("POST", "/tickets/{id}/survey", RequesterOr(TicketsClose)),
    ("POST", "/tickets/{id}/escalations", Perm(TicketsWork)),
    ("POST", "/tickets/{id}/major", Perm(TicketsWork)),
    ("POST", "/tickets/{id}/merge", Perm(TicketsWork)),
    ("GET", "/tickets/{id}/children", Perm(TicketsRead)),
    ("POST", "/tickets/{id}/children", Perm(TicketsWork)),
    (
        "DELETE",
        "/tickets/{id}/children/{child_id}",
        Perm(TicketsWork),
    ),
    ("GET", "/tickets/{id}/attachments", Perm(TicketsRead)),
    ("POST", "/tickets/{id}/attachments", Perm(TicketsRead)),
    ("GET", "/attachments/{id}", Perm(TicketsRead)),
    ("GET", "/tickets/{id}/watchers", Perm(TicketsReadInternal)),
    ("POST", "/tickets/{id}/watchers", Perm(TicketsWork)),
    (
        "DELETE",
        "/tickets/{id}/watchers/{user_id}",
        Perm(TicketsWork),
    ),
    ("GET", "/tickets/{id}/cc", Perm(TicketsReadInternal)),
    ("POST", "/tickets/{id}/cc", Perm(TicketsWork)),
    ("DELETE", "/tickets/{id}/cc/{user_id}", Perm(TicketsWork)),
    ("GET", "/tickets/{id}/time", Perm(TicketsReadInternal)),
    ("GET", "/tickets/{id}/hook-calls", Perm(TicketsReadInternal)),
    ("POST", "/tickets/{id}/approval", Perm(TicketsClose)),
    ("GET", "/tickets/{id}/suggestion", Perm(TicketsWork)),
    ("POST", "/tickets/{id}/suggestion", Perm(TicketsWork)),
    ("GET", "/tickets/{id}/suggestions", Perm(TicketsWork)),
    // The requester reads the public articles linked to their ticket.
    ("GET", "/tickets/{id}/articles", Perm(TicketsRead)),
    ("POST", "/tickets/{id}/articles", Perm(TicketsWork)),
    ("POST", "/tickets/{id}/article-draft", Perm(TicketsWork)),
    (
        "GET",
        "/tickets/{id}/canned-responses/{canned_id}",
        Personal(TicketsWork),
    ),
    ("POST", "/tickets/{id}/macros/{macro_id}", Perm(TicketsWork)),
    ("GET", "/canned-responses", Perm(TicketsWork)),
    ("POST", "/canned-responses", Perm(TicketsWork)),
    ("PUT", "/canned-responses/{id}", Personal(TicketsWork)),
    ("DELETE", "/canned-responses/{id}", Personal(TicketsWork)),
    ("GET", "/macros", Perm(TicketsWork)),
    ("POST", "/macros", Perm(ConfigManage)),
    // Everyone's days (no `user`): report readers; an agent reads their own with `user`.
    ("GET", "/time/days", Perm(ReportsRead)),
    ("GET", "/resolution-codes", Perm(TicketsWork)),
    ("PUT", "/resolution-codes/{code}", Perm(ConfigManage)),
    // Knowledge.
    ("GET", "/articles", SignedIn),
    ("POST", "/articles", Perm(TicketsWork)),
    ("GET", "/articles/suggest", SignedIn),
    ("GET", "/articles/contributions", Perm(TicketsReadInternal)),
    ("GET", "/articles/{id}", SignedIn),
    ("PUT", "/articles/{id}", Perm(TicketsWork)),
    ("GET", "/articles/{id}/revisions", Perm(TicketsWork)),
    ("POST", "/articles/{id}/votes", SignedIn),
    ("POST", "/articles/{id}/deflections", SignedIn),
    ("GET", "/search", SignedIn),
    // Configuration.
    ("GET", "/categories", SignedIn),
    ("POST", "/categories", Perm(ConfigManage)),
    ("PATCH", "/categories/{id}", Perm(ConfigManage)),
    ("PUT", "/categories/{id}/hook", Perm(ConfigManage)),
    ("DELETE", "/categories/{id}/hook", Perm(ConfigManage)),
    ("GET", "/category-hooks", Perm(ConfigManage)),
    ("GET", "/settings/priority-matrix", SignedIn),
    ("PUT", "/settings/priority-matrix", Perm(ConfigManage)),
    // Agents read the calendars and policies their tickets are measured by.
    ("GET", "/calendars", Perm(TicketsWork)),
    ("POST", "/calendars", Perm(ConfigManage)),
    ("PUT", "/calendars/{id}", Perm(ConfigManage)),
    (
        "POST",
        "/calendars/{id}/holidays/import",
        Perm(ConfigManage),
    ),
    ("GET", "/sla-policies", Perm(TicketsWork)),
    ("POST", "/sla-policies", Perm(ConfigManage)),
    ("PUT", "/sla-policies/{id}", Perm(ConfigManage)),
    ("GET", "/rules", Perm(ConfigManage)),
    ("POST", "/rules", Perm(ConfigManage)),
    ("POST", "/rules/preview", Perm(ConfigManage)),
    ("PUT", "/rules/{id}", Perm(ConfigManage)),
    ("DELETE", "/rules/{id}", Perm(ConfigManage)),
    ("GET", "/classifier", Perm(ConfigManage)),
    ("POST", "/classifier/training", Perm(ConfigManage)),
    ("GET", "/webhooks", Perm(ConfigManage)),
    ("POST", "/webhooks", Perm(ConfigManage)),
    ("GET", "/webhooks/{id}/deliveries", Perm(ConfigManage)),
    ("GET", "/integrations", Perm(ConfigManage)),
    ("POST", "/integrations", Perm(ConfigManage)),
    ("GET", "/mail/outbox", Perm(ConfigManage)),
    ("POST", "/mail/outbox/{id}/resend", Perm(ConfigManage)),
    ("POST", "/mail/test", Perm(ConfigManage)),
    ("GET", "/jobs", Perm(ConfigManage)),
    ("POST", "/jobs/{id}/retry", Perm(ConfigManage)),
    // Machines.
    ("POST", "/events", IntegrationToken),
    ("POST", "/events/alertmanager", IntegrationToken),
    ("POST", "/hook-calls/result", CallbackToken),
    // Reports.
    ("GET", "/reports/kpis", Perm(ReportsRead)),
    ("GET", "/reports/kpis.csv", Perm(ReportsRead)),
    ("GET", "/reports/tickets.csv", Perm(ReportsRead)),
    ("GET", "/reports/staffing", Perm(ReportsRead)),
    ("GET", "/reports/surveys", Perm(ReportsRead)),
    ("GET", "/reports/charging", Perm(ReportsRead)),
    ("GET", "/reports/charging.csv", Perm(ReportsRead)),
    ("GET", "/reports/charging/rates", Perm(ReportsRead)),
    ("PUT", "/reports/charging/rates", Perm(ConfigManage)),
    ("GET", "/reports/schedules", Perm(ReportsRead)),
    ("POST", "/reports/schedules", Perm(ReportsRead)),
    ("GET", "/reports/schedules/{id}", Perm(ReportsRead)),
    ("PUT", "/reports/schedules/{id}", Perm(ReportsRead)),
    ("DELETE", "/reports/schedules/{id}", Perm(ReportsRead)),
];

/// Cells where the answer is not what the operation's need alone says, each with why.
/// (method, path, caller, outcome, reason)
const EXCEPTIONS: &[(&str, &str, Who, Outcome, &str)] = &[
    (
        "POST",
        "/directory/sync",
        Who::Admin,
        Outcome::NotFound,
        "no directory is configured in the walk's desk (404 after the access check; \
         `ldap.rs` runs the sync against a real directory)",
    ),
    (
        "POST",
        "/tickets/{id}/transitions",
        Who::OtherAgent,
        Outcome::Allowed,
        OUT_OF_SCOPE_BODY,
    ),
    (
        "POST",
        "/tickets/{id}/escalations",
        Who::OtherAgent,
        Outcome::Allowed,
        OUT_OF_SCOPE_BODY,
    ),
    (
        "POST",
        "/tickets/{id}/merge",
        Who::OtherAgent,
        Outcome::Allowed,
        OUT_OF_SCOPE_BODY,
    ),
];

const OUT_OF_SCOPE_BODY: &str = "the walk's body is refused (422) before the ticket is looked \
    up: the caller holds the permission, and the refusal is the same for every id, so it says \
    nothing of the ticket; a valid body gets 404 (`valid_bodies_out_of_scope_are_not_found`)";

/// The records a walk's paths name: real ones, so a refusal is about access.
struct Fixtures {
    ids: BTreeMap<&'static str, String>,
}

impl Fixtures {
    fn get(&self, key: &str) -> &str {
        self.ids
            .get(key)
            .unwrap_or_else(|| panic!("no fixture {key}"))
    }

    /// A concrete path (under `/api/v1`) for a template of the document.
    fn path(&self, template: &str) -> String {
        let segs: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
        let mut out = String::from("/api/v1");
        for (i, seg) in segs.iter().enumerate() {
            out.push('/');
            if !seg.starts_with('{') {
                out.push_str(seg);
                continue;
            }
            let owner = segs[..i].join("/");
            let key = match (owner.as_str(), *seg) {
                ("tickets", "{id}") => "ticket",
                (o, "{child_id}") if o.starts_with("tickets/") => "child",
                (o, "{canned_id}") if o.starts_with("tickets/") => "canned",
                (o, "{macro_id}") if o.starts_with("tickets/") => "macro",
                (o, "{user_id}") if o.ends_with("/watchers") => "watcher",
                (o, "{user_id}") if o.ends_with("/cc") => "cc",
                (o, "{user_id}") if o.starts_with("groups/") => "member",
                ("users/me/sessions", _) => "session",
                ("users", _) => "user",
                ("articles", _) => "article",
                ("attachments", _) => "attachment",
                ("calendars", _) => "calendar",
                ("canned-responses", _) => "canned",
                ("categories", _) => "category",
                ("departments", _) => "department",
                ("groups", _) => "group",
                ("jobs", _) => "job",
                ("mail/outbox", _) => "mail",
                ("notifications", _) => "notification",
                ("organisations", _) => "organisation",
                ("reports/schedules", _) => "schedule",
                ("resolution-codes", _) => "resolution_code",
                ("rules", _) => "rule",
                ("sla-policies", _) => "sla_policy",
                ("tokens", _) => "token",
                ("webhooks", _) => "webhook",
                _ => panic!("no fixture for {seg} in {template}"),
            };
            out.push_str(self.get(key));
        }
        out
    }
}

fn id_of(res: &TestResponse, what: &str) -> String {
    assert!(
        res.status.is_success(),
        "{what}: {} {}",
        res.status,
        res.text
    );
    res.body["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{what}: no id in {}", res.text))
        .to_string()
}

/// The records every walk uses, made by the administrator (and the caller for their own
/// token, session and notification).
async fn fixtures(d: &Desk, caller: &Caller, who: Who) -> Fixtures {
    let mut ids = BTreeMap::new();
    let admin = &d.admin;
    let org = id_of(
        &d.post("/api/v1/organisations", json!({"name": "Acme"}), admin)
            .await,
        "organisation",
    );
    let dept = id_of(
        &d.post(
            "/api/v1/departments",
            json!({"organisation_id": org.parse::<i64>().unwrap(), "name": "Finanzas"}),
            admin,
        )
        .await,
        "department",
    );
    let subject = d
        .user_in(
            "subject@x.test",
            "requester",
            Some(ventanilla_domain::OrganisationId(org.parse().unwrap())),
        )
        .await;
    let ticket = d.ticket().by(&d.requester).in_group(d.l1).create().await;
    let child = d
        .ticket()
        .by(&d.requester)
        .in_group(d.l1)
        .subject("Tampoco escanea")
        .create()
        .await;
    let tid = ticket.id.get();
    let res = d
        .post(
            &format!("/api/v1/tickets/{tid}/children"),
            json!({"child_id": child.id.get()}),
            admin,
        )
        .await;
    assert!(res.status.is_success(), "child: {}", res.text);
    let res = d
        .post(
            &format!("/api/v1/tickets/{tid}/watchers"),
            json!({"user_id": d.agent.id().get()}),
            admin,
        )
        .await;
    assert!(res.status.is_success(), "watcher: {}", res.text);
    let res = d
        .post(
            &format!("/api/v1/tickets/{tid}/cc"),
            json!({"user_id": subject.id.get()}),
            admin,
        )
        .await;
    assert!(res.status.is_success(), "cc: {}", res.text);
    let Caller::Bearer(admin_token) = &admin.caller else {
        unreachable!()
    };
    let upload = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/tickets/{tid}/attachments?filename=a.txt"))
        .header(header::AUTHORIZATION, format!("Bearer {admin_token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from("hola"))
        .unwrap();
    let attachment = id_of(&d.send(upload).await, "attachment");
    let article = id_of(
        &d.post(
            "/api/v1/articles",
            json!({"kind": "faq", "title": "Cambiar el tóner", "body": "Abra la tapa.",
                   "language": "es", "status": "published"}),
            admin,
        )
        .await,
        "article",
    );
    let category = id_of(
        &d.post(
            "/api/v1/categories",
            json!({"code": "access.account", "name_es": "Alta de cuenta", "name_en": "New account"}),
            admin,
        )
        .await,
        "category",
    );
    let webhook = id_of(
        &d.post(
            "/api/v1/webhooks",
            json!({"name": "scripts", "url": "http://127.0.0.1:9/hook", "events": ["ticket.sla"]}),
            admin,
        )
        .await,
        "webhook",
    );
    let res = d
        .put(
            &format!("/api/v1/categories/{category}/hook"),
            json!({"webhook_id": webhook.parse::<i64>().unwrap(), "trigger_on": "registration"}),
            admin,
        )
        .await;
    assert!(res.status.is_success(), "hook: {}", res.text);
    let canned = id_of(
        &d.post(
            "/api/v1/canned-responses",
            json!({"language": "es", "title": "Hola", "body": "Hola {{requester_name}}"}),
            admin,
        )
        .await,
        "canned response",
    );
    let macro_ = id_of(
        &d.post(
            "/api/v1/macros",
            json!({"name": "Saludo", "reply": "Hola {{requester_name}}"}),
            admin,
        )
        .await,
        "macro",
    );
    let rule = id_of(
        &d.post(
            "/api/v1/rules",
            json!({"name": "Mesa", "actions": [{"type": "set_group", "value": d.l1.get()}]}),
            admin,
        )
        .await,
        "rule",
    );
    let day = json!([["00:00", "24:00"]]);
    let calendar = id_of(
        &d.post(
            "/api/v1/calendars",
            json!({"name": "Siempre", "calendar": {"time_zone": "UTC", "weekly": {
                "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}}}),
            admin,
        )
        .await,
        "calendar",
    );
    let sla_policy = id_of(
        &d.post(
            "/api/v1/sla-policies",
            json!({"policy": {"name": "Baja", "priority": "low",
                "calendar_id": calendar.parse::<i64>().unwrap(),
                "targets": {"first_response": "PT1H", "resolution": "PT8H"}}}),
            admin,
        )
        .await,
        "sla policy",
    );
    let schedule = id_of(
        &d.post(
            "/api/v1/reports/schedules",
            json!({"name": "Semanal", "cadence": "weekly", "recipients": [d.admin.id().get()]}),
            admin,
        )
        .await,
        "report schedule",
    );
    let res = d
        .post(
            "/api/v1/mail/test",
            json!({"to": "ops@desk.test", "language": "en"}),
            admin,
        )
        .await;
    assert!(res.status.is_success(), "mail: {}", res.text);
    let mail = res.body["id"].as_i64().expect("mail id");
    let codes = d.get("/api/v1/resolution-codes", admin).await;
    let code = codes.body[0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no resolution code: {}", codes.text))
        .to_owned();

    // The caller's own: a second token (revoking it leaves the walk's), a second session,
    // a notification.
    let (token, session, notification) = match (who, caller) {
        (Who::Anonymous, _) => ("987654".into(), "987654".into(), "987654".into()),
        (_, Caller::Bearer(_)) => {
            let me = d.get("/api/v1/me", caller).await;
            let uid = ventanilla_domain::UserId(me.body["user"]["id"].as_i64().expect("my id"));
            let email = me.body["user"]["email"]
                .as_str()
                .expect("my email")
                .to_owned();
            let spare = ventanilla_app::api::issue_token(&d.state(), uid, "spare", None)
                .await
                .expect("spare token");
            let token = serde_json::to_value(&spare).unwrap()["id"]
                .as_i64()
                .expect("token id")
                .to_string();
            let browser = d.login(&email, PASSWORD).await;
            let sessions = d.get("/api/v1/users/me/sessions", &browser).await;
            let session = sessions.body["items"]
                .as_array()
                .or_else(|| sessions.body.as_array())
                .and_then(|s| s.first())
                .and_then(|s| s["id"].as_str())
                .unwrap_or_else(|| panic!("no session: {}", sessions.text))
                .to_owned();
            // A reply notifies the requester and the ticket's watchers (staff). The other
            // group's agent watches a ticket of their own, so the walk's stays out of reach.
            let watched = if who == Who::OtherAgent {
                d.ticket()
                    .by(&d.requester)
                    .subject("Pantalla rota")
                    .create()
                    .await
                    .id
                    .get()
            } else {
                tid
            };
            if who != Who::Requester {
                let res = d
                    .post(
                        &format!("/api/v1/tickets/{watched}/watchers"),
                        json!({"user_id": uid.get()}),
                        admin,
                    )
                    .await;
                assert!(res.status.is_success(), "watcher: {}", res.text);
            }
            let author = if who == Who::Admin { &d.agent } else { admin };
            let res = d
                .post(
                    &format!("/api/v1/tickets/{watched}/actions"),
                    json!({"kind": "reply", "body": "Estamos en ello"}),
                    author,
                )
                .await;
            assert!(res.status.is_success(), "reply: {}", res.text);
            d.run_pending_jobs().await;
            let list = d.get("/api/v1/notifications", caller).await;
            let notification = list.body["items"][0]["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("no notification: {}", list.text))
                .to_string();
            (token, session, notification)
        }
        _ => unreachable!("the walk calls with bearer tokens"),
    };

    // A skipped mail to send again, a dead job to retry, a two-factor enrolment to reset.
    d.run_pending_jobs().await;
    let store = &d.app.store;
    store
        .outbox()
        .skipped(mail, "access_matrix", None, d.app.now())
        .await
        .unwrap();
    let dead = NewJob {
        max_attempts: 1,
        ..NewJob::new("access_matrix.nothing", json!({}), d.app.now())
    };
    store.jobs().enqueue(&dead, d.app.now()).await.unwrap();
    let claimed = store
        .jobs()
        .claim(
            "access_matrix",
            d.app.now(),
            jiff::SignedDuration::from_mins(1),
            10,
        )
        .await
        .unwrap();
    let job = claimed
        .iter()
        .find(|j| j.kind == "access_matrix.nothing")
        .expect("the job to kill")
        .id;
    store
        .jobs()
        .fail(
            job,
            "access_matrix",
            "no such job",
            d.app.now(),
            d.app.now(),
        )
        .await
        .unwrap();
    let subject_token = ventanilla_app::api::issue_token(&d.state(), subject.id, "t", None)
        .await
        .expect("subject token");
    let subject_caller = Caller::Bearer(subject_token.token);
    let res = d
        .post("/api/v1/users/me/totp", json!({}), &subject_caller)
        .await;
    let secret = res.body["secret"].as_str().expect("totp secret").to_owned();
    let totp = ventanilla_app::identity::totp::code_at(&secret, d.app.now()).unwrap();
    let res = d
        .post(
            "/api/v1/users/me/totp/confirm",
            json!({"code": totp}),
            &subject_caller,
        )
        .await;
    assert!(res.status.is_success(), "totp: {}", res.text);

    for (k, v) in [
        ("organisation", org),
        ("department", dept),
        ("user", subject.id.get().to_string()),
        ("member", d.agent.id().get().to_string()),
        ("ticket", tid.to_string()),
        ("child", child.id.get().to_string()),
        ("watcher", d.agent.id().get().to_string()),
        ("cc", subject.id.get().to_string()),
        ("attachment", attachment),
        ("article", article),
        ("category", category),
        ("webhook", webhook),
        ("canned", canned),
        ("macro", macro_),
        ("rule", rule),
        ("calendar", calendar),
        ("sla_policy", sla_policy),
        ("schedule", schedule),
        ("mail", mail.to_string()),
        ("job", job.to_string()),
        ("resolution_code", code),
        ("group", d.l1.get().to_string()),
        ("token", token),
        ("session", session),
        ("notification", notification),
    ] {
        ids.insert(k, v);
    }
    Fixtures { ids }
}

/// A request body for an operation: a small valid one where the walk needs it to reach the
/// access check with real records, else one built from the document's schema (required
/// fields only), which deserialises.
fn body_for(
    doc: &Value,
    method: &str,
    template: &str,
    op: &Value,
    f: &Fixtures,
) -> Option<(String, Vec<u8>)> {
    let content = op.get("requestBody")?["content"].as_object()?;
    let n = |k: &str| f.get(k).parse::<i64>().unwrap();
    let given = match (method, template) {
        ("POST", "/auth/login") => Some(json!({"email": "subject@x.test", "password": PASSWORD})),
        ("POST", "/hook-calls/result") => Some(json!({"token": "nope", "outcome": "succeeded"})),
        ("POST", "/tickets") => Some(json!({"kind": "incident", "subject": "Sin red",
            "description": "No hay red", "impact": "low", "urgency": "low"})),
        ("POST", "/tickets/{id}/actions") => Some(json!({"kind": "reply", "body": "Gracias"})),
        ("POST", "/tickets/{id}/children") => Some(json!({"child_id": n("child")})),
        ("POST", "/tickets/{id}/watchers") => Some(json!({"user_id": n("watcher")})),
        ("POST", "/tickets/{id}/cc") => Some(json!({"user_id": n("cc")})),
        ("POST", "/tickets/{id}/articles") => Some(json!({"article": f.get("article")})),
        ("PUT", "/groups/{id}/members/{user_id}") => Some(json!({})),
        ("POST", "/users") => Some(json!({"name": "Nueva", "email": "nueva@x.test",
            "role": "requester"})),
        _ => None,
    };
    if let Some(v) = given {
        return Some(("application/json".into(), v.to_string().into_bytes()));
    }
    if let Some(c) = content.get("application/json") {
        let v = sample(doc, &c["schema"], 0);
        return Some(("application/json".into(), v.to_string().into_bytes()));
    }
    if content.contains_key("text/calendar") {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//ES\r\nBEGIN:VEVENT\r\nUID:1\r\n\
                   DTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260310\r\nSUMMARY:Fiesta\r\n\
                   END:VEVENT\r\nEND:VCALENDAR\r\n";
        return Some(("text/calendar".into(), ics.as_bytes().to_vec()));
    }
    let ct = content.keys().next()?.clone();
    Some((ct, b"hola".to_vec()))
}

/// A value for a schema: required properties only, the first of an enum or a choice.
fn sample(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 12 {
        return Value::Null;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return sample(doc, &doc["components"]["schemas"][name], depth + 1);
    }
    if let Some(all) = schema["allOf"].as_array() {
        let mut out = serde_json::Map::new();
        for s in all {
            if let Value::Object(o) = sample(doc, s, depth + 1) {
                out.extend(o);
            }
        }
        return Value::Object(out);
    }
    for k in ["oneOf", "anyOf"] {
        if let Some(choices) = schema[k].as_array() {
            let pick = choices
                .iter()
                .find(|c| c["type"] != "null")
                .unwrap_or(&Value::Null);
            return sample(doc, pick, depth + 1);
        }
    }
    if let Some(e) = schema["enum"].as_array().and_then(|e| e.first()) {
        return e.clone();
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    let ty = match &schema["type"] {
        Value::String(s) => s.as_str(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "null",
    };
    match ty {
        "object" => {
            let mut out = serde_json::Map::new();
            for r in schema["required"].as_array().into_iter().flatten() {
                let k = r.as_str().unwrap_or_default();
                out.insert(
                    k.to_owned(),
                    sample(doc, &schema["properties"][k], depth + 1),
                );
            }
            Value::Object(out)
        }
        "array" => {
            let min = schema["minItems"].as_u64().unwrap_or(0);
            Value::Array(
                (0..min)
                    .map(|_| sample(doc, &schema["items"], depth + 1))
                    .collect(),
            )
        }
        "string" => match schema["format"].as_str() {
            Some("date-time") => json!("2026-03-02T09:00:00Z"),
            Some("date") => json!("2026-03-02"),
            Some("email") => json!("x@x.test"),
            _ => json!("x"),
        },
        "integer" | "number" => json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
        "boolean" => json!(false),
        _ => Value::Null,
    }
}

/// Operations that end the caller's access or undo fixtures run after the rest.
fn runs_last(method: &str, template: &str) -> u8 {
    match (method, template) {
        ("POST", "/auth/logout") => 3,
        ("PUT", "/users/{id}/password") | ("POST", "/tickets/{id}/merge") => 1,
        ("DELETE", _) | ("POST", "/users/me/totp/disable") => 2,
        _ => 0,
    }
}

async fn send(
    d: &Desk,
    caller: &Caller,
    method: &str,
    path: &str,
    body: Option<(String, Vec<u8>)>,
) -> TestResponse {
    let mut req = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(path);
    if let Caller::Bearer(t) = caller {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = match body {
        Some((ct, bytes)) => {
            req = req.header(header::CONTENT_TYPE, ct);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    d.send(req.body(body).unwrap()).await
}

/// One caller's walk over every operation, on a desk of its own.
async fn walk(who: Who) -> BTreeMap<(String, String), (Outcome, String)> {
    let d = desk()
        .config(|c| c.webhooks.allow_loopback = true)
        .build()
        .await;
    d.allow_pending_jobs();
    let caller = match who {
        Who::Anonymous => Caller::Anonymous,
        Who::Requester => d.requester.caller.clone(),
        Who::Agent => d.agent.caller.clone(),
        Who::OtherAgent => {
            let other = d.person("otro@x.test", "agent").await;
            let res = d
                .post(
                    "/api/v1/groups",
                    json!({"name": "Soporte", "tier": "L1", "members": [{"user_id": other.id()}]}),
                    &d.admin,
                )
                .await;
            assert!(res.status.is_success(), "other group: {}", res.text);
            other.caller.clone()
        }
        Who::Supervisor => d.supervisor.caller.clone(),
        Who::Admin => d.admin.caller.clone(),
    };
    let f = fixtures(&d, &caller, who).await;
    let doc = d.get("/api/openapi.json", &Caller::Anonymous).await.body;
    let mut ops = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            let m = method.to_ascii_uppercase();
            if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
                ops.push((runs_last(&m, template), m, template.clone(), op.clone()));
            }
        }
    }
    ops.sort_by_key(|o| o.0);
    let mut seen = BTreeMap::new();
    for (_, method, template, op) in ops {
        let mut path = f.path(&template);
        let required: Vec<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query" && p["required"] == true)
            .filter_map(|p| p["name"].as_str())
            .collect();
        let query: Vec<String> = required
            .iter()
            .map(|q| match *q {
                "month" => "month=2026-03".to_owned(),
                "from" => "from=2026-03-01".to_owned(),
                "to" => "to=2026-03-31".to_owned(),
                "filename" => "filename=b.txt".to_owned(),
                other => format!("{other}=impresora"),
            })
            .collect();
        if !query.is_empty() {
            path = format!("{path}?{}", query.join("&"));
        }
        let body = body_for(&doc, &method, &template, &op, &f);
        let res = send(&d, &caller, &method, &path, body).await;
        seen.insert(
            (method, template),
            (
                Outcome::of(res.status),
                format!("{} {}", res.status.as_u16(), res.error_code()),
            ),
        );
    }
    seen
}

/// The expected cell: the need's answer unless an exception names the cell.
fn expected(method: &str, template: &str, need: Need, who: Who) -> (Outcome, Option<&'static str>) {
    EXCEPTIONS
        .iter()
        .find(|e| e.0 == method && e.1 == template && e.2 == who)
        .map_or((need.expect(who, template), None), |e| (e.3, Some(e.4)))
}

#[tokio::test]
async fn access_matrix() {
    // The roles as SPEC.md describes them are the roles the desk seeds.
    for (name, scope, perms) in builtin_roles() {
        let who = WHO
            .iter()
            .find(|w| w.role() == Some(name))
            .unwrap_or_else(|| panic!("built-in role {name} has no column"));
        assert_eq!(
            who.permissions(),
            (perms, Some(scope)),
            "the domain's {name} differs from SPEC.md's"
        );
    }

    let mut observed = BTreeMap::new();
    for who in WHO {
        for (op, cell) in walk(who).await {
            observed.insert((op, who), cell);
        }
    }

    if std::env::var_os("VENTANILLA_ACCESS_MATRIX_DEBUG").is_some() {
        for (((m, p), who), (o, detail)) in &observed {
            eprintln!("{m} {p} {} {} {detail}", who.column(), o.cell());
        }
    }

    let served: BTreeSet<(String, String)> = observed.keys().map(|(op, _)| op.clone()).collect();
    let table: BTreeSet<(String, String)> = TABLE
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let mut faults = Vec::new();
    for (m, p) in served.difference(&table) {
        faults.push(format!("{m} {p}: served but not in the table"));
    }
    for (m, p) in table.difference(&served) {
        faults.push(format!("{m} {p}: in the table but not served"));
    }
    for e in EXCEPTIONS {
        if !table.contains(&(e.0.to_owned(), e.1.to_owned())) {
            faults.push(format!("exception for {} {} names no operation", e.0, e.1));
        }
    }

    for (m, p, need) in TABLE {
        for who in WHO {
            let Some((got, detail)) = observed.get(&(((*m).to_owned(), (*p).to_owned()), who))
            else {
                continue;
            };
            let (want, _) = expected(m, p, *need, who);
            if *got != want {
                let kind = match (want, got) {
                    (_, Outcome::ServerError) => "server error",
                    (Outcome::Allowed, _) => "unexpected deny",
                    (_, Outcome::Allowed) => "unexpected allow",
                    _ => "other refusal",
                };
                faults.push(format!(
                    "{kind}: {m} {p} as {}: expected {}, got {detail}",
                    who.column(),
                    want.cell()
                ));
            }
        }
    }

    let section = render();
    let doc_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/SECURITY.md");
    let current = std::fs::read_to_string(doc_path).expect("docs/SECURITY.md");
    let updated = replace_section(&current, &section);
    if std::env::var_os("VENTANILLA_WRITE_ACCESS_MATRIX").is_some() {
        if updated != current {
            std::fs::write(doc_path, &updated).expect("write docs/SECURITY.md");
        }
    } else if updated != current {
        faults.push(
            "docs/SECURITY.md's access matrix differs from the table: run with \
             VENTANILLA_WRITE_ACCESS_MATRIX=1"
                .into(),
        );
    }

    assert!(
        faults.is_empty(),
        "{} faults in the access matrix:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

const START: &str =
    "<!-- access-matrix:start (generated by crates/app/tests/api/access_matrix.rs) -->";
const END: &str = "<!-- access-matrix:end -->";

/// The document's section: the expected table (which the walk has just matched).
fn render() -> String {
    let mut s = String::new();
    let cells = TABLE.len() * WHO.len();
    let mut count = BTreeMap::new();
    for (m, p, need) in TABLE {
        for who in WHO {
            *count
                .entry(expected(m, p, *need, who).0.cell())
                .or_insert(0) += 1;
        }
    }
    let allows = count.get("✓").copied().unwrap_or(0);
    let _ = writeln!(s, "{START}");
    let _ = writeln!(
        s,
        "Every operation of the OpenAPI document, called by each kind of caller with a bearer \
         token, on a fresh desk per caller, with real records in its path (a ticket of the \
         requester in the agent's L1 group \"Mesa\", its child, attachment, watcher and CC, an \
         organisation, a department, a user with two-factor, an article, a category with a \
         hook, the administrator's personal canned response, a skipped mail, a dead job, the \
         caller's own spare token, session and notification…), on SQLite and PostgreSQL. \
         Bodies are built from the document's schemas (required fields only, so often refused \
         as values): a caller without the permission must be refused before the body is \
         judged. Operations that end access (sign-out, deletions, password and two-factor \
         changes, merge) run last. ✓: the access check passed (any answer but 401, 403, 404 \
         or 5xx); 401: not signed in (or not the credential the operation takes); 403: the \
         role lacks the permission; 404: outside the caller's data scope. The expected table is \
         written in the test from the roles' permissions (checked against SPEC.md's roles and \
         the seeded built-in roles), not read from the router; the test fails on any \
         unexpected allow or deny, on an operation missing from it, or when this section \
         differs from it. Held by `api/access_matrix.rs::access_matrix`."
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "**{} operations × {} callers = {cells} cells: {allows} allowed, {} denied** \
         ({} × 401, {} × 403, {} × 404).",
        TABLE.len(),
        WHO.len(),
        cells - allows,
        count.get("401").copied().unwrap_or(0),
        count.get("403").copied().unwrap_or(0),
        count.get("404").copied().unwrap_or(0),
    );
    let _ = writeln!(s);
    let _ = write!(s, "| operation | needs |");
    for who in WHO {
        let _ = write!(s, " {} |", who.column());
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "|---|---|{}", "---|".repeat(WHO.len()));
    let mut notes = Vec::new();
    for (m, p, need) in TABLE {
        let _ = write!(s, "| `{m} {p}` | {} |", need.describe());
        for who in WHO {
            let (o, why) = expected(m, p, *need, who);
            match why {
                Some(why) => {
                    notes.push(format!("`{m} {p}` as {}: {}", who.column(), why));
                    let _ = write!(s, " {} ({}) |", o.cell(), notes.len());
                }
                None => {
                    let _ = write!(s, " {} |", o.cell());
                }
            }
        }
        let _ = writeln!(s);
    }
    if !notes.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Exceptions to the rule of the \"needs\" column:");
        let _ = writeln!(s);
        for (i, n) in notes.iter().enumerate() {
            let _ = writeln!(s, "{}. {n}", i + 1);
        }
    }
    let _ = writeln!(s, "{END}");
    s
}

/// The document with the section between the markers replaced (or added at the end under
/// its heading).
fn replace_section(doc: &str, section: &str) -> String {
    match (doc.find(START), doc.find(END)) {
        (Some(a), Some(b)) if a < b => {
            let rest = &doc[b + END.len()..];
            format!(
                "{}{}{}",
                &doc[..a],
                section,
                rest.strip_prefix('\n').unwrap_or(rest)
            )
        }
        _ => format!(
            "{}\n## Access matrix (generated)\n\n{section}",
            doc.trim_end()
        ),
    }
}

/// Regression (found by the walk): merging into a ticket named by number resolved the
/// number before any access check, so an agent told "not a ticket number" from "not a
/// ticket you can see" and learnt which numbers exist in other groups' scope.
#[tokio::test]
async fn a_merge_target_number_is_no_oracle_for_other_scopes() {
    let d = desk().build().await;
    let other = d.person("otro@x.test", "agent").await;
    let res = d
        .post(
            "/api/v1/groups",
            json!({"name": "Soporte", "tier": "L1", "members": [{"user_id": other.id()}]}),
            &d.admin,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let group = ventanilla_domain::GroupId(res.body["id"].as_i64().unwrap());
    let theirs = d.ticket().in_group(d.l1).create().await;
    let mine = d
        .ticket()
        .in_group(group)
        .subject("Sin correo")
        .create()
        .await;
    let merge = async |into: &str| {
        d.post(
            &format!("/api/v1/tickets/{}/merge", mine.id.get()),
            json!({"into_number": into}),
            &other,
        )
        .await
    };
    let unseen = merge(&theirs.number.to_string()).await;
    let missing = merge("INC-999999").await;
    assert_eq!(
        unseen.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unseen.text
    );
    assert_eq!(
        unseen.body, missing.body,
        "same answer for unseen and missing"
    );
    // A requester is refused before the body is read.
    let res = d
        .post(
            &format!("/api/v1/tickets/{}/merge", theirs.id.get()),
            json!({}),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
}

/// The exceptions above say it: with a valid body, the other group's agent gets 404 from the
/// three operations that judge the body before looking the ticket up.
#[tokio::test]
async fn valid_bodies_out_of_scope_are_not_found() {
    let d = desk().build().await;
    let other = d.person("otro@x.test", "agent").await;
    let res = d
        .post(
            "/api/v1/groups",
            json!({"name": "Soporte", "tier": "L1", "members": [{"user_id": other.id()}]}),
            &d.admin,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let group = ventanilla_domain::GroupId(res.body["id"].as_i64().unwrap());
    let theirs = d.ticket().in_group(d.l1).create().await.id.get();
    let mine = d.ticket().in_group(group).create().await.id.get();
    for (op, body) in [
        ("transitions", json!({"to": "analysis"})),
        (
            "escalations",
            json!({"type": "hierarchical", "summary": "Necesito ayuda"}),
        ),
        ("merge", json!({"into_id": mine})),
    ] {
        let res = d
            .post(&format!("/api/v1/tickets/{theirs}/{op}"), body, &other)
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{op}: {}", res.text);
    }
}
