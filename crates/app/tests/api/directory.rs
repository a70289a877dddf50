//! Managing organisations, departments, users and groups through the API.

use http::{Method, StatusCode};
use serde_json::json;
use ventanilla_testkit::TestApp;

#[tokio::test]
async fn organisations_and_departments() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let res = t
        .post(
            "/api/v1/organisations",
            json!({ "name": "  Acme S.A. ", "code": "ACME" }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.body["name"], "Acme S.A.", "trimmed");
    let org = res.body["id"].as_i64().unwrap();
    let dup = t
        .post(
            "/api/v1/organisations",
            json!({ "name": "acme s.a." }),
            &admin,
        )
        .await;
    assert_eq!(
        dup.status,
        StatusCode::CONFLICT,
        "names are unique regardless of case"
    );
    assert_eq!(dup.error_code(), "conflict");
    let res = t
        .post("/api/v1/organisations", json!({ "name": "  " }), &admin)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["error"]["field"], "name");
    let res = t
        .patch(
            &format!("/api/v1/organisations/{org}"),
            json!({ "code": null, "active": false }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["code"], serde_json::Value::Null);
    assert_eq!(res.body["active"], false);
    assert_eq!(res.body["name"], "Acme S.A.", "absent fields are kept");

    let res = t
        .post(
            "/api/v1/departments",
            json!({ "organisation_id": org, "name": "Finanzas" }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let dept = res.body["id"].as_i64().unwrap();
    let res = t
        .post(
            "/api/v1/departments",
            json!({ "organisation_id": 9999, "name": "X" }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["error"]["field"], "organisation_id");
    let res = t
        .patch(
            &format!("/api/v1/departments/{dept}"),
            json!({ "name": "Finanzas y Control" }),
            &admin,
        )
        .await;
    assert_eq!(res.body["name"], "Finanzas y Control");
    let res = t
        .get(&format!("/api/v1/organisations/{org}/departments"), &admin)
        .await;
    assert_eq!(res.body["items"][0]["id"], dept);
    let res = t.get("/api/v1/organisations?q=acme", &admin).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
    let res = t.get("/api/v1/organisations?q=%25", &admin).await;
    assert_eq!(
        res.body["items"].as_array().unwrap().len(),
        0,
        "LIKE wildcards are literal"
    );
}

#[tokio::test]
async fn users_are_created_validated_and_changed() {
    let t = TestApp::new().await;
    let (admin_user, admin) = t.token_for("admin@x.test", "admin").await;
    let org = t
        .post("/api/v1/organisations", json!({ "name": "Acme" }), &admin)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let other_org = t
        .post("/api/v1/organisations", json!({ "name": "Beta" }), &admin)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let dept = t
        .post(
            "/api/v1/departments",
            json!({ "organisation_id": other_org, "name": "Ops" }),
            &admin,
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let body = json!({ "email": "Rosa@Acme.test", "name": "Rosa", "phone": "+34 600 000 000", "organisation_id": org,
        "language": "en", "time_zone": "America/Bogota", "role": "agent", "password": "a long enough secret" });
    let res = t.post("/api/v1/users", body.clone(), &admin).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["email"], "rosa@acme.test");
    assert_eq!(res.body["role"], "agent");
    assert_eq!(res.body["time_zone"], "America/Bogota");
    let id = res.body["id"].as_i64().unwrap();
    t.login("rosa@acme.test", "a long enough secret").await;
    let res = t.post("/api/v1/users", body, &admin).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "email is unique");
    for (bad, field) in [
        (json!({ "email": "nope", "name": "X" }), "email"),
        (json!({ "email": "x@x.test", "name": "" }), "name"),
        (
            json!({ "email": "x@x.test", "name": "X", "language": "fr" }),
            "language",
        ),
        (
            json!({ "email": "x@x.test", "name": "X", "time_zone": "Mars/Base" }),
            "time_zone",
        ),
        (
            json!({ "email": "x@x.test", "name": "X", "role": "emperor" }),
            "role",
        ),
        (
            json!({ "email": "x@x.test", "name": "X", "password": "short" }),
            "password",
        ),
        (
            json!({ "email": "x@x.test", "name": "X", "organisation_id": org, "department_id": dept }),
            "department_id",
        ),
    ] {
        let res = t.post("/api/v1/users", bad, &admin).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            res.text
        );
        assert_eq!(res.body["error"]["field"], field);
    }
    let res = t
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({ "phone": null, "role": "supervisor", "organisation_manager": true }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["phone"], serde_json::Value::Null);
    assert_eq!(res.body["role"], "supervisor");
    assert_eq!(res.body["name"], "Rosa");
    let res = t
        .patch(
            &format!("/api/v1/users/{}", admin_user.id),
            json!({ "active": false }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "no self lock-out");
    let audit = t.get("/api/v1/audit?action=user.update", &admin).await;
    assert_eq!(audit.body["items"][0]["target_id"], id);
    assert_eq!(audit.body["items"][0]["actor_id"], admin_user.id.get());
    assert_eq!(audit.body["items"][0]["detail"]["role"], "supervisor");
}

#[tokio::test]
async fn user_lists_page_by_keyset() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    for i in 0..6 {
        t.user(&format!("u{i}@x.test"), "requester").await;
    }
    let mut seen = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let path = match after {
            Some(a) => format!("/api/v1/users?limit=3&after={a}"),
            None => "/api/v1/users?limit=3".into(),
        };
        let res = t.get(&path, &admin).await;
        for u in res.body["items"].as_array().unwrap() {
            seen.push(u["id"].as_i64().unwrap());
        }
        match res.body["next"].as_i64() {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "ordered, no repeats");
    let res = t.get("/api/v1/users?role=admin", &admin).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
    let res = t.get("/api/v1/users?q=U3", &admin).await;
    assert_eq!(res.body["items"][0]["email"], "u3@x.test");
    let res = t.get("/api/v1/users?limit=0", &admin).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = t.get("/api/v1/users?limit=abc", &admin).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn groups_with_tiers_and_members() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let a1 = t.user("a1@x.test", "agent").await;
    let a2 = t.user("a2@x.test", "agent").await;
    let sup = t.user("sup@x.test", "supervisor").await;
    let req = t.user("req@x.test", "requester").await;
    let res = t
        .post("/api/v1/groups", json!({ "name": "Mesa de Servicio", "tier": "L1", "members": [{ "user_id": a1.id }, { "user_id": sup.id, "supervisor": true }] }), &admin)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let g = res.body["id"].as_i64().unwrap();
    assert_eq!(res.body["members"].as_array().unwrap().len(), 2);
    let res = t
        .post(
            "/api/v1/groups",
            json!({ "name": "Bad", "tier": "L9" }),
            &admin,
        )
        .await;
    assert_eq!(res.body["error"]["field"], "tier");
    let res = t
        .post(
            "/api/v1/groups",
            json!({ "name": "Bad", "tier": "L2", "members": [{ "user_id": req.id }] }),
            &admin,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "requesters are not group members"
    );
    assert_eq!(
        t.get("/api/v1/groups?q=bad", &admin).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing half-created"
    );
    let res = t
        .request(
            Method::PUT,
            &format!("/api/v1/groups/{g}/members/{}", a2.id),
            None,
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["members"].as_array().unwrap().len(), 3);
    let res = t
        .request(
            Method::PUT,
            &format!("/api/v1/groups/{g}/members/{}", a2.id),
            Some(json!({ "supervisor": true })),
            &admin,
        )
        .await;
    let a2_entry = res.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == a2.id.get())
        .cloned()
        .unwrap();
    assert_eq!(a2_entry["supervisor"], true);
    let res = t
        .request(
            Method::DELETE,
            &format!("/api/v1/groups/{g}/members/{}", a1.id),
            None,
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = t
        .request(
            Method::DELETE,
            &format!("/api/v1/groups/{g}/members/{}", a1.id),
            None,
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = t
        .patch(
            &format!("/api/v1/groups/{g}"),
            json!({ "tier": "L2", "email": "mesa@x.test" }),
            &admin,
        )
        .await;
    assert_eq!(res.body["tier"], "L2");
    assert_eq!(res.body["email"], "mesa@x.test");
    let res = t
        .get(&format!("/api/v1/groups?member={}", sup.id), &admin)
        .await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(res.body["items"][0]["members"].as_array().unwrap().len(), 2);
    let res = t.get(&format!("/api/v1/groups/{g}"), &admin).await;
    assert_eq!(res.body["name"], "Mesa de Servicio");
}

#[tokio::test]
async fn users_without_a_zone_take_the_configured_default() {
    let t = TestApp::with_config(|c| c.defaults.time_zone = "America/Bogota".into()).await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let res = t
        .post(
            "/api/v1/users",
            json!({ "email": "sin.zona@x.test", "name": "Sin zona" }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["time_zone"], "America/Bogota");
    // A requester created with a ticket gets it too.
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    let res = t
        .post(
            "/api/v1/tickets",
            json!({ "kind": "incident", "subject": "s", "description": "d", "impact": "low", "urgency": "low",
                "requester": { "name": "Nuevo", "email": "nuevo@x.test" } }),
            &agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let user = t
        .app
        .store
        .users()
        .by_email(&ventanilla_domain::Email::parse("nuevo@x.test").unwrap())
        .await
        .unwrap();
    assert_eq!(user.time_zone.as_str(), "America/Bogota");
}
