//! Who may open which page: the same rules as the API. A requester never sees another
//! requester's ticket (404 page), nor the console (403 page), nor internal notes.

use http::StatusCode;
use ventanilla_testkit::TestApp;

use crate::helpers::{Browser, assert_page, desk, location, report};

#[tokio::test]
async fn a_requester_cannot_open_another_requesters_ticket() {
    let t = TestApp::new().await;
    t.user("ana@example.com", "requester").await;
    t.user("bob@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let bob = Browser::sign_in(&t, "bob@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    assert_page(
        &ana.get(&t, &format!("/portal/tickets/{id}")).await,
        StatusCode::OK,
    );
    let res = bob.get(&t, &format!("/portal/tickets/{id}")).await;
    assert_page(&res, StatusCode::NOT_FOUND);
    assert!(!res.text.contains("Printer down"));
    assert!(
        res.text.contains("action=\"/logout\""),
        "the error page keeps the header"
    );
    // Nor act on it.
    let res = bob
        .post(
            &t,
            &format!("/portal/tickets/{id}/reply"),
            &[("body", "hi")],
        )
        .await;
    assert_page(&res, StatusCode::NOT_FOUND);
    // Nor list it.
    assert!(!bob.get(&t, "/portal").await.text.contains("Printer down"));
}

#[tokio::test]
async fn requesters_cannot_use_the_console() {
    let t = TestApp::new().await;
    t.user("ana@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    for path in [
        "/console".to_owned(),
        "/console/phone".to_owned(),
        format!("/console/tickets/{id}"),
    ] {
        assert_page(&ana.get(&t, &path).await, StatusCode::FORBIDDEN);
    }
    let res = ana
        .post(
            &t,
            &format!("/console/tickets/{id}/update"),
            &[("op", "take")],
        )
        .await;
    assert_page(&res, StatusCode::FORBIDDEN);
    let res = ana
        .post(
            &t,
            &format!("/console/tickets/{id}/actions"),
            &[("kind", "note"), ("body", "sneaky")],
        )
        .await;
    assert_page(&res, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn internal_notes_never_reach_the_portal() {
    let t = desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    let res = agent
        .post(
            &t,
            &format!("/console/tickets/{id}/actions"),
            &[("kind", "note"), ("body", "SECRET-NOTE toner is fake")],
        )
        .await;
    assert!(location(&res).contains("flash=note-added"));
    agent
        .post(
            &t,
            &format!("/console/tickets/{id}/actions"),
            &[("kind", "reply"), ("body", "PUBLIC-REPLY we are on it")],
        )
        .await;
    let console = agent.get(&t, &format!("/console/tickets/{id}")).await;
    assert!(console.text.contains("SECRET-NOTE"));
    assert!(console.text.contains("internal"), "notes are marked");
    let portal = ana.get(&t, &format!("/portal/tickets/{id}")).await;
    assert!(portal.text.contains("PUBLIC-REPLY"));
    assert!(!portal.text.contains("SECRET-NOTE"));
    // Even staff see the requester's view on the portal page.
    let as_agent = agent.get(&t, &format!("/portal/tickets/{id}")).await;
    assert!(!as_agent.text.contains("SECRET-NOTE"));
}

#[tokio::test]
async fn the_console_shows_only_the_transitions_the_machine_allows() {
    let t = desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    let page = agent.get(&t, &format!("/console/tickets/{id}")).await;
    assert!(page.text.contains("id=\"go-analysis\""));
    assert!(!page.text.contains("id=\"go-closed\""));
    assert!(!page.text.contains("id=\"go-survey\""));
    // A move the machine refuses is an error page, not a change.
    let res = agent
        .post(
            &t,
            &format!("/console/tickets/{id}/transitions"),
            &[("to", "survey")],
        )
        .await;
    assert!(res.status == StatusCode::CONFLICT || res.status == StatusCode::FORBIDDEN);
    assert_page(&res, res.status);
}

/// Every page and who may open it: anonymous visitors are sent to sign in; requesters get
/// the portal; agents the console; only administrators the administration page.
#[tokio::test]
async fn the_access_table_of_every_page() {
    let t = desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    t.user("sup@example.com", "supervisor").await;
    t.user("admin@example.com", "admin").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    let pages = [
        ("/portal".to_owned(), [200, 200, 200, 200]),
        ("/portal/new?kind=incident".to_owned(), [200, 200, 200, 200]),
        (format!("/portal/tickets/{id}"), [200, 200, 200, 200]),
        ("/console".to_owned(), [403, 200, 200, 200]),
        ("/console?view=review".to_owned(), [403, 200, 200, 200]),
        ("/console/phone".to_owned(), [403, 200, 200, 200]),
        (format!("/console/tickets/{id}"), [403, 200, 200, 200]),
        ("/console/notifications".to_owned(), [200, 200, 200, 200]),
        ("/admin".to_owned(), [403, 403, 403, 200]),
    ];
    let people = [
        ana,
        Browser::sign_in(&t, "agent@example.com").await,
        Browser::sign_in(&t, "sup@example.com").await,
        Browser::sign_in(&t, "admin@example.com").await,
    ];
    for (path, expected) in &pages {
        let res = crate::helpers::anonymous_get(&t, path).await;
        assert!(
            location(&res).starts_with("/login?next="),
            "{path} anonymous"
        );
        for (who, status) in people.iter().zip(expected) {
            let res = who.get(&t, path).await;
            assert_eq!(res.status.as_u16(), *status, "{path}: {}", res.text);
        }
    }
    // Unsafe routes refuse anonymous posts the same way (and never act).
    for path in ["/admin/matrix", "/console/phone", "/portal/new"] {
        let req = http::Request::builder()
            .method("POST")
            .uri(path)
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(axum::body::Body::from("_csrf=x"))
            .unwrap();
        assert!(location(&t.send(req).await).starts_with("/login"));
    }
}

#[tokio::test]
async fn administrators_edit_the_priority_matrix() {
    let t = desk().await;
    t.user("admin@example.com", "admin").await;
    t.user("agent@example.com", "agent").await;
    let admin = Browser::sign_in(&t, "admin@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let res = agent
        .post(&t, "/admin/matrix", &[("low_low", "critical")])
        .await;
    assert_page(&res, StatusCode::FORBIDDEN);
    let res = admin
        .post(&t, "/admin/matrix", &[("low_low", "critical")])
        .await;
    assert!(location(&res).contains("flash=saved"));
    let m = ventanilla_app::desk::tickets::matrix::load(&t.app.store)
        .await
        .unwrap();
    use ventanilla_domain::ticket::{Impact, Priority, Urgency};
    assert_eq!(m.get(Impact::Low, Urgency::Low), Priority::Critical);
    let page = admin.get(&t, "/admin").await;
    assert!(page.text.contains("name=\"low_low\""));
}

#[tokio::test]
async fn agents_link_child_incidents_by_number() {
    let t = desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let parent = report(&t, &ana, "Mail is down").await;
    let child = report(&t, &ana, "I cannot send mail").await;
    let number = t
        .app
        .store
        .tickets()
        .get(ventanilla_domain::TicketId(child))
        .await
        .unwrap()
        .number;
    let res = agent
        .post(
            &t,
            &format!("/console/tickets/{parent}/children"),
            &[("number", &number.to_lowercase())],
        )
        .await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    let page = agent.get(&t, &format!("/console/tickets/{parent}")).await;
    assert!(page.text.contains(&number));
    let res = agent
        .post(
            &t,
            &format!("/console/tickets/{parent}/children"),
            &[("number", "INC-999999")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Every administration page and form: only administrators get in. Requesters, agents and
/// supervisors get the 403 page, and their posts change nothing.
#[tokio::test]
async fn only_administrators_reach_the_administration_pages_and_forms() {
    let t = desk().await;
    t.user("ana@example.com", "requester").await;
    let agent = t.user("agent@example.com", "agent").await;
    t.user("sup@example.com", "supervisor").await;
    t.user("admin@example.com", "admin").await;
    let admin = Browser::sign_in(&t, "admin@example.com").await;
    let saved = |res: &ventanilla_testkit::TestResponse| -> i64 {
        let loc = location(res);
        loc.split('?')
            .next()
            .and_then(|p| p.rsplit('/').next())
            .and_then(|s| s.parse().ok())
            .unwrap()
    };
    let org = saved(
        &admin
            .post(&t, "/admin/organisations", &[("name", "Andina")])
            .await,
    );
    let org_s = org.to_string();
    admin
        .post(
            &t,
            "/admin/departments",
            &[("organisation_id", &org_s), ("name", "Finanzas")],
        )
        .await;
    let dept = t
        .app
        .store
        .departments()
        .list(
            None,
            ventanilla_domain::directory::PageRequest::new(None, None).unwrap(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let group = saved(
        &admin
            .post(&t, "/admin/groups", &[("name", "Redes"), ("tier", "L2")])
            .await,
    );
    let category = t.app.store.categories().list().await.unwrap()[0].id;
    let user = agent.id;
    let pages = [
        "/admin".to_owned(),
        "/admin/sla".to_owned(),
        "/admin/users".to_owned(),
        "/admin/users/new".to_owned(),
        format!("/admin/users/{user}"),
        "/admin/organisations/new".to_owned(),
        format!("/admin/organisations/{org}"),
        format!("/admin/departments/{dept}"),
        "/admin/groups/new".to_owned(),
        format!("/admin/groups/{group}"),
        "/admin/categories/new".to_owned(),
        format!("/admin/categories/{category}"),
    ];
    let forms: Vec<(String, Vec<(&str, String)>)> = vec![
        ("/admin/matrix".into(), vec![("low_low", "critical".into())]),
        (
            "/admin/users".into(),
            vec![("name", "X".into()), ("email", "x@example.com".into())],
        ),
        (
            format!("/admin/users/{user}"),
            vec![
                ("name", "Hacked".into()),
                ("email", "agent@example.com".into()),
                ("role", "admin".into()),
            ],
        ),
        (
            format!("/admin/users/{user}/active"),
            vec![("active", "false".into())],
        ),
        (
            format!("/admin/users/{user}/password"),
            vec![("password", "hacked password!".into())],
        ),
        ("/admin/organisations".into(), vec![("name", "Evil".into())]),
        (
            format!("/admin/organisations/{org}"),
            vec![("name", "Hacked".into())],
        ),
        (
            "/admin/departments".into(),
            vec![("organisation_id", org_s.clone()), ("name", "Evil".into())],
        ),
        (
            format!("/admin/departments/{dept}"),
            vec![("name", "Hacked".into())],
        ),
        (
            "/admin/groups".into(),
            vec![("name", "Evil".into()), ("tier", "L1".into())],
        ),
        (
            format!("/admin/groups/{group}"),
            vec![("name", "Hacked".into()), ("tier", "L1".into())],
        ),
        (
            "/admin/members".into(),
            vec![
                ("group_id", group.to_string()),
                ("user_id", user.to_string()),
            ],
        ),
        (
            format!("/admin/groups/{group}/members/{user}/remove"),
            vec![],
        ),
        (
            "/admin/categories".into(),
            vec![
                ("code", "evil".into()),
                ("name_es", "Mal".into()),
                ("name_en", "Evil".into()),
            ],
        ),
        (
            format!("/admin/categories/{category}"),
            vec![("name_es", "Hackeada".into()), ("name_en", "Hacked".into())],
        ),
        (
            "/admin/calendars".into(),
            vec![("name", "Evil".into()), ("calendar", "{}".into())],
        ),
        ("/admin/policies".into(), vec![("policy", "{}".into())]),
    ];
    for email in ["ana@example.com", "agent@example.com", "sup@example.com"] {
        let who = Browser::sign_in(&t, email).await;
        for path in &pages {
            assert_page(&who.get(&t, path).await, StatusCode::FORBIDDEN);
        }
        for (path, fields) in &forms {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = who.post(&t, path, &fields).await;
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "{email} {path}: {}",
                res.text
            );
        }
    }
    for path in &pages {
        assert_page(&admin.get(&t, path).await, StatusCode::OK);
        assert!(
            location(&crate::helpers::anonymous_get(&t, path).await).starts_with("/login?next="),
            "{path} anonymous"
        );
    }
    // Nothing the others posted took effect.
    let a = t.app.store.users().get(user).await.unwrap();
    assert_eq!(
        (a.name.as_str(), a.role.as_str(), a.active),
        ("agent", "agent", true)
    );
    let g = t
        .app
        .store
        .groups()
        .get(ventanilla_domain::GroupId(group))
        .await
        .unwrap();
    assert_eq!(g.name, "Redes");
    let o = t
        .app
        .store
        .organisations()
        .get(ventanilla_domain::OrganisationId(org))
        .await
        .unwrap();
    assert_eq!(o.name, "Andina");
    let c = t.app.store.categories().get(category).await.unwrap();
    assert_ne!(c.name_en, "Hacked");
    assert!(
        t.app
            .store
            .categories()
            .list()
            .await
            .unwrap()
            .iter()
            .all(|c| c.code != "evil")
    );
}
