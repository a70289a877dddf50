//! Every path of the service model (SPEC C3) through the API.

use http::{Method, StatusCode};
use jiff::SignedDuration;
use serde_json::{Value, json};
use ventanilla_domain::ticket::Urgency;
use ventanilla_testkit::{Caller, Desk, TestResponse};

/// A desk with its requester, L1 agent and supervisor (group "Mesa").
pub async fn desk() -> Desk {
    ventanilla_testkit::desk().build().await
}

/// The steps these tests take over the API, on the testkit's desk.
pub(crate) trait Lifecycle {
    /// A requester's incident, put in the L1 group and taken by the agent.
    async fn incident(&self) -> i64;
    /// The id of the `hardware` category.
    async fn category(&self) -> i64;
    /// Asks for a transition.
    async fn to(&self, id: i64, body: Value, who: &Caller) -> TestResponse;
    /// The ticket as the supervisor sees it.
    async fn status(&self, id: i64) -> Value;
    /// Walks a ticket to validation.
    async fn resolve(&self, id: i64);
    /// Walks a reopened ticket back to validation.
    async fn resolve_again(&self, id: i64);
}

impl Lifecycle for Desk {
    async fn incident(&self) -> i64 {
        let id = self
            .ticket()
            .by(&self.requester)
            .incident()
            .urgency(Urgency::High)
            .create()
            .await
            .id
            .get();
        let routing = json!({ "group_id": self.l1.get(), "assignee_id": self.agent.id().get(), "category_id": self.category().await });
        let res = self
            .t
            .patch(
                &format!("/api/v1/tickets/{id}"),
                routing.clone(),
                &self.agent,
            )
            .await;
        // Unassigned tickets are visible to agents only through a group; the requester's new
        // ticket has none yet, so the supervisor routes it.
        if res.status == StatusCode::NOT_FOUND {
            let res = self
                .t
                .patch(&format!("/api/v1/tickets/{id}"), routing, &self.supervisor)
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        }
        id
    }

    async fn category(&self) -> i64 {
        let res = self.t.get("/api/v1/categories", &self.agent).await;
        res.body
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "hardware")
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    async fn to(&self, id: i64, body: Value, who: &Caller) -> TestResponse {
        self.t
            .post(&format!("/api/v1/tickets/{id}/transitions"), body, who)
            .await
    }

    async fn status(&self, id: i64) -> Value {
        self.t
            .get(&format!("/api/v1/tickets/{id}"), &self.supervisor)
            .await
            .body
    }

    async fn resolve(&self, id: i64) {
        for body in [
            json!({ "to": "analysis" }),
            json!({ "to": "solution" }),
            json!({ "to": "validation", "resolution_code": "hardware_replaced", "resolution": "Cambiado el tóner" }),
        ] {
            let res = self.to(id, body, &self.agent).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        }
    }

    async fn resolve_again(&self, id: i64) {
        for body in [
            json!({ "to": "solution" }),
            json!({ "to": "validation", "resolution_code": "driver", "resolution": "Reinstalado el controlador" }),
        ] {
            let res = self.to(id, body, &self.agent).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        }
    }
}

#[tokio::test]
async fn the_whole_path_from_new_to_closed() {
    let d = desk().await;
    let id = d.incident().await;
    let t = d.status(id).await;
    assert_eq!(
        (t["status"].as_str(), t["number"].as_str()),
        (Some("new"), Some("INC-000001"))
    );
    assert_eq!(t["priority"], "high", "medium impact × high urgency");
    assert_eq!(t["channel"], "api");
    d.resolve(id).await;
    let t = d.status(id).await;
    assert_eq!(t["status"], "validation");
    assert_eq!(t["requester_status"], "awaiting_your_confirmation");
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/confirmation"),
            json!({ "solved": true, "comment": "Funciona" }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "survey");
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/survey"),
            json!({ "rating": 5, "comment": "Rápido" }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (res.body["status"].as_str(), res.body["rating"].as_i64()),
        (Some("review"), Some(5))
    );
    let res = d.to(id, json!({ "to": "closed" }), &d.supervisor).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "closed");
    assert!(res.body["closed_at"].is_string());
    let steps = |timeline: &serde_json::Value| -> Vec<String> {
        timeline
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "transition")
            .filter_map(|e| e["new_value"].as_str().map(str::to_owned))
            .collect()
    };
    let timeline =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.agent)
            .await;
    assert_eq!(
        steps(&timeline.body),
        vec![
            "analysis",
            "solution",
            "validation",
            "survey",
            "review",
            "closed"
        ]
    );
    // The requester reads the same path in their own words, each change once (issue 16).
    let timeline =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.requester)
            .await;
    assert_eq!(
        steps(&timeline.body),
        vec![
            "in_progress",
            "awaiting_your_confirmation",
            "awaiting_your_rating",
            "solved"
        ]
    );
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "note", "body": "late" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.error_code(), "ticket_closed");
}

