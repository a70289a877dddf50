//! Working a ticket: time spent, attachments, functional and hierarchical escalation, and
//! major incidents with their children.

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use serde_json::json;
use ventanilla_testkit::{Caller, TestApp, TestResponse};

use crate::tickets_lifecycle::{Lifecycle as _, desk};

async fn upload(
    t: &TestApp,
    id: i64,
    name: &str,
    data: &[u8],
    public: Option<bool>,
    who: &Caller,
) -> TestResponse {
    let Caller::Bearer(tok) = who else {
        unreachable!()
    };
    let q = public.map_or(String::new(), |p| format!("&public={p}"));
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!(
            "/api/v1/tickets/{id}/attachments?filename={name}{q}"
        ))
        .header(header::AUTHORIZATION, format!("Bearer {tok}"))
        .header(header::CONTENT_TYPE, "text/html")
        .body(Body::from(data.to_vec()))
        .unwrap();
    t.send(req).await
}

#[tokio::test]
async fn notes_replies_and_time_spent() {
    let d = desk().await;
    let id = d.incident().await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "note", "body": "Revisado el spooler", "minutes": 25 }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        res.body["first_response_at"],
        serde_json::Value::Null,
        "a note is not a response"
    );
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "reply", "body": "Estamos en ello", "minutes": 5 }),
            &d.agent,
        )
        .await;
    assert!(res.body["first_response_at"].is_string());
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "reply", "body": "x", "minutes": 3 }),
            &d.requester,
        )
        .await;
    assert_eq!(res.body["error"]["field"], "minutes");
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "note", "body": "x" }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "note", "body": "x", "minutes": 100000 }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["error"]["field"], "minutes");
    let staff =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.agent)
            .await;
    let minutes: i64 = staff
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["minutes"].as_i64())
        .sum();
    assert_eq!(minutes, 30);
    assert_eq!(
        d.t.app
            .store
            .tickets()
            .minutes_spent(ventanilla_domain::TicketId(id))
            .await
            .unwrap(),
        30
    );
    let public =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.requester)
            .await;
    assert!(
        !public.text.contains("spooler"),
        "internal notes never reach the requester"
    );
    assert!(public.text.contains("Estamos en ello"));
    assert!(
        public
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["public"] == true)
    );
    // Field changes record who, old and new.
    let change = staff
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "assignee_id")
        .unwrap()
        .clone();
    assert_eq!(change["new_value"], d.agent.id().get().to_string());
}

