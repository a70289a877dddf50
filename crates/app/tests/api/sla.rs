//! Service levels through the API with the test clock (SPEC C6): business-time due
//! instants, pauses, policy changes, warnings and breaches that fire once and act.

use http::{Method, StatusCode};
use jiff::Timestamp;
use serde_json::{Value, json};
use ventanilla_testkit::{Caller, Desk};

const MADRID_OFFICE: &str = r#"{"time_zone":"Europe/Madrid","weekly":{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]]}}"#;

/// The testkit's desk with the L2 group "Sistemas", the Madrid office calendar and a policy
/// for high, critical and medium priorities that warns and, on breach, escalates.
async fn desk() -> Desk {
    let d = ventanilla_testkit::desk()
        .with_l2("Sistemas")
        .with_calendar(
            "Oficina Madrid",
            serde_json::from_str(MADRID_OFFICE).unwrap(),
        )
        .build()
        .await;
    let cal_id = d.calendar.unwrap();
    for (priority, response, resolution) in [
        ("high", "PT1H", "PT4H"),
        ("critical", "PT30M", "PT2H"),
        ("medium", "PT2H", "PT8H"),
    ] {
        let res = d
            .post("/api/v1/sla-policies", json!({ "policy": { "name": format!("P {priority}"), "priority": priority, "calendar_id": cal_id, "targets": { "first_response": response, "resolution": resolution } },
                "actions": { "warning": [{ "type": "notify_assignee" }, { "type": "notify_supervisors" }], "breach": [{ "type": "notify_supervisors" }, { "type": "escalate" }] } }), &d.admin)
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    // Policy saves re-measure open tickets (`sla.reapply`); start each test settled.
    d.run_pending_jobs().await;
    d
}

/// The steps these tests take.
trait Sla {
    /// Sets the test clock.
    fn at(&self, instant: &str);
    /// The ticket as its agent sees it.
    async fn view(&self, id: i64) -> Value;
    /// An incident the L1 agent registers in the L1 group.
    async fn create(&self, impact: &str, urgency: &str) -> i64;
}

impl Sla for Desk {
    fn at(&self, instant: &str) {
        self.clock.set(instant.parse::<Timestamp>().unwrap());
    }

    async fn view(&self, id: i64) -> Value {
        self.get(&format!("/api/v1/tickets/{id}"), &self.agent)
            .await
            .body
    }

    async fn create(&self, impact: &str, urgency: &str) -> i64 {
        self.ticket()
            .by(&self.agent)
            .subject("Sin correo")
            .description("d")
            .impact(impact.parse().unwrap())
            .urgency(urgency.parse().unwrap())
            .in_group(self.l1)
            .create()
            .await
            .id
            .get()
    }
}

#[tokio::test]
async fn friday_evening_p2_is_due_monday_late_morning() {
    let d = desk().await;
    // Friday 6 March 2026, 17:55 in Madrid (UTC+1).
    d.at("2026-03-06T16:55:00Z");
    let id = d.create("high", "medium").await;
    let t = d.view(id).await;
    assert_eq!(t["priority"], "high");
    assert_eq!(
        t["sla"]["resolution_due_at"], "2026-03-09T11:55:00Z",
        "Monday 12:55 Madrid: {}",
        t["sla"]
    );
    assert_eq!(
        t["sla"]["response_due_at"], "2026-03-09T08:55:00Z",
        "Monday 09:55 Madrid"
    );
    assert_eq!(t["sla"]["due_at"], "2026-03-09T08:55:00Z");
    assert_eq!(t["sla"]["state"], "ok");
    // A public reply meets the response target; its clock stops.
    d.t.post(
        &format!("/api/v1/tickets/{id}/actions"),
        json!({ "kind": "reply", "body": "Lo revisamos el lunes" }),
        &d.agent,
    )
    .await;
    let t = d.view(id).await;
    assert_eq!(t["sla"]["response_due_at"], Value::Null);
    assert_eq!(t["sla"]["due_at"], "2026-03-09T11:55:00Z");
}

#[tokio::test]
async fn three_business_hours_on_hold_push_the_due_instant_three_hours() {
    let d = desk().await;
    d.at("2026-03-09T08:00:00Z"); // Monday 09:00 Madrid
    let id = d.create("high", "medium").await;
    assert_eq!(
        d.view(id).await["sla"]["resolution_due_at"],
        "2026-03-09T12:00:00Z"
    );
    d.at("2026-03-09T09:00:00Z");
    d.t.post(
        &format!("/api/v1/tickets/{id}/transitions"),
        json!({ "to": "analysis" }),
        &d.agent,
    )
    .await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/transitions"),
            json!({ "to": "pending", "reason": "Esperando al usuario" }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.body["sla"]["resolution_due_at"],
        Value::Null,
        "no due instant while paused"
    );
    d.at("2026-03-09T12:00:00Z"); // three business hours later
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/transitions"),
            json!({ "to": "analysis" }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.body["sla"]["resolution_due_at"], "2026-03-09T15:00:00Z",
        "13:00 + 3 h: {}",
        res.body["sla"]
    );
    // Priority up: a stricter policy measures the same history, paused time kept.
    let res =
        d.t.patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "impact": "high", "urgency": "high" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["priority"], "critical");
    assert_eq!(
        res.body["sla"]["resolution_due_at"], "2026-03-09T13:00:00Z",
        "1 h counted of 2 h: due in one more hour"
    );
    d.run_pending_jobs().await;
}

