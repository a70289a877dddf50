//! `bench drill`: fault drills with figures (issue 18) — the server killed with SIGKILL under
//! create load, PostgreSQL restarted under load, the disk filling up under SQLite — each
//! checked for acknowledged tickets lost, tickets duplicated, database integrity and how
//! long the desk took to answer again. Every create carries an `Idempotency-Key`, so a
//! replay of an acknowledged key tells whether its ticket survived: a replay answers with
//! `idempotency-replayed: true`; a lost ticket would be created anew.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;
use sqlx::Connection as _;

use crate::server::{Database, Server, cli, token};

/// Which fault to inject.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Fault {
    /// `kill -9` of the server at a random moment under load, then a restart.
    Kill,
    /// `pg_ctlcluster … restart` under load (PostgreSQL only; the server keeps running).
    PgRestart,
    /// The SQLite database on a small tmpfs that fills up under load, then space returns
    /// (needs root for the mount; SQLite only).
    DiskFull,
}

pub struct DrillArgs {
    pub fault: Fault,
    pub runs: u32,
    pub clients: usize,
    pub seconds: f64,
    pub postgres: Option<String>,
    pub out: PathBuf,
    pub bin: PathBuf,
}

/// One run's figures.
#[derive(Debug, Default)]
struct RunFigures {
    acknowledged: usize,
    lost: usize,
    duplicated: i64,
    refused_503: usize,
    other_errors: usize,
    back_after_ms: Option<u128>,
    integrity_ok: bool,
}

/// What the load threads saw.
#[derive(Default)]
struct Seen {
    acked: Vec<(String, i64)>,
    refused_503: usize,
    other: usize,
    first_ok_after_fault: Option<Instant>,
}

pub fn run(args: &DrillArgs, rt: &tokio::runtime::Runtime) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out)?;
    let mut rows = Vec::new();
    for n in 0..args.runs {
        let figures = match args.fault {
            Fault::Kill => kill_run(args, rt, n)?,
            Fault::PgRestart => pg_restart_run(args, rt, n)?,
            Fault::DiskFull => disk_full_run(args, rt, n)?,
        };
        eprintln!("run {n}: {figures:?}");
        rows.push(figures);
    }
    print_table(args, &rows);
    // A run in which nothing was acknowledged proves nothing: it fails too.
    let bad = rows
        .iter()
        .any(|r| r.acknowledged == 0 || r.lost > 0 || r.duplicated > 0 || !r.integrity_ok);
    if bad {
        bail!(
            "the drill lost or duplicated acknowledged tickets, broke the database, or had \
             no ticket acknowledged"
        );
    }
    Ok(())
}

fn print_table(args: &DrillArgs, rows: &[RunFigures]) {
    println!(
        "drill {:?}: {} runs, {} clients, {} s of load before the fault",
        args.fault, args.runs, args.clients, args.seconds
    );
    println!(
        "| run | acknowledged | lost | duplicated | 503 during the fault | other errors | answering again after (ms) | integrity |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---|");
    for (i, r) in rows.iter().enumerate() {
        println!(
            "| {i} | {} | {} | {} | {} | {} | {} | {} |",
            r.acknowledged,
            r.lost,
            r.duplicated,
            r.refused_503,
            r.other_errors,
            r.back_after_ms.map_or("-".into(), |m| m.to_string()),
            if r.integrity_ok { "ok" } else { "FAILED" }
        );
    }
    let sum = |f: fn(&RunFigures) -> usize| rows.iter().map(f).sum::<usize>();
    println!(
        "total: {} acknowledged, {} lost, {} duplicated",
        sum(|r| r.acknowledged),
        sum(|r| r.lost),
        rows.iter().map(|r| r.duplicated).sum::<i64>()
    );
}

/// A fresh database with one requester, and that requester's token.
fn prepare(
    args: &DrillArgs,
    rt: &tokio::runtime::Runtime,
    dir: &Path,
) -> anyhow::Result<(Database, String)> {
    let db = match &args.postgres {
        Some(url) => Database::postgres(rt, url)?,
        None => Database::sqlite(dir)?,
    };
    let url = db.url();
    cli(&args.bin, &["migrate", "--database-url", &url], None)?;
    cli(
        &args.bin,
        &[
            "user",
            "add",
            "--database-url",
            &url,
            "--email",
            "drill@example.test",
            "--name",
            "Drill",
        ],
        None,
    )?;
    let tok = token(&args.bin, &url, "drill@example.test")?;
    Ok((db, tok))
}

