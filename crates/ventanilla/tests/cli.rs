//! The `ventanilla` command as scripts use it: the documented CLI forms, a real server on a
//! loopback port, graceful shutdown, the demo, and configuration errors.

#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use ventanilla_testkit::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_ventanilla");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("VENTANILLA_CONFIG")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Kills the child on drop so a failing test leaves no server behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(res) = ureq::get(&format!("{base}/healthz")).call()
            && res.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "server did not become healthy");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn help_lists_the_commands() {
    let out = run(&["--help"], None);
    assert!(out.status.success());
    let text = stdout(&out);
    for cmd in ["serve", "migrate", "demo", "user", "token", "config"] {
        assert!(text.contains(cmd), "{cmd} missing from --help:\n{text}");
    }
    let text = stdout(&run(&["user", "--help"], None));
    assert!(text.contains("add"));
    let text = stdout(&run(&["token", "--help"], None));
    assert!(text.contains("create"));
}

#[test]
fn config_example_and_errors_that_name_the_key() {
    let out = run(&["config", "example"], None);
    assert!(out.status.success());
    assert!(stdout(&out).contains("[database]"));
    let out = Command::new(BIN)
        .args(["config", "check"])
        .env("VENTANILLA__AUTH__LOCKOUT_MINUTES", "soon")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.to_lowercase().contains("lockout_minutes"), "{err}");
    assert!(!err.contains("backtrace"), "{err}");
    let out = run(&["migrate", "--database-url", "mysql://nope"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("database"));
}

#[tokio::test(flavor = "multi_thread")]
async fn user_token_serve_and_graceful_shutdown() {
    let db = TestDb::fresh().await;
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || scripted_server(&url))
        .await
        .unwrap();
}