#[tokio::test]
async fn validation_locks_agents_out() {
    let d = desk().await;
    let id = d.incident().await;
    d.resolve(id).await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "note", "body": "más datos" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.error_code(), "validation_locked");
    let res =
        d.t.patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "subject": "otro" }),
            &d.agent,
        )
        .await;
    assert_eq!(
        (res.status, res.error_code()),
        (StatusCode::CONFLICT, "validation_locked")
    );
    let res = d.to(id, json!({ "to": "analysis" }), &d.agent).await;
    assert_eq!(
        (res.status, res.error_code()),
        (StatusCode::CONFLICT, "validation_locked")
    );
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/escalations"),
            json!({ "type": "hierarchical", "summary": "x" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.error_code(), "validation_locked");
    let res =
        d.t.request(
            Method::POST,
            &format!("/api/v1/tickets/{id}/attachments?filename=a.txt"),
            None,
            &d.agent,
        )
        .await;
    assert_eq!(res.error_code(), "validation_locked");
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/confirmation"),
            json!({ "solved": true }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "an agent cannot answer for the requester"
    );
    let t = d.status(id).await;
    assert_eq!(
        (t["status"].as_str(), t["subject"].as_str()),
        (Some("validation"), Some("No puedo imprimir")),
        "nothing changed"
    );
    let events =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.supervisor)
            .await;
    assert!(!events.text.contains("más datos"));
}

#[tokio::test]
async fn no_solution_goes_back_to_analysis_and_counts_a_reopening() {
    let d = desk().await;
    let id = d.incident().await;
    d.resolve(id).await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/confirmation"),
            json!({ "solved": false, "comment": "Sigue sin imprimir" }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (
            res.body["status"].as_str(),
            res.body["reopen_count"].as_i64()
        ),
        (Some("analysis"), Some(1))
    );
    assert_eq!(
        res.body["resolution"],
        Value::Null,
        "the failed resolution is cleared"
    );
    let timeline =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.requester)
            .await;
    let last = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"] == "transition")
        .unwrap()
        .clone();
    // Stored as a code with its parameters, rendered in the reader's language when read.
    assert_eq!(
        (last["code"].as_str(), last["params"]["count"].as_str()),
        (Some("no_solution"), Some("1")),
        "{last}"
    );
    // Solve again; this time the requester says yes.
    d.resolve_again(id).await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/confirmation"),
            json!({ "solved": true }),
            &d.requester,
        )
        .await;
    assert_eq!(
        (
            res.body["status"].as_str(),
            res.body["reopen_count"].as_i64()
        ),
        (Some("survey"), Some(1))
    );
}

#[tokio::test]
async fn pending_needs_a_reason_and_resumes_where_it_was() {
    let d = desk().await;
    let id = d.incident().await;
    d.to(id, json!({ "to": "analysis" }), &d.agent).await;
    let res = d.to(id, json!({ "to": "pending" }), &d.agent).await;
    assert_eq!(
        (res.status, res.error_code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "reason_required")
    );
    let res = d
        .to(
            id,
            json!({ "to": "pending", "reason": "Esperando al proveedor" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (res.body["status"].as_str(), res.body["resume_to"].as_str()),
        (Some("pending"), Some("analysis"))
    );
    assert_eq!(res.body["requester_status"], "on_hold");
    assert_eq!(
        res.body["allowed_transitions"],
        json!(["analysis", "cancelled"])
    );
    let res = d.to(id, json!({ "to": "solution" }), &d.agent).await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "resumes only to where it was"
    );
    let res = d.to(id, json!({ "to": "analysis" }), &d.agent).await;
    assert_eq!(res.body["status"], "analysis");
    // On hold again, the requester's reply resumes it.
    d.to(
        id,
        json!({ "to": "pending", "reason": "Esperando datos del usuario" }),
        &d.agent,
    )
    .await;
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "reply", "body": "Aquí están los datos" }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["status"], "analysis");
}

#[tokio::test]
async fn cancelling_by_staff_and_withdrawing_by_the_requester() {
    let d = desk().await;
    let id = d.incident().await;
    let res = d.to(id, json!({ "to": "cancelled" }), &d.agent).await;
    assert_eq!(res.error_code(), "reason_required");
    let res = d
        .to(
            id,
            json!({ "to": "cancelled", "reason": "Duplicado de INC-000009" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["status"], "cancelled");
    let res = d.to(id, json!({ "to": "analysis" }), &d.agent).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "cancelled is final");
    let other = d.incident().await;
    let res = d
        .to(other, json!({ "to": "cancelled" }), &d.requester)
        .await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "the requester withdraws: {}",
        res.text
    );
    assert_eq!(res.body["requester_status"], "cancelled");
    let third = d.incident().await;
    let res = d.to(third, json!({ "to": "analysis" }), &d.requester).await;
    assert_eq!(
        (res.status, res.error_code()),
        (StatusCode::FORBIDDEN, "not_allowed")
    );
}

