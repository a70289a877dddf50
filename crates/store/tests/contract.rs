//! The store contract: every repository function, run on a fresh SQLite file, and on a fresh
//! PostgreSQL database when `VENTANILLA_TEST_POSTGRES_URL` is set (CI runs both).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use ventanilla_domain::access::{ADMIN, AGENT, REQUESTER, Scope};
use ventanilla_domain::directory::{
    GroupPatch, NewDepartment, NewGroup, NewOrganisation, NewUser, OrganisationPatch, PageRequest,
    UserPatch,
};
use ventanilla_domain::{
    Email, Language, OrganisationId, Permission, Text, Tier, TimeZoneName, UserId,
};
use ventanilla_store::audit::{AuditFilter, NewAudit};
use ventanilla_store::directory::OrganisationFilter;
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::sessions::NewSession;
use ventanilla_store::users::UserFilter;
use ventanilla_store::{Store, StoreError};
use ventanilla_testdb::{TestDb, fixtures};

fn t0() -> Timestamp {
    "2026-05-04T08:00:00Z".parse().unwrap()
}

fn audit(action: &str) -> NewAudit {
    NewAudit::new(t0(), None, action, Some("127.0.0.1".into()))
}

fn page(limit: u32) -> PageRequest {
    PageRequest::new(None, Some(limit)).unwrap()
}

async fn user(
    store: &Store,
    email: &str,
    role: &str,
    org: Option<OrganisationId>,
) -> ventanilla_domain::directory::User {
    let role = store.roles().by_name(role).await.unwrap();
    let new = NewUser {
        organisation_id: org,
        language: Language::En,
        time_zone: TimeZoneName::parse("America/Bogota").unwrap(),
        password_hash: Some("$argon2id$fake".into()),
        ..fixtures::new_user(email, role.id)
    };
    store
        .users()
        .create(&new, &audit("user.create"))
        .await
        .unwrap()
}

