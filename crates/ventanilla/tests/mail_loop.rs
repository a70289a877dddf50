//! Two desks whose addresses mail each other (issue #11, loop protection): two `ventanilla
//! serve` processes, each with its SMTP listener on and its outbound relay pointed at the
//! other's listener. A person's mail into desk A from desk B's address opens a ticket whose
//! acknowledgement goes to desk B; desk B keeps it as an automatic mail and answers nothing,
//! so the exchange stops after one message each way at most. Needs Debian's `swaks`.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection as _;

const BIN: &str = env!("CARGO_BIN_EXE_ventanilla");

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

fn swaks_here() -> bool {
    let found = Command::new("sh")
        .args(["-c", "command -v swaks"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "swaks is required in CI (.ci/run installs it)"
        );
        eprintln!("SKIPPED: swaks is not installed (apt-get install swaks)");
    }
    found
}

/// One desk: its own SQLite file, its SMTP listener on `smtp`, its mail relayed to `relay`.
fn desk(dir: &Path, name: &str, smtp: u16, relay: u16) -> Node {
    let http = format!("127.0.0.1:{}", free_port());
    let db = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    let child = Command::new(BIN)
        .args(["serve", "--listen", &http, "--database-url", &db])
        .env("VENTANILLA__AUTH__ARGON2_MEMORY_KIB", "256")
        .env("VENTANILLA__AUTH__ARGON2_ITERATIONS", "1")
        .env("VENTANILLA__MAIL__TRANSPORT", "smtp")
        .env(
            "VENTANILLA__MAIL__FROM",
            format!("Mesa {name} <soporte@{name}.test>"),
        )
        .env(
            "VENTANILLA__MAIL__MESSAGE_ID_DOMAIN",
            format!("{name}.test"),
        )
        .env("VENTANILLA__MAIL__POLL_INTERVAL_MS", "100")
        .env("VENTANILLA__MAIL__SMTP__HOST", "127.0.0.1")
        .env("VENTANILLA__MAIL__SMTP__PORT", relay.to_string())
        .env("VENTANILLA__MAIL__SMTP__SECURITY", "none")
        .env("VENTANILLA__MAIL__INTAKE__SMTP__ENABLED", "true")
        .env(
            "VENTANILLA__MAIL__INTAKE__SMTP__LISTEN",
            format!("127.0.0.1:{smtp}"),
        )
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let node = Node(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", smtp)).is_err()
        || ureq::get(&format!("http://{http}/healthz")).call().is_err()
    {
        assert!(Instant::now() < deadline, "desk {name} did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    node
}

/// (inbound mails by state, tickets, outbox rows by state) of one desk's database.
async fn census(dir: &Path, name: &str) -> (Vec<(String, i64)>, i64, Vec<(String, i64)>) {
    let url = format!(
        "sqlite://{}?mode=ro",
        dir.join(format!("{name}.db")).display()
    );
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let inbound =
        sqlx::query_as("SELECT state, count(*) FROM mail_inbound GROUP BY state ORDER BY state")
            .fetch_all(&mut c)
            .await
            .unwrap();
    let tickets = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&mut c)
        .await
        .unwrap();
    let outbox = sqlx::query_as("SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state")
        .fetch_all(&mut c)
        .await
        .unwrap();
    let _ = c.close().await;
    (inbound, tickets, outbox)
}

#[tokio::test(flavor = "multi_thread")]
async fn two_desks_mailing_each_other_stop_after_one_message_each_way() {
    if !swaks_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (a_smtp, b_smtp) = (free_port(), free_port());
    let _a = desk(dir.path(), "a", a_smtp, b_smtp);
    let _b = desk(dir.path(), "b", b_smtp, a_smtp);

    // A person at desk B's address writes to desk A.
    let out = Command::new("swaks")
        .args([
            "--server",
            &format!("127.0.0.1:{a_smtp}"),
            "--from",
            "soporte@b.test",
            "--to",
            "soporte@a.test",
            "--header",
            "Subject: El proveedor no responde",
            "--body",
            "Buenos días, el enlace con el proveedor está caído.",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Wait until desk B has received desk A's acknowledgement, then give a loop time to show.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (b_in, _, _) = census(dir.path(), "b").await;
        if !b_in.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "desk B never got desk A's acknowledgement"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let (a_in, a_tickets, a_out) = census(dir.path(), "a").await;
    let (b_in, b_tickets, b_out) = census(dir.path(), "b").await;
    // Desk A: the person's mail opened one ticket; its acknowledgement went out once.
    assert_eq!(a_in, vec![("ticket".to_owned(), 1)]);
    assert_eq!(a_tickets, 1);
    assert_eq!(a_out, vec![("sent".to_owned(), 1)]);
    // Desk B: the acknowledgement is kept as automatic mail, opens nothing, answers nothing.
    assert_eq!(b_in, vec![("auto".to_owned(), 1)]);
    assert_eq!(b_tickets, 0);
    assert!(
        b_out.is_empty(),
        "desk B answered an automatic mail: {b_out:?}"
    );
}
