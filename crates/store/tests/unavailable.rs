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
