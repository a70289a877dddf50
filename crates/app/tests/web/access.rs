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
    let m = ventanilla_app::tickets::matrix::load(&t.app.store)
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
