//! Group-committed registration and the reference-data cache, through the API: concurrent
//! registrations each get their own ticket and number; one refused registration does not
//! fail the ones sharing its transaction; a matrix or SLA change saved on this node applies
//! to the next ticket even with a long cache, while one made behind the node's back waits
//! for the cache to expire.

use std::collections::HashSet;

use futures_util::future::join_all;
use http::{Method, StatusCode};
use serde_json::json;
use ventanilla_domain::UserId;
use ventanilla_domain::ticket::{
    Channel, Impact, KeyFacts, NewTicket, Priority, TicketKind, Urgency,
};
use ventanilla_domain::{Text, ticket::PriorityMatrix};
use ventanilla_store::audit::NewAudit;
use ventanilla_store::tickets::Registration;
use ventanilla_testkit::TestApp;

#[tokio::test]
async fn concurrent_registrations_each_get_their_own_ticket() {
    let t = TestApp::new().await;
    let (_, requester) = t.token_for("r@x.test", "requester").await;
    let body = |i: usize| {
        json!({ "kind": if i.is_multiple_of(3) { "service_request" } else { "incident" },
            "subject": format!("Petición {i}"), "description": format!("detalle {i}"),
            "impact": "low", "urgency": "medium" })
    };
    let responses = join_all((0..40).map(|i| t.post("/api/v1/tickets", body(i), &requester))).await;
    let mut ids = HashSet::new();
    let mut numbers = HashSet::new();
    for (i, res) in responses.iter().enumerate() {
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        // Rows of one transaction are matched back to the request that asked for them.
        assert_eq!(res.body["subject"], format!("Petición {i}"));
        assert_eq!(res.body["description"], format!("detalle {i}"));
        ids.insert(res.body["id"].as_i64().unwrap());
        numbers.insert(res.body["number"].as_str().unwrap().to_owned());
        let id = res.body["id"].as_i64().unwrap();
        let read = t.get(&format!("/api/v1/tickets/{id}"), &requester).await;
        assert_eq!(read.body["subject"], format!("Petición {i}"));
    }
    assert_eq!((ids.len(), numbers.len()), (40, 40));
    let expected: HashSet<String> = (1..=26)
        .map(|n| format!("INC-{n:06}"))
        .chain((1..=14).map(|n| format!("REQ-{n:06}")))
        .collect();
    assert_eq!(
        numbers, expected,
        "numbers per kind without gaps or repeats"
    );
}

fn registration(requester: UserId, subject: &str) -> Registration {
    Registration {
        new: NewTicket {
            kind: TicketKind::Incident,
            subject: Text::parse("subject", subject, 200).unwrap(),
            description: Text::parse("description", "d", 200).unwrap(),
            requester_id: requester,
            organisation_id: None,
            channel: Channel::Api,
            ci_ref: None,
            category_id: None,
            impact: Impact::Low,
            urgency: Urgency::Low,
            priority: Priority::Informational,
            priority_override_reason: None,
            group_id: None,
            assignee_id: None,
            tier: None,
            facts: KeyFacts::default(),
            sla: Default::default(),
        },
        actor: Some(requester),
        idempotency_key: None,
        extra: Vec::new(),
    }
}

#[tokio::test]
async fn a_refused_registration_does_not_fail_its_neighbours() {
    let t = TestApp::new().await;
    let (r, _) = t.token_for("r@x.test", "requester").await;
    let state = t.state();
    let now = state.now();
    let outcomes = join_all((0..12).map(|i| {
        let mut reg = registration(r.id, &format!("t{i}"));
        if i == 5 {
            // A requester that does not exist: the database refuses the row.
            reg.new.requester_id = UserId(424_242);
        }
        state.intake.register(reg, now)
    }))
    .await;
    for (i, o) in outcomes.iter().enumerate() {
        match o {
            Ok((ticket, created)) if i != 5 => {
                assert!(*created);
                assert_eq!(ticket.subject.as_str(), format!("t{i}"));
            }
            Err(_) if i == 5 => {}
            other => panic!("registration {i}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn reference_changes_saved_here_apply_at_once_and_others_after_the_cache() {
    let t = TestApp::with_config(|c| c.tickets.reference_cache_ms = 3_600_000).await;
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let low_low = json!({ "kind": "incident", "subject": "s", "description": "d", "impact": "low", "urgency": "low" });
    let res = t.post("/api/v1/tickets", low_low.clone(), &agent).await;
    assert_eq!(res.body["priority"], "informational");
    assert!(
        res.body["sla"]["resolution_due_at"].is_null(),
        "{}",
        res.text
    );

    // A change behind this node's back (another node) is not seen while the copy is fresh.
    let mut m = PriorityMatrix::default();
    m.set(Impact::Low, Urgency::Low, Priority::Low);
    let entry = NewAudit::new(t.state().now(), None, "test", None);
    t.state()
        .store
        .settings()
        .put(ventanilla_app::desk::tickets::matrix::KEY, &m, &entry)
        .await
        .unwrap();
    let res = t.post("/api/v1/tickets", low_low.clone(), &agent).await;
    assert_eq!(
        res.body["priority"], "informational",
        "cached for the configured time"
    );

    // Saved through this node: applies to the very next ticket.
    let cal = t
        .post(
            "/api/v1/calendars",
            json!({ "name": "24x7", "calendar": { "time_zone": "UTC", "weekly": {
                "mon": [["00:00", "24:00"]], "tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]],
                "thu": [["00:00", "24:00"]], "fri": [["00:00", "24:00"]], "sat": [["00:00", "24:00"]],
                "sun": [["00:00", "24:00"]] } } }),
            &admin,
        )
        .await;
    assert_eq!(cal.status, StatusCode::CREATED, "{}", cal.text);
    let res = t
        .post(
            "/api/v1/sla-policies",
            json!({ "policy": { "name": "low", "priority": "low", "calendar_id": cal.body["id"],
                "targets": { "first_response": "PT1H", "resolution": "PT8H" } } }),
            &admin,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let res = t.post("/api/v1/tickets", low_low.clone(), &agent).await;
    assert_eq!(
        res.body["priority"], "low",
        "the other node's matrix is read again"
    );
    assert!(
        !res.body["sla"]["resolution_due_at"].is_null(),
        "the new policy applies: {}",
        res.text
    );

    let mut m = t.get("/api/v1/settings/priority-matrix", &agent).await.body;
    m["low"]["low"] = json!("medium");
    let res = t
        .request(
            Method::PUT,
            "/api/v1/settings/priority-matrix",
            Some(m),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = t.post("/api/v1/tickets", low_low, &agent).await;
    assert_eq!(res.body["priority"], "medium");
}
