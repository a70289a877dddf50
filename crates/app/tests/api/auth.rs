//! Sign-in, sessions, CSRF, throttling, API tokens and the audit of logins.

use http::{StatusCode, header};
use jiff::SignedDuration;
use serde_json::json;
use ventanilla_testkit::{Caller, PASSWORD, TestApp, session_cookie};

fn login_body(email: &str, password: &str) -> serde_json::Value {
    json!({ "email": email, "password": password })
}

/// A sign-in attempt through the API, from nobody signed in.
async fn attempt(t: &TestApp, email: &str, password: &str) -> ventanilla_testkit::TestResponse {
    t.post(
        "/api/v1/auth/login",
        login_body(email, password),
        &Caller::Anonymous,
    )
    .await
}

#[tokio::test]
async fn login_sets_a_safe_cookie_and_me_answers() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let res = attempt(&t, "ANA@x.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let set_cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(
        !set_cookie.contains("Secure"),
        "plain http in tests: {set_cookie}"
    );
    assert_eq!(res.body["user"]["email"], "ana@x.test");
    assert!(
        res.body["user"].get("password_hash").is_none(),
        "no hash in responses"
    );
    let caller = Caller::Session {
        cookie: session_cookie(&res.headers).unwrap(),
        csrf: res.body["csrf_token"].as_str().unwrap().into(),
    };
    let me = t.get("/api/v1/me", &caller).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["scope"], "group");
    assert!(
        me.body["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("tickets.work"))
    );
}

#[tokio::test]
async fn secure_cookie_behind_https() {
    let t = TestApp::with_config(|c| c.server.public_url = "https://desk.example.com".into()).await;
    t.user("ana@x.test", "agent").await;
    let res = attempt(&t, "ana@x.test", PASSWORD).await;
    assert!(
        res.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
}

#[tokio::test]
async fn login_rotates_the_session_and_logout_ends_it() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let first = t.login("ana@x.test", PASSWORD).await;
    let Caller::Session { cookie: old, .. } = &first else {
        unreachable!()
    };
    // Signing in again from the same browser replaces the old id.
    let req = http::Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, format!("ventanilla_session={old}"))
        .body(axum::body::Body::from(
            login_body("ana@x.test", PASSWORD).to_string(),
        ))
        .unwrap();
    let res = t.send(req).await;
    let new = session_cookie(&res.headers).unwrap();
    assert_ne!(&new, old);
    assert_eq!(
        t.get("/api/v1/me", &first).await.status,
        StatusCode::UNAUTHORIZED,
        "old id is dead"
    );
    let second = Caller::Session {
        cookie: new,
        csrf: res.body["csrf_token"].as_str().unwrap().into(),
    };
    assert_eq!(t.get("/api/v1/me", &second).await.status, StatusCode::OK);
    let res = t.post("/api/v1/auth/logout", json!({}), &second).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.get("/api/v1/me", &second).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sessions_expire_when_idle() {
    let t = TestApp::with_config(|c| c.auth.session_idle_hours = 1).await;
    t.user("ana@x.test", "agent").await;
    let s = t.login("ana@x.test", PASSWORD).await;
    t.clock.advance(SignedDuration::from_mins(50));
    assert_eq!(
        t.get("/api/v1/me", &s).await.status,
        StatusCode::OK,
        "use slides the expiry"
    );
    t.clock.advance(SignedDuration::from_mins(50));
    assert_eq!(t.get("/api/v1/me", &s).await.status, StatusCode::OK);
    t.clock.advance(SignedDuration::from_mins(61));
    let res = t.get("/api/v1/me", &s).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.error_code(), "unauthenticated");
}

