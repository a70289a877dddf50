//! Every `/api/` error in the JSON error shape: walks every operation of the OpenAPI
//! document (which the router is built from) with each kind of bad request — another
//! method, malformed JSON, a body that is not UTF-8, a body over the limit, the wrong
//! content type — and checks that the answer is a 4xx with `{"error":{"code","message"}}`.

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use ventanilla_testkit::{Caller, TestApp, TestResponse};

const BODY_LIMIT: usize = 4096;

fn assert_shape(what: &str, res: &TestResponse) {
    assert!(
        res.status.is_client_error(),
        "{what}: expected a 4xx, got {}: {}",
        res.status,
        res.text
    );
    let ct = res
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        ct.starts_with("application/json"),
        "{what}: content type {ct:?}: {}",
        res.text
    );
    let e = &res.body["error"];
    assert!(
        e["code"].as_str().is_some_and(|c| !c.is_empty()) && e["message"].is_string(),
        "{what}: not the error shape: {}",
        res.text
    );
}

async fn send(
    t: &TestApp,
    token: &str,
    method: &Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> TestResponse {
    let mut req = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    t.send(req.body(Body::from(body)).unwrap()).await
}

#[tokio::test]
async fn every_route_answers_bad_requests_with_the_error_shape() {
    let t = TestApp::with_config(|c| c.server.body_limit_bytes = BODY_LIMIT).await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let Caller::Bearer(token) = admin else {
        unreachable!()
    };
    let doc = t.get("/api/openapi.json", &Caller::Anonymous).await.body;
    let paths = doc["paths"].as_object().expect("paths");
    let all = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    let mut checked = 0;
    for (template, ops) in paths {
        // Ids that exist nowhere: the body is judged before any record is looked up.
        let path = rebuild(template);
        let ops = ops.as_object().expect("operations");
        for method in &all {
            let name = method.as_str().to_ascii_lowercase();
            let Some(op) = ops.get(&name) else {
                let res = send(&t, &token, method, &path, None, Vec::new()).await;
                assert_shape(&format!("{method} {path} (not an operation)"), &res);
                assert_eq!(
                    res.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path}"
                );
                assert!(res.headers.contains_key(header::ALLOW), "{method} {path}");
                checked += 1;
                continue;
            };
            let Some(body) = op.get("requestBody") else {
                continue;
            };
            let json_body = body["content"].get("application/json").is_some();
            let big = vec![b'a'; BODY_LIMIT * 4];
            let mut cases: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
                (
                    "not UTF-8",
                    Some("application/json"),
                    vec![b'{', 0xff, 0xfe, b'}'],
                ),
                ("too large", Some("application/json"), big.clone()),
            ];
            if json_body {
                cases.push((
                    "malformed JSON",
                    Some("application/json"),
                    b"{\"a\":".to_vec(),
                ));
                cases.push(("wrong content type", Some("text/plain"), b"{}".to_vec()));
                cases.push(("no content type", None, b"{}".to_vec()));
                cases.push((
                    "JSON of the wrong type",
                    Some("application/json"),
                    b"[1,2]".to_vec(),
                ));
            } else {
                cases.push(("too large raw", Some("text/calendar"), big));
            }
            for (what, ct, bytes) in cases {
                let res = send(&t, &token, method, &path, ct, bytes).await;
                assert_shape(&format!("{method} {path} ({what})"), &res);
                checked += 1;
            }
            // serde reads a struct from an array of its fields, so `[]` could pass for an
            // object whose fields all have defaults; the document says object, so must we.
            if json_body && is_object(&doc, &body["content"]["application/json"]["schema"]) {
                let res = send(
                    &t,
                    &token,
                    method,
                    &path,
                    Some("application/json"),
                    b"[]".to_vec(),
                )
                .await;
                assert_eq!(
                    res.body["error"]["code"], "invalid_json",
                    "{method} {path} took an array for an object: {}",
                    res.text
                );
                checked += 1;
            }
        }
    }
    for path in [
        "/api/v1/nothing",
        "/api/nothing",
        "/api/v1/tickets/1/nothing",
        "/api/",
    ] {
        let res = send(&t, &token, &Method::GET, path, None, Vec::new()).await;
        assert_shape(path, &res);
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert!(checked > 150, "walked {checked} cases");
}

/// Whether a request body's schema (following `$ref`s) is an object.
fn is_object(doc: &serde_json::Value, schema: &serde_json::Value) -> bool {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return is_object(doc, &doc["components"]["schemas"][name]);
    }
    schema["type"] == "object" || schema.get("properties").is_some()
}

/// A concrete path for a template: every `{param}` becomes an id that names nothing.
fn rebuild(template: &str) -> String {
    let mut out = String::from("/api/v1");
    for seg in template.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        if seg.starts_with('{') {
            out.push_str("987654");
        } else {
            out.push_str(seg);
        }
    }
    out
}

/// The document says what the server does (issue 18, item 10): names as served, the
/// bounds the server enforces, and the error answers of every operation.
#[tokio::test]
async fn the_openapi_document_matches_the_server() {
    let t = TestApp::new().await;
    let doc = t.get("/api/openapi.json", &Caller::Anonymous).await.body;
    assert_eq!(
        doc["components"]["schemas"]["Priority"]["enum"],
        serde_json::json!(["critical", "high", "medium", "low", "informational"])
    );
    let mut limits = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} documents {status}"
                    );
                }
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "limit" {
                    assert_eq!(
                        (&p["schema"]["minimum"], &p["schema"]["maximum"]),
                        (&serde_json::json!(1), &serde_json::json!(200)),
                        "{method} {path}"
                    );
                    limits += 1;
                }
            }
        }
    }
    assert!(limits >= 8, "{limits} list operations");
    // The bounds are the server's: 0 and 201 are refused, 1 and 200 taken.
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    for (limit, status) in [(0, 422), (201, 422), (1, 200), (200, 200)] {
        let res = t
            .get(&format!("/api/v1/tickets?limit={limit}"), &admin)
            .await;
        assert_eq!(res.status.as_u16(), status, "limit={limit}");
    }
}

/// A value the store refuses for a rule a schema cannot say (a category made its own
/// parent) is a refused field, 422 naming it, whichever layer refuses it.
#[tokio::test]
async fn a_category_cycle_is_a_refused_field() {
    let d = ventanilla_testkit::desk().build().await;
    let cats = d.get("/api/v1/categories", &d.admin).await;
    let id = cats.body[0]["id"].as_i64().unwrap();
    let res = d
        .patch(
            &format!("/api/v1/categories/{id}"),
            serde_json::json!({ "parent_id": id }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.body["error"]["code"], "validation_failed");
    assert_eq!(res.body["error"]["field"], "parent_id");
}
