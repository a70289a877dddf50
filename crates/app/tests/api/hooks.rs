//! Automation hooks (issue 13, seed 003: scripts that reset passwords or create accounts)
//! with a real local receiver standing for the automation: a category's request calls the
//! webhook at registration or once a supervisor approves; the call carries a one-time
//! callback token; the automation's result is recorded on the ticket (a success sends it to
//! validation with the code `automated`, a failure tells the agent); a rejection needs a
//! reason and calls nothing; a webhook out of reach fails the call; a rule that sets the
//! category starts the hook too. Only administrators set hooks, only supervisors approve.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use http::StatusCode;
use serde_json::{Value, json};
use ventanilla_testkit::{Caller, Desk, Person, desk};

/// The automation: keeps every call's body, answers 200.
async fn automation() -> (Arc<Mutex<Vec<Value>>>, SocketAddr) {
    async fn take(State(got): State<Arc<Mutex<Vec<Value>>>>, body: String) -> &'static str {
        got.lock()
            .unwrap()
            .push(serde_json::from_str(&body).unwrap());
        "ok"
    }
    let got = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new()
        .route("/run", axum::routing::post(take))
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (got, addr)
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

async fn webhook(d: &Desk, url: &str) -> i64 {
    let res = d
        .post(
            "/api/v1/webhooks",
            json!({"name": "scripts", "url": url, "events": ["ticket.sla"]}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

async fn hook(d: &Desk, category: i64, webhook: i64, trigger: &str) {
    let res = d
        .put(
            &format!("/api/v1/categories/{category}/hook"),
            json!({"webhook_id": webhook, "trigger_on": trigger}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
}

async fn request(d: &Desk, category: i64, subject: &str) -> i64 {
    let res = d
        .post(
            "/api/v1/tickets",
            json!({"kind": "service_request", "subject": subject, "description": "para hoy",
                "impact": "low", "urgency": "low", "category_id": category}),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

async fn calls(d: &Desk, id: i64) -> Vec<Value> {
    let res = d
        .get(&format!("/api/v1/tickets/{id}/hook-calls"), &d.agent)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body.as_array().cloned().unwrap()
}

async fn codes(d: &Desk, id: i64) -> Vec<String> {
    d.app
        .store
        .tickets()
        .events(ventanilla_domain::TicketId(id), false)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| e.code)
        .collect()
}

async fn kinds(d: &Desk, who: &Person) -> Vec<String> {
    let res = d.get("/api/v1/notifications", who).await;
    res.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n["kind"].as_str().map(str::to_owned))
        .collect()
}

/// A supervisor's (or anyone's) answer to a request waiting for approval.
async fn decide(
    d: &Desk,
    id: impl std::fmt::Display,
    body: Value,
    who: &Person,
) -> ventanilla_testkit::TestResponse {
    d.post(&format!("/api/v1/tickets/{id}/approval"), body, who)
        .await
}

async fn report(d: &Desk, body: Value) -> ventanilla_testkit::TestResponse {
    d.post("/api/v1/hook-calls/result", body, &Caller::Anonymous)
        .await
}

#[tokio::test]
async fn a_request_calls_its_automation_and_the_result_resolves_it() {
    let d = desk()
        .config(|c| c.webhooks.allow_loopback = true)
        .build()
        .await;
    let (got, addr) = automation().await;
    let passwords = category(&d, "access.password").await;
    let hook_url = format!("http://{addr}/run");
    let w = webhook(&d, &hook_url).await;
    hook(&d, passwords, w, "registration").await;

    let id = request(&d, passwords, "Restablecer mi contraseña").await;
    assert_eq!(calls(&d, id).await[0]["status"], "pending");
    d.run_pending_jobs().await;
    let call = got
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("the automation was called");
    assert_eq!(call["event"], "hook.call");
    assert_eq!(call["ticket"]["id"], id);
    assert_eq!(call["requester"]["email"], "req@x.test");
    assert!(
        call["callback"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/hook-calls/result")
    );
    let token = call["callback"]["token"].as_str().unwrap().to_owned();
    assert!(codes(&d, id).await.contains(&"hook_called".to_owned()));
    // The delivery log never holds the token (it is put into each attempt's body).
    let log = d
        .get(&format!("/api/v1/webhooks/{w}/deliveries"), &d.admin)
        .await;
    assert_eq!(log.body[0]["status"], "delivered", "{}", log.text);
    assert!(!log.text.contains(&token), "{}", log.text);
    // Moved to another category and back: the ticket's call stands, no second call.
    let other = category(&d, "access.other").await;
    for c in [other, passwords] {
        let res = d
            .patch(
                &format!("/api/v1/tickets/{id}"),
                json!({"category_id": c}),
                &d.agent,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    d.run_pending_jobs().await;
    assert_eq!(got.lock().unwrap().len(), 1);
    assert_eq!(calls(&d, id).await.len(), 1);

    // Bad results: an unknown token (401), an outcome that is not one (422).
    let res = report(&d, json!({"token": "nope", "outcome": "succeeded"})).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    let res = report(&d, json!({"token": token, "outcome": "maybe"})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.body["error"]["field"], "outcome", "{}", res.text);
    assert_eq!(calls(&d, id).await[0]["status"], "pending");

    let res = report(
        &d,
        json!({"token": token, "outcome": "succeeded", "message": "Contraseña enviada por SMS"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "succeeded");
    let t = d.get(&format!("/api/v1/tickets/{id}"), &d.agent).await.body;
    assert_eq!(t["status"], "validation", "{t}");
    assert_eq!(t["resolution_code"], "automated");
    // The requester reads the code's name in their language, never the automation's words,
    // and is asked to confirm as for any solution.
    assert_eq!(t["resolution"], "Resuelto por una automatización", "{t}");
    assert!(
        kinds(&d, &d.requester)
            .await
            .contains(&"ticket.validation".to_owned())
    );
    let public = d.get(&format!("/api/v1/tickets/{id}"), &d.requester).await;
    assert!(!public.text.contains("SMS"), "{}", public.text);
    assert!(codes(&d, id).await.contains(&"hook_succeeded".to_owned()));
    // The token is spent.
    let res = report(&d, json!({"token": token, "outcome": "failed"})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.body["error"]["code"], "hook_call_finished");
    // The requester does not see the calls.
    let res = d
        .get(&format!("/api/v1/tickets/{id}/hook-calls"), &d.requester)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_approval_hook_waits_for_a_supervisor_and_a_failure_calls_the_agent() {
    let d = desk()
        .config(|c| c.webhooks.allow_loopback = true)
        .build()
        .await;
    let (got, addr) = automation().await;
    let accounts = category(&d, "access.account").await;
    let w = webhook(&d, &format!("http://{addr}/run")).await;
    hook(&d, accounts, w, "approval").await;

    let id = request(&d, accounts, "Alta de usuario para Ana").await;
    assert_eq!(calls(&d, id).await[0]["status"], "awaiting_approval");
    assert!(
        kinds(&d, &d.supervisor)
            .await
            .contains(&"ticket.approval".to_owned())
    );
    d.run_pending_jobs().await;
    assert!(
        got.lock().unwrap().is_empty(),
        "nothing is called before approval"
    );

    // A supervisor's own request is approved by someone else.
    let own = d
        .post(
            "/api/v1/tickets",
            json!({"kind": "service_request", "subject": "Alta para mí", "description": "x",
                "impact": "low", "urgency": "low", "category_id": accounts}),
            &d.supervisor,
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.text);
    let res = decide(
        &d,
        &own.body["id"],
        json!({"approved": true}),
        &d.supervisor,
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    assert_eq!(res.body["error"]["code"], "own_request");
    // Only a supervisor decides; an agent is refused.
    let res = decide(&d, id, json!({"approved": true}), &d.agent).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    // The agent takes the ticket, then the supervisor approves.
    let res = d
        .patch(
            &format!("/api/v1/tickets/{id}"),
            json!({"assignee_id": d.agent.id().get()}),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = decide(&d, id, json!({"approved": true}), &d.supervisor).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "pending");
    assert_eq!(res.body["acted_by"], d.supervisor.id().get());
    // Twice: nothing waits any more.
    let res = decide(&d, id, json!({"approved": true}), &d.supervisor).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.body["error"]["code"], "nothing_to_approve");
    d.run_pending_jobs().await;
    let token = got.lock().unwrap()[0]["callback"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = report(
        &d,
        json!({"token": token, "outcome": "failed", "message": "LDAP: cuenta ya existe"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let t = d.get(&format!("/api/v1/tickets/{id}"), &d.agent).await.body;
    assert_ne!(
        t["status"], "validation",
        "a failure leaves it to the agent"
    );
    let c = codes(&d, id).await;
    for code in [
        "hook_awaiting_approval",
        "hook_approved",
        "hook_called",
        "hook_failed",
    ] {
        assert!(c.contains(&code.to_owned()), "{code} in {c:?}");
    }
    assert!(
        kinds(&d, &d.agent)
            .await
            .contains(&"ticket.automation_failed".to_owned())
    );

    // A rejection needs its reason and calls nothing.
    let other = request(&d, accounts, "Alta de usuario para Luis").await;
    let res = decide(&d, other, json!({"approved": false}), &d.supervisor).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.body["error"]["field"], "comment");
    let res = decide(
        &d,
        other,
        json!({"approved": false, "comment": "Sin autorización de RR. HH."}),
        &d.supervisor,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "rejected");
    assert_eq!(res.body["result"], "Sin autorización de RR. HH.");
    // The group is told (nobody works it yet) to answer the requester.
    assert!(
        kinds(&d, &d.agent)
            .await
            .contains(&"ticket.automation_rejected".to_owned())
    );
    d.run_pending_jobs().await;
    assert_eq!(
        got.lock().unwrap().len(),
        1,
        "a rejected request calls nothing"
    );
    assert!(codes(&d, other).await.contains(&"hook_rejected".to_owned()));
}

#[tokio::test]
async fn an_automation_out_of_reach_fails_its_call_and_a_rule_can_start_a_hook() {
    let d = desk()
        .config(|c| {
            c.webhooks.allow_loopback = true;
            c.webhooks.max_attempts = 1;
        })
        .build()
        .await;
    // The delivery's job dies (its one attempt spent): that is what is tested.
    d.allow_pending_jobs();
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let passwords = category(&d, "access.password").await;
    let w = webhook(&d, &format!("http://127.0.0.1:{port}/run")).await;
    hook(&d, passwords, w, "registration").await;
    // A rule files password requests under the category: the hook follows.
    let res = d
        .post(
            "/api/v1/rules",
            json!({"name": "Contraseñas", "conditions": {"keywords": ["contraseña"]},
                "actions": [{"type": "set_category", "value": passwords}]}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = d
        .post(
            "/api/v1/tickets",
            json!({"kind": "service_request", "subject": "Olvidé la contraseña",
                "description": "no puedo entrar", "impact": "low", "urgency": "low"}),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().unwrap();
    assert_eq!(
        calls(&d, id).await.len(),
        1,
        "the rule's category started the hook"
    );
    d.run_pending_jobs().await;
    let call = calls(&d, id).await.remove(0);
    assert_eq!(call["status"], "unreachable", "{call}");
    assert!(
        call["result"].as_str().unwrap().contains("refused"),
        "the delivery's error: {call}"
    );
    assert!(codes(&d, id).await.contains(&"hook_unreachable".to_owned()));
    // The automation did get it after all and answers late: its success is taken.
    let delivery = d
        .app
        .store
        .webhooks()
        .deliveries(w, None, 10)
        .await
        .unwrap()
        .remove(0);
    assert!(!delivery.payload.to_string().contains("token"));
    let body = ventanilla_app::desk::hooks::call::with_token(&d.app, &delivery.payload)
        .await
        .unwrap();
    let token = body["callback"]["token"].as_str().unwrap().to_owned();
    let res = report(&d, json!({"token": token, "outcome": "succeeded"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "succeeded");

    // A webhook stopped after its hook was set: the next call fails at once, said so.
    let res = d
        .put(
            &format!("/api/v1/categories/{passwords}/hook"),
            json!({"webhook_id": w, "trigger_on": "registration"}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    d.app
        .store
        .webhooks()
        .set_active(w, false, d.app.now())
        .await
        .unwrap();
    let res = d
        .post(
            "/api/v1/tickets",
            json!({"kind": "service_request", "subject": "Otra contraseña",
                "description": "no puedo entrar", "impact": "low", "urgency": "low"}),
            &d.requester,
        )
        .await;
    let second = res.body["id"].as_i64().unwrap();
    assert_eq!(calls(&d, second).await[0]["status"], "failed");
    assert!(
        codes(&d, second)
            .await
            .contains(&"hook_webhook_stopped".to_owned())
    );
    // …and a stopped webhook cannot be chosen for a hook.
    let res = d
        .put(
            &format!("/api/v1/categories/{passwords}/hook"),
            json!({"webhook_id": w, "trigger_on": "registration"}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.body["error"]["field"], "webhook_id");
}

#[tokio::test]
async fn only_administrators_set_hooks_and_bad_ones_are_refused_by_field() {
    let d = desk().build().await;
    let c = category(&d, "access.vpn").await;
    let w = webhook(&d, "http://automation.example.test/run").await;
    let path = format!("/api/v1/categories/{c}/hook");
    let res = d
        .put(
            &path,
            json!({"webhook_id": w, "trigger_on": "registration"}),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = d
        .put(
            &path,
            json!({"webhook_id": w, "trigger_on": "never"}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.body["error"]["field"], "trigger_on");
    let res = d
        .put(
            &path,
            json!({"webhook_id": 999_999, "trigger_on": "approval"}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.body["error"]["field"], "webhook_id");
    let res = d
        .put(
            "/api/v1/categories/999999/hook",
            json!({"webhook_id": w, "trigger_on": "approval"}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    assert!(
        d.get("/api/v1/category-hooks", &d.admin)
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    hook(&d, c, w, "approval").await;
    let list = d.get("/api/v1/category-hooks", &d.admin).await.body;
    assert_eq!(list[0]["trigger_on"], "approval");
    assert_eq!(list[0]["resolve_on_success"], true);
    let res = d.delete(&path, &d.admin).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = d.delete(&path, &d.admin).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}