#[tokio::test]
async fn attachments_are_sniffed_stored_and_served_safely() {
    let d = desk().await;
    let id = d.incident().await;
    let png = [
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 0,
        0, 0, 1,
    ];
    let res = upload(&d.t, id, "captura.png", &png, None, &d.requester).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        (res.body["content_type"].as_str(), res.body["size"].as_i64()),
        (Some("image/png"), Some(20))
    );
    let res = upload(
        &d.t,
        id,
        "..%2F..%2Fetc%2Fevil.html",
        b"<script>alert(1)</script>",
        Some(false),
        &d.agent,
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_ne!(
        res.body["content_type"], "text/plain",
        "the type is sniffed, not taken from the client"
    );
    assert_eq!(res.body["filename"], "evil.html", "no path survives");
    let internal = res.body["id"].as_i64().unwrap();
    let listed =
        d.t.get(&format!("/api/v1/tickets/{id}/attachments"), &d.requester)
            .await;
    assert_eq!(
        listed.body.as_array().unwrap().len(),
        1,
        "the internal file is not listed for the requester"
    );
    assert_eq!(
        d.t.get(&format!("/api/v1/tickets/{id}/attachments"), &d.agent)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let res =
        d.t.get(&format!("/api/v1/attachments/{internal}"), &d.requester)
            .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res =
        d.t.get(&format!("/api/v1/attachments/{internal}"), &d.agent)
            .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.headers["x-content-type-options"], "nosniff");
    assert_eq!(
        res.headers["content-type"], "application/octet-stream",
        "HTML is never served as a page"
    );
    assert!(
        res.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(
        res.text, "<script>alert(1)</script>",
        "bytes come back unchanged"
    );
    let (_, stranger) = d.t.token_for("stranger@x.test", "requester").await;
    let res =
        d.t.get(&format!("/api/v1/attachments/{internal}"), &stranger)
            .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = upload(&d.t, id, "notas.txt", b"solo texto", None, &d.agent).await;
    assert_eq!(
        res.body["content_type"], "application/octet-stream",
        "unknown bytes are not given the client's text/html"
    );
    let res = upload(&d.t, id, "vacio.txt", b"", None, &d.agent).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let small = TestApp::with_config(|c| c.tickets.attachment_max_bytes = 1024).await;
    let (_, agent) = small.token_for("a@x.test", "agent").await;
    let tid = small.post("/api/v1/tickets", json!({ "kind": "incident", "subject": "s", "description": "d", "impact": "low", "urgency": "low" }), &agent).await.body["id"].as_i64().unwrap();
    let res = upload(&small, tid, "big.bin", &[7u8; 2048], None, &agent).await;
    assert_eq!(
        (res.status, res.error_code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    let listed = small
        .get(&format!("/api/v1/tickets/{tid}/attachments"), &agent)
        .await;
    assert_eq!(
        listed.body.as_array().unwrap().len(),
        0,
        "nothing half-stored"
    );
}

#[tokio::test]
async fn functional_escalation_moves_up_a_tier_with_a_handover() {
    let d = desk().await;
    let (_, admin) = d.t.token_for("admin2@x.test", "admin").await;
    let l2_agent = d.t.user("l2@x.test", "agent").await;
    let l2 = d.t.post("/api/v1/groups", json!({ "name": "Aplicaciones", "tier": "L2", "members": [{ "user_id": l2_agent.id }] }), &admin).await.body["id"].as_i64().unwrap();
    let id = d.incident().await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/escalations"),
            json!({ "type": "functional", "summary": " " }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.body["error"]["field"], "summary",
        "a handover summary is required"
    );
    let res = d.t.post(&format!("/api/v1/tickets/{id}/escalations"), json!({ "type": "functional", "summary": "Reinstalado el driver sin éxito; sospecha de placa" }), &d.agent).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (
            res.body["group_id"].as_i64(),
            res.body["tier"].as_str(),
            res.body["escalated"].as_bool()
        ),
        (Some(l2), Some("L2"), Some(true))
    );
    assert_eq!(res.body["assignee_id"], serde_json::Value::Null);
    let mine =
        d.t.get(&format!("/api/v1/tickets/{id}"), &d.requester)
            .await;
    assert_eq!(mine.body["requester_status"], "escalated");
    let public =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.requester)
            .await;
    let said = public
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "escalated_to_tier");
    assert_eq!(
        said.and_then(|e| e["params"]["tier"].as_str()),
        Some("L2"),
        "{}",
        public.text
    );
    assert!(
        !public.text.contains("sospecha de placa"),
        "the handover is internal"
    );
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/escalations"),
            json!({ "type": "functional", "summary": "x", "group_id": d.l1.get() }),
            &d.supervisor,
        )
        .await;
    assert_eq!(
        res.body["error"]["field"], "group_id",
        "not back down a tier"
    );
    let outbox = d.t.app.store.outbox().pending(100).await.unwrap();
    let mail = outbox
        .iter()
        .find(|o| o.kind == "notification.ticket.escalated")
        .expect("the L2 members are notified");
    assert_eq!(mail.recipient_id.map(|u| u.get()), Some(l2_agent.id.get()));
    let (_, l2_caller) = (
        l2,
        ventanilla_testkit::Caller::Bearer(
            ventanilla_app::api::issue_token(&d.t.state(), l2_agent.id, "t", None)
                .await
                .unwrap()
                .token,
        ),
    );
    let inbox = d.t.get("/api/v1/notifications", &l2_caller).await;
    assert_eq!(inbox.body["unread"], 1, "{}", inbox.text);
}