#[tokio::test]
async fn closing_checks_the_record_and_only_owner_or_supervisor_close() {
    let d = desk().await;
    let res = d.t.post("/api/v1/tickets", json!({ "kind": "service_request", "subject": "Alta de usuario", "description": "Nueva empleada", "impact": "low", "urgency": "low" }), &d.requester).await;
    let id = res.body["id"].as_i64().unwrap();
    assert_eq!(res.body["number"], "REQ-000001");
    assert_eq!(res.body["priority"], "informational");
    d.t.patch(
        &format!("/api/v1/tickets/{id}"),
        json!({ "group_id": d.l1.get() }),
        &d.supervisor,
    )
    .await;
    d.resolve(id).await;
    d.t.post(
        &format!("/api/v1/tickets/{id}/confirmation"),
        json!({ "solved": true }),
        &d.requester,
    )
    .await;
    d.t.post(
        &format!("/api/v1/tickets/{id}/survey"),
        json!({ "rating": 4 }),
        &d.requester,
    )
    .await;
    let res = d.to(id, json!({ "to": "closed" }), &d.agent).await;
    assert_eq!(
        (res.status, res.error_code()),
        (StatusCode::FORBIDDEN, "not_allowed"),
        "a plain agent who is not the owner"
    );
    let res = d.to(id, json!({ "to": "closed" }), &d.supervisor).await;
    assert_eq!(
        (res.status, res.error_code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "incomplete_for_close")
    );
    assert_eq!(res.body["error"]["field"], "category");
    assert_eq!(
        d.status(id).await["status"],
        "review",
        "refused close changed nothing"
    );
    d.t.patch(
        &format!("/api/v1/tickets/{id}"),
        json!({ "category_id": d.category().await, "assignee_id": d.agent.id().get() }),
        &d.supervisor,
    )
    .await;
    let res = d.to(id, json!({ "to": "closed" }), &d.agent).await;
    assert_eq!(res.status, StatusCode::OK, "the owner closes: {}", res.text);
}

#[tokio::test]
async fn review_can_send_back_to_analysis_without_counting_a_reopening() {
    let d = desk().await;
    let id = d.incident().await;
    d.resolve(id).await;
    d.t.post(
        &format!("/api/v1/tickets/{id}/confirmation"),
        json!({ "solved": true }),
        &d.requester,
    )
    .await;
    d.t.post(
        &format!("/api/v1/tickets/{id}/survey"),
        json!({ "rating": 2, "comment": "lento" }),
        &d.requester,
    )
    .await;
    let res = d
        .to(
            id,
            json!({ "to": "analysis", "reason": "Falta el hallazgo para la base de conocimiento" }),
            &d.supervisor,
        )
        .await;
    assert_eq!(
        (
            res.body["status"].as_str(),
            res.body["reopen_count"].as_i64()
        ),
        (Some("analysis"), Some(0))
    );
}

#[tokio::test]
async fn the_survey_times_out_into_review() {
    let d = desk().await;
    let id = d.incident().await;
    d.resolve(id).await;
    d.t.post(
        &format!("/api/v1/tickets/{id}/confirmation"),
        json!({ "solved": true }),
        &d.requester,
    )
    .await;
    d.t.clock.advance(SignedDuration::from_hours(71));
    d.run_pending_jobs().await;
    assert_eq!(d.status(id).await["status"], "survey");
    d.t.clock.advance(SignedDuration::from_hours(2));
    assert!(
        d.run_pending_jobs().await >= 1,
        "the survey timeout ran as a job"
    );
    assert_eq!(d.status(id).await["status"], "review");
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/survey"),
            json!({ "rating": 3 }),
            &d.requester,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "too late to rate through the lifecycle"
    );
    for bad in [0, 6] {
        let other = d.incident().await;
        d.resolve(other).await;
        d.t.post(
            &format!("/api/v1/tickets/{other}/confirmation"),
            json!({ "solved": true }),
            &d.requester,
        )
        .await;
        let res =
            d.t.post(
                &format!("/api/v1/tickets/{other}/survey"),
                json!({ "rating": bad }),
                &d.requester,
            )
            .await;
        assert_eq!(res.body["error"]["field"], "rating");
    }
}
