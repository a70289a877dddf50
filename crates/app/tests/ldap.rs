//! LDAP directory (issue 19) against a real OpenLDAP `slapd` started by the test on a free
//! loopback port with its own configuration and database in a temporary folder: bind
//! sign-in (by e-mail or user name), groups mapped to roles and support groups, the sync
//! with its dry run (create, update, deactivate with the sessions ended), and a directory
//! that is down (a clear 503 for directory users, local administrators still sign in), and
//! LDAPS and StartTLS against a certificate from a throwaway CA (Debian's `openssl`).
//! Without `slapd` installed the tests print "skipped" and pass, unless `CI=true`.

#![allow(clippy::unwrap_used)]

use http::StatusCode;
use serde_json::json;
use ventanilla_app::identity::config::{GroupMap, LdapConfig, LdapSecurity};
use ventanilla_testkit::slapd::{ADMIN_DN, ADMIN_PW, SUFFIX, Slapd};
use ventanilla_testkit::{Caller, PASSWORD, TestApp, session_cookie};

fn ldap_config(url: String) -> LdapConfig {
    LdapConfig {
        url,
        security: LdapSecurity::None,
        bind_dn: ADMIN_DN.into(),
        bind_password: Some(ADMIN_PW.into()),
        user_base: format!("ou=people,{SUFFIX}"),
        group_base: format!("ou=groups,{SUFFIX}"),
        group_roles: vec![GroupMap {
            group: format!("cn=agents,ou=groups,{SUFFIX}"),
            value: "agent".into(),
        }],
        group_support_groups: vec![GroupMap {
            group: format!("cn=l1,ou=groups,{SUFFIX}"),
            value: "1".into(),
        }],
        organisation_id: Some(1),
        sync_every_secs: 3600,
        timeout_secs: 3,
        ..LdapConfig::default()
    }
}

async fn login(t: &TestApp, login: &str, password: &str) -> ventanilla_testkit::TestResponse {
    t.post(
        "/api/v1/auth/login",
        json!({ "email": login, "password": password }),
        &Caller::Anonymous,
    )
    .await
}

/// The sign-in form as a browser posts it.
async fn login_page(t: &TestApp, email: &str, password: &str) -> ventanilla_testkit::TestResponse {
    let form =
        serde_urlencoded::to_string([("email", email), ("password", password), ("next", "/")])
            .unwrap();
    let req = http::Request::post("/login")
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(axum::body::Body::from(form))
        .unwrap();
    t.send(req).await
}

fn session_of(res: &ventanilla_testkit::TestResponse) -> Caller {
    Caller::Session {
        cookie: session_cookie(&res.headers).unwrap(),
        csrf: res.body["csrf_token"].as_str().unwrap().into(),
    }
}

