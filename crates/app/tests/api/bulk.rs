//! Bulk actions (issue 17): one change applied to many tickets, each decided by its own
//! rules (state machine, membership, access); every refusal listed with its stable code.

use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn each_ticket_goes_through_its_own_rules_and_refusals_are_listed() {
    let d = ventanilla_testkit::desk().build().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let t = d.ticket().by(&d.requester).in_group(d.l1).create().await;
        ids.push(t.id.get());
    }
    let res = d
        .post(
            &format!("/api/v1/tickets/{}/transitions", ids[2]),
            json!({ "to": "cancelled", "reason": "duplicado" }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": ids, "action": "assign", "assignee_id": d.agent.id().get() }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["done"], json!([ids[0], ids[1]]));
    assert_eq!(res.body["refused"][0]["ticket_id"].as_i64(), Some(ids[2]));
    assert_eq!(
        res.body["refused"][0]["code"].as_str(),
        Some("ticket_closed")
    );
    for id in &ids[..2] {
        let t = d.get(&format!("/api/v1/tickets/{id}"), &d.agent).await;
        assert_eq!(t.body["assignee_id"].as_i64(), Some(d.agent.id().get()));
    }
    // A move the state machine refuses for one ticket is listed per ticket; analysis is
    // fine for the open ones, the cancelled one refuses.
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": ids, "action": "status", "to": "analysis" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["done"], json!([ids[0], ids[1]]), "{}", res.text);
    assert_eq!(res.body["refused"].as_array().map(Vec::len), Some(1));
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": [ids[0]], "action": "status", "to": "validation" }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.body["refused"][0]["code"].as_str(),
        Some("invalid_transition"),
        "analysis → validation skips solution: {}",
        res.text
    );
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": [ids[0]], "action": "status", "to": "solution" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["done"], json!([ids[0]]), "{}", res.text);
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": [ids[0]], "action": "status", "to": "validation" }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.body["refused"][0]["code"].as_str(),
        Some("resolution_required"),
        "{}",
        res.text
    );
    // A note on each; the timeline has it.
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": [ids[0], ids[1]], "action": "note", "body": "Revisado en bloque" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["done"].as_array().map(Vec::len), Some(2));
    let tl = d
        .get(&format!("/api/v1/tickets/{}/actions", ids[1]), &d.agent)
        .await;
    assert!(tl.text.contains("Revisado en bloque"));
}

#[tokio::test]
async fn bad_bulk_input_is_refused_whole_and_requesters_may_not() {
    let d = ventanilla_testkit::desk().build().await;
    let t = d.ticket().by(&d.requester).in_group(d.l1).create().await;
    let id = t.id.get();
    for (body, field) in [
        (json!({ "ids": [], "action": "assign" }), "ids"),
        (json!({ "ids": [id], "action": "explode" }), "action"),
        (
            json!({ "ids": [id], "action": "priority", "priority": "high" }),
            "reason",
        ),
        (json!({ "ids": [id], "action": "group" }), "group_id"),
        (
            json!({ "ids": (1..=201).collect::<Vec<i64>>(), "action": "note", "body": "x" }),
            "ids",
        ),
    ] {
        let res = d.post("/api/v1/tickets/bulk", body, &d.agent).await;
        assert_eq!(
            (res.status, res.body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{}",
            res.text
        );
    }
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": [id], "action": "note", "body": "hola" }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // A ticket the caller cannot see is "not found" for that ticket only.
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": [id, 999999], "action": "note", "body": "hola" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["done"], json!([id]));
    assert_eq!(res.body["refused"][0]["code"].as_str(), Some("not_found"));
}

#[tokio::test]
async fn bulk_moves_to_a_group_and_sets_a_priority_on_every_ticket() {
    let d = ventanilla_testkit::desk().with_l2("Redes").build().await;
    let l2 = d.l2.unwrap().get();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let t = d.ticket().by(&d.requester).in_group(d.l1).create().await;
        ids.push(t.id.get());
    }
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": ids, "action": "group", "group_id": l2 }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["done"], json!(ids), "{}", res.text);
    assert_eq!(res.body["refused"], json!([]));
    // A priority needs its reason: refused whole, nothing changed.
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": ids, "action": "priority", "priority": "critical" }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.body["error"]["field"].as_str(), Some("reason"));
    let res = d
        .post(
            "/api/v1/tickets/bulk",
            json!({ "ids": ids, "action": "priority", "priority": "critical", "reason": "Caída general" }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["done"], json!(ids), "{}", res.text);
    for id in &ids {
        let t = d.get(&format!("/api/v1/tickets/{id}"), &d.supervisor).await;
        assert_eq!(t.body["group_id"].as_i64(), Some(l2), "{}", t.text);
        assert_eq!(t.body["priority"].as_str(), Some("critical"), "{}", t.text);
    }
}
