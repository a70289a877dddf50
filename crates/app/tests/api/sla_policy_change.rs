//! Issue 15, case 1: the SLA state follows the policy in force. A ticket that breached a
//! 1-minute policy and then moves to an 8-hour one is on time again, with its next check
//! scheduled, warns and breaches at the new instants, and keeps the earlier breach in its
//! history and in the breach records reports count; a change that makes a ticket overdue
//! at once fires the breach and its actions once, straight away.

use http::StatusCode;
use jiff::Timestamp;
use serde_json::{Value, json};
use ventanilla_domain::TicketId;
use ventanilla_testkit::{Caller, TestApp};

struct Desk {
    t: TestApp,
    admin: Caller,
    calendar: i64,
    agent: Caller,
    supervisor: Caller,
    /// The 1-minute policy (priority medium) and the 8-hour one (priority high).
    minute: i64,
    hours: i64,
}

const ROUND_THE_CLOCK: &str = r#"{"time_zone":"UTC","weekly":{"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]],"wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],"fri":[["00:00","24:00"]],"sat":[["00:00","24:00"]],"sun":[["00:00","24:00"]]}}"#;

async fn desk() -> Desk {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (agent_user, agent) = t.token_for("agent@x.test", "agent").await;
    let (sup_user, supervisor) = t.token_for("sup@x.test", "supervisor").await;
    t.post("/api/v1/groups", json!({ "name": "Mesa", "tier": "L1", "members": [{ "user_id": agent_user.id }, { "user_id": sup_user.id, "supervisor": true }] }), &admin).await;
    let cal: Value = serde_json::from_str(ROUND_THE_CLOCK).unwrap();
    let res = t
        .post(
            "/api/v1/calendars",
            json!({ "name": "24x7", "calendar": cal }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let cal_id = res.body["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for (priority, response, resolution) in [("medium", "PT1M", "PT1M"), ("high", "PT1H", "PT8H")] {
        let res = t
            .post("/api/v1/sla-policies", json!({ "policy": { "name": format!("P {priority}"), "priority": priority, "calendar_id": cal_id, "targets": { "first_response": response, "resolution": resolution } },
                "actions": { "warning": [{ "type": "notify_supervisors" }], "breach": [{ "type": "notify_supervisors" }] } }), &admin)
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        ids.push(res.body["id"].as_i64().unwrap());
    }
    Desk {
        t,
        admin,
        calendar: cal_id,
        agent,
        supervisor,
        minute: ids[0],
        hours: ids[1],
    }
}

impl Desk {
    fn at(&self, instant: &str) {
        self.t.clock.set(instant.parse::<Timestamp>().unwrap());
    }

    /// The periodic scan and every job due.
    async fn scan(&self) {
        ventanilla_app::jobs::schedule_ticks(&self.t.app, self.t.app.now())
            .await
            .unwrap();
        self.jobs_only().await;
    }

    /// Only the jobs already queued (no periodic scan).
    async fn jobs_only(&self) -> usize {
        ventanilla_app::jobs::run_pending(&self.t.app, "test")
            .await
            .unwrap()
    }

    async fn sla(&self, id: i64) -> Value {
        self.t
            .get(&format!("/api/v1/tickets/{id}"), &self.agent)
            .await
            .body["sla"]
            .clone()
    }

    async fn breached_queue(&self) -> Vec<i64> {
        let res = self
            .t
            .get("/api/v1/tickets?sla=breached", &self.supervisor)
            .await;
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect()
    }

    /// The supervisor's notices, oldest first: one mail row each (the in-app list folds a
    /// burst on one ticket into one entry, so it would not show each crossing).
    async fn notified(&self) -> Vec<String> {
        let sup = self
            .t
            .app
            .store
            .users()
            .by_email(&ventanilla_domain::Email::parse("sup@x.test").unwrap())
            .await
            .unwrap();
        let mut kinds: Vec<String> = self
            .t
            .app
            .store
            .outbox()
            .mail_log(None, None, 500)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.recipient_id == Some(sup.id))
            .filter_map(|m| m.kind.strip_prefix("notification.").map(str::to_owned))
            .collect();
        kinds.reverse();
        kinds
    }

    /// (policy id, target) of every breach recorded for the ticket.
    async fn breaches(&self, id: i64) -> Vec<(i64, String)> {
        self.t
            .app
            .store
            .sla()
            .breaches(TicketId(id))
            .await
            .unwrap()
            .into_iter()
            .map(|b| (b.policy_id, b.target))
            .collect()
    }

    /// A ticket with the first response given at once, so only the resolution clock runs.
    async fn replied_ticket(&self, impact: &str) -> i64 {
        let res = self.t.post("/api/v1/tickets", json!({ "kind": "incident", "subject": "Sin correo", "description": "d", "impact": impact, "urgency": "medium", "group_id": 1 }), &self.agent).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let id = res.body["id"].as_i64().unwrap();
        let res = self
            .t
            .post(
                &format!("/api/v1/tickets/{id}/actions"),
                json!({ "kind": "reply", "body": "Recibido" }),
                &self.agent,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        id
    }

    async fn set_impact(&self, id: i64, impact: &str) -> Value {
        let res = self
            .t
            .patch(
                &format!("/api/v1/tickets/{id}"),
                json!({ "impact": impact }),
                &self.agent,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        res.body
    }
}

#[tokio::test]
async fn a_breached_ticket_moved_to_a_laxer_policy_is_on_time_until_the_new_instants() {
    let d = desk().await;
    d.at("2026-03-09T08:00:00Z");
    let id = d.replied_ticket("medium").await;
    assert_eq!(d.sla(id).await["resolution_due_at"], "2026-03-09T08:01:00Z");
    d.at("2026-03-09T08:02:00Z");
    d.scan().await;
    assert_eq!(d.sla(id).await["state"], "breached");
    assert_eq!(d.breached_queue().await, vec![id]);
    assert_eq!(d.breaches(id).await, vec![(d.minute, "resolution".into())]);

    // Impact raised: the 8-hour policy applies, measured from the registration.
    d.at("2026-03-09T08:03:00Z");
    let body = d.set_impact(id, "high").await;
    assert_eq!(body["priority"], "high");
    let sla = &body["sla"];
    assert_eq!(sla["policy_id"], d.hours);
    assert_eq!(sla["state"], "ok", "{sla}");
    assert_eq!(sla["resolution_due_at"], "2026-03-09T16:00:00Z");
    assert_eq!(
        sla["next_check_at"], "2026-03-09T14:00:00Z",
        "the warning at 75 % of 8 h is scheduled"
    );
    assert_eq!(d.sla(id).await["state"], "ok", "stored, not only answered");
    assert!(d.breached_queue().await.is_empty());
    // The earlier breach stays: in the timeline and in the records reports count.
    assert_eq!(d.breaches(id).await, vec![(d.minute, "resolution".into())]);
    let day = |s: &str| s.parse::<Timestamp>().unwrap();
    let counts =
        d.t.app
            .store
            .sla()
            .breach_counts(day("2026-03-09T00:00:00Z"), day("2026-03-10T00:00:00Z"))
            .await
            .unwrap();
    assert_eq!(
        counts
            .iter()
            .map(|c| (c.policy_id, c.target.as_str(), c.breaches))
            .collect::<Vec<_>>(),
        vec![(d.minute, "resolution", 1)]
    );
    let timeline =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.agent)
            .await;
    let sla_entries: Vec<(String, String)> = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sla")
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_owned(),
                e["new_value"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        sla_entries,
        vec![
            ("sla.resolution".to_owned(), "warning".to_owned()),
            ("sla.resolution".to_owned(), "breach".to_owned()),
            ("sla_policy".to_owned(), d.hours.to_string()),
        ]
    );
    assert_eq!(d.notified().await, vec!["sla.warning", "sla.breach"]);

    // Nothing more until the new warning instant; then the warning, then the breach.
    d.at("2026-03-09T13:59:00Z");
    d.scan().await;
    assert_eq!(d.sla(id).await["state"], "ok");
    d.at("2026-03-09T14:00:30Z");
    d.scan().await;
    let sla = d.sla(id).await;
    assert_eq!(sla["state"], "at_risk");
    assert_eq!(sla["next_check_at"], "2026-03-09T16:00:00Z");
    assert_eq!(
        d.notified().await,
        vec!["sla.warning", "sla.breach", "sla.warning"]
    );
    d.at("2026-03-09T16:00:10Z");
    d.scan().await;
    d.scan().await;
    let sla = d.sla(id).await;
    assert_eq!(sla["state"], "breached");
    assert_eq!(sla["next_check_at"], Value::Null);
    assert_eq!(d.breached_queue().await, vec![id]);
    assert_eq!(
        d.notified().await,
        vec!["sla.warning", "sla.breach", "sla.warning", "sla.breach"],
        "each crossing of each policy acts once"
    );
    assert_eq!(
        d.breaches(id).await,
        vec![
            (d.minute, "resolution".into()),
            (d.hours, "resolution".into())
        ]
    );
}

#[tokio::test]
async fn a_change_that_makes_a_ticket_overdue_breaches_at_once_and_acts_once() {
    let d = desk().await;
    d.at("2026-03-09T08:00:00Z");
    let id = d.replied_ticket("high").await;
    d.at("2026-03-09T10:00:00Z");
    d.scan().await;
    assert_eq!(d.sla(id).await["state"], "ok");
    // Impact lowered: the 1-minute policy applies and the ticket is two hours over it.
    let body = d.set_impact(id, "medium").await;
    assert_eq!(body["sla"]["policy_id"], d.minute);
    assert_eq!(body["sla"]["state"], "breached", "{}", body["sla"]);
    // The write queued the check: no periodic scan is needed for the breach to act.
    assert!(d.jobs_only().await >= 1);
    assert_eq!(d.notified().await, vec!["sla.warning", "sla.breach"]);
    assert_eq!(d.breaches(id).await, vec![(d.minute, "resolution".into())]);
    let sla = d.sla(id).await;
    assert_eq!(sla["state"], "breached");
    assert_eq!(sla["next_check_at"], Value::Null);
    // Later scans and writes do not act again.
    d.at("2026-03-09T10:05:00Z");
    d.scan().await;
    d.t.post(
        &format!("/api/v1/tickets/{id}/actions"),
        json!({ "kind": "note", "body": "Revisando" }),
        &d.agent,
    )
    .await;
    d.scan().await;
    assert_eq!(d.notified().await, vec!["sla.warning", "sla.breach"]);
    assert_eq!(d.breaches(id).await.len(), 1);
    assert_eq!(d.breached_queue().await, vec![id]);
}

#[tokio::test]
async fn editing_the_policy_in_force_re_measures_open_tickets() {
    let d = desk().await;
    d.at("2026-03-09T08:00:00Z");
    let id = d.replied_ticket("medium").await;
    d.at("2026-03-09T08:02:00Z");
    d.scan().await;
    assert_eq!(d.sla(id).await["state"], "breached");
    // The same policy, relaxed to eight hours: the ticket is on time again without being
    // touched, and checked again at the new warning instant.
    let res = d
        .t
        .request(
            http::Method::PUT,
            &format!("/api/v1/sla-policies/{}", d.minute),
            Some(json!({ "policy": { "name": "P medium", "priority": "medium", "calendar_id": d.calendar, "targets": { "first_response": "PT1M", "resolution": "PT8H" } },
                "actions": { "warning": [{ "type": "notify_supervisors" }], "breach": [{ "type": "notify_supervisors" }] } })),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    d.jobs_only().await;
    let sla = d.sla(id).await;
    assert_eq!(sla["state"], "ok", "{sla}");
    assert_eq!(sla["next_check_at"], "2026-03-09T14:00:00Z");
    assert!(d.breached_queue().await.is_empty());
    assert_eq!(d.breaches(id).await, vec![(d.minute, "resolution".into())]);
    // Tightened again: overdue at once, so the breach fires (once) with its actions.
    let res = d
        .t
        .request(
            http::Method::PUT,
            &format!("/api/v1/sla-policies/{}", d.minute),
            Some(json!({ "policy": { "name": "P medium", "priority": "medium", "calendar_id": d.calendar, "targets": { "first_response": "PT1M", "resolution": "PT1M" } },
                "actions": { "warning": [{ "type": "notify_supervisors" }], "breach": [{ "type": "notify_supervisors" }] } })),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    d.jobs_only().await;
    assert_eq!(d.sla(id).await["state"], "breached");
    assert_eq!(d.breaches(id).await.len(), 2);
    assert_eq!(
        d.notified().await,
        vec!["sla.warning", "sla.breach", "sla.warning", "sla.breach"]
    );
}