#[tokio::test]
async fn hierarchical_escalation_notifies_the_groups_supervisors() {
    let d = desk().await;
    let id = d.incident().await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/escalations"),
            json!({ "type": "hierarchical", "summary": "El cliente amenaza con penalización" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let outbox = d.t.app.store.outbox().pending(100).await.unwrap();
    let notes: Vec<_> = outbox
        .iter()
        .filter(|o| o.kind == "notification.ticket.hierarchical_escalation")
        .collect();
    assert_eq!(notes.len(), 1, "one supervisor in the group");
    let sup = d.t.get("/api/v1/me", &d.supervisor).await.body["user"]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(notes[0].recipient_id.map(|u| u.get()), Some(sup));
    assert_eq!(notes[0].ticket_id.map(|t| t.get()), Some(id));
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/escalations"),
            json!({ "type": "sideways", "summary": "x" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["error"]["field"], "type");
}

#[tokio::test]
async fn major_incidents_link_children_and_resolve_and_close_them() {
    let d = desk().await;
    let parent = d.incident().await;
    let a = d.incident().await;
    let b = d.incident().await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{parent}/major"),
            json!({ "major": true, "reason": "Caída de la red del edificio" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (
            res.body["major"].as_bool(),
            res.body["urgency"].as_str(),
            res.body["priority"].as_str()
        ),
        (Some(true), Some("high"), Some("high"))
    );
    let supervisors =
        d.t.app
            .store
            .outbox()
            .pending(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|o| o.kind == "notification.ticket.major_incident")
            .count();
    assert_eq!(supervisors, 1);
    let req = d.t.post("/api/v1/tickets", json!({ "kind": "service_request", "subject": "s", "description": "d", "impact": "low", "urgency": "low" }), &d.agent).await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{}/major", req.body["id"]),
            json!({ "major": true, "reason": "x" }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only incidents are major incidents"
    );
    for child in [a, b] {
        let res =
            d.t.post(
                &format!("/api/v1/tickets/{parent}/children"),
                json!({ "child_id": child }),
                &d.agent,
            )
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    }
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{parent}/children"),
            json!({ "child_id": parent }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{a}/children"),
            json!({ "child_id": b }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no nesting under a child"
    );
    let children =
        d.t.get(&format!("/api/v1/tickets/{parent}/children"), &d.agent)
            .await;
    assert_eq!(children.body.as_array().unwrap().len(), 2);
    // Child b is on hold; it is resolved with the parent all the same.
    d.to(
        b,
        json!({ "to": "pending", "reason": "esperando" }),
        &d.agent,
    )
    .await;
    d.resolve(parent).await;
    for child in [a, b] {
        let t = d.status(child).await;
        assert_eq!(
            (t["status"].as_str(), t["resolution_code"].as_str()),
            (Some("validation"), Some("hardware_replaced")),
            "child {child}"
        );
    }
    let timeline =
        d.t.get(&format!("/api/v1/tickets/{a}/actions"), &d.requester)
            .await;
    let said = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "resolved_with_parent");
    assert_eq!(
        said.and_then(|e| e["params"]["parent"].as_str()),
        Some("INC-000001"),
        "{}",
        timeline.text
    );
    d.t.post(
        &format!("/api/v1/tickets/{parent}/confirmation"),
        json!({ "solved": true }),
        &d.requester,
    )
    .await;
    d.t.post(
        &format!("/api/v1/tickets/{parent}/survey"),
        json!({ "rating": 4 }),
        &d.requester,
    )
    .await;
    let res = d.to(parent, json!({ "to": "closed" }), &d.supervisor).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    for child in [a, b] {
        assert_eq!(d.status(child).await["status"], "closed");
    }
    let res =
        d.t.request(
            Method::DELETE,
            &format!("/api/v1/tickets/{parent}/children/{a}"),
            None,
            &d.agent,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::NO_CONTENT,
        "unlinking is history, not a change to the closed child"
    );
}
