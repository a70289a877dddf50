//! Fresh databases for tests, and the store fixtures store tests share. SQLite by default;
//! PostgreSQL when `VENTANILLA_TEST_POSTGRES_URL` names a server (CI always sets it for the
//! second run): each test gets its own database, created here and dropped with [`TestDb`].
//! This crate depends on the store only, so store tests build without the app; the app's
//! testkit re-exports it.

pub mod fixtures;

use std::str::FromStr as _;

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use ventanilla_store::{Store, StoreOptions};

pub const POSTGRES_ENV: &str = "VENTANILLA_TEST_POSTGRES_URL";

/// A database that exists for one test. On PostgreSQL it is dropped when this is dropped.
pub struct TestDb {
    pub url: String,
    pg: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn fresh() -> TestDb {
        match std::env::var(POSTGRES_ENV).ok().filter(|s| !s.is_empty()) {
            Some(admin_url) => Self::fresh_postgres(&admin_url).await,
            None => Self::fresh_sqlite(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    pub fn fresh_sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        TestDb {
            url,
            pg: None,
            _dir: Some(dir),
        }
    }

    async fn fresh_postgres(admin_url: &str) -> TestDb {
        let name = format!("ventanilla_test_{}", random_hex());
        let mut conn = PgConnection::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin_url}: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let url = with_database(admin_url, &name);
        TestDb {
            url,
            pg: Some((admin_url.to_owned(), name)),
            _dir: None,
        }
    }

    /// Connects and migrates a store on this database.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url, &StoreOptions::default())
            .await
            .expect("connect to test database");
        store.migrate().await.expect("migrate test database");
        store
    }
}

/// Replaces the database name in a PostgreSQL URL (the path after the host).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

fn random_hex() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("random bytes");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg.take() else {
            return;
        };
        // Drop runs outside any async context we can use, so a short-lived thread with its own
        // runtime removes the database; WITH (FORCE) ends connections a pool still holds.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    let Ok(opts) = PgConnectOptions::from_str(&admin_url) else {
                        return;
                    };
                    if let Ok(mut conn) = PgConnection::connect_with(&opts).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                        let _ = conn.close().await;
                    }
                });
            }
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