#[tokio::test]
async fn directory_users_sign_in_by_bind_and_the_sync_creates_updates_and_deactivates() {
    let Some(slapd) = Slapd::start() else {
        return;
    };
    let t = TestApp::with_config(|c| c.identity.ldap = Some(ldap_config(slapd.url()))).await;
    let (_, admin) = t.token_for("root@x.test", "admin").await;
    let org = t
        .post(
            "/api/v1/organisations",
            json!({ "name": "Example" }),
            &admin,
        )
        .await;
    assert_eq!(org.body["id"], 1, "{}", org.text);
    let group = t
        .post(
            "/api/v1/groups",
            json!({ "name": "Desk L1", "tier": "L1" }),
            &admin,
        )
        .await;
    assert_eq!(group.body["id"], 1, "{}", group.text);

    // Bind sign-in: the user is created from the directory, groups → role and group.
    let wrong = login(&t, "carla@example.test", "not-her-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.text);
    let empty = login(&t, "carla@example.test", "").await;
    assert_eq!(
        empty.status,
        StatusCode::UNAUTHORIZED,
        "an empty password never binds"
    );
    let ok = login(&t, "carla@example.test", "carla-password").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.body["user"]["role"], "agent");
    assert_eq!(ok.body["user"]["name"], "Carla Ruiz");
    assert_eq!(ok.body["user"]["organisation_id"], 1);
    assert!(ok.body["user"]["department_id"].is_i64(), "{}", ok.text);
    let carla_id = ok.body["user"]["id"].as_i64().unwrap();
    let members = t.get("/api/v1/groups/1", &admin).await;
    assert!(
        members.text.contains("carla@example.test")
            || members.text.contains(&format!("\"user_id\":{carla_id}")),
        "{}",
        members.text
    );
    // By user name too.
    let by_uid = login(&t, "carla", "carla-password").await;
    assert_eq!(by_uid.status, StatusCode::OK, "{}", by_uid.text);
    assert_eq!(by_uid.body["user"]["id"], carla_id);
    // Dave signs in now; he is removed from the directory later.
    let dave = login(&t, "dave@example.test", "dave-password").await;
    assert_eq!(dave.status, StatusCode::OK, "{}", dave.text);
    assert_eq!(dave.body["user"]["role"], "requester");
    let dave_session = session_of(&dave);

    // Dry run: reports Erin and her department, changes nothing.
    let dry = t
        .post("/api/v1/directory/sync", json!({ "dry_run": true }), &admin)
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert_eq!(
        dry.body["created"],
        json!(["erin@example.test"]),
        "{}",
        dry.text
    );
    assert_eq!(dry.body["departments_created"], json!(["Compras"]));
    assert_eq!(dry.body["deactivated"], json!([]));
    let users = t.get("/api/v1/users?q=erin", &admin).await;
    assert!(
        users.body["items"].as_array().unwrap().is_empty(),
        "dry run"
    );

    // The real sync.
    let real = t
        .post(
            "/api/v1/directory/sync",
            json!({ "dry_run": false }),
            &admin,
        )
        .await;
    assert_eq!(real.status, StatusCode::OK, "{}", real.text);
    assert_eq!(real.body["created"], json!(["erin@example.test"]));
    assert_eq!(real.body["unchanged"], 2, "{}", real.text);
    let users = t.get("/api/v1/users?q=erin", &admin).await;
    assert_eq!(users.body["items"][0]["name"], "Erin Gil");

    // The directory changes: Erin is renamed, Dave leaves.
    slapd.ldif(
        "ldapmodify",
        "dn: uid=erin,ou=people,dc=example,dc=test\nchangetype: modify\nreplace: cn\ncn: Erin Gil Prado\n",
    );
    slapd.ldif("ldapdelete", "uid=dave,ou=people,dc=example,dc=test\n");
    let dry = t
        .post("/api/v1/directory/sync", json!({ "dry_run": true }), &admin)
        .await;
    assert_eq!(
        dry.body["deactivated"],
        json!(["dave@example.test"]),
        "{}",
        dry.text
    );
    assert_eq!(
        dry.body["updated"]["erin@example.test"]["name"],
        "Erin Gil Prado"
    );
    assert_eq!(
        t.get("/api/v1/me", &dave_session).await.status,
        StatusCode::OK
    );
    let real = t
        .post(
            "/api/v1/directory/sync",
            json!({ "dry_run": false }),
            &admin,
        )
        .await;
    assert_eq!(real.body["deactivated"], json!(["dave@example.test"]));
    // Deactivated: his session ended, he cannot sign in.
    assert_eq!(
        t.get("/api/v1/me", &dave_session).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&t, "dave@example.test", "dave-password").await.status,
        StatusCode::UNAUTHORIZED
    );
    let audit = t.get("/api/v1/audit?kind=user.update", &admin).await;
    let deact = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["after"]["active"] == false)
        .cloned()
        .unwrap_or_default();
    assert_eq!(deact["before"]["active"], true, "{}", audit.text);
    assert_eq!(deact["ip"], "ldap-sync");

    // The scheduled sync (a job every `sync_every_secs`) picks up a newcomer.
    slapd.ldif(
        "ldapadd",
        "dn: uid=fran,ou=people,dc=example,dc=test\nobjectClass: inetOrgPerson\nuid: fran\ncn: Fran Vidal\nsn: Vidal\nmail: fran@example.test\n",
    );
    ventanilla_app::jobs::schedule_ticks(&t.app, t.app.now())
        .await
        .unwrap();
    ventanilla_app::jobs::run_pending(&t.app, "test")
        .await
        .unwrap();
    let users = t.get("/api/v1/users?q=fran", &admin).await;
    assert_eq!(
        users.body["items"][0]["name"], "Fran Vidal",
        "{}",
        users.text
    );
}