fn scripted_server(url: &str) {
    let out = run(&["migrate", "--database-url", url], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // On SQLite the first start creates the sealing key beside the database, private.
    if let Some(path) = url.strip_prefix("sqlite://") {
        use std::os::unix::fs::PermissionsExt as _;
        let key = format!("{}.sealing-key", path.split('?').next().unwrap());
        let meta = std::fs::metadata(&key).expect("the sealing key file");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let first = std::fs::read_to_string(&key).unwrap();
        run(&["migrate", "--database-url", url], None);
        assert_eq!(
            std::fs::read_to_string(&key).unwrap(),
            first,
            "kept, not replaced"
        );
    }
    let out = run(
        &[
            "user",
            "add",
            "--database-url",
            url,
            "--email",
            "root@example.com",
            "--name",
            "Root",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a long admin password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &[
            "user",
            "add",
            "--database-url",
            url,
            "--email",
            "root@example.com",
            "--name",
            "Again",
            "--role",
            "admin",
        ],
        None,
    );
    assert!(!out.status.success(), "duplicate email is refused");
    let out = run(
        &[
            "token",
            "create",
            "--database-url",
            url,
            "--email",
            "root@example.com",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = stdout(&out).lines().last().unwrap().trim().to_owned();
    assert!(token.starts_with("vt_"), "{token}");

    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = Server(
        Command::new(BIN)
            .args(["serve", "--listen", &listen, "--database-url", url])
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://{listen}");
    wait_healthy(&base);
    let me: serde_json::Value = ureq::get(&format!("{base}/api/v1/me"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert_eq!(me["user"]["email"], "root@example.com");
    assert_eq!(me["user"]["role"], "admin");
    let login = ureq::post(&format!("{base}/api/v1/auth/login"))
        .send_json(
            serde_json::json!({ "email": "root@example.com", "password": "a long admin password" }),
        )
        .unwrap();
    assert_eq!(login.status(), 200);
    let unauth = ureq::get(&format!("{base}/api/v1/users"))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(unauth.status(), 401);
    sigterm(&server.0);
    let status = wait_exit(&mut server.0);
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
}

fn cookie_of(res: &ureq::http::Response<ureq::Body>) -> String {
    let set = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

#[test]
fn demo_serves_a_desk_with_demo_logins() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut demo = Server(
        Command::new(BIN)
            .args(["demo", "--listen", &listen])
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://{listen}");
    wait_healthy(&base);
    let mut login = ureq::post(&format!("{base}/api/v1/auth/login"))
        .send_json(
            serde_json::json!({ "email": "admin@ventanilla.test", "password": "ventanilla-demo" }),
        )
        .unwrap();
    let body: serde_json::Value = login.body_mut().read_json().unwrap();
    assert_eq!(body["user"]["role"], "admin");
    for (email, role) in [
        ("supervisora@ventanilla.test", "supervisor"),
        ("agente1@ventanilla.test", "agent"),
        ("usuario@ventanilla.test", "requester"),
    ] {
        let mut res = ureq::post(&format!("{base}/api/v1/auth/login"))
            .send_json(serde_json::json!({ "email": email, "password": "ventanilla-demo" }))
            .unwrap();
        let body: serde_json::Value = res.body_mut().read_json().unwrap();
        assert_eq!(body["user"]["role"], role);
    }
    let mut res = ureq::get(&format!("{base}/api/v1/tickets?limit=50"))
        .header("Cookie", &cookie_of(&login))
        .call()
        .unwrap();
    let tickets: serde_json::Value = res.body_mut().read_json().unwrap();
    let statuses: std::collections::BTreeSet<String> = tickets["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        statuses.len() >= 5,
        "demo tickets in several states: {statuses:?}"
    );
    sigterm(&demo.0);
    assert!(wait_exit(&mut demo.0).success());
    let mut out = String::new();
    std::io::Read::read_to_string(&mut demo.0.stdout.take().unwrap(), &mut out).unwrap();
    assert!(
        out.contains("admin@ventanilla.test") && out.contains("ventanilla-demo"),
        "{out}"
    );
}

/// Issue 15, case 5, as reported: `ventanilla import` of a file saved with a byte-order mark
/// (and CRLF ends) imports it; a bad line is reported with its line and column.
#[tokio::test(flavor = "multi_thread")]
async fn import_reads_files_as_editors_save_them() {
    let db = TestDb::fresh().await;
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("directorio.jsonl");
        std::fs::write(
            &good,
            "\u{FEFF}{\"type\":\"organisation\",\"ref\":\"o1\",\"name\":\"Hospital San Rafael\",\"code\":\"HSR\"}\r\n{\"type\":\"user\",\"ref\":\"ana\",\"email\":\"ana@hsr.example\",\"name\":\"Ana García\",\"organisation\":\"o1\",\"language\":\"es\",\"time_zone\":\"Europe/Madrid\"}\r\n",
        )
        .unwrap();
        let out = run(&["migrate", "--database-url", &url], None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = run(
            &["import", "--database-url", &url, good.to_str().unwrap()],
            None,
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            stdout(&out).contains("imported 1 organisations, 0 departments, 1 users"),
            "{}",
            stdout(&out)
        );
        let bad = dir.path().join("mal.jsonl");
        std::fs::write(&bad, "\u{FEFF}\r\n{\"type\":\"user\",\"ref\":}\r\n").unwrap();
        let out = run(
            &["import", "--database-url", &url, bad.to_str().unwrap()],
            None,
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("line 2, column 22"), "{err}");
    })
    .await
    .unwrap();
}

/// `ventanilla reindex` rebuilds a search index that lost its rows (a restore from an old
/// backup, a hand edit): afterwards the ticket is found again.
#[tokio::test(flavor = "multi_thread")]
async fn reindex_rebuilds_a_lost_search_index() {
    use ventanilla_domain::search::{Query, QueryMode};
    use ventanilla_store::search::TicketSearch;
    use ventanilla_store::tickets::{TicketFilter, TicketScope};
    let db = TestDb::fresh().await;
    let store = db.store().await;
    let at: jiff::Timestamp = "2026-06-01T10:00:00Z".parse().unwrap();
    let requester = ventanilla_testkit::fixtures::user(&store, "r@x.test", "requester", at).await;
    let mut new = ventanilla_testkit::fixtures::new_ticket(
        requester.id,
        ventanilla_domain::ticket::TicketKind::Incident,
        ventanilla_domain::ticket::Priority::Medium,
    );
    new.subject =
        ventanilla_domain::Text::parse("subject", "Proyector de la sala Norte", 200).unwrap();
    store
        .tickets()
        .create(&new, None, at, None, &[])
        .await
        .unwrap();
    let query = Query::parse("proyectores", QueryMode::All);
    let filter = TicketFilter::default();
    let search = TicketSearch {
        query: &query,
        scope: &TicketScope::All,
        internal: true,
        filter: &filter,
        limit: 10,
    };
    assert_eq!(store.search().tickets(&search).await.unwrap().len(), 1);
    if db.is_postgres() {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
            .await
            .unwrap();
        sqlx::query("DELETE FROM ticket_search")
            .execute(&mut c)
            .await
            .unwrap();
    } else {
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db.url)
            .await
            .unwrap();
        sqlx::query("DELETE FROM ticket_fts")
            .execute(&mut c)
            .await
            .unwrap();
    }
    assert!(store.search().tickets(&search).await.unwrap().is_empty());
    let url = db.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        run(&["reindex", "--database-url", &url, "--batch", "1"], None)
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("search index rebuilt: 1 ticket batches"),
        "{}",
        stdout(&out)
    );
    assert_eq!(store.search().tickets(&search).await.unwrap().len(), 1);
}
