//! The requester's path through the portal: the first choice, the form (errors next to the
//! fields, input kept), my tickets in plain words, the validation answer and the rating.

use http::StatusCode;
use ventanilla_testkit::TestApp;

use crate::helpers::{Browser, assert_page, desk, location, report};

#[tokio::test]
async fn the_portal_starts_with_the_first_choice() {
    let t = TestApp::new().await;
    t.user("ana@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let page = ana.get(&t, "/portal").await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("Reportar una interrupción"));
    assert!(page.text.contains("Solicitar un servicio"));
    let form = ana.get(&t, "/portal/new?kind=incident").await;
    assert!(
        form.text.contains("name=\"error_codes\""),
        "key facts of 003"
    );
    let form = ana.get(&t, "/portal/new?kind=service_request").await;
    assert!(!form.text.contains("name=\"error_codes\""));
}

#[tokio::test]
async fn missing_fields_are_shown_next_to_the_fields_and_input_is_kept() {
    let t = TestApp::new().await;
    t.user("ana@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let res = ana
        .post(
            &t,
            "/portal/new",
            &[
                ("kind", "incident"),
                ("subject", ""),
                ("description", "Typed <b>text</b> stays"),
                ("tried", "Turned it off and on"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"subject-error\""));
    assert!(res.text.contains("id=\"impact-error\""));
    assert!(res.text.contains("id=\"urgency-error\""));
    assert!(!res.text.contains("id=\"description-error\""));
    assert!(
        res.text.contains("Typed &#60;b&#62;text&#60;/b&#62; stays")
            || res.text.contains("Typed &lt;b&gt;text&lt;/b&gt; stays")
    );
    assert!(res.text.contains("Turned it off and on"));
    assert_eq!(
        t.app
            .store
            .tickets()
            .list(
                &ventanilla_store::tickets::TicketScope::All,
                &Default::default(),
                Default::default(),
                None,
                10,
            )
            .await
            .unwrap()
            .items
            .len(),
        0
    );
}

#[tokio::test]
async fn the_requester_confirms_and_rates_from_the_portal() {
    let t = desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    let tk = format!("/console/tickets/{id}");
    agent
        .post(&t, &format!("{tk}/update"), &[("op", "take")])
        .await;
    for (to, extra) in [
        ("analysis", vec![]),
        ("solution", vec![]),
        (
            "validation",
            vec![("resolution_code", "fixed"), ("resolution", "New toner")],
        ),
    ] {
        let mut f = vec![("to", to)];
        f.extend(extra);
        let res = agent.post(&t, &format!("{tk}/transitions"), &f).await;
        assert!(location(&res).contains("flash=moved"), "{to}: {}", res.text);
    }
    let page = ana.get(&t, &format!("/portal/tickets/{id}")).await;
    assert!(page.text.contains("Esperando su confirmación"));
    assert!(page.text.contains("id=\"confirm-no\""));
    let res = ana
        .post(
            &t,
            &format!("/portal/tickets/{id}/confirmation"),
            &[("solved", "no"), ("comment", "still blank")],
        )
        .await;
    assert!(location(&res).contains("flash=reopened"));
    let stored = t
        .app
        .store
        .tickets()
        .get(ventanilla_domain::TicketId(id))
        .await
        .unwrap();
    assert_eq!(stored.status.as_str(), "analysis");
    assert_eq!(stored.reopen_count, 1);
    for (to, extra) in [
        ("solution", vec![]),
        (
            "validation",
            vec![("resolution_code", "fixed"), ("resolution", "New drum")],
        ),
    ] {
        let mut f = vec![("to", to)];
        f.extend(extra);
        agent.post(&t, &format!("{tk}/transitions"), &f).await;
    }
    ana.post(
        &t,
        &format!("/portal/tickets/{id}/confirmation"),
        &[("solved", "yes")],
    )
    .await;
    let page = ana.get(&t, &format!("/portal/tickets/{id}")).await;
    assert!(page.text.contains("id=\"rate-submit\""));
    let res = ana
        .post(
            &t,
            &format!("/portal/tickets/{id}/survey"),
            &[("rating", "5"), ("comment", "great")],
        )
        .await;
    assert!(location(&res).contains("flash=rated"));
    let stored = t
        .app
        .store
        .tickets()
        .get(ventanilla_domain::TicketId(id))
        .await
        .unwrap();
    assert_eq!(stored.status.as_str(), "review");
    assert_eq!(stored.rating, Some(5));
}

#[tokio::test]
async fn attachments_are_listed_and_internal_ones_stay_internal() {
    let t = crate::helpers::desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    let upload = |b: &Browser, name: &str, public: bool| {
        http::Request::builder()
            .method("POST")
            .uri(format!(
                "/api/v1/tickets/{id}/attachments?filename={name}&public={public}"
            ))
            .header(
                http::header::COOKIE,
                format!("ventanilla_session={}", b.cookie),
            )
            .header("x-csrf-token", b.csrf.clone())
            .header(http::header::CONTENT_TYPE, "application/octet-stream")
            .body(axum::body::Body::from("hello"))
            .unwrap()
    };
    assert_eq!(
        t.send(upload(&ana, "photo.txt", true)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        t.send(upload(&agent, "secret-log.txt", false)).await.status,
        StatusCode::CREATED
    );
    let portal = ana.get(&t, &format!("/portal/tickets/{id}")).await;
    assert!(portal.text.contains("photo.txt"));
    assert!(!portal.text.contains("secret-log.txt"));
    let console = agent.get(&t, &format!("/console/tickets/{id}")).await;
    assert!(console.text.contains("photo.txt") && console.text.contains("secret-log.txt"));
}

#[tokio::test]
async fn a_phone_call_becomes_a_phone_ticket_in_one_screen() {
    let t = crate::helpers::desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    report(&t, &ana, "Earlier problem").await;
    // The screen pop: a known caller is filled in with their open tickets.
    let page = agent
        .get(&t, "/console/phone?caller=ana%40example.com")
        .await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("value=\"ana@example.com\""));
    assert!(page.text.contains("Earlier problem"));
    let res = agent
        .post(
            &t,
            "/console/phone",
            &[
                ("kind", "incident"),
                ("caller_name", "Carla Caller"),
                ("caller_email", "carla@example.com"),
                ("subject", "Cannot log in"),
                ("description", "Called the desk"),
                ("impact", "low"),
                ("urgency", "medium"),
            ],
        )
        .await;
    let id = crate::helpers::ticket_id(&location(&res));
    let stored = t
        .app
        .store
        .tickets()
        .get(ventanilla_domain::TicketId(id))
        .await
        .unwrap();
    assert_eq!(stored.channel.as_str(), "phone");
    let carla = t.app.store.users().get(stored.requester_id).await.unwrap();
    assert_eq!(carla.email.as_str(), "carla@example.com");
    // Missing caller: errors next to the fields.
    let res = agent
        .post(
            &t,
            "/console/phone",
            &[("kind", "incident"), ("subject", "x")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("Este campo es obligatorio"));
}