/// `clients` threads creating tickets with keys `run-client-seq` until `stop`.
fn load(
    base: &str,
    token: &str,
    run: u32,
    clients: usize,
    stop: &Arc<AtomicBool>,
    fault_at: &Arc<Mutex<Option<Instant>>>,
    seen: &Arc<Mutex<Seen>>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..clients)
        .map(|c| {
            let (base, token) = (base.to_owned(), token.to_owned());
            let (stop, fault_at, seen) = (stop.clone(), fault_at.clone(), seen.clone());
            std::thread::spawn(move || {
                let http = crate::load::agent_with_timeout(Duration::from_secs(5));
                let mut seq = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    seq += 1;
                    let key = format!("drill-{run}-{c}-{seq}");
                    let res = create(&http, &base, &token, &key);
                    let mut s = seen.lock().unwrap_or_else(|e| e.into_inner());
                    match res {
                        Ok(id) => {
                            s.acked.push((key, id));
                            let faulted = *fault_at.lock().unwrap_or_else(|e| e.into_inner());
                            if faulted.is_some() && s.first_ok_after_fault.is_none() {
                                s.first_ok_after_fault = Some(Instant::now());
                            }
                        }
                        Err(Some(503)) => s.refused_503 += 1,
                        Err(_) => s.other += 1,
                    }
                    drop(s);
                    if res.is_err() {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            })
        })
        .collect()
}

/// The ticket the drill writes for `key` (its subject names the key, so a key written twice
/// shows as two tickets with one subject).
fn ticket(key: &str) -> serde_json::Value {
    json!({
        "kind": "incident",
        "subject": format!("Drill {key}"),
        "description": "Ticket written by the fault drill.",
        "impact": "low",
        "urgency": "medium",
    })
}

