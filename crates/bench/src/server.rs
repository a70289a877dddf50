//! The system under test: a fresh database (a SQLite file, or a PostgreSQL database created
//! for the run and dropped after it), the import through `ventanilla import`, API tokens
//! through `ventanilla token create`, and `ventanilla serve` on a free 127.0.0.1 port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::Connection as _;

/// Where the run's data lives.
pub enum Database {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Database {
    pub fn sqlite(dir: &Path) -> anyhow::Result<Database> {
        let path = dir.join("ventanilla.db");
        for suffix in ["", "-wal", "-shm", ".migrate-lock"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        Ok(Database::Sqlite(path))
    }

    /// Creates `ventanilla_bench_<pid>` on the server of `admin_url`.
    pub fn postgres(rt: &tokio::runtime::Runtime, admin_url: &str) -> anyhow::Result<Database> {
        let name = format!("ventanilla_bench_{}", std::process::id());
        rt.block_on(async {
            let mut c = sqlx::PgConnection::connect(admin_url)
                .await
                .with_context(|| format!("cannot reach PostgreSQL at {admin_url}"))?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut c)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut c)
                .await?;
            c.close().await?;
            Ok::<_, anyhow::Error>(())
        })?;
        Ok(Database::Postgres {
            admin_url: admin_url.to_owned(),
            name,
        })
    }

    pub fn url(&self) -> String {
        match self {
            Database::Sqlite(p) => format!("sqlite://{}", p.display()),
            Database::Postgres { admin_url, name } => {
                let base = admin_url.split('?').next().unwrap_or(admin_url);
                let host_end = base.find("://").map_or(0, |i| i + 3);
                match base[host_end..].find('/') {
                    Some(i) => format!("{}/{name}", &base[..host_end + i]),
                    None => format!("{base}/{name}"),
                }
            }
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres { .. } => "postgres",
        }
    }

    /// The database's size on disk in bytes (SQLite: file plus WAL).
    pub fn size(&self, rt: &tokio::runtime::Runtime) -> anyhow::Result<u64> {
        match self {
            Database::Sqlite(p) => {
                let mut total = std::fs::metadata(p)?.len();
                let mut wal = p.as_os_str().to_owned();
                wal.push("-wal");
                total += std::fs::metadata(PathBuf::from(wal))
                    .map(|m| m.len())
                    .unwrap_or(0);
                Ok(total)
            }
            Database::Postgres { .. } => rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&self.url()).await?;
                let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                    .fetch_one(&mut c)
                    .await?;
                c.close().await?;
                Ok(u64::try_from(size).unwrap_or(0))
            }),
        }
    }

    /// Bytes held by the search index: SQLite's FTS5 tables and their shadow tables (from
    /// the `dbstat` table, which the bundled SQLite has), or PostgreSQL's search tables with
    /// their GIN indexes.
    pub fn search_index_bytes(&self, rt: &tokio::runtime::Runtime) -> anyhow::Result<u64> {
        rt.block_on(async {
            let size: i64 = match self {
                Database::Sqlite(_) => {
                    let mut c = sqlx::SqliteConnection::connect(&self.url()).await?;
                    let n = sqlx::query_scalar(
                        "SELECT CAST(COALESCE(SUM(pgsize), 0) AS INTEGER) FROM dbstat \
                         WHERE name LIKE 'ticket_fts%' OR name LIKE 'article_fts%'",
                    )
                    .fetch_one(&mut c)
                    .await?;
                    c.close().await?;
                    n
                }
                Database::Postgres { .. } => {
                    let mut c = sqlx::PgConnection::connect(&self.url()).await?;
                    let n = sqlx::query_scalar(
                        "SELECT CAST(pg_total_relation_size('ticket_search') \
                         + pg_total_relation_size('article_search') AS BIGINT)",
                    )
                    .fetch_one(&mut c)
                    .await?;
                    c.close().await?;
                    n
                }
            };
            Ok(u64::try_from(size).unwrap_or(0))
        })
    }

    /// What [`Self::search_index_bytes`] counts, for the report.
    pub fn search_index_tables(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => {
                "FTS5 tables ticket_fts and article_fts with their shadow tables"
            }
            Database::Postgres { .. } => {
                "tables ticket_search and article_search with their GIN indexes"
            }
        }
    }

    /// Drops the run's PostgreSQL database; a SQLite file is kept for inspection.
    pub fn drop_database(&self, rt: &tokio::runtime::Runtime) -> anyhow::Result<()> {
        if let Database::Postgres { admin_url, name } = self {
            rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(admin_url).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut c)
                .await?;
                c.close().await?;
                Ok::<_, anyhow::Error>(())
            })?;
        }
        Ok(())
    }
}

/// The `ventanilla` binary: given, or the one built beside `bench`.
pub fn ventanilla_binary(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(p) => p,
        None => std::env::current_exe()?
            .parent()
            .context("bench has no folder")?
            .join("ventanilla"),
    };
    if !path.exists() {
        bail!(
            "{} not found: build it first (cargo build --release -p ventanilla -p ventanilla-bench) or pass --ventanilla PATH",
            path.display()
        );
    }
    Ok(path)
}

/// Runs a `ventanilla` command to completion and returns its standard output.
pub fn cli(bin: &Path, args: &[&str], stdin: Option<&str>) -> anyhow::Result<String> {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .env("VENTANILLA__LOG__FILTER", "warn")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write as _;
        pipe.write_all(input.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "ventanilla {} failed: {}",
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A token for the user with `email`.
pub fn token(bin: &Path, url: &str, email: &str) -> anyhow::Result<String> {
    let out = cli(
        bin,
        &[
            "token",
            "create",
            "--database-url",
            url,
            "--email",
            email,
            "--name",
            "bench",
        ],
        None,
    )?;
    out.lines()
        .last()
        .map(|l| l.trim().to_owned())
        .context("token create printed nothing")
}

/// A running `ventanilla serve`; stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(bin: &Path, url: &str, log: &Path) -> anyhow::Result<Server> {
        Self::start_with_env(bin, url, log, &[])
    }

    /// Starts a server with extra `VENTANILLA__…` settings in its environment.
    pub fn start_with_env(
        bin: &Path,
        url: &str,
        log: &Path,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let listen = format!("127.0.0.1:{port}");
        let log = std::fs::File::create(log)?;
        let child = Command::new(bin)
            .args(["serve", "--listen", &listen, "--database-url", url])
            .env("VENTANILLA__LOG__FILTER", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let server = Server {
            child,
            base: format!("http://{listen}"),
        };
        let agent = ureq::Agent::new_with_defaults();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if agent.get(format!("{}/healthz", server.base)).call().is_ok() {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!("the server did not answer /healthz within 60 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM lets it finish in-flight requests; kill only this child, by its id.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process in bytes, from /proc/PID/status.
pub fn rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