#[tokio::test]
async fn warning_and_breach_fire_once_and_run_their_actions() {
    let d = desk().await;
    d.at("2026-03-09T08:00:00Z"); // Monday 09:00 Madrid
    let id = d.create("high", "medium").await;
    d.t.post(
        &format!("/api/v1/tickets/{id}/actions"),
        json!({ "kind": "reply", "body": "Recibido" }),
        &d.agent,
    )
    .await;
    // 75 % of 4 h = 3 h.
    d.at("2026-03-09T10:59:00Z");
    d.run_pending_jobs().await;
    assert_eq!(d.view(id).await["sla"]["state"], "ok");
    d.at("2026-03-09T11:00:30Z");
    d.run_pending_jobs().await;
    let t = d.view(id).await;
    assert_eq!(t["sla"]["state"], "at_risk");
    let inbox = d.t.get("/api/v1/notifications", &d.supervisor).await;
    assert_eq!(inbox.body["unread"], 1, "{}", inbox.text);
    assert_eq!(inbox.body["items"][0]["kind"], "sla.warning");
    d.at("2026-03-09T11:30:00Z");
    d.run_pending_jobs().await;
    d.run_pending_jobs().await;
    assert_eq!(
        d.t.get("/api/v1/notifications", &d.supervisor).await.body["unread"],
        1,
        "the warning fires once"
    );
    d.at("2026-03-09T12:00:01Z");
    d.run_pending_jobs().await;
    d.run_pending_jobs().await;
    let t = d.view(id).await;
    assert_eq!(t["sla"]["state"], "breached");
    assert_eq!(
        (
            t["group_id"].as_i64(),
            t["tier"].as_str(),
            t["escalated"].as_bool()
        ),
        (Some(d.l2.unwrap().get()), Some("L2"), Some(true)),
        "breach escalates"
    );
    let inbox = d.t.get("/api/v1/notifications", &d.supervisor).await;
    let kinds: Vec<&str> = inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["sla.breach", "sla.warning"], "each once");
    let timeline =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.agent)
            .await;
    let sla_events: Vec<&str> = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sla")
        .map(|e| e["new_value"].as_str().unwrap())
        .collect();
    assert_eq!(sla_events, vec!["warning", "breach"]);
    let queue = d.t.get("/api/v1/tickets?sla=breached", &d.supervisor).await;
    assert_eq!(queue.body["items"].as_array().unwrap().len(), 1);
    let res =
        d.t.post("/api/v1/notifications/read-all", json!({}), &d.supervisor)
            .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(
        d.t.get("/api/v1/notifications", &d.supervisor).await.body["unread"],
        0
    );
}

