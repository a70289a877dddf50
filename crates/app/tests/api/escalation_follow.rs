//! The escalation-follow rule (SPEC C5): after a functional escalation the group that
//! escalated keeps reading the ticket, lists it, and may reply and note (to keep the caller
//! informed), while moving, assigning and escalating belong to the receiving group. Another
//! group of the same tier sees nothing. Checked as an access table on the backend in use.

use http::{Method, StatusCode};
use serde_json::json;
use ventanilla_testkit::{Caller, TestApp};

/// (label, method, path, body, who may pass)
type Cell<'a> = (
    &'a str,
    Method,
    String,
    Option<serde_json::Value>,
    &'a [&'a str],
);

async fn token(t: &TestApp, email: &str, role: &str) -> (i64, Caller) {
    let user = t.user(email, role).await;
    let token = ventanilla_app::api::issue_token(&t.state(), user.id, "t", None)
        .await
        .unwrap();
    (user.id.get(), Caller::Bearer(token.token))
}

async fn group(t: &TestApp, admin: &Caller, name: &str, tier: &str, members: &[i64]) -> i64 {
    let members: Vec<_> = members.iter().map(|m| json!({ "user_id": m })).collect();
    t.post(
        "/api/v1/groups",
        json!({ "name": name, "tier": tier, "members": members }),
        admin,
    )
    .await
    .body["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_escalating_group_keeps_reading_and_following() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, requester) = t.token_for("req@x.test", "requester").await;
    let (l1_id, l1) = token(&t, "l1@desk.test", "agent").await;
    let (l1b_id, l1_mate) = token(&t, "l1b@desk.test", "agent").await;
    let (other_id, other_l1) = token(&t, "other@desk.test", "agent").await;
    let (l2_id, l2) = token(&t, "l2@desk.test", "agent").await;
    let desk = group(&t, &admin, "Service desk", "L1", &[l1_id, l1b_id]).await;
    group(&t, &admin, "Other desk", "L1", &[other_id]).await;
    let network = group(&t, &admin, "Network", "L2", &[l2_id]).await;

    let res = t.post("/api/v1/tickets", json!({ "kind": "incident", "subject": "Sin red", "description": "No hay red en la sala", "impact": "high", "urgency": "high" }), &requester).await;
    let id = res.body["id"].as_i64().unwrap();
    t.patch(
        &format!("/api/v1/tickets/{id}"),
        json!({ "group_id": desk, "assignee_id": l1_id }),
        &admin,
    )
    .await;
    // A hierarchical escalation moves nothing: no one follows.
    let res = t
        .post(
            &format!("/api/v1/tickets/{id}/escalations"),
            json!({ "type": "hierarchical", "summary": "Aviso al supervisor" }),
            &l1,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = t
        .post(
            &format!("/api/v1/tickets/{id}/escalations"),
            json!({ "type": "functional", "summary": "Router caído, probado reinicio", "group_id": network }),
            &l1,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["group_id"], network);
    assert_ne!(
        res.body["assignee_id"], l1_id,
        "the ticket left the L1 agent"
    );

    let p = |s: &str| format!("/api/v1/tickets/{id}{s}");
    let people: [(&str, &Caller); 4] = [
        ("escalating_agent", &l1),
        ("escalating_group_mate", &l1_mate),
        ("other_l1_group", &other_l1),
        ("receiving_group", &l2),
    ];
    let followers: &[&str] = &[
        "escalating_agent",
        "escalating_group_mate",
        "receiving_group",
    ];
    let workers: &[&str] = &["receiving_group"];
    let cells: Vec<Cell> = vec![
        ("get", Method::GET, p(""), None, followers),
        ("timeline", Method::GET, p("/actions"), None, followers),
        (
            "attachments",
            Method::GET,
            p("/attachments"),
            None,
            followers,
        ),
        ("children", Method::GET, p("/children"), None, followers),
        (
            "note",
            Method::POST,
            p("/actions"),
            Some(json!({ "kind": "note", "body": "El usuario llamó otra vez" })),
            followers,
        ),
        (
            "reply",
            Method::POST,
            p("/actions"),
            Some(json!({ "kind": "reply", "body": "Seguimos con ello" })),
            followers,
        ),
        (
            "patch",
            Method::PATCH,
            p(""),
            Some(json!({ "ci_ref": "RT-1" })),
            workers,
        ),
        (
            "transition",
            Method::POST,
            p("/transitions"),
            Some(json!({ "to": "analysis" })),
            workers,
        ),
        (
            "escalate",
            Method::POST,
            p("/escalations"),
            Some(json!({ "type": "hierarchical", "summary": "ayuda" })),
            workers,
        ),
        (
            "major",
            Method::POST,
            p("/major"),
            Some(json!({ "major": false, "reason": "no" })),
            workers,
        ),
    ];
    let mut wrong = Vec::new();
    for (label, method, path, body, allowed) in &cells {
        for (name, caller) in &people {
            let res = t.request(method.clone(), path, body.clone(), caller).await;
            let denied = matches!(res.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND);
            if denied == allowed.contains(name) {
                wrong.push(format!("{label} by {name}: {} {}", res.status, res.text));
            }
            // A follower is told why (403 naming the rule); a stranger learns nothing (404).
            if denied && followers.contains(name) {
                assert_eq!(res.status, StatusCode::FORBIDDEN, "{label} by {name}");
                assert_eq!(res.error_code(), "following_only", "{label} by {name}");
            }
            if denied && !followers.contains(name) {
                assert_eq!(res.status, StatusCode::NOT_FOUND, "{label} by {name}");
            }
        }
    }
    assert!(wrong.is_empty(), "unexpected access:\n{}", wrong.join("\n"));

    // Lists: the escalating group lists it (open tickets, a requester's tickets as the phone
    // form asks); the other L1 group does not.
    for (name, caller) in &people {
        for q in ["status=open", "status=open&sort=priority", "sort=due", ""] {
            let res = t
                .get(&format!("/api/v1/tickets?limit=200&{q}"), caller)
                .await;
            let listed = res.body["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["id"] == id));
            let due_only =
                q == "sort=due" && res.body["items"].as_array().is_some_and(|i| i.is_empty());
            if !due_only {
                assert_eq!(listed, followers.contains(name), "list {q} for {name}");
            }
        }
    }
}
