//! Outbound webhooks with a real local receiver (issue 13): ticket events are delivered
//! signed with HMAC-SHA256, a receiver answering 500 gets the delivery again with backoff,
//! every attempt is in the delivery log, and internal addresses are refused by default.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxStatus};
use hmac::{Hmac, Mac};
use http::StatusCode;
use jiff::SignedDuration;
use serde_json::json;
use sha2::Sha256;
use ventanilla_testkit::{Caller, TestApp};

#[derive(Clone, Default)]
struct Receiver {
    /// (headers, body) of every request received.
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    /// Statuses to answer, in order; 200 once spent.
    answers: Arc<Mutex<Vec<u16>>>,
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: String) -> AxStatus {
    r.got.lock().unwrap().push((headers, body));
    let mut a = r.answers.lock().unwrap();
    let code = if a.is_empty() { 200 } else { a.remove(0) };
    AxStatus::from_u16(code).unwrap()
}

async fn receiver(answers: Vec<u16>) -> (Receiver, SocketAddr) {
    let r = Receiver {
        answers: Arc::new(Mutex::new(answers)),
        ..Default::default()
    };
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, addr)
}

async fn run_jobs(t: &TestApp) {
    ventanilla_app::jobs::schedule_ticks(&t.app, t.app.now())
        .await
        .unwrap();
    ventanilla_app::jobs::run_pending(&t.app, "test")
        .await
        .unwrap();
}

async fn new_ticket(t: &TestApp, who: &Caller) -> i64 {
    let res = t
        .post(
            "/api/v1/tickets",
            json!({"kind": "incident", "subject": "Printer on fire", "description": "smoke",
                "impact": "low", "urgency": "low"}),
            who,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn deliveries_are_signed_retried_and_logged() {
    let t = TestApp::with_config(|c| c.webhooks.allow_loopback = true).await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, requester) = t.token_for("r@x.test", "requester").await;
    let (rx, addr) = receiver(vec![500, 503]).await;
    let res = t
        .post(
            "/api/v1/webhooks",
            json!({"name": "crm", "url": format!("http://{addr}/hook"), "events": ["ticket.created"]}),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let hook_id = res.body["id"].as_i64().unwrap();
    let secret = res.body["secret"].as_str().unwrap().to_owned();
    let list = t.get("/api/v1/webhooks", &admin).await;
    assert!(
        list.body[0].get("secret").is_none(),
        "the secret is shown once"
    );
    // The database holds the signing key sealed (identity::sealing); deliveries open it.
    let stored = t.app.store.webhooks().get(hook_id).await.unwrap().secret;
    assert!(
        stored.starts_with("v1:") && !stored.contains(&secret),
        "{stored}"
    );

    let ticket = new_ticket(&t, &requester).await;
    run_jobs(&t).await;
    assert_eq!(rx.got.lock().unwrap().len(), 1, "first attempt");
    let log = t
        .get(&format!("/api/v1/webhooks/{hook_id}/deliveries"), &admin)
        .await;
    assert_eq!(log.body[0]["status"], "pending", "{}", log.text);
    assert_eq!(log.body[0]["response_status"], 500);

    // Backoff: nothing before the retry is due, then the second and third attempts.
    run_jobs(&t).await;
    assert_eq!(rx.got.lock().unwrap().len(), 1, "not before the backoff");
    t.clock.advance(SignedDuration::from_secs(11));
    run_jobs(&t).await;
    assert_eq!(rx.got.lock().unwrap().len(), 2);
    t.clock.advance(SignedDuration::from_secs(21));
    run_jobs(&t).await;
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "delivered on the third attempt");

    let log = t
        .get(&format!("/api/v1/webhooks/{hook_id}/deliveries"), &admin)
        .await;
    assert_eq!(log.body.as_array().unwrap().len(), 1, "{}", log.text);
    assert_eq!(log.body[0]["status"], "delivered");
    assert_eq!(log.body[0]["attempts"], 3);
    assert_eq!(log.body[0]["response_status"], 200);

    let (headers, body) = &got[2];
    assert_eq!(headers["x-ventanilla-event"], "ticket.created");
    let ts = headers["x-ventanilla-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        headers["x-ventanilla-signature"].to_str().unwrap(),
        format!("sha256={expected}"),
        "a valid HMAC-SHA256 signature"
    );
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["ticket"]["id"], ticket);
    assert_eq!(payload["event"], "ticket.created");
}

