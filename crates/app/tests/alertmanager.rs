//! A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`, started here with its
//! own configuration and storage on loopback ports) calls the running server's webhook:
//! a firing alert opens one incident, Alertmanager's repeats open no other, and the
//! resolution adds a note and moves the incident to validation (issue 13).

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http::StatusCode;
use serde_json::json;
use ventanilla_domain::TicketId;
use ventanilla_testkit::TestApp;

const BIN: &str = "/usr/bin/prometheus-alertmanager";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn serve(t: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = t.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// Kills Alertmanager when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn post_alerts(base: &str, alerts: serde_json::Value) {
    let url = format!("{base}/api/v2/alerts");
    tokio::task::spawn_blocking(move || {
        let res = ureq::post(&url).send_json(&alerts).unwrap();
        assert_eq!(res.status().as_u16(), 200);
    })
    .await
    .unwrap();
}

async fn wait_for<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
// Alertmanager runs on the wall clock: alert times must be real ones.
#[allow(clippy::disallowed_methods)]
async fn alertmanager_opens_annotates_and_resolves_one_incident() {
    if !std::path::Path::new(BIN).is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{BIN} is missing: CI installs prometheus-alertmanager"
        );
        eprintln!("skipped: {BIN} is not installed (apt-get install prometheus-alertmanager)");
        return;
    }
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let res = t
        .post(
            "/api/v1/integrations",
            json!({"kind": "alertmanager", "name": "prod"}),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let token = res.body["token"].as_str().unwrap().to_owned();
    let integration = res.body["id"].as_i64().unwrap();
    let server = serve(&t).await;

    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r#"route:
  receiver: ventanilla
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: ventanilla
    webhook_configs:
      - url: http://{server}/api/v1/events/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {token}
"#
    );
    let config_path = dir.path().join("alertmanager.yml");
    std::fs::write(&config_path, config).unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _am = Running(
        Command::new(BIN)
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // No gossip: a lone instance that binds nothing but its loopback API.
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let ready = format!("{base}/-/ready");
    wait_for("alertmanager to be ready", 30, || {
        let ready = ready.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                ureq::get(&ready)
                    .call()
                    .is_ok_and(|r| r.status().as_u16() == 200)
            })
            .await
            .unwrap()
        }
    })
    .await;

    let now = jiff::Timestamp::now();
    let alert = |ends: Option<jiff::Timestamp>| {
        let mut a = json!({
            "labels": {"alertname": "DiskFull", "instance": "db-01", "severity": "critical"},
            "annotations": {"summary": "Disk almost full on db-01"},
            "startsAt": now.to_string(),
        });
        if let Some(e) = ends {
            a["endsAt"] = json!(e.to_string());
        }
        json!([a])
    };
    post_alerts(&base, alert(None)).await;

    let store = &t.app.store;
    wait_for("the incident", 30, || async {
        store.events().count_linked(integration).await.unwrap() == 1
    })
    .await;
    let linked = store.events().linked(integration).await.unwrap();
    assert_eq!(linked.len(), 1);
    let (fingerprint, keys_ticket) = linked[0].clone();
    let ticket = store.tickets().get(keys_ticket).await.unwrap();
    assert_eq!(ticket.channel.as_str(), "event");
    assert_eq!(ticket.ci_ref.as_deref(), Some("db-01"));
    assert_eq!(ticket.impact.as_str(), "high");
    assert!(
        ticket
            .description
            .contains(&format!("fingerprint={fingerprint}")),
        "the incident carries the fingerprint"
    );

    // Alertmanager repeats the notification (repeat_interval): annotated, not duplicated.
    wait_for("a repeat", 30, || async {
        codes(&t, ticket.id)
            .await
            .iter()
            .any(|c| c == "event_repeated")
    })
    .await;
    assert_eq!(store.events().count_linked(integration).await.unwrap(), 1);

    // Resolved: a note and the configured move to validation (the note is written first:
    // wait for both, or a loaded machine reads the ticket between the two).
    post_alerts(&base, alert(Some(jiff::Timestamp::now()))).await;
    wait_for("the resolution", 30, || async {
        codes(&t, ticket.id)
            .await
            .iter()
            .any(|c| c == "event_resolved")
            && store
                .tickets()
                .get(ticket.id)
                .await
                .unwrap()
                .status
                .as_str()
                == "validation"
    })
    .await;
    let ticket = store.tickets().get(ticket.id).await.unwrap();
    assert_eq!(ticket.status.as_str(), "validation");
    assert_eq!(
        store.events().count_linked(integration).await.unwrap(),
        1,
        "still one incident"
    );
}

async fn codes(t: &TestApp, id: TicketId) -> Vec<String> {
    t.app
        .store
        .tickets()
        .events(id, false)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| e.code)
        .collect()
}
