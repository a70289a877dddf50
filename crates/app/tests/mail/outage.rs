//! The database down while mail arrives (SQLite: another process holds the write lock, so
//! every write fails after the busy timeout — nothing shared is stopped): the SMTP listener
//! answers 451, and once the database is back the same mails arrive exactly once.

use tokio::net::TcpListener;
use ventanilla_app::mail::intake::{IngestError, Source, ingest, smtp};
use ventanilla_store::mail_in::InboundState;
use ventanilla_testkit::desk;

use super::smtp::swaks;
use super::support::{mail, tool};

/// Opens the test's SQLite file apart and takes its write lock until dropped.
async fn lock_sqlite(url: &str) -> sqlx::SqliteConnection {
    use sqlx::Connection as _;
    let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut c)
        .await
        .unwrap();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_answers_451_while_the_database_is_down_and_the_mail_arrives_once_after() {
    let d = desk()
        .config(|c| c.database.busy_timeout_ms = 200)
        .build()
        .await;
    if d.t.db.is_postgres() {
        // PostgreSQL outages are covered by `mail deliver` with an unreachable URL (cli test).
        return;
    }
    let lock = lock_sqlite(&d.t.db.url).await;
    let raw = mail(
        "ana@cliente.example",
        "Caída",
        "down-1@cliente.example",
        "",
        "texto",
    );
    let err = ingest(&d.t.app, &raw, Source::Pipe, None, &[])
        .await
        .unwrap_err();
    assert!(matches!(err, IngestError::TryLater(_)), "{err}");
    if tool("swaks") {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(smtp::serve(d.t.app.clone(), listener));
        let send = move || {
            swaks(
                port,
                &[
                    "--from",
                    "ana@cliente.example",
                    "--to",
                    "soporte@desk.example",
                    "--header",
                    "Subject: Caída SMTP",
                    "--header",
                    "Message-ID: <down-2@cliente.example>",
                    "--body",
                    "texto",
                ],
            )
        };
        let (_, transcript) = tokio::task::spawn_blocking(send).await.unwrap();
        assert!(transcript.contains("<** 451 4.3.0"), "{transcript}");
        drop(lock);
        // The sending MTA retries: now it is stored, once, however often it is repeated.
        for _ in 0..3 {
            let (ok, transcript) = tokio::task::spawn_blocking(send).await.unwrap();
            assert!(ok, "{transcript}");
        }
        server.abort();
    } else {
        drop(lock);
    }
    for _ in 0..3 {
        ingest(&d.t.app, &raw, Source::Pipe, None, &[])
            .await
            .unwrap();
    }
    let rows = d.t.app.store.mail_in().list(None, None, 10).await.unwrap();
    assert!(rows.iter().all(|r| r.state == InboundState::Ticket));
    let expected = if tool("swaks") { 2 } else { 1 };
    assert_eq!(rows.len(), expected, "each mail once");
    let tickets: std::collections::HashSet<_> = rows.iter().map(|r| r.ticket_id).collect();
    assert_eq!(tickets.len(), expected);
}