#[tokio::test]
async fn an_organisation_that_does_not_exist_in_the_settings_is_said_so() {
    let Some(slapd) = Slapd::start() else {
        return;
    };
    let t = TestApp::with_config(|c| {
        let mut cfg = ldap_config(slapd.url());
        cfg.organisation_id = Some(999);
        c.identity.ldap = Some(cfg);
    })
    .await;
    t.user("root@x.test", "admin").await;
    let res = login(&t, "carla@example.test", "carla-password").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.text);
    assert_eq!(res.error_code(), "directory_misconfigured");
    let admin = session_of(&login(&t, "root@x.test", PASSWORD).await);
    let sync = t
        .post("/api/v1/directory/sync", json!({ "dry_run": true }), &admin)
        .await;
    assert_eq!(
        sync.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        sync.text
    );
    assert_eq!(sync.error_code(), "directory_misconfigured");
    // Nobody was half-created.
    let users = t.get("/api/v1/users?q=carla", &admin).await;
    assert_eq!(
        users.body["items"].as_array().unwrap().len(),
        0,
        "{}",
        users.text
    );
    // The sign-in page says it in Spanish (the page's default language).
    let page = login_page(&t, "carla@example.test", "carla-password").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.text.contains("no está bien configurado"),
        "{}",
        page.text
    );
}

#[tokio::test]
async fn a_directory_that_is_down_is_a_clear_error_and_local_admins_still_sign_in() {
    // Nothing listens on port 1. (A port found free and released could be taken meanwhile by
    // the other test's slapd, which knows carla: the login then succeeded.)
    let url = "ldap://127.0.0.1:1".to_owned();
    let t = TestApp::with_config(|c| c.identity.ldap = Some(ldap_config(url))).await;
    t.user("root@x.test", "admin").await;
    for _ in 0..12 {
        let res = login(&t, "carla@example.test", "carla-password").await;
        assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.text);
        assert_eq!(res.error_code(), "directory_unavailable");
    }
    // The outage did not lock anyone out, and the local administrator signs in.
    let local = login(&t, "root@x.test", PASSWORD).await;
    assert_eq!(local.status, StatusCode::OK, "{}", local.text);
    let admin = session_of(&local);
    let sync = t
        .post("/api/v1/directory/sync", json!({ "dry_run": true }), &admin)
        .await;
    assert_eq!(sync.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(sync.error_code(), "directory_unavailable");
    // The sign-in page says so in words.
    let page = login_page(&t, "carla@example.test", "carla-password").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.text.contains("servidor de directorio") || page.text.contains("directory server"),
        "{}",
        page.text
    );
    let failed = t
        .get("/api/v1/audit?kind=login.failed&limit=1", &admin)
        .await;
    assert_eq!(
        failed.body["items"][0]["detail"]["reason"],
        "directory_unavailable"
    );
}

#[tokio::test]
async fn the_directory_is_reached_over_ldaps_and_starttls_trusting_the_configured_ca() {
    let Some(slapd) = Slapd::start_with(true) else {
        return;
    };
    let (tls_port, ca) = slapd.tls.clone().unwrap();
    let ldaps = LdapConfig {
        security: LdapSecurity::Ldaps,
        ca_file: Some(ca.clone()),
        ..ldap_config(format!("ldaps://127.0.0.1:{tls_port}"))
    };
    let starttls = LdapConfig {
        security: LdapSecurity::StartTls,
        ca_file: Some(ca),
        ..ldap_config(slapd.url())
    };
    for (how, cfg) in [("ldaps", ldaps.clone()), ("starttls", starttls.clone())] {
        let t = TestApp::with_config(|c| c.identity.ldap = Some(cfg)).await;
        let (_, admin) = t.token_for("root@x.test", "admin").await;
        t.post(
            "/api/v1/organisations",
            json!({ "name": "Example" }),
            &admin,
        )
        .await;
        t.post(
            "/api/v1/groups",
            json!({ "name": "Desk L1", "tier": "L1" }),
            &admin,
        )
        .await;
        let wrong = login(&t, "carla@example.test", "not-her-password").await;
        assert_eq!(
            wrong.status,
            StatusCode::UNAUTHORIZED,
            "{how}: {}",
            wrong.text
        );
        let ok = login(&t, "carla@example.test", "carla-password").await;
        assert_eq!(ok.status, StatusCode::OK, "{how}: {}", ok.text);
        assert_eq!(ok.body["user"]["name"], "Carla Ruiz", "{how}");
    }
    // A certificate the desk does not trust (no CA configured, not in the system's roots)
    // is a directory out of reach, never a wrong password: nothing is sent in the clear.
    for (how, cfg) in [("ldaps", ldaps), ("starttls", starttls)] {
        let cfg = LdapConfig {
            ca_file: None,
            ..cfg
        };
        let t = TestApp::with_config(|c| c.identity.ldap = Some(cfg)).await;
        let res = login(&t, "carla@example.test", "carla-password").await;
        assert_eq!(
            res.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{how}: {}",
            res.text
        );
        assert_eq!(res.error_code(), "directory_unavailable", "{how}");
    }
}