/// Creates one ticket; `Ok(id)` when acknowledged, `Err(status)` otherwise (`None`: no
/// answer at all).
fn create(http: &ureq::Agent, base: &str, token: &str, key: &str) -> Result<i64, Option<u16>> {
    let body = ticket(key);
    let mut resp = http
        .post(format!("{base}/api/v1/tickets"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Idempotency-Key", key)
        .send_json(body)
        .map_err(|_| None)?;
    let status = resp.status().as_u16();
    if status != 201 {
        return Err(Some(status));
    }
    let v: serde_json::Value = resp.body_mut().read_json().map_err(|_| None)?;
    v["id"].as_i64().ok_or(None)
}

/// Replays every acknowledged key: a ticket that survived answers as a replay with its id.
/// Returns how many did not; the first such answer is printed.
fn verify(base: &str, token: &str, acked: &[(String, i64)]) -> usize {
    let http = crate::load::agent_with_timeout(Duration::from_secs(30));
    let mut lost = 0;
    for (key, id) in acked {
        let outcome = replay(&http, base, token, key);
        if outcome.as_ref().ok() != Some(id) {
            if lost == 0 {
                eprintln!("key {key} (ticket {id}) after the fault: {outcome:?}");
            }
            lost += 1;
        }
    }
    lost
}

/// The ticket id a replay of `key` answers with, or what went wrong.
fn replay(http: &ureq::Agent, base: &str, token: &str, key: &str) -> Result<i64, String> {
    let mut resp = http
        .post(format!("{base}/api/v1/tickets"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Idempotency-Key", key)
        .send_json(ticket(key))
        .map_err(|e| e.to_string())?;
    let replayed = resp
        .headers()
        .get("idempotency-replayed")
        .is_some_and(|v| v == "true");
    let status = resp.status().as_u16();
    let v: serde_json::Value = resp.body_mut().read_json().map_err(|e| e.to_string())?;
    match v["id"].as_i64() {
        Some(id) if replayed => Ok(id),
        _ => Err(format!("{status} replayed={replayed} {v}")),
    }
}

/// Tickets sharing a drill key's subject (a key written twice), and the database's own
/// integrity check.
fn duplicates_and_integrity(
    db: &Database,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<(i64, bool)> {
    let url = db.url();
    rt.block_on(async {
        const DUPS: &str = "SELECT COUNT(*) FROM (SELECT subject FROM tickets
             GROUP BY subject HAVING COUNT(*) > 1) d";
        match db {
            Database::Sqlite(_) => {
                let mut c = sqlx::SqliteConnection::connect(&url).await?;
                let dups: i64 = sqlx::query_scalar(DUPS).fetch_one(&mut c).await?;
                let check: String = sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_one(&mut c)
                    .await?;
                Ok((dups, check == "ok"))
            }
            Database::Postgres { .. } => {
                let mut c = sqlx::PgConnection::connect(&url).await?;
                let dups: i64 = sqlx::query_scalar(DUPS).fetch_one(&mut c).await?;
                // amcheck (contrib, shipped with the server): every B-tree of `tickets`
                // is consistent and holds every heap row (`heapallindexed`); it raises an
                // error otherwise.
                sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
                    .execute(&mut c)
                    .await?;
                let checked = sqlx::query(
                    "SELECT bt_index_check(i.indexrelid, true) FROM pg_index i
                     WHERE i.indrelid = 'tickets'::regclass",
                )
                .fetch_all(&mut c)
                .await;
                Ok((dups, checked.is_ok()))
            }
        }
    })
}

fn random_ms(seed: u32, below: u64) -> u64 {
    // A different moment every run, reproducible from the run number.
    let mut x = u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x % below.max(1)
}

fn kill_run(args: &DrillArgs, rt: &tokio::runtime::Runtime, n: u32) -> anyhow::Result<RunFigures> {
    let dir = args.out.join(format!("kill-{n}"));
    std::fs::create_dir_all(&dir)?;
    let (db, tok) = prepare(args, rt, &dir)?;
    let server = Server::start(&args.bin, &db.url(), &dir.join("server-1.log"))?;
    let stop = Arc::new(AtomicBool::new(false));
    let fault_at = Arc::new(Mutex::new(None));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let threads = load(&server.base, &tok, n, args.clients, &stop, &fault_at, &seen);
    let load_ms = (args.seconds * 1000.0) as u64;
    std::thread::sleep(Duration::from_millis(load_ms / 2 + random_ms(n, load_ms)));
    Command::new("kill")
        .args(["-9", &server.pid().to_string()])
        .status()
        .context("kill -9")?;
    let killed = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    drop(server);
    let restarted = Server::start(&args.bin, &db.url(), &dir.join("server-2.log"))?;
    let back = killed.elapsed().as_millis();
    let s = seen.lock().unwrap_or_else(|e| e.into_inner());
    let lost = verify(&restarted.base, &tok, &s.acked);
    drop(restarted);
    let (duplicated, integrity_ok) = duplicates_and_integrity(&db, rt)?;
    let figures = RunFigures {
        acknowledged: s.acked.len(),
        lost,
        duplicated,
        refused_503: s.refused_503,
        other_errors: s.other,
        back_after_ms: Some(back),
        integrity_ok,
    };
    if args.postgres.is_some() {
        db.drop_database(rt)?;
    }
    Ok(figures)
}

fn pg_restart_run(
    args: &DrillArgs,
    rt: &tokio::runtime::Runtime,
    n: u32,
) -> anyhow::Result<RunFigures> {
    if args.postgres.is_none() {
        bail!("the pg-restart drill needs --postgres URL");
    }
    let cluster = pg_cluster()?;
    let dir = args.out.join(format!("pg-restart-{n}"));
    std::fs::create_dir_all(&dir)?;
    let (db, tok) = prepare(args, rt, &dir)?;
    let server = Server::start(&args.bin, &db.url(), &dir.join("server.log"))?;
    let stop = Arc::new(AtomicBool::new(false));
    let fault_at = Arc::new(Mutex::new(None));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let threads = load(&server.base, &tok, n, args.clients, &stop, &fault_at, &seen);
    std::thread::sleep(Duration::from_secs_f64(args.seconds));
    let started = Instant::now();
    *fault_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(started);
    let ok = Command::new("pg_ctlcluster")
        .args([
            "--skip-systemctl-redirect",
            &cluster.0,
            &cluster.1,
            "restart",
        ])
        .status()?
        .success();
    if !ok {
        bail!("pg_ctlcluster restart failed");
    }
    wait_until_answered(&seen);
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let s = seen.lock().unwrap_or_else(|e| e.into_inner());
    let back = s
        .first_ok_after_fault
        .map(|t| t.duration_since(started).as_millis());
    let lost = verify(&server.base, &tok, &s.acked);
    drop(server);
    let (duplicated, integrity_ok) = duplicates_and_integrity(&db, rt)?;
    db.drop_database(rt)?;
    Ok(RunFigures {
        acknowledged: s.acked.len(),
        lost,
        duplicated,
        refused_503: s.refused_503,
        other_errors: s.other,
        back_after_ms: back,
        integrity_ok,
    })
}

/// The local PostgreSQL cluster (version, name) from `pg_lsclusters`.
fn pg_cluster() -> anyhow::Result<(String, String)> {
    let out = Command::new("pg_lsclusters").arg("-h").output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next().context("no PostgreSQL cluster")?;
    let mut parts = line.split_whitespace();
    Ok((
        parts.next().context("version")?.to_owned(),
        parts.next().context("cluster name")?.to_owned(),
    ))
}

fn disk_full_run(
    args: &DrillArgs,
    rt: &tokio::runtime::Runtime,
    n: u32,
) -> anyhow::Result<RunFigures> {
    if args.postgres.is_some() {
        bail!("the disk-full drill runs on SQLite");
    }
    let dir = args.out.join(format!("disk-full-{n}"));
    std::fs::create_dir_all(&dir)?;
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=24m", "tmpfs"])
        .arg(&dir)
        .status()?
        .success();
    if !mounted {
        bail!("mounting a tmpfs needs root");
    }
    let result = disk_full_on(args, rt, n, &dir);
    let _ = Command::new("umount").arg(&dir).status();
    result
}

fn disk_full_on(
    args: &DrillArgs,
    rt: &tokio::runtime::Runtime,
    n: u32,
    dir: &Path,
) -> anyhow::Result<RunFigures> {
    let (db, tok) = prepare(args, rt, dir)?;
    let server = Server::start(
        &args.bin,
        &db.url(),
        &args.out.join(format!("disk-full-{n}.log")),
    )?;
    let stop = Arc::new(AtomicBool::new(false));
    let fault_at = Arc::new(Mutex::new(None));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let threads = load(&server.base, &tok, n, args.clients, &stop, &fault_at, &seen);
    std::thread::sleep(Duration::from_secs_f64(args.seconds / 2.0));
    // Fill what is left of the disk, hold it full, then give the space back.
    let filler = dir.join("filler");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=64k"])
        .arg(format!("of={}", filler.display()))
        .stderr(std::process::Stdio::null())
        .status();
    let full_since = Instant::now();
    while seen.lock().unwrap_or_else(|e| e.into_inner()).refused_503 == 0
        && full_since.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(1));
    std::fs::remove_file(&filler)?;
    let freed = Instant::now();
    *fault_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(freed);
    wait_until_answered(&seen);
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let s = seen.lock().unwrap_or_else(|e| e.into_inner());
    let back = s
        .first_ok_after_fault
        .map(|t| t.duration_since(freed).as_millis());
    let lost = verify(&server.base, &tok, &s.acked);
    drop(server);
    let (duplicated, integrity_ok) = duplicates_and_integrity(&db, rt)?;
    Ok(RunFigures {
        acknowledged: s.acked.len(),
        lost,
        duplicated,
        refused_503: s.refused_503,
        other_errors: s.other,
        back_after_ms: back,
        integrity_ok,
    })
}

/// Keeps the load on until a create succeeded after the fault (at most 30 s).
fn wait_until_answered(seen: &Mutex<Seen>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .first_ok_after_fault
        .is_none()
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
}