#[tokio::test]
async fn a_signing_key_stored_in_clear_still_signs_and_is_sealed_at_start() {
    let t = TestApp::with_config(|c| c.webhooks.allow_loopback = true).await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, requester) = t.token_for("r@x.test", "requester").await;
    let (rx, addr) = receiver(vec![]).await;
    let res = t
        .post(
            "/api/v1/webhooks",
            json!({"name": "crm", "url": format!("http://{addr}/hook"), "events": ["ticket.created"]}),
            &admin,
        )
        .await;
    let hook_id = res.body["id"].as_i64().unwrap();
    let secret = res.body["secret"].as_str().unwrap().to_owned();
    // As an older version (or a server without a key) stored it.
    let hooks = t.app.store.webhooks();
    let sealed = hooks.get(hook_id).await.unwrap().secret;
    assert!(hooks.reseal(hook_id, &sealed, &secret).await.unwrap());
    new_ticket(&t, &requester).await;
    run_jobs(&t).await;
    assert_signed_last(&rx, 1, &secret);
    assert_eq!(
        ventanilla_app::identity::sealing::seal_stored(&t.app)
            .await
            .unwrap(),
        1
    );
    let now = hooks.get(hook_id).await.unwrap().secret;
    assert!(now.starts_with("v1:") && !now.contains(&secret));
    // Still signs with the same key once sealed (the dispatcher's next tick).
    new_ticket(&t, &requester).await;
    t.clock.advance(SignedDuration::from_secs(60));
    run_jobs(&t).await;
    assert_signed_last(&rx, 2, &secret);
}

/// The receiver got `calls` calls, the last one signed with `secret`.
fn assert_signed_last(rx: &Receiver, calls: usize, secret: &str) {
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), calls);
    let (headers, body) = &got[calls - 1];
    let ts = headers["x-ventanilla-timestamp"].to_str().unwrap();
    let expected = ventanilla_app::desk::webhooks::send::signature(
        secret,
        ts.parse().unwrap(),
        body.as_bytes(),
    );
    assert_eq!(
        headers["x-ventanilla-signature"].to_str().unwrap(),
        expected
    );
}

#[tokio::test]
async fn internal_addresses_are_refused_by_default() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, requester) = t.token_for("r@x.test", "requester").await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://[::1]:9/hook",
        "http://localhost:9/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "ftp://example.com/hook",
    ] {
        let res = t
            .post(
                "/api/v1/webhooks",
                json!({"name": "x", "url": url, "events": ["ticket.*"]}),
                &admin,
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            res.text
        );
        assert_eq!(res.body["error"]["field"], "url");
    }

    // A name that resolves to loopback is refused when delivering (DNS is checked then),
    // and the receiver never hears of it.
    let (rx, addr) = receiver(vec![]).await;
    let hook = t
        .app
        .store
        .webhooks()
        .create(
            "sneaky",
            &format!("http://localhost:{}/hook", addr.port()),
            "s3cret",
            &["ticket.*".to_owned()],
            t.app.now(),
        )
        .await
        .unwrap();
    new_ticket(&t, &requester).await;
    run_jobs(&t).await;
    assert!(
        rx.got.lock().unwrap().is_empty(),
        "no request reached loopback"
    );
    let log = t
        .get(&format!("/api/v1/webhooks/{}/deliveries", hook.id), &admin)
        .await;
    assert_eq!(log.body[0]["status"], "refused", "{}", log.text);
    assert!(
        log.body[0]["error"].as_str().unwrap().contains("loopback"),
        "{}",
        log.text
    );
}

#[tokio::test]
async fn with_no_webhook_the_dispatcher_skips_the_history_in_one_step() {
    let t = TestApp::with_config(|c| c.webhooks.allow_loopback = true).await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, requester) = t.token_for("r@x.test", "requester").await;
    for _ in 0..3 {
        new_ticket(&t, &requester).await;
    }
    let latest = t.app.store.webhooks().latest_event().await.unwrap();
    assert!(latest > 0);
    let written = ventanilla_app::desk::webhooks::dispatch::dispatch(&t.app)
        .await
        .unwrap();
    assert_eq!(written, 0);
    assert_eq!(
        t.app.store.webhooks().cursor().await.unwrap(),
        latest,
        "past every entry at once"
    );
    // A hook added now gets what happens from now on, not the history.
    let (rx, addr) = receiver(vec![]).await;
    let res = t
        .post(
            "/api/v1/webhooks",
            json!({"name": "crm", "url": format!("http://{addr}/hook"), "events": ["ticket.created"]}),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let ticket = new_ticket(&t, &requester).await;
    run_jobs(&t).await;
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "only the new ticket");
    let payload: serde_json::Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(payload["ticket"]["id"], ticket);
}
