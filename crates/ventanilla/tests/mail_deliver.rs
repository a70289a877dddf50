//! `ventanilla mail deliver`, the MTA pipe contract: exit 0 stored (new ticket, reply,
//! duplicate, auto-reply), 75 try later (the database cannot take it), 65 unusable. An
//! outage is real: another connection holds the SQLite write lock (nothing shared is
//! stopped), or the PostgreSQL URL names a database that does not exist.

#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::process::{Command, Stdio};

use ventanilla_testkit::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_ventanilla");

fn deliver(url: &str, input: &[u8]) -> (i32, String) {
    let mut child = Command::new(BIN)
        .args(["mail", "deliver", "--database-url", url])
        .env_remove("VENTANILLA_CONFIG")
        .env("VENTANILLA__DATABASE__BUSY_TIMEOUT_MS", "300")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn mail(id: &str) -> Vec<u8> {
    format!(
        "From: Ana <ana@cliente.example>\r\nTo: soporte@desk.example\r\nSubject: Pipe {id}\r\nMessage-ID: <{id}@cliente.example>\r\n\r\nHola\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn exit_codes_follow_the_contract() {
    let db = TestDb::fresh().await;
    let (code, said) = deliver(&db.url, &mail("p1"));
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("(ticket)"), "{said}");
    let (code, said) = deliver(&db.url, &mail("p1"));
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("duplicate of"), "{said}");
    let (code, said) = deliver(&db.url, b"");
    assert_eq!(code, 65, "{said}");
    let (code, said) = deliver(&db.url, &[0u8, 1, 2, 255, 254]);
    assert_eq!(code, 0, "kept for admins as failed: {said}");
    assert!(said.contains("(failed)"), "{said}");
    let store = db.store().await;
    let rows = store.mail_in().list(None, None, 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    let t = store
        .tickets()
        .get(rows[1].ticket_id.unwrap())
        .await
        .unwrap();
    assert_eq!(t.channel.as_str(), "email");
    assert_eq!(t.subject, "Pipe p1");
}

#[tokio::test]
async fn an_unreachable_database_is_try_later_and_the_mail_arrives_once_after() {
    let db = TestDb::fresh().await;
    let down = if db.is_postgres() {
        let (base, _) = db.url.rsplit_once('/').unwrap();
        format!("{base}/ventanilla_no_such_database_{}", std::process::id())
    } else {
        // A database file under a regular file: it cannot be opened or created.
        "sqlite:///etc/hostname/ventanilla.db".to_owned()
    };
    let (code, said) = deliver(&down, &mail("p2"));
    assert_eq!(code, 75, "{said}");
    for _ in 0..3 {
        let (code, said) = deliver(&db.url, &mail("p2"));
        assert_eq!(code, 0, "{said}");
    }
    let store = db.store().await;
    assert_eq!(store.mail_in().list(None, None, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_locked_sqlite_database_is_try_later() {
    let db = TestDb::fresh().await;
    if db.is_postgres() {
        return;
    }
    // Migrated first, so opening needs no write.
    let (code, said) = deliver(&db.url, &mail("p3"));
    assert_eq!(code, 0, "{said}");
    use sqlx::Connection as _;
    let mut lock = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut lock)
        .await
        .unwrap();
    let (code, said) = deliver(&db.url, &mail("p4"));
    assert_eq!(code, 75, "{said}");
    sqlx::query("ROLLBACK").execute(&mut lock).await.unwrap();
    drop(lock);
    let (code, said) = deliver(&db.url, &mail("p4"));
    assert_eq!(code, 0, "{said}");
    let store = db.store().await;
    assert_eq!(store.mail_in().list(None, None, 10).await.unwrap().len(), 2);
}
