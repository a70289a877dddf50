//! The HTTP shell: health, readiness, metrics, OpenAPI, error shape, body limits.

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use serde_json::json;
use ventanilla_testkit::{Caller, TestApp};

#[tokio::test]
async fn health_ready_and_metrics() {
    let t = TestApp::new().await;
    let res = t.get("/healthz", &Caller::Anonymous).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["status"], "ok");
    let res = t.get("/readyz", &Caller::Anonymous).await;
    assert_eq!(res.status, StatusCode::OK);
    let expected = if t.db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(res.body["database"], expected);
    assert!(
        res.headers.contains_key("x-request-id"),
        "request id is propagated"
    );
    assert_eq!(res.headers["x-content-type-options"], "nosniff");
    let res = t.get("/metrics", &Caller::Anonymous).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.text.contains(
            "ventanilla_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"
        ),
        "{}",
        res.text
    );
    assert!(
        res.text
            .contains("ventanilla_http_request_duration_seconds_bucket")
    );
}

#[tokio::test]
async fn readyz_fails_when_the_database_is_gone() {
    let t = TestApp::new().await;
    t.app.store.close().await;
    let res = t.get("/readyz", &Caller::Anonymous).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn unknown_routes_and_ids_use_the_error_shape() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    for path in [
        "/api/v1/nothing",
        "/api/v1/users/999999",
        "/api/v1/users/not-a-number",
    ] {
        let res = t.get(path, &admin).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(res.error_code(), "not_found", "{path}");
        assert!(res.body["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn malformed_json_gets_400_with_the_error_shape() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let Caller::Bearer(token) = admin else {
        unreachable!()
    };
    let send = |body: &'static str, ctype: &'static str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/organisations")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .expect("request")
    };
    let res = t.send(send("{\"name\": ", "application/json")).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "invalid_json");
    let res = t.send(send("{\"name\": 5}", "application/json")).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "invalid_json");
    let res = t
        .send(send("{\"name\": \"A\", \"bogus\": 1}", "application/json"))
        .await;
    assert_eq!(
        res.status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    let res = t
        .send(send("name=A", "application/x-www-form-urlencoded"))
        .await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(res.error_code(), "unsupported_media_type");
    // Nothing was stored by any of these.
    let list = t
        .get("/api/v1/organisations", &Caller::Bearer(token.clone()))
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let t = TestApp::with_config(|c| c.server.body_limit_bytes = 2048).await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let res = t
        .post(
            "/api/v1/organisations",
            json!({ "name": "x".repeat(4096) }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.error_code(), "payload_too_large");
}

#[tokio::test]
async fn openapi_document_matches_the_snapshot() {
    let t = TestApp::new().await;
    let res = t.get("/api/openapi.json", &Caller::Anonymous).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["openapi"], "3.1.0");
    for path in [
        "/users",
        "/users/{id}",
        "/organisations",
        "/organisations/{id}",
        "/departments",
        "/departments/{id}",
        "/groups",
        "/groups/{id}",
        "/auth/login",
        "/tokens",
    ] {
        assert!(res.body["paths"][path].is_object(), "{path} is documented");
    }
    insta::assert_json_snapshot!("openapi", res.body);
}