#[tokio::test]
async fn migrations_have_the_same_versions_on_both_backends() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let names = |sub: &str| -> BTreeSet<String> {
        std::fs::read_dir(format!("{dir}/{sub}"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}

#[tokio::test]
async fn migrating_twice_and_concurrently_is_safe() {
    let db = TestDb::fresh().await;
    let (a, b) = tokio::join!(db.store(), db.store());
    a.migrate().await.unwrap();
    b.migrate().await.unwrap();
    assert_eq!(
        a.roles().list().await.unwrap().len(),
        4,
        "built-in roles seeded once"
    );
    a.ping().await.unwrap();
}

#[tokio::test]
async fn roles() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let roles = s.roles().list().await.unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec![REQUESTER, AGENT, "supervisor", ADMIN]);
    let admin = s.roles().by_name(ADMIN).await.unwrap();
    assert_eq!(admin.permissions.len(), Permission::ALL.len());
    assert!(admin.builtin);
    assert_eq!(s.roles().get(admin.id).await.unwrap().name, ADMIN);
    let perms: BTreeSet<_> = [Permission::UsersRead].into();
    let custom = s
        .roles()
        .create("auditor", Scope::Organisation, &perms)
        .await
        .unwrap();
    assert!(!custom.builtin);
    assert_eq!(custom.scope, Scope::Organisation);
    assert!(matches!(
        s.roles().create("auditor", Scope::All, &perms).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        s.roles().by_name("nobody").await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn organisations_and_departments() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let acme = s
        .organisations()
        .create(
            &NewOrganisation::parse("Acme", Some("AC")).unwrap(),
            &audit("o"),
        )
        .await
        .unwrap();
    let beta = s
        .organisations()
        .create(
            &NewOrganisation::parse("Beta_%", None).unwrap(),
            &audit("o"),
        )
        .await
        .unwrap();
    assert_eq!(acme.created_at, t0());
    assert!(matches!(
        s.organisations()
            .create(&NewOrganisation::parse("ACME", None).unwrap(), &audit("o"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let f = OrganisationFilter {
        q: Some("_%".into()),
        ..Default::default()
    };
    let found = s.organisations().list(&f, page(10)).await.unwrap();
    assert_eq!(
        found.items.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![beta.id]
    );
    let f = OrganisationFilter {
        only: Some(acme.id),
        ..Default::default()
    };
    assert_eq!(
        s.organisations()
            .list(&f, page(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let one = s
        .organisations()
        .list(&OrganisationFilter::default(), page(1))
        .await
        .unwrap();
    assert_eq!(one.next, Some(acme.id.get()));
    let patch = OrganisationPatch {
        active: Some(false),
        code: Some(None),
        ..Default::default()
    };
    let (before, after) = s
        .organisations()
        .update(acme.id, &patch, &audit("o.u"))
        .await
        .unwrap();
    assert!(before.active && !after.active);
    assert_eq!(after.code, None);
    assert_eq!(after.name, "Acme");
    let f = OrganisationFilter {
        active: Some(true),
        ..Default::default()
    };
    assert_eq!(
        s.organisations()
            .list(&f, page(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(matches!(
        s.organisations().get(OrganisationId(999)).await,
        Err(StoreError::NotFound)
    ));

    let d = s
        .departments()
        .create(
            &NewDepartment {
                organisation_id: acme.id,
                name: Text::parse("n", "IT", 9).unwrap(),
            },
            &audit("d"),
        )
        .await
        .unwrap();
    s.departments()
        .create(
            &NewDepartment {
                organisation_id: beta.id,
                name: Text::parse("n", "IT", 9).unwrap(),
            },
            &audit("d"),
        )
        .await
        .unwrap();
    assert!(matches!(
        s.departments()
            .create(
                &NewDepartment {
                    organisation_id: acme.id,
                    name: Text::parse("n", "it", 9).unwrap()
                },
                &audit("d")
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        s.departments()
            .create(
                &NewDepartment {
                    organisation_id: OrganisationId(999),
                    name: Text::parse("n", "X", 9).unwrap()
                },
                &audit("d")
            )
            .await,
        Err(StoreError::Reference { .. })
    ));
    assert_eq!(
        s.departments()
            .list(Some(acme.id), page(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        s.departments()
            .list(None, page(10))
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let (_, renamed) = s
        .departments()
        .rename(d.id, &Text::parse("n", "TI", 9).unwrap(), &audit("d.u"))
        .await
        .unwrap();
    assert_eq!(s.departments().get(d.id).await.unwrap().name, renamed.name);
    let log = s
        .audit()
        .list(&AuditFilter::default(), page(50))
        .await
        .unwrap();
    assert_eq!(
        log.items.len(),
        6,
        "every successful change is audited, failures are not"
    );
}

#[tokio::test]
async fn users_with_scopes_and_credentials() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let org = s
        .organisations()
        .create(&NewOrganisation::parse("Acme", None).unwrap(), &audit("o"))
        .await
        .unwrap();
    let a = user(&s, "a@x.test", REQUESTER, Some(org.id)).await;
    let b = user(&s, "b@x.test", REQUESTER, Some(org.id)).await;
    let c = user(&s, "c@x.test", AGENT, None).await;
    assert_eq!(a.language, Language::En);
    assert_eq!(s.users().get(a.id).await.unwrap(), a);
    assert_eq!(
        s.users()
            .by_email(&Email::parse("A@X.test").unwrap())
            .await
            .unwrap()
            .id,
        a.id
    );
    assert_eq!(s.users().count().await.unwrap(), 3);

    let mut actor = s.users().actor(a.id).await.unwrap().unwrap();
    assert_eq!(actor.scope, Scope::Own);
    let all = UserFilter::default();
    let ids = |p: ventanilla_domain::directory::Page<ventanilla_domain::directory::User>| {
        p.items.iter().map(|u| u.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(s.users().list(&actor, &all, page(10)).await.unwrap()),
        vec![a.id]
    );
    actor.organisation_manager = true;
    assert_eq!(
        ids(s.users().list(&actor, &all, page(10)).await.unwrap()),
        vec![a.id, b.id]
    );
    let agent = s.users().actor(c.id).await.unwrap().unwrap();
    assert_eq!(
        ids(s.users().list(&agent, &all, page(10)).await.unwrap()),
        vec![a.id, b.id, c.id]
    );
    let f = UserFilter {
        role: Some(AGENT.into()),
        ..Default::default()
    };
    assert_eq!(
        ids(s.users().list(&agent, &f, page(10)).await.unwrap()),
        vec![c.id]
    );
    let f = UserFilter {
        q: Some("B@".into()),
        ..Default::default()
    };
    assert_eq!(
        ids(s.users().list(&agent, &f, page(10)).await.unwrap()),
        vec![b.id]
    );
    let p = s.users().list(&agent, &all, page(2)).await.unwrap();
    assert_eq!(p.next, Some(b.id.get()));
    let rest = s
        .users()
        .list(&agent, &all, PageRequest::new(p.next, Some(2)).unwrap())
        .await
        .unwrap();
    assert_eq!(ids(rest), vec![c.id]);

    let creds = s.users().credentials(&a.email).await.unwrap();
    assert_eq!(creds.password_hash.as_deref(), Some("$argon2id$fake"));
    s.users()
        .set_password_hash(a.id, "$argon2id$new", &audit("pw"))
        .await
        .unwrap();
    assert_eq!(
        s.users()
            .credentials(&a.email)
            .await
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$new")
    );
    assert!(matches!(
        s.users()
            .set_password_hash(UserId(999), "x", &audit("pw"))
            .await,
        Err(StoreError::NotFound)
    ));

    let patch = UserPatch {
        name: Some(Text::parse("n", "Ana", 9).unwrap()),
        phone: Some(Some(Text::parse("p", "123", 9).unwrap())),
        active: Some(false),
        ..Default::default()
    };
    let (before, after) = s.users().update(a.id, &patch, &audit("u")).await.unwrap();
    assert!(before.active && !after.active);
    assert_eq!(after.phone.as_deref(), Some("123"));
    assert_eq!(after.email, before.email);
    assert_eq!(
        s.users().actor(a.id).await.unwrap(),
        None,
        "inactive users do not act"
    );
    let dup = UserPatch {
        email: Some(b.email.clone()),
        ..Default::default()
    };
    assert!(matches!(
        s.users().update(a.id, &dup, &audit("u")).await,
        Err(StoreError::Conflict { .. })
    ));
}

#[tokio::test]
async fn groups_and_members() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let a = user(&s, "a@x.test", AGENT, None).await;
    let b = user(&s, "b@x.test", AGENT, None).await;
    let mk = |name: &str, tier| NewGroup {
        name: Text::parse("n", name, 99).unwrap(),
        tier,
        description: None,
        email: None,
    };
    let l1 = s
        .groups()
        .create(&mk("Mesa", Tier::L1), &audit("g"))
        .await
        .unwrap();
    let l2 = s
        .groups()
        .create(&mk("Apps", Tier::L2), &audit("g"))
        .await
        .unwrap();
    let l3 = s
        .groups()
        .create(&mk("Redes", Tier::L3), &audit("g"))
        .await
        .unwrap();
    s.groups()
        .put_member(l1.id, a.id, false, &audit("m"))
        .await
        .unwrap();
    s.groups()
        .put_member(l1.id, b.id, true, &audit("m"))
        .await
        .unwrap();
    s.groups()
        .put_member(l3.id, a.id, false, &audit("m"))
        .await
        .unwrap();
    s.groups()
        .put_member(l1.id, a.id, true, &audit("m"))
        .await
        .unwrap();
    let page_ = s
        .groups()
        .list(&GroupFilter::default(), page(10))
        .await
        .unwrap();
    let counts: Vec<usize> = page_.items.iter().map(|(_, m)| m.len()).collect();
    assert_eq!(counts, vec![2, 0, 1]);
    assert!(
        page_.items[0].1.iter().all(|m| m.supervisor),
        "put_member updates the flag"
    );
    let f = GroupFilter {
        member: Some(a.id),
        ..Default::default()
    };
    assert_eq!(s.groups().list(&f, page(10)).await.unwrap().items.len(), 2);
    let f = GroupFilter {
        tier: Some(Tier::L2),
        ..Default::default()
    };
    assert_eq!(
        s.groups().list(&f, page(10)).await.unwrap().items[0].0.id,
        l2.id
    );
    assert_eq!(
        s.groups().ids_of_member(a.id).await.unwrap(),
        vec![l1.id, l3.id]
    );
    s.groups()
        .remove_member(l1.id, a.id, &audit("m"))
        .await
        .unwrap();
    assert!(matches!(
        s.groups().remove_member(l1.id, a.id, &audit("m")).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.groups().members(l1.id).await.unwrap().len(), 1);
    let patch = GroupPatch {
        tier: Some(Tier::L2),
        email: Some(Some(Email::parse("m@x.test").unwrap())),
        ..Default::default()
    };
    let (_, g) = s
        .groups()
        .update(l1.id, &patch, &audit("g.u"))
        .await
        .unwrap();
    assert_eq!((g.tier, g.email.as_deref()), (Tier::L2, Some("m@x.test")));
    assert!(matches!(
        s.groups().create(&mk("mesa", Tier::L1), &audit("g")).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        s.groups()
            .put_member(l2.id, UserId(999), false, &audit("m"))
            .await,
        Err(StoreError::Reference { .. })
    ));
}

#[tokio::test]
async fn sessions_tokens_and_throttle() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let a = user(&s, "a@x.test", AGENT, None).await;
    let hour = SignedDuration::from_hours(1);
    let new = NewSession {
        id_hash: "h1",
        user_id: a.id,
        csrf_token: "c1",
        now: t0(),
        expires_at: t0() + hour,
        ip: Some("::1"),
        user_agent: None,
        stage: "full",
        method: "password",
    };
    s.sessions().create(&new).await.unwrap();
    let info = s.sessions().lookup("h1", t0()).await.unwrap().unwrap();
    assert_eq!((info.actor.user_id, info.csrf_token.as_str()), (a.id, "c1"));
    assert!(
        s.sessions()
            .lookup("h1", t0() + hour)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    s.sessions()
        .touch("h1", t0() + hour, t0() + hour + hour)
        .await
        .unwrap();
    assert!(
        s.sessions()
            .lookup("h1", t0() + hour)
            .await
            .unwrap()
            .is_some(),
        "touch slides expiry"
    );
    assert_eq!(
        s.sessions().purge_expired(t0() + hour * 3).await.unwrap(),
        1
    );
    s.sessions()
        .create(&NewSession {
            id_hash: "h2",
            ..new.clone()
        })
        .await
        .unwrap();
    s.sessions().delete("h2").await.unwrap();
    assert!(s.sessions().lookup("h2", t0()).await.unwrap().is_none());

    let tok = s
        .tokens()
        .create(a.id, "ci", "th", "vt_abc", t0(), Some(t0() + hour))
        .await
        .unwrap();
    let auth = s.tokens().authenticate("th", t0()).await.unwrap().unwrap();
    assert_eq!(
        (auth.token_id, auth.actor.user_id, auth.last_used_at),
        (tok.id, a.id, None)
    );
    s.tokens().mark_used(tok.id, t0()).await.unwrap();
    assert_eq!(
        s.tokens().get(tok.id).await.unwrap().last_used_at,
        Some(t0())
    );
    assert!(
        s.tokens()
            .authenticate("th", t0() + hour)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        s.tokens()
            .authenticate("nope", t0())
            .await
            .unwrap()
            .is_none()
    );
    s.tokens().revoke(tok.id, t0()).await.unwrap();
    s.tokens().revoke(tok.id, t0() + hour).await.unwrap();
    assert_eq!(
        s.tokens().get(tok.id).await.unwrap().revoked_at,
        Some(t0()),
        "first revocation kept"
    );
    assert!(s.tokens().authenticate("th", t0()).await.unwrap().is_none());
    assert_eq!(s.tokens().list_for(a.id).await.unwrap().len(), 1);
    assert!(matches!(
        s.tokens().create(a.id, "dup", "th", "vt", t0(), None).await,
        Err(StoreError::Conflict { .. })
    ));

    let window = SignedDuration::from_mins(15);
    for i in 1..=3 {
        let n = s
            .throttle()
            .record_failure("k", t0(), t0() - window)
            .await
            .unwrap();
        assert_eq!(n, i);
    }
    assert_eq!(s.throttle().get("k").await.unwrap().unwrap().count, 3);
    let later = t0() + window + hour;
    assert_eq!(
        s.throttle()
            .record_failure("k", later, later - window)
            .await
            .unwrap(),
        1,
        "old runs restart"
    );
    s.throttle().clear("k").await.unwrap();
    assert!(s.throttle().get("k").await.unwrap().is_none());
}

#[tokio::test]
async fn audit_log_filters_and_pages_newest_first() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let a = user(&s, "a@x.test", ADMIN, None).await;
    for i in 0..5 {
        let e = NewAudit::new(
            t0(),
            Some(a.id),
            if i % 2 == 0 { "login" } else { "logout" },
            None,
        )
        .target("user", Some(a.id.get()))
        .detail(serde_json::json!({ "i": i }));
        s.audit().record(&e).await.unwrap();
    }
    let f = AuditFilter {
        actor: Some(a.id),
        action: Some("login".into()),
        ..AuditFilter::default()
    };
    let p = s.audit().list(&f, page(2)).await.unwrap();
    assert_eq!(
        p.items
            .iter()
            .map(|e| e.detail["i"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![4, 2]
    );
    let rest = s
        .audit()
        .list(&f, PageRequest::new(p.next, Some(2)).unwrap())
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.next, None);
}
