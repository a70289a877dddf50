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
