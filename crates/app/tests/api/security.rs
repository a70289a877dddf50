//! Regressions of the security campaign (issue 18): throttling under concurrency, password
//! change throttling, unknown fields, token lifetimes, invalid UTF-8 and invisible text.

use futures_util::future::join_all;
use http::{StatusCode, header};
use serde_json::json;
use ventanilla_testkit::{Caller, PASSWORD, TestApp};

fn login_body(email: &str, password: &str) -> serde_json::Value {
    json!({ "email": email, "password": password })
}

/// Counts 401s and 429s among `n` simultaneous logins produced by `body(i)`.
async fn burst(t: &TestApp, n: usize, body: impl Fn(usize) -> serde_json::Value) -> (usize, usize) {
    let results = join_all((0..n).map(|i| {
        let b = body(i);
        async move { t.post("/api/v1/auth/login", b, &Caller::Anonymous).await }
    }))
    .await;
    let mut unauthorized = 0;
    let mut throttled = 0;
    for r in &results {
        match r.status {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(r.error_code(), "too_many_attempts");
                assert!(r.headers.contains_key(header::RETRY_AFTER));
                throttled += 1;
            }
            other => panic!("unexpected {other}: {}", r.text),
        }
    }
    (unauthorized, throttled)
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_gets_at_most_the_limit_of_guesses() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let (guesses, throttled) = burst(&t, 20, |_| login_body("ana@x.test", "wrong password!")).await;
    assert_eq!(
        (guesses, throttled),
        (10, 10),
        "10 guesses (the account limit), the rest 429"
    );
    // The account is locked now, even for the right password.
    let res = t
        .post(
            "/api/v1/auth/login",
            login_body("ana@x.test", PASSWORD),
            &Caller::Anonymous,
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_burst_from_one_address_gets_at_most_the_address_limit() {
    let t = TestApp::new().await;
    let (guesses, throttled) = burst(&t, 100, |i| {
        login_body(&format!("guess{i}@x.test"), "wrong password!")
    })
    .await;
    assert_eq!(
        (guesses, throttled),
        (50, 50),
        "50 per address, the rest 429"
    );
}

#[tokio::test]
async fn a_right_password_in_a_burst_does_not_count_against_the_address() {
    let t = TestApp::with_config(|c| c.auth.max_failures_per_ip = 3).await;
    t.user("ana@x.test", "agent").await;
    for _ in 0..5 {
        let res = t
            .post(
                "/api/v1/auth/login",
                login_body("ana@x.test", PASSWORD),
                &Caller::Anonymous,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "successes are not failures");
    }
}

#[tokio::test]
async fn the_current_password_check_is_throttled() {
    let t = TestApp::new().await;
    let ana = t.user("ana@x.test", "agent").await;
    let s = t.login("ana@x.test", PASSWORD).await;
    let path = format!("/api/v1/users/{}/password", ana.id);
    let tries = join_all((0..15).map(|_| {
        let s = s.clone();
        let path = path.clone();
        let t = &t;
        async move {
            t.request(
                http::Method::PUT,
                &path,
                Some(
                    json!({"password": "a brand new secret", "current_password": "a wrong guess"}),
                ),
                &s,
            )
            .await
            .status
        }
    }))
    .await;
    let refused = tries
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let throttled = tries
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((refused, throttled), (10, 5), "{tries:?}");
    let res = t
        .request(
            http::Method::PUT,
            &path,
            Some(json!({"password": "a brand new secret", "current_password": PASSWORD})),
            &s,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked: no oracle"
    );
}

#[tokio::test]
async fn login_refuses_unknown_fields() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let res = t
        .post(
            "/api/v1/auth/login",
            json!({ "email": "ana@x.test", "password": PASSWORD, "remember": true }),
            &Caller::Anonymous,
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    assert_eq!(res.error_code(), "invalid_json");
}

/// A token lives 1 to 3,650 days: a longer life is refused on its field, not cut short in
/// silence (schemathesis sent 2,147,483,648 days and got a token for ten years).
#[tokio::test]
async fn a_token_life_beyond_ten_years_is_refused() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let s = t.login("ana@x.test", PASSWORD).await;
    for days in [0_i64, 3651, 2_147_483_648] {
        let res = t
            .post(
                "/api/v1/tokens",
                json!({ "name": "long", "expires_in_days": days }),
                &s,
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{days}: {}",
            res.text
        );
        assert_eq!(res.body["error"]["field"], "expires_in_days", "{days}");
    }
    let res = t
        .post(
            "/api/v1/tokens",
            json!({ "name": "ten years", "expires_in_days": 3650 }),
            &s,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

#[tokio::test]
async fn a_token_cannot_outlive_the_token_that_creates_it() {
    let t = TestApp::new().await;
    let s = {
        t.user("ana@x.test", "agent").await;
        t.login("ana@x.test", PASSWORD).await
    };
    let res = t
        .post(
            "/api/v1/tokens",
            json!({ "name": "day", "expires_in_days": 1 }),
            &s,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let day = Caller::Bearer(res.body["token"].as_str().unwrap().to_owned());
    for body in [
        json!({ "name": "forever" }),
        json!({ "name": "longer", "expires_in_days": 2 }),
    ] {
        let res = t.post("/api/v1/tokens", body.clone(), &day).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        assert_eq!(res.body["error"]["field"], "expires_in_days");
    }
    let res = t
        .post(
            "/api/v1/tokens",
            json!({ "name": "same", "expires_in_days": 1 }),
            &day,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::CREATED,
        "as long as its parent: {}",
        res.text
    );
    // A session (a password behind it) may still make a token that lives until revoked.
    let res = t
        .post("/api/v1/tokens", json!({ "name": "forever" }), &s)
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
}

async fn new_ticket(t: &TestApp, who: &Caller) -> i64 {
    let res = t
        .post(
            "/api/v1/tickets",
            json!({ "kind": "incident", "subject": "No puedo imprimir", "description": "La impresora no responde", "impact": "medium", "urgency": "high" }),
            who,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn invisible_subjects_are_empty_and_bidi_controls_refused() {
    let t = TestApp::new().await;
    let (_, req) = t.token_for("req@x.test", "requester").await;
    for (subject, why) in [
        ("\u{200B}\u{200B}\u{200B}", "must not be empty"),
        ("\u{FEFF}\u{2060} \u{200D}", "must not be empty"),
        ("factura\u{202E}fdp.exe", "bidirectional"),
    ] {
        let res = t
            .post(
                "/api/v1/tickets",
                json!({ "kind": "incident", "subject": subject, "description": "x", "impact": "low", "urgency": "low" }),
                &req,
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{subject:?}: {}",
            res.text
        );
        assert_eq!(res.body["error"]["field"], "subject");
        assert!(
            res.body["error"]["message"].as_str().unwrap().contains(why),
            "{}",
            res.text
        );
    }
}

async fn upload_raw(
    t: &TestApp,
    id: i64,
    query: &str,
    who: &Caller,
) -> ventanilla_testkit::TestResponse {
    let Caller::Bearer(tok) = who else {
        unreachable!()
    };
    let req = http::Request::builder()
        .method(http::Method::POST)
        .uri(format!("/api/v1/tickets/{id}/attachments?{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {tok}"))
        .body(axum::body::Body::from(&b"hello"[..]))
        .unwrap();
    t.send(req).await
}

#[tokio::test]
async fn file_names_lose_bidi_overrides_and_invalid_utf8_is_refused() {
    let t = TestApp::new().await;
    let (_, req) = t.token_for("req@x.test", "requester").await;
    let id = new_ticket(&t, &req).await;
    // `\u{202e}txt.exe` would show as `exe.txt`.
    let res = upload_raw(&t, id, "filename=%E2%80%AEtxt.exe", &req).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["filename"], "txt.exe");
    let res = upload_raw(&t, id, "filename=%E2%80%8B%E2%80%AE", &req).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.body["error"]["field"], "filename");
    let res = upload_raw(&t, id, "filename=caf%E9.txt", &req).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    assert_eq!(res.error_code(), "invalid_encoding");
    assert_eq!(res.body["error"]["field"], "filename");
    let list = t
        .get(&format!("/api/v1/tickets/{id}/attachments"), &req)
        .await;
    assert_eq!(
        list.body.as_array().unwrap().len(),
        1,
        "nothing stored with U+FFFD"
    );
    assert!(!list.text.contains('\u{FFFD}'));
    let res = t.get("/api/v1/tickets?q=caf%E9", &req).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    assert_eq!(res.body["error"]["field"], "q");
}

#[tokio::test]
async fn a_transition_summary_is_not_shown_to_the_requester() {
    let t = TestApp::with_config(|c| c.tickets.agents_see_all = true).await;
    let (_, req) = t.token_for("req@x.test", "requester").await;
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    let id = new_ticket(&t, &req).await;
    let res = t
        .post(
            &format!("/api/v1/tickets/{id}/transitions"),
            json!({ "to": "analysis", "summary": "Handover: the user's manager is difficult" }),
            &agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let staff = t
        .get(&format!("/api/v1/tickets/{id}/actions"), &agent)
        .await;
    assert!(
        staff.text.contains("manager is difficult"),
        "staff read it: {}",
        staff.text
    );
    let public = t.get(&format!("/api/v1/tickets/{id}/actions"), &req).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        !public.text.contains("manager is difficult"),
        "{}",
        public.text
    );
    let ticket = t.get(&format!("/api/v1/tickets/{id}"), &req).await;
    assert!(!ticket.text.contains("manager is difficult"));
}

/// Two nodes over one database (two stores, two routers, as two processes would have):
/// the counters live in the database, so a burst split across nodes still gets only the
/// account's limit of guesses.
#[tokio::test]
async fn the_limit_holds_across_nodes() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let second = std::sync::Arc::new(ventanilla_app::App::new(
        t.db.store().await,
        t.clock.clone(),
        t.app.config.clone(),
    ));
    let node2 = ventanilla_app::router(second);
    let results = join_all((0..20).map(|i| {
        let router = if i % 2 == 0 {
            t.router.clone()
        } else {
            node2.clone()
        };
        let client = t.client;
        async move {
            use tower::ServiceExt as _;
            let mut req = http::Request::builder()
                .method(http::Method::POST)
                .uri("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(
                    login_body("ana@x.test", "wrong password!").to_string(),
                ))
                .unwrap();
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(client));
            router.oneshot(req).await.unwrap().status()
        }
    }))
    .await;
    let guesses = results
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = results
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((guesses, throttled), (10, 10), "{results:?}");
}
