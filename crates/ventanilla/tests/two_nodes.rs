//! Two `ventanilla serve` processes sharing one PostgreSQL database: 200 tickets breach their
//! SLA and each breach escalates exactly once — no duplicate actions, none missed. Runs when
//! `VENTANILLA_TEST_POSTGRES_URL` is set (always in CI's PostgreSQL pass).

#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::Connection as _;
use ventanilla_testkit::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_ventanilla");
const TICKETS: usize = 200;

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn node(url: &str) -> (Node, String) {
    let listen = format!("127.0.0.1:{}", free_port());
    let child = Command::new(BIN)
        .args(["serve", "--listen", &listen, "--database-url", url])
        .env("VENTANILLA__JOBS__POLL_INTERVAL_MS", "100")
        .env("VENTANILLA__JOBS__SLA_SCAN_SECS", "1")
        .env("VENTANILLA__AUTH__ARGON2_MEMORY_KIB", "256")
        .env("VENTANILLA__AUTH__ARGON2_ITERATIONS", "1")
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://{listen}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while ureq::get(&format!("{base}/healthz")).call().is_err() {
        assert!(Instant::now() < deadline, "node did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (Node(child), base)
}

fn call(method: &str, url: &str, token: &str, body: Value) -> Value {
    let auth = format!("Bearer {token}");
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut res = match method {
        "POST" => agent
            .post(url)
            .header("Authorization", &auth)
            .send_json(body),
        _ => agent.get(url).header("Authorization", &auth).call(),
    }
    .unwrap();
    let status = res.status();
    let v: Value = res.body_mut().read_json().unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {url}: {status} {v}");
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_breach_and_escalate_each_ticket_exactly_once() {
    if std::env::var(ventanilla_testkit::POSTGRES_ENV).is_err() {
        eprintln!("skipped: {} is not set", ventanilla_testkit::POSTGRES_ENV);
        return;
    }
    let db = TestDb::fresh().await;
    let url = db.url.clone();
    let url2 = url.clone();
    tokio::task::spawn_blocking(move || scenario(&url2))
        .await
        .unwrap();

    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let per_ticket: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT t.id, (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.code = 'sla_escalation')
         FROM tickets t ORDER BY t.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(per_ticket.len(), TICKETS);
    let wrong: Vec<_> = per_ticket.iter().filter(|(_, n)| *n != 1).collect();
    assert!(
        wrong.is_empty(),
        "tickets not escalated exactly once: {wrong:?}"
    );
    // Both targets (first response, resolution) breach: one notification each, per ticket.
    let dupes: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT ticket_id, COALESCE(params, ''), count(*) FROM notifications WHERE kind = 'sla.breach'
         GROUP BY ticket_id, params HAVING count(*) <> 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(dupes.is_empty(), "duplicate breach actions: {dupes:?}");
    // A burst on one ticket folds into one unread entry per person (`repeats` counts them).
    let breaches: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(repeats), 0)::BIGINT FROM notifications WHERE kind = 'sla.breach'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(breaches, 2 * TICKETS as i64, "none missed");
    let at_l2: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tickets WHERE tier = 'L2' AND escalated")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(at_l2, TICKETS as i64);
    let _ = conn.close().await;
}

fn scenario(url: &str) {
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut c = Command::new(BIN)
            .args(args)
            .env("VENTANILLA__AUTH__ARGON2_MEMORY_KIB", "256")
            .env("VENTANILLA__AUTH__ARGON2_ITERATIONS", "1")
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            std::io::Write::write_all(&mut c.stdin.take().unwrap(), s.as_bytes()).unwrap();
        }
        drop(c.stdin.take());
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    run(
        &[
            "user",
            "add",
            "--database-url",
            url,
            "--email",
            "root@x.test",
            "--name",
            "Root",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a long admin password\n"),
    );
    run(
        &[
            "user",
            "add",
            "--database-url",
            url,
            "--email",
            "sup@x.test",
            "--name",
            "Sup",
            "--role",
            "supervisor",
        ],
        None,
    );
    let token = run(
        &[
            "token",
            "create",
            "--database-url",
            url,
            "--email",
            "root@x.test",
        ],
        None,
    )
    .lines()
    .last()
    .unwrap()
    .trim()
    .to_owned();
    let (_a, base_a) = node(url);
    let (_b, base_b) = node(url);
    let api = |base: &str, p: &str| format!("{base}/api/v1{p}");
    let sup = call(
        "GET",
        &api(&base_a, "/users?role=supervisor"),
        &token,
        Value::Null,
    )["items"][0]["id"]
        .clone();
    call(
        "POST",
        &api(&base_a, "/groups"),
        &token,
        json!({ "name": "L1", "tier": "L1", "members": [{ "user_id": sup, "supervisor": true }] }),
    );
    call(
        "POST",
        &api(&base_b, "/groups"),
        &token,
        json!({ "name": "L2", "tier": "L2" }),
    );
    let always = json!({ "time_zone": "UTC", "weekly": {
        "mon": [["00:00", "24:00"]], "tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]], "thu": [["00:00", "24:00"]],
        "fri": [["00:00", "24:00"]], "sat": [["00:00", "24:00"]], "sun": [["00:00", "24:00"]] } });
    let cal = call(
        "POST",
        &api(&base_a, "/calendars"),
        &token,
        json!({ "name": "24x7", "calendar": always }),
    )["id"]
        .clone();
    call(
        "POST",
        &api(&base_a, "/sla-policies"),
        &token,
        json!({
        "policy": { "name": "fast", "priority": "medium", "calendar_id": cal, "targets": { "first_response": "PT2S", "resolution": "PT3S" } },
        "actions": { "warning": [], "breach": [{ "type": "escalate" }, { "type": "notify_supervisors" }] } }),
    );
    for i in 0..TICKETS {
        let base = if i % 2 == 0 { &base_a } else { &base_b };
        call(
            "POST",
            &api(base, "/tickets"),
            &token,
            json!({ "kind": "incident", "subject": format!("t{i}"), "description": "d", "impact": "medium", "urgency": "medium", "group_id": 1 }),
        );
    }
    // Both targets of every ticket breach within seconds; wait until none is left unbreached.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let breached = call(
            "GET",
            &api(&base_a, "/tickets?sla=breached&limit=200"),
            &token,
            Value::Null,
        )["items"]
            .as_array()
            .map_or(0, Vec::len);
        let open_risk = call(
            "GET",
            &api(&base_b, "/tickets?sla=ok&limit=200"),
            &token,
            Value::Null,
        )["items"]
            .as_array()
            .map_or(0, Vec::len);
        if breached == TICKETS && open_risk == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {breached} of {TICKETS} breached in time"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    // Let any straggling scans on either node finish before counting.
    std::thread::sleep(Duration::from_secs(3));
}
