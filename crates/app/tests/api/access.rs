//! Access control over the people endpoints: anonymous → 401, missing permission → 403,
//! outside the data scope → 404, always with the error shape.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use ventanilla_testkit::{Caller, TestApp};

struct Setup {
    t: TestApp,
    requester: Caller,
    agent: Caller,
    admin: Caller,
    requester_id: i64,
    other_requester_id: i64,
    org: i64,
    dept: i64,
    group: i64,
}

async fn setup() -> Setup {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let org = t
        .post("/api/v1/organisations", json!({ "name": "Acme" }), &admin)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let dept = t
        .post(
            "/api/v1/departments",
            json!({ "organisation_id": org, "name": "Ventas" }),
            &admin,
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let group = t
        .post(
            "/api/v1/groups",
            json!({ "name": "Mesa", "tier": "L1" }),
            &admin,
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let (req_user, requester) = t.token_for("req@x.test", "requester").await;
    let other = t.user("other@x.test", "requester").await;
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    Setup {
        requester_id: req_user.id.get(),
        other_requester_id: other.id.get(),
        t,
        requester,
        agent,
        admin,
        org,
        dept,
        group,
    }
}

fn assert_error(
    res: &ventanilla_testkit::TestResponse,
    status: StatusCode,
    code: &str,
    what: &str,
) {
    assert_eq!(res.status, status, "{what}: {}", res.text);
    assert_eq!(res.error_code(), code, "{what}");
    assert!(
        res.body["error"]["message"].is_string(),
        "{what}: error shape"
    );
}

#[tokio::test]
async fn anonymous_calls_get_401_everywhere() {
    let s = setup().await;
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/users".into(), None),
        (
            Method::POST,
            "/api/v1/users".into(),
            Some(json!({ "email": "a@x.test", "name": "A" })),
        ),
        (
            Method::GET,
            format!("/api/v1/users/{}", s.requester_id),
            None,
        ),
        (Method::GET, "/api/v1/organisations".into(), None),
        (
            Method::POST,
            "/api/v1/organisations".into(),
            Some(json!({ "name": "B" })),
        ),
        (
            Method::GET,
            format!("/api/v1/organisations/{}", s.org),
            None,
        ),
        (Method::GET, "/api/v1/departments".into(), None),
        (
            Method::POST,
            "/api/v1/departments".into(),
            Some(json!({ "organisation_id": s.org, "name": "C" })),
        ),
        (Method::GET, format!("/api/v1/departments/{}", s.dept), None),
        (Method::GET, "/api/v1/groups".into(), None),
        (
            Method::POST,
            "/api/v1/groups".into(),
            Some(json!({ "name": "G", "tier": "L2" })),
        ),
        (Method::GET, format!("/api/v1/groups/{}", s.group), None),
        (Method::GET, "/api/v1/me".into(), None),
        (Method::GET, "/api/v1/tokens".into(), None),
        (Method::GET, "/api/v1/audit".into(), None),
    ];
    for (m, path, body) in routes {
        let res =
            s.t.request(m.clone(), &path, body, &Caller::Anonymous)
                .await;
        assert_error(
            &res,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            &format!("{m} {path}"),
        );
    }
}

#[tokio::test]
async fn requesters_cannot_list_or_read_other_users() {
    let s = setup().await;
    let res = s.t.get("/api/v1/users", &s.requester).await;
    assert_error(&res, StatusCode::FORBIDDEN, "forbidden", "list users");
    let res =
        s.t.get(
            &format!("/api/v1/users/{}", s.other_requester_id),
            &s.requester,
        )
        .await;
    assert_error(
        &res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "read another user",
    );
    assert!(
        !res.text.contains("other@x.test"),
        "nothing of the other user leaks"
    );
    let res =
        s.t.get(&format!("/api/v1/users/{}", s.requester_id), &s.requester)
            .await;
    assert_eq!(res.status, StatusCode::OK, "own profile");
    let res =
        s.t.patch(
            &format!("/api/v1/users/{}", s.other_requester_id),
            json!({ "name": "Hacked" }),
            &s.requester,
        )
        .await;
    assert_error(
        &res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "patch another user",
    );
    let res =
        s.t.patch(
            &format!("/api/v1/users/{}", s.requester_id),
            json!({ "role": "admin" }),
            &s.requester,
        )
        .await;
    assert_error(&res, StatusCode::FORBIDDEN, "forbidden", "promote oneself");
    let res =
        s.t.patch(
            &format!("/api/v1/users/{}", s.requester_id),
            json!({ "name": "Rita", "language": "en" }),
            &s.requester,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "own name and language: {}",
        res.text
    );
    for path in [
        "/api/v1/organisations",
        "/api/v1/departments",
        "/api/v1/groups",
        "/api/v1/audit",
        "/api/v1/roles",
    ] {
        let res = s.t.get(path, &s.requester).await;
        assert_error(&res, StatusCode::FORBIDDEN, "forbidden", path);
    }
    let other =
        s.t.get(&format!("/api/v1/users/{}", s.other_requester_id), &s.admin)
            .await;
    assert_eq!(
        other.body["name"], "other",
        "the refused patch changed nothing"
    );
}

#[tokio::test]
async fn agents_cannot_call_admin_endpoints() {
    let s = setup().await;
    let writes: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({ "email": "new@x.test", "name": "New" }),
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{}", s.requester_id),
            json!({ "name": "X" }),
        ),
        (
            Method::PUT,
            format!("/api/v1/users/{}/password", s.requester_id),
            json!({ "password": "0123456789abc" }),
        ),
        (
            Method::POST,
            "/api/v1/organisations".into(),
            json!({ "name": "B" }),
        ),
        (
            Method::PATCH,
            format!("/api/v1/organisations/{}", s.org),
            json!({ "name": "B" }),
        ),
        (
            Method::POST,
            "/api/v1/departments".into(),
            json!({ "organisation_id": s.org, "name": "C" }),
        ),
        (
            Method::PATCH,
            format!("/api/v1/departments/{}", s.dept),
            json!({ "name": "C" }),
        ),
        (
            Method::POST,
            "/api/v1/groups".into(),
            json!({ "name": "G", "tier": "L2" }),
        ),
        (
            Method::PATCH,
            format!("/api/v1/groups/{}", s.group),
            json!({ "name": "G" }),
        ),
        (
            Method::PUT,
            format!("/api/v1/groups/{}/members/{}", s.group, s.requester_id),
            json!({}),
        ),
        (
            Method::POST,
            "/api/v1/roles".into(),
            json!({ "name": "x", "scope": "all", "permissions": [] }),
        ),
    ];
    for (m, path, body) in writes {
        let res = s.t.request(m.clone(), &path, Some(body), &s.agent).await;
        assert_error(
            &res,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("{m} {path}"),
        );
    }
    for path in ["/api/v1/audit", "/api/v1/roles"] {
        assert_error(
            &s.t.get(path, &s.agent).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            path,
        );
    }
    // What agents may do: look people, organisations and groups up.
    for path in [
        "/api/v1/users",
        "/api/v1/organisations",
        "/api/v1/departments",
        "/api/v1/groups",
    ] {
        assert_eq!(
            s.t.get(path, &s.agent).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    let users = s.t.get("/api/v1/users?limit=200", &s.admin).await;
    assert_eq!(
        users.body["items"].as_array().unwrap().len(),
        4,
        "no user was created"
    );
}

#[tokio::test]
async fn organisation_scope_limits_what_a_manager_sees() {
    let s = setup().await;
    // A custom role with users.read but organisation scope: sees only its organisation.
    let res =
        s.t.post(
            "/api/v1/roles",
            json!({ "name": "org-viewer", "scope": "organisation", "permissions": ["users.read"] }),
            &s.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let viewer =
        s.t.user_in(
            "viewer@x.test",
            "org-viewer",
            Some(ventanilla_domain::OrganisationId(s.org)),
        )
        .await;
    let inside =
        s.t.user_in(
            "colleague@x.test",
            "requester",
            Some(ventanilla_domain::OrganisationId(s.org)),
        )
        .await;
    let token = ventanilla_app::api::issue_token(&s.t.state(), viewer.id, "t", None)
        .await
        .unwrap();
    let c = Caller::Bearer(token.token);
    let list = s.t.get("/api/v1/users", &c).await;
    let emails: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, vec!["viewer@x.test", "colleague@x.test"]);
    assert_eq!(
        s.t.get(&format!("/api/v1/users/{}", inside.id), &c)
            .await
            .status,
        StatusCode::OK
    );
    let res =
        s.t.get(&format!("/api/v1/users/{}", s.other_requester_id), &c)
            .await;
    assert_error(
        &res,
        StatusCode::NOT_FOUND,
        "not_found",
        "outside the scope",
    );
}
