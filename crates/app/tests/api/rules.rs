//! Classification and automation rules (issue 13): each condition and each action, order
//! and stop-processing, on create and on update, the firing recorded on the ticket, the
//! preview against the last tickets, and broken rules skipped without failing a create.

use http::StatusCode;
use serde_json::{Value, json};
use ventanilla_domain::TicketId;
use ventanilla_domain::ticket::Channel;
use ventanilla_testkit::{Desk, desk};

async fn rule(d: &Desk, body: Value) -> i64 {
    let res = d.post("/api/v1/rules", body, &d.admin).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

async fn category(d: &Desk, code: &str) -> i64 {
    let res = d
        .post(
            "/api/v1/categories",
            json!({"code": code, "name_es": code, "name_en": code}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

async fn codes(d: &Desk, id: TicketId) -> Vec<(String, String)> {
    d.app
        .store
        .tickets()
        .events(id, false)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| {
            e.code
                .clone()
                .map(|c| (c, e.params.get("rule").cloned().unwrap_or_default()))
        })
        .collect()
}

async fn tags(d: &Desk, id: TicketId) -> Vec<String> {
    d.app.store.rules().tags(id).await.unwrap()
}

#[tokio::test]
async fn keyword_rule_classifies_and_prioritises_on_create() {
    let d = desk().with_l2("Sistemas").build().await;
    let printers = category(&d, "rules.printers").await;
    let l2 = d.l2.unwrap().get();
    let l2_agent = d.l2_agent.as_ref().unwrap().id().get();
    rule(
        &d,
        json!({"name": "Impresoras", "conditions": {"keywords": ["IMPRESIÓN", "impresora"]},
        "actions": [
            {"type": "set_category", "value": printers},
            {"type": "set_impact", "value": "high"},
            {"type": "set_urgency", "value": "high"},
            {"type": "set_group", "value": l2},
            {"type": "set_assignee", "value": l2_agent},
            {"type": "set_tier", "value": "L3"},
            {"type": "add_tag", "value": "printers"},
            {"type": "major_candidate", "value": true},
            {"type": "add_note", "value": "Revisar el tóner primero"},
            {"type": "notify", "value": d.supervisor.id().get()}
        ]}),
    )
    .await;
    // Accents and case ignored, whole words: "impresion" matches "IMPRESIÓN".
    let t = d
        .ticket()
        .subject("Fallo de impresion")
        .description("nada sale")
        .create()
        .await;
    assert_eq!(t.category_id.map(|c| c.get()), Some(printers));
    assert_eq!((t.impact.as_str(), t.urgency.as_str()), ("high", "high"));
    assert_eq!(
        t.priority.as_str(),
        "critical",
        "the matrix re-derives the priority"
    );
    assert_eq!(t.group_id.map(|g| g.get()), Some(l2));
    assert_eq!(t.assignee_id.map(|u| u.get()), Some(l2_agent));
    assert_eq!(t.tier.map(|x| x.code()), Some("L3"));
    assert_eq!(tags(&d, t.id).await, vec!["major-candidate", "printers"]);
    let entries = d.app.store.tickets().events(t.id, false).await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.code.as_deref() == Some("rule_fired")
                && e.params.get("rule").map(String::as_str) == Some("Impresoras"))
    );
    assert!(
        entries
            .iter()
            .any(|e| e.body.as_deref() == Some("Revisar el tóner primero"))
    );
    let (notes, _) = d
        .app
        .store
        .notifications()
        .list(d.supervisor.id(), false, None, 50)
        .await
        .unwrap();
    assert!(notes.iter().any(|n| n.kind == "rule_notify"), "{notes:?}");

    // Not a whole word: "impresoras" is not "impresora".
    let other = d
        .ticket()
        .subject("Pedido de impresoras nuevas")
        .description("x")
        .create()
        .await;
    assert_eq!(other.category_id, None);
}

#[tokio::test]
async fn each_condition_narrows_the_match() {
    let d = desk().build().await;
    let cat = category(&d, "net").await;
    let org = d
        .post("/api/v1/organisations", json!({"name": "Acme"}), &d.admin)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let tag = |name: &str, conditions: Value| {
        json!({"name": name, "conditions": conditions,
            "actions": [{"type": "add_tag", "value": name}]})
    };
    rule(
        &d,
        tag(
            "by-requester",
            json!({"requester_id": d.requester.id().get()}),
        ),
    )
    .await;
    rule(&d, tag("by-org", json!({"organisation_id": org}))).await;
    rule(&d, tag("by-channel", json!({"channel": "phone"}))).await;
    rule(&d, tag("by-category", json!({"category_id": cat}))).await;
    rule(&d, tag("by-ci", json!({"ci": "DB-01"}))).await;
    rule(
        &d,
        tag("by-priority", json!({"priority": ["critical", "high"]})),
    )
    .await;
    // The test clock starts at 09:00 UTC = 10:00 in Madrid.
    rule(
        &d,
        tag(
            "office-hours",
            json!({"hours": {"from": "08:00", "to": "18:00"}}),
        ),
    )
    .await;
    rule(
        &d,
        tag("night", json!({"hours": {"from": "22:00", "to": "06:00"}})),
    )
    .await;

    let t = d.ticket().create().await;
    assert_eq!(tags(&d, t.id).await, vec!["by-requester", "office-hours"]);
    let t = d
        .ticket()
        .registered_by(&d.agent)
        .by(&d.agent)
        .channel(Channel::Phone)
        .category("net")
        .impact(ventanilla_domain::ticket::Impact::High)
        .urgency(ventanilla_domain::ticket::Urgency::High)
        .create()
        .await;
    assert_eq!(
        tags(&d, t.id).await,
        vec!["by-category", "by-channel", "by-priority", "office-hours"]
    );
    // Organisation and CI through the API.
    let (_, acme_user) = d.t.token_for("acme@x.test", "agent").await;
    let res = d
        .post(
            "/api/v1/tickets",
            json!({"kind": "incident", "subject": "s", "description": "d", "impact": "low",
                "urgency": "low", "organisation_id": org, "ci_ref": "db-01"}),
            &acme_user,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = TicketId(res.body["id"].as_i64().unwrap());
    assert_eq!(tags(&d, id).await, vec!["by-ci", "by-org", "office-hours"]);
}

#[tokio::test]
async fn department_condition_and_webhook_action() {
    let d = desk().build().await;
    let org = d
        .post("/api/v1/organisations", json!({"name": "Acme"}), &d.admin)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let dept = d
        .post(
            "/api/v1/departments",
            json!({"organisation_id": org, "name": "Finanzas"}),
            &d.admin,
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let res = d
        .patch(
            &format!("/api/v1/users/{}", d.requester.id().get()),
            json!({"organisation_id": org, "department_id": dept}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let hook = d
        .app
        .store
        .webhooks()
        .create(
            "erp",
            "http://203.0.113.9/hook",
            "k",
            &["ticket.created".into()],
            d.app.now(),
        )
        .await
        .unwrap();
    rule(
        &d,
        json!({"name": "Finanzas", "conditions": {"department_id": dept},
            "actions": [{"type": "call_webhook", "value": hook.id}]}),
    )
    .await;
    let t = d.ticket().create().await;
    let log = d
        .app
        .store
        .webhooks()
        .deliveries(hook.id, None, 10)
        .await
        .unwrap();
    assert_eq!(log.len(), 1, "the rule queued a call");
    assert_eq!(log[0].event, "rule.fired");
    assert_eq!(log[0].ticket_id, Some(t.id));
    d.allow_pending_jobs();
}

/// A rule's position is an order from 0 to 1,000,000: beyond it (schemathesis sent
/// 1,990,233,568,449,523, which JSON cannot carry exactly) the field is refused.
#[tokio::test]
async fn a_position_out_of_range_is_refused_on_its_field() {
    let d = desk().build().await;
    for position in [-1_i64, 1_000_001] {
        let res = d
            .post(
                "/api/v1/rules",
                json!({ "name": "far", "position": position,
                    "actions": [{ "type": "add_tag", "value": "x" }] }),
                &d.admin,
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{position}: {}",
            res.text
        );
        assert_eq!(res.body["error"]["field"], "position", "{position}");
    }
    rule(
        &d,
        json!({ "name": "last", "position": 1_000_000,
            "actions": [{ "type": "add_tag", "value": "x" }] }),
    )
    .await;
}

#[tokio::test]
async fn order_stop_and_update_edges() {
    let d = desk().build().await;
    rule(
        &d,
        json!({"name": "first", "position": 1, "stop": true, "conditions": {"keywords": ["vpn"]},
            "actions": [{"type": "add_tag", "value": "first"}]}),
    )
    .await;
    rule(
        &d,
        json!({"name": "second", "position": 2, "conditions": {"keywords": ["vpn"]},
            "actions": [{"type": "add_tag", "value": "second"}]}),
    )
    .await;
    rule(
        &d,
        json!({"name": "urgent-update", "position": 3, "on_create": false, "on_update": true,
            "conditions": {"priority": ["critical"]},
            "actions": [{"type": "add_tag", "value": "escalate-now"}]}),
    )
    .await;
    let t = d.ticket().subject("La VPN no conecta").create().await;
    assert_eq!(tags(&d, t.id).await, vec!["first"], "stop-processing");
    assert!(!codes(&d, t.id).await.iter().any(|(_, r)| r == "second"));

    let res = d
        .patch(
            &format!("/api/v1/tickets/{}", t.id.get()),
            json!({"impact": "high", "urgency": "high"}),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        tags(&d, t.id).await,
        vec!["escalate-now", "first"],
        "on update"
    );
    let fired = |c: &Vec<(String, String)>| c.iter().filter(|(_, r)| r == "urgent-update").count();
    assert_eq!(fired(&codes(&d, t.id).await), 1);
    // Another edit of a ticket that already matched does not fire it again.
    d.patch(
        &format!("/api/v1/tickets/{}", t.id.get()),
        json!({"subject": "La VPN no conecta (Madrid)"}),
        &d.agent,
    )
    .await;
    assert_eq!(
        fired(&codes(&d, t.id).await),
        1,
        "fires on coming to match only"
    );
}

#[tokio::test]
async fn broken_rules_are_shown_and_skipped_and_preview_counts() {
    let d = desk().build().await;
    let cat = category(&d, "old").await;
    let id = rule(
        &d,
        json!({"name": "old category", "conditions": {"keywords": ["correo"]},
            "actions": [{"type": "set_category", "value": cat}]}),
    )
    .await;
    rule(
        &d,
        json!({"name": "ghost group", "conditions": {"keywords": ["correo"]},
            "actions": [{"type": "set_group", "value": 987654}]}),
    )
    .await;
    let res = d
        .patch(
            &format!("/api/v1/categories/{cat}"),
            json!({"active": false}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    d.app.rules.clear();
    let list = d.get("/api/v1/rules", &d.admin).await;
    let broken: Vec<&Value> = list.body.as_array().unwrap().iter().collect();
    assert_eq!(broken[0]["id"], id);
    assert_eq!(broken[0]["broken"], json!([format!("category {cat}")]));
    assert_eq!(broken[1]["broken"], json!(["group 987654"]));
    let t = d.ticket().subject("No llega el correo").create().await;
    assert_eq!(t.category_id, None, "skipped, and the create went through");
    assert!(codes(&d, t.id).await.iter().all(|(c, _)| c != "rule_fired"));

    for i in 0..5 {
        d.ticket()
            .subject(&format!("Correo {i} rebotado"))
            .create()
            .await;
    }
    let res = d
        .post(
            "/api/v1/rules/preview",
            json!({"conditions": {"keywords": ["correo"]}}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["examined"], 6);
    assert_eq!(res.body["matched"], 6);
    assert_eq!(res.body["sample"][0], "INC-000006");
    let res = d
        .post(
            "/api/v1/rules/preview",
            json!({"conditions": {"keywords": ["vpn"]}}),
            &d.admin,
        )
        .await;
    assert_eq!(res.body["matched"], 0);
    let res = d
        .post("/api/v1/rules/preview", json!({"conditions": {}}), &d.agent)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