#[tokio::test]
async fn queues_sort_by_due_and_filter_at_risk() {
    let d = desk().await;
    d.at("2026-03-09T08:00:00Z");
    let medium = d.create("medium", "medium").await;
    let critical = d.create("high", "high").await;
    let high = d.create("high", "medium").await;
    let res = d.t.get("/api/v1/tickets?sort=due", &d.agent).await;
    let order: Vec<i64> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![critical, high, medium], "soonest due first");
    let page = d.t.get("/api/v1/tickets?sort=due&limit=1", &d.agent).await;
    let next = page.body["next"].as_str().unwrap().to_owned();
    let rest =
        d.t.get(&format!("/api/v1/tickets?sort=due&after={next}"), &d.agent)
            .await;
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 2);
    d.at("2026-03-09T08:23:00Z"); // 75 % of the critical ticket's 30 min response target
    d.run_pending_jobs().await;
    let risky = d.t.get("/api/v1/tickets?sla=at_risk", &d.agent).await;
    assert_eq!(
        risky.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![critical]
    );
    assert_eq!(
        d.t.get("/api/v1/tickets?sla=nope", &d.agent).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn calendars_and_policies_are_validated_and_admin_only() {
    let d = desk().await;
    let res =
        d.t.post(
            "/api/v1/calendars",
            json!({ "name": "Mal", "calendar": { "time_zone": "Mars/Base", "weekly": {} } }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = d.t.post("/api/v1/calendars", json!({ "name": "Mal", "calendar": { "time_zone": "Europe/Madrid", "weekly": { "mon": [["18:00", "09:00"]] } } }), &d.admin).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = d.t.post("/api/v1/calendars", json!({ "name": "24x7", "calendar": serde_json::from_str::<Value>(MADRID_OFFICE).unwrap() }), &d.agent).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = d.t.post("/api/v1/sla-policies", json!({ "policy": { "name": "X", "priority": "low", "calendar_id": 999, "targets": { "first_response": "PT1H", "resolution": "PT2H" } } }), &d.admin).await;
    assert_eq!(
        (res.status, res.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("policy.calendar_id"))
    );
    let res = d.t.post("/api/v1/sla-policies", json!({ "policy": { "name": "X", "priority": "urgentísima", "calendar_id": 1, "targets": { "first_response": "PT1H", "resolution": "PT2H" } } }), &d.admin).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//ES\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260310\r\nSUMMARY:Fiesta local\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let req = http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/calendars/1/holidays/import")
        .header(
            "authorization",
            match &d.admin.caller {
                Caller::Bearer(b) => format!("Bearer {b}"),
                _ => unreachable!(),
            },
        )
        .header("content-type", "text/calendar")
        .body(axum::body::Body::from(ics))
        .unwrap();
    let res = d.t.send(req).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["calendar"]["holidays"][0]["date"], "2026-03-10");
    // The holiday is not business time: a ticket opened Monday 17:00 (1 h left that day)
    // with a 4 h target is due Wednesday 12:00 Madrid.
    d.at("2026-03-09T16:00:00Z");
    let id = d.create("high", "medium").await;
    assert_eq!(
        d.view(id).await["sla"]["resolution_due_at"],
        "2026-03-11T11:00:00Z"
    );
    let jobs = d.t.get("/api/v1/jobs?status=dead", &d.admin).await;
    assert_eq!(jobs.status, StatusCode::OK);
    assert_eq!(
        d.t.get("/api/v1/jobs", &d.agent).await.status,
        StatusCode::FORBIDDEN
    );
    d.run_pending_jobs().await;
}

/// The receiving group's notifications (kind, group and number), newest first.
async fn escalation_notices(d: &Desk, who: &ventanilla_testkit::Person) -> Vec<(String, String)> {
    d.t.get("/api/v1/notifications", who).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "ticket.escalated")
        .map(|n| {
            (
                n["params"]["group"].as_str().unwrap_or("").to_owned(),
                n["params"]["number"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// An SLA breach that escalates tells the receiving group exactly as an agent's escalation
/// does: the same kind of notification to the same people, and the same public entry.
#[tokio::test]
async fn sla_escalation_tells_the_receiving_group_like_a_manual_one() {
    let d = desk().await;
    let l2 = d.l2_agent.as_ref().unwrap();
    d.at("2026-03-09T08:00:00Z");
    let by_sla = d.create("high", "medium").await;
    let by_hand = d.create("high", "medium").await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{by_hand}/escalations"),
            json!({ "type": "functional", "summary": "sospecha de placa" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    d.at("2026-03-09T12:00:01Z"); // past the 4 h resolution target
    d.run_pending_jobs().await;
    d.run_pending_jobs().await;
    // The L1 agent may no longer see escalated tickets; the supervisor sees every one.
    let number = async |id: i64| {
        d.get(&format!("/api/v1/tickets/{id}"), &d.supervisor)
            .await
            .body["number"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let n_sla = number(by_sla).await;
    let n_hand = number(by_hand).await;
    let mut got = escalation_notices(&d, l2).await;
    got.sort();
    let mut want = vec![
        ("Sistemas".to_owned(), n_sla.clone()),
        ("Sistemas".to_owned(), n_hand.clone()),
    ];
    want.sort();
    assert_eq!(got, want, "both escalations tell the L2 group");
    for id in [by_sla, by_hand] {
        let timeline =
            d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.supervisor)
                .await;
        // The same public entry ("escalated to L2") for the requester either way.
        let said: Vec<&str> = timeline
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["public"] == true)
            .filter_map(|e| e["code"].as_str())
            .collect();
        assert!(said.contains(&"escalated_to_tier"), "{id}: {said:?}");
    }
}
