//! The ticket access table: roles × endpoints × own/other ticket. Every cell is checked and
//! the test lists every unexpected allow or deny at once.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use ventanilla_domain::OrganisationId;
use ventanilla_testkit::{Caller, TestApp};

/// (label, method, path, body, who may pass access control)
type Cell<'a> = (&'a str, Method, String, Option<Value>, &'a [&'a str]);

struct Who {
    name: &'static str,
    caller: Caller,
}

async fn bearer(
    t: &TestApp,
    email: &str,
    role: &str,
    org: Option<i64>,
    manager: bool,
    admin: &Caller,
) -> Caller {
    let user = t.user_in(email, role, org.map(OrganisationId)).await;
    if manager {
        t.patch(
            &format!("/api/v1/users/{}", user.id),
            json!({ "organisation_manager": true }),
            admin,
        )
        .await;
    }
    let token = ventanilla_app::api::issue_token(&t.state(), user.id, "t", None)
        .await
        .unwrap();
    Caller::Bearer(token.token)
}

#[tokio::test]
async fn roles_by_endpoints_by_ticket() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let org_a = t
        .post("/api/v1/organisations", json!({ "name": "A" }), &admin)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let org_b = t
        .post("/api/v1/organisations", json!({ "name": "B" }), &admin)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let owner = bearer(&t, "owner@a.test", "requester", Some(org_a), false, &admin).await;
    let colleague = bearer(
        &t,
        "colleague@a.test",
        "requester",
        Some(org_a),
        false,
        &admin,
    )
    .await;
    let manager = bearer(&t, "manager@a.test", "requester", Some(org_a), true, &admin).await;
    let outsider = bearer(&t, "out@b.test", "requester", Some(org_b), false, &admin).await;
    let agent_in = t.user("in@desk.test", "agent").await;
    let agent_out = t.user("out@desk.test", "agent").await;
    let g1 = t
        .post(
            "/api/v1/groups",
            json!({ "name": "G1", "tier": "L1", "members": [{ "user_id": agent_in.id }] }),
            &admin,
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    t.post(
        "/api/v1/groups",
        json!({ "name": "G2", "tier": "L1", "members": [{ "user_id": agent_out.id }] }),
        &admin,
    )
    .await;
    let token = |u: ventanilla_domain::directory::User| {
        let state = t.state();
        async move {
            Caller::Bearer(
                ventanilla_app::api::issue_token(&state, u.id, "t", None)
                    .await
                    .unwrap()
                    .token,
            )
        }
    };
    let agent_in = token(agent_in).await;
    let agent_out = token(agent_out).await;
    let (_, supervisor) = t.token_for("sup@desk.test", "supervisor").await;

    let res = t.post("/api/v1/tickets", json!({ "kind": "incident", "subject": "Sin red", "description": "No hay red en la sala", "impact": "high", "urgency": "high" }), &owner).await;
    let id = res.body["id"].as_i64().unwrap();
    assert_eq!(
        res.body["organisation_id"], org_a,
        "the requester's organisation"
    );
    t.patch(
        &format!("/api/v1/tickets/{id}"),
        json!({ "group_id": g1 }),
        &admin,
    )
    .await;
    let secret = "NOTA-INTERNA-secreta";
    let res = t
        .post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "note", "body": secret }),
            &agent_in,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);

    let people = [
        Who {
            name: "anonymous",
            caller: Caller::Anonymous,
        },
        Who {
            name: "owner",
            caller: owner.clone(),
        },
        Who {
            name: "colleague",
            caller: colleague,
        },
        Who {
            name: "manager",
            caller: manager,
        },
        Who {
            name: "outsider",
            caller: outsider,
        },
        Who {
            name: "agent_in_group",
            caller: agent_in,
        },
        Who {
            name: "agent_other_group",
            caller: agent_out,
        },
        Who {
            name: "supervisor",
            caller: supervisor,
        },
        Who {
            name: "admin",
            caller: admin.clone(),
        },
    ];
    let p = |s: &str| format!("/api/v1/tickets/{id}{s}");
    // (label, method, path, body, who may pass access control)
    let reads: &[&str] = &["owner", "manager", "agent_in_group", "supervisor", "admin"];
    let staff: &[&str] = &["agent_in_group", "supervisor", "admin"];
    let requester_steps: &[&str] = &["owner", "supervisor", "admin"];
    let owner_and_staff: &[&str] = &["owner", "agent_in_group", "supervisor", "admin"];
    let cells: Vec<Cell> = vec![
        ("get", Method::GET, p(""), None, reads),
        ("timeline", Method::GET, p("/actions"), None, reads),
        ("attachments", Method::GET, p("/attachments"), None, reads),
        ("children", Method::GET, p("/children"), None, reads),
        (
            "patch",
            Method::PATCH,
            p(""),
            Some(json!({ "ci_ref": "PC-1" })),
            staff,
        ),
        (
            "transition",
            Method::POST,
            p("/transitions"),
            Some(json!({ "to": "analysis" })),
            staff,
        ),
        (
            "reply",
            Method::POST,
            p("/actions"),
            Some(json!({ "kind": "reply", "body": "hola" })),
            owner_and_staff,
        ),
        (
            "note",
            Method::POST,
            p("/actions"),
            Some(json!({ "kind": "note", "body": "nota" })),
            staff,
        ),
        (
            "confirmation",
            Method::POST,
            p("/confirmation"),
            Some(json!({ "solved": true })),
            requester_steps,
        ),
        (
            "survey",
            Method::POST,
            p("/survey"),
            Some(json!({ "rating": 5 })),
            requester_steps,
        ),
        (
            "escalate",
            Method::POST,
            p("/escalations"),
            Some(json!({ "type": "hierarchical", "summary": "ayuda" })),
            staff,
        ),
        (
            "major",
            Method::POST,
            p("/major"),
            Some(json!({ "major": false, "reason": "no" })),
            staff,
        ),
        ("upload", Method::PUT, String::new(), None, owner_and_staff),
    ];
    let mut wrong = Vec::new();
    for (label, method, path, body, allowed) in &cells {
        for who in &people {
            let res = if *label == "upload" {
                upload(&t, id, &who.caller).await
            } else {
                t.request(method.clone(), path, body.clone(), &who.caller)
                    .await
            };
            let denied = matches!(
                res.status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            );
            let expected = allowed.contains(&who.name);
            if denied == expected {
                wrong.push(format!(
                    "{label} by {}: {} {}",
                    who.name, res.status, res.text
                ));
            }
            if denied {
                assert!(
                    res.body["error"]["code"].is_string(),
                    "{label} by {}: error shape",
                    who.name
                );
            }
            if !staff.contains(&who.name) {
                assert!(
                    !res.text.contains(secret),
                    "{label} by {} leaked an internal note",
                    who.name
                );
            }
        }
    }
    assert!(wrong.is_empty(), "unexpected access:\n{}", wrong.join("\n"));

    // Lists: the ticket appears exactly for those who may read it.
    for who in &people {
        let res = t.get("/api/v1/tickets?limit=200", &who.caller).await;
        let listed = res.body["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| i["id"] == id));
        assert_eq!(listed, reads.contains(&who.name), "list for {}", who.name);
        assert!(!res.text.contains(secret));
    }
}

async fn upload(t: &TestApp, id: i64, caller: &Caller) -> ventanilla_testkit::TestResponse {
    let mut req = http::Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/tickets/{id}/attachments?filename=log.txt"));
    req = match caller {
        Caller::Bearer(tok) => req.header(http::header::AUTHORIZATION, format!("Bearer {tok}")),
        _ => req,
    };
    t.send(req.body(axum::body::Body::from("línea de log")).unwrap())
        .await
}
