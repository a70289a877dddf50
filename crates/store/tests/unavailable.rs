//! Which database failures are "out of reach for now" (`StoreError::Unavailable`, HTTP 503,
//! mail's "try later") rather than bugs: provoked for real on SQLite (a full database, a
//! read-only file) and on PostgreSQL (a server that is not there, a connection the server
//! ends), never simulated.

#![allow(clippy::unwrap_used)]

use sqlx::Connection as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use ventanilla_store::StoreError;
use ventanilla_store::is_transient;

async fn sqlite_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut c = SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true),
    )
    .await
    .unwrap();
    sqlx::query("CREATE TABLE t (v TEXT)")
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    (dir, path)
}

#[tokio::test]
async fn a_full_sqlite_database_is_unavailable_not_a_bug() {
    let (_dir, path) = sqlite_file().await;
    let mut c = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&path))
        .await
        .unwrap();
    // SQLITE_FULL without filling a disk: the database may not grow past its pages.
    sqlx::query("PRAGMA max_page_count = 3")
        .execute(&mut c)
        .await
        .unwrap();
    let mut err = None;
    for _ in 0..1000 {
        if let Err(e) = sqlx::query("INSERT INTO t VALUES (randomblob(2000))")
            .execute(&mut c)
            .await
        {
            err = Some(e);
            break;
        }
    }
    let e = err.expect("the database filled up");
    assert!(is_transient(&e), "{e}");
    assert!(matches!(StoreError::from(e), StoreError::Unavailable(_)));
}

#[tokio::test]
async fn a_read_only_sqlite_file_is_unavailable() {
    let (_dir, path) = sqlite_file().await;
    let mut c = SqliteConnection::connect_with(
        &SqliteConnectOptions::new().filename(&path).read_only(true),
    )
    .await
    .unwrap();
    let e = sqlx::query("INSERT INTO t VALUES ('x')")
        .execute(&mut c)
        .await
        .unwrap_err();
    assert!(matches!(StoreError::from(e), StoreError::Unavailable(_)));
}

#[tokio::test]
async fn a_constraint_or_syntax_error_stays_a_bug() {
    let (_dir, path) = sqlite_file().await;
    let mut c = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&path))
        .await
        .unwrap();
    let e = sqlx::query("INSERT INTO nowhere VALUES (1)")
        .execute(&mut c)
        .await
        .unwrap_err();
    assert!(!is_transient(&e));
    assert!(matches!(StoreError::from(e), StoreError::Database(_)));
}

#[tokio::test]
async fn postgresql_out_of_reach_or_ending_the_connection_is_unavailable() {
    // Nothing listens on this port (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = sqlx::PgConnection::connect(&format!("postgres://postgres@127.0.0.1:{port}/x"))
        .await
        .unwrap_err();
    assert!(matches!(StoreError::from(e), StoreError::Unavailable(_)));

    let Ok(url) = std::env::var("VENTANILLA_TEST_POSTGRES_URL") else {
        return;
    };
    // The server ends a session (as on shutdown or restart): SQLSTATE 57P01.
    let mut victim = sqlx::PgConnection::connect(&url).await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut victim)
        .await
        .unwrap();
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .execute(&mut admin)
        .await
        .unwrap();
    let e = sqlx::query("SELECT 1")
        .execute(&mut victim)
        .await
        .unwrap_err();
    assert!(is_transient(&e), "{e:?}");
    assert!(matches!(StoreError::from(e), StoreError::Unavailable(_)));
}

/// A full disk refuses writes as unavailable and the same store takes them again once
/// there is room. Before the fix, SQLite rolled the transaction whose COMMIT hit the full
/// disk back by itself, sqlx's ROLLBACK then failed, and the single writer connection
/// refused every later transaction ("non-zero transaction depth") until a restart. The disk
/// is a real 4 MiB tmpfs (mounting needs root, as CI has; skipped elsewhere outside CI).
#[tokio::test]
async fn the_writer_recovers_after_the_disk_was_full() {
    use jiff::Timestamp;
    use std::io::Write as _;
    use ventanilla_domain::access::REQUESTER;
    use ventanilla_domain::ticket::{Priority, TicketKind};
    use ventanilla_store::{Store, StoreOptions};
    use ventanilla_testdb::fixtures;

    let dir = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(dir.path())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        assert!(
            std::env::var("CI").is_err(),
            "CI must be able to mount a tmpfs"
        );
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(dir.path().to_owned());

    let now: Timestamp = "2026-06-01T10:00:00Z".parse().unwrap();
    let url = format!("sqlite://{}", dir.path().join("v.db").display());
    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let r = fixtures::user(&store, "r@x.test", REQUESTER, now).await.id;
    let ticket = |n: usize| {
        let mut t = fixtures::new_ticket(r, TicketKind::Incident, Priority::Low);
        t.description =
            ventanilla_domain::Text::parse("description", &"x".repeat(3000 + n), 5000).unwrap();
        fixtures::registration(t, None)
    };
    // Fill the disk but for a little room.
    let filler = dir.path().join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    while f.write_all(&[0u8; 16 * 1024]).is_ok() {}
    drop(f);
    let len = std::fs::metadata(&filler).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(len.saturating_sub(64 * 1024))
        .unwrap();

    let mut refused = None;
    for n in 0..500 {
        if let Err(e) = store.tickets().create_many(&[ticket(n)], now).await {
            refused = Some(e);
            break;
        }
    }
    let e = refused.expect("the disk filled up");
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    let again = store
        .tickets()
        .create_many(&[ticket(0)], now)
        .await
        .unwrap_err();
    assert!(
        matches!(again, StoreError::Unavailable(_)),
        "still full: refused the same way, not by a stuck transaction: {again:?}"
    );

    std::fs::remove_file(&filler).unwrap();
    store
        .tickets()
        .create_many(&[ticket(1)], now)
        .await
        .expect("the same store writes again once there is room");
}