#[tokio::test]
async fn wrong_unknown_and_inactive_logins_are_refused_alike() {
    let t = TestApp::new().await;
    let ana = t.user("ana@x.test", "agent").await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    for (email, password) in [
        ("ana@x.test", "wrong password!"),
        ("nobody@x.test", PASSWORD),
        ("not an email", PASSWORD),
    ] {
        let res = attempt(&t, email, password).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{email}");
        assert_eq!(res.error_code(), "bad_credentials");
        assert!(session_cookie(&res.headers).is_none());
    }
    let res = t
        .patch(
            &format!("/api/v1/users/{}", ana.id),
            json!({ "active": false }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = attempt(&t, "ana@x.test", PASSWORD).await;
    assert_eq!(
        res.status,
        StatusCode::UNAUTHORIZED,
        "inactive user cannot sign in"
    );
}

#[tokio::test]
async fn eleventh_wrong_password_is_throttled() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    for i in 1..=10 {
        let res = attempt(&t, "ana@x.test", "wrong password!").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = attempt(&t, "ana@x.test", "wrong password!").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.error_code(), "too_many_attempts");
    let retry: u64 = res.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    // Even the right password is refused while locked: the lock is not an oracle.
    let res = attempt(&t, "ana@x.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    // The audit log has the lock once (at the tenth failure), not once per refusal.
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let res = t.get("/api/v1/audit?kind=login.locked", &admin).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let locks = res.body["items"].as_array().unwrap();
    assert_eq!(locks.len(), 1, "{}", res.text);
    assert_eq!(locks[0]["detail"]["email"], "ana@x.test");
    assert_eq!(locks[0]["detail"]["minutes"], 15);
    let res = t.get("/api/v1/audit?kind=login.failed", &admin).await;
    assert_eq!(
        res.body["items"].as_array().unwrap().len(),
        10,
        "{}",
        res.text
    );
    // The lock is on the account, from any address.
    t.clock.advance(SignedDuration::from_mins(16));
    let res = attempt(&t, "ana@x.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "unlocked after the lockout");
    // A success resets the run: nine more failures do not lock.
    for _ in 0..9 {
        attempt(&t, "ana@x.test", "wrong password!").await;
    }
    let res = attempt(&t, "ana@x.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK);
    // Nine failures after a success lock nothing: still the one lock in the log.
    let res = t.get("/api/v1/audit?kind=login.locked", &admin).await;
    assert_eq!(
        res.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        res.text
    );
}

#[tokio::test]
async fn one_address_spraying_many_accounts_is_throttled() {
    let mut t = TestApp::with_config(|c| c.auth.max_failures_per_ip = 5).await;
    t.user("victim@x.test", "agent").await;
    for i in 0..5 {
        let res = attempt(&t, &format!("guess{i}@x.test"), "wrong password!").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let res = attempt(&t, "victim@x.test", PASSWORD).await;
    assert_eq!(
        res.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is locked"
    );
    t.client = "127.0.0.2:40000".parse().unwrap();
    let res = attempt(&t, "victim@x.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "other addresses are not");
}

#[tokio::test]
async fn cookie_requests_need_the_csrf_token_for_unsafe_methods() {
    let t = TestApp::new().await;
    t.user("admin@x.test", "admin").await;
    let s = t.login("admin@x.test", PASSWORD).await;
    let Caller::Session { cookie, csrf } = s.clone() else {
        unreachable!()
    };
    let without = Caller::SessionWithoutCsrf {
        cookie: cookie.clone(),
    };
    assert_eq!(
        t.get("/api/v1/organisations", &without).await.status,
        StatusCode::OK,
        "reads need no token"
    );
    let res = t
        .post("/api/v1/organisations", json!({ "name": "Acme" }), &without)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.error_code(), "csrf_failed");
    let wrong = Caller::Session {
        cookie: cookie.clone(),
        csrf: format!("{csrf}x"),
    };
    assert_eq!(
        t.post("/api/v1/organisations", json!({ "name": "Acme" }), &wrong)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = t.get("/api/v1/organisations", &s).await;
    assert_eq!(
        res.body["items"].as_array().unwrap().len(),
        0,
        "refused requests stored nothing"
    );
    let res = t
        .post("/api/v1/organisations", json!({ "name": "Acme" }), &s)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = t.post("/api/v1/auth/logout", json!({}), &without).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "logout is protected too");
}

#[tokio::test]
async fn api_tokens_work_until_revoked_or_expired() {
    let t = TestApp::new().await;
    let ana = t.user("ana@x.test", "agent").await;
    let s = t.login("ana@x.test", PASSWORD).await;
    let res = t
        .post("/api/v1/tokens", json!({ "name": "monitoring" }), &s)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let secret = res.body["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("vt_"));
    let id = res.body["id"].as_i64().unwrap();
    let bearer = Caller::Bearer(secret.clone());
    assert_eq!(t.get("/api/v1/me", &bearer).await.status, StatusCode::OK);
    let list = t.get("/api/v1/tokens", &s).await;
    assert!(!list.text.contains(&secret), "secrets are never listed");
    assert!(list.body[0]["last_used_at"].is_string(), "use is recorded");
    // A bearer token needs no CSRF token: it is not sent by browsers on their own.
    let res = t
        .request(
            http::Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            None,
            &bearer,
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = t.get("/api/v1/me", &bearer).await;
    assert_eq!(
        res.status,
        StatusCode::UNAUTHORIZED,
        "a revoked token is refused"
    );
    assert_eq!(res.error_code(), "unauthenticated");
    // Creation, use and revocation are in the audit log, by whom and of which token.
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    for kind in ["token.create", "token.use", "token.revoke"] {
        let res = t
            .get(
                &format!("/api/v1/audit?kind={kind}&actor_id={}", ana.id.get()),
                &admin,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let items = res.body["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{kind}: {}", res.text);
        if kind != "token.use" {
            assert_eq!(items.len(), 1, "{kind}: {}", res.text);
            assert_eq!(
                items[0]["target"],
                format!("token:{id}"),
                "{kind}: {}",
                res.text
            );
        }
    }

    let res = t
        .post(
            "/api/v1/tokens",
            json!({ "name": "short", "expires_in_days": 1 }),
            &s,
        )
        .await;
    let short = Caller::Bearer(res.body["token"].as_str().unwrap().into());
    assert_eq!(t.get("/api/v1/me", &short).await.status, StatusCode::OK);
    t.clock.advance(SignedDuration::from_hours(25));
    assert_eq!(
        t.get("/api/v1/me", &short).await.status,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
    assert_eq!(
        t.get("/api/v1/me", &Caller::Bearer("vt_made_up".into()))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn tokens_of_others_are_invisible_and_deactivation_stops_them() {
    let t = TestApp::new().await;
    let (ana, ana_t) = t.token_for("ana@x.test", "agent").await;
    let (_, bob_t) = t.token_for("bob@x.test", "agent").await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let ana_tokens = t.get("/api/v1/tokens", &ana_t).await;
    let ana_token_id = ana_tokens.body[0]["id"].as_i64().unwrap();
    let res = t
        .request(
            http::Method::DELETE,
            &format!("/api/v1/tokens/{ana_token_id}"),
            None,
            &bob_t,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/api/v1/me", &ana_t).await.status, StatusCode::OK);
    t.patch(
        &format!("/api/v1/users/{}", ana.id),
        json!({ "active": false }),
        &admin,
    )
    .await;
    assert_eq!(
        t.get("/api/v1/me", &ana_t).await.status,
        StatusCode::UNAUTHORIZED,
        "inactive users' tokens stop"
    );
}

#[tokio::test]
async fn logins_and_failures_are_audited() {
    let mut t = TestApp::new().await;
    t.client = "10.1.2.3:5555".parse().unwrap();
    let ana = t.user("ana@x.test", "supervisor").await;
    attempt(&t, "ana@x.test", "wrong password!").await;
    let s = t.login("ana@x.test", PASSWORD).await;
    let res = t.get("/api/v1/audit?action=login", &s).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let e = &res.body["items"][0];
    assert_eq!(e["actor_id"], ana.id.get());
    assert_eq!(e["ip"], "10.1.2.3");
    let res = t.get("/api/v1/audit?action=login.failed", &s).await;
    assert_eq!(res.body["items"][0]["detail"]["email"], "ana@x.test");
    assert_eq!(res.body["items"][0]["ip"], "10.1.2.3");
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_ends_sessions() {
    let t = TestApp::new().await;
    let ana = t.user("ana@x.test", "agent").await;
    let s = t.login("ana@x.test", PASSWORD).await;
    let path = format!("/api/v1/users/{}/password", ana.id);
    let res = t
        .request(
            http::Method::PUT,
            &path,
            Some(json!({ "password": "a brand new secret", "current_password": "nope" })),
            &s,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["error"]["field"], "current_password");
    let res = t
        .request(
            http::Method::PUT,
            &path,
            Some(json!({ "password": "short", "current_password": PASSWORD })),
            &s,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["error"]["field"], "password");
    let res = t
        .request(
            http::Method::PUT,
            &path,
            Some(json!({ "password": "a brand new secret", "current_password": PASSWORD })),
            &s,
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_eq!(
        t.get("/api/v1/me", &s).await.status,
        StatusCode::UNAUTHORIZED,
        "sessions end"
    );
    t.login("ana@x.test", "a brand new secret").await;
}

#[tokio::test]
async fn housekeeping_removes_expired_sessions_and_old_counters() {
    let t = TestApp::with_config(|c| c.auth.session_idle_hours = 1).await;
    t.user("ana@x.test", "agent").await;
    let s = t.login("ana@x.test", PASSWORD).await;
    attempt(&t, "ana@x.test", "wrong password!").await;
    assert_eq!(
        ventanilla_app::maintenance::sweep(&t.app).await.unwrap(),
        (0, 0),
        "nothing stale yet"
    );
    t.clock.advance(SignedDuration::from_hours(25));
    assert_eq!(
        ventanilla_app::maintenance::sweep(&t.app).await.unwrap(),
        (1, 2)
    );
    assert_eq!(
        t.get("/api/v1/me", &s).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_role_whose_passwords_are_disabled_signs_in_elsewhere_and_the_refusal_is_audited() {
    let t = TestApp::with_config(|c| {
        c.identity.password_disabled_roles = vec!["agent".into()];
    })
    .await;
    let ana = t.user("ana@x.test", "agent").await;
    t.user("rita@x.test", "requester").await;
    let res = attempt(&t, "ana@x.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    assert_eq!(res.error_code(), "password_sign_in_disabled");
    assert!(
        res.headers.get(header::SET_COOKIE).is_none(),
        "no session for a refused sign-in"
    );
    // A wrong password says only that: the refusal tells nothing to someone without it.
    let res = attempt(&t, "ana@x.test", "wrong password!").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // Other roles keep their passwords.
    let res = attempt(&t, "rita@x.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let res = t.get("/api/v1/audit?kind=login.refused", &admin).await;
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", res.text);
    assert_eq!(items[0]["actor_id"], ana.id.get());
    assert_eq!(items[0]["detail"]["reason"], "password_disabled");
    // The sign-in page says why, in the visitor's language.
    let body = format!(
        "email=ana%40x.test&password={}&next=%2F",
        PASSWORD.replace(' ', "+")
    );
    let req = http::Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, "es")
        .body(axum::body::Body::from(body))
        .unwrap();
    let res = t.send(req).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(
        res.text
            .contains("Las cuentas de su rol entran con el directorio"),
        "{}",
        res.text
    );
}
