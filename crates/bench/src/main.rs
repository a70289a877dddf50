//! `bench`: generates a realistic service desk, imports it, starts (or targets) a server on
//! 127.0.0.1 and runs bounded load scenarios, printing a Markdown table and writing JSON.
//! See docs/PERFORMANCE.md.

mod drill;
mod events;
mod generate;
mod kb;
mod load;
mod mail;
mod mail_out;
mod report;
mod rng;
mod routing;
mod server;
mod sla;
mod vocab;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use ventanilla_domain::Clock as _;

use crate::load::{AgentCtx, Bounds, Ctx, Scenario};
use crate::report::{Import, Machine, Report};
use crate::server::{Database, Server};

#[derive(Parser)]
#[command(name = "bench", about = "Ventanilla's data generator and load driver")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Args, Clone)]
struct DataArgs {
    /// Tickets to generate.
    #[arg(long, default_value_t = 20_000)]
    tickets: u64,
    /// The full data set: 1,000,000 tickets and 10,000 users.
    #[arg(long)]
    full: bool,
    #[arg(long, default_value_t = 6)]
    seed: u64,
    /// Where data, databases, logs and reports go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
}

impl DataArgs {
    fn tickets(&self) -> u64 {
        if self.full { 1_000_000 } else { self.tickets }
    }

    fn data_dir(&self) -> PathBuf {
        self.out
            .join(format!("data-{}-{}", self.tickets(), self.seed))
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Write the data set (import format) without running anything.
    Generate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Generate (or reuse), import, serve and measure.
    Run(Box<RunArgs>),
    /// Inbound mail: messages per second through `mail deliver` and through the SMTP
    /// listener with concurrent senders, and the p99 of one ingest (fresh SQLite databases).
    Mail {
        /// Messages through `mail deliver` (one process each).
        #[arg(long, default_value_t = 200)]
        pipe_messages: usize,
        /// Messages through the SMTP listener.
        #[arg(long, default_value_t = 4000)]
        smtp_messages: usize,
        /// Concurrent SMTP senders.
        #[arg(long, default_value_t = 8)]
        senders: usize,
        /// The ventanilla binary (default: the one beside bench).
        #[arg(long)]
        ventanilla: Option<PathBuf>,
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
    },
    /// SLA engine: due-instant computations per second, and the scan for due tickets among
    /// many open ones (a fresh database, filled directly).
    Sla {
        /// Open tickets to scan among.
        #[arg(long, default_value_t = 100_000)]
        tickets: u64,
        /// A million open tickets.
        #[arg(long)]
        full: bool,
        /// Due-instant computations per calendar.
        #[arg(long, default_value_t = 200_000)]
        computations: u64,
        /// sqlite or postgres.
        #[arg(long, default_value = "sqlite")]
        database: String,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        postgres_url: String,
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
    },
    /// Fault drills with figures: SIGKILL, PostgreSQL restart or a full disk under create
    /// load; fails if an acknowledged ticket is lost or duplicated (docs/OPERATIONS.md).
    Drill(Box<DrillCli>),
    /// Monitoring events, rules and the classifier (issue 13), in process over a fresh
    /// SQLite file: alert storm, create with 100 rules vs none, training and suggestions.
    Events {
        /// Alerts in the storm's one Alertmanager call.
        #[arg(long, default_value_t = 1_000)]
        alerts: usize,
        /// Tickets registered with and without rules.
        #[arg(long, default_value_t = 2_000)]
        creates: usize,
        /// Closed tickets the classifier trains on.
        #[arg(long, default_value_t = 100_000)]
        train: usize,
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
    },
    /// Auto-assignment (issue 17), in process over a fresh database: registration
    /// throughput into a group of 8 agents with routing off, round-robin and least-loaded.
    Routing {
        /// Tickets per run.
        #[arg(long, default_value_t = 2_000)]
        creates: usize,
        /// Runs per mode (alternating); the median is reported.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// sqlite or postgres.
        #[arg(long, default_value = "sqlite")]
        database: String,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        postgres_url: String,
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
    },
    /// Outbound mail: mails per second from the outbox to an SMTP sink on loopback
    /// (python3-aiosmtpd), on a fresh database seeded with the demo desk.
    MailOut {
        /// Mails to send.
        #[arg(long, default_value_t = 5_000)]
        mails: u64,
        /// sqlite or postgres.
        #[arg(long, default_value = "sqlite")]
        database: String,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        postgres_url: String,
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
    },
}

#[derive(Args)]
struct DrillCli {
    /// The fault to inject.
    #[arg(value_enum)]
    fault: drill::Fault,
    #[arg(long, default_value_t = 20)]
    runs: u32,
    /// Concurrent clients creating tickets.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds of load before the fault (kill: a random moment between half and one and a
    /// half times this).
    #[arg(long, default_value_t = 2.0)]
    seconds: f64,
    /// Run on a fresh database of this PostgreSQL server instead of SQLite.
    #[arg(long)]
    postgres: Option<String>,
    #[arg(long, default_value = "target/bench/drill")]
    out: PathBuf,
    /// The ventanilla binary (default: the one beside bench).
    #[arg(long)]
    ventanilla: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    data: DataArgs,
    /// sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    database: String,
    /// The PostgreSQL server to create the run's database on (dropped afterwards).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Seconds per scenario and concurrency.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Operations per scenario and concurrency, at most.
    #[arg(long, default_value_t = 200_000)]
    max_requests: u64,
    /// Client counts to run every scenario at.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    concurrency: Vec<usize>,
    /// Scenarios to run (default: all).
    #[arg(long, value_delimiter = ',')]
    scenarios: Vec<String>,
    /// The ventanilla binary (default: the one beside bench).
    #[arg(long)]
    ventanilla: Option<PathBuf>,
    /// Measure a server already running at this 127.0.0.1 URL instead of starting one.
    #[arg(long, requires = "agent_token")]
    target: Option<String>,
    /// With --target: an agent's API token (used for every agent scenario).
    #[arg(long)]
    agent_token: Option<String>,
    /// With --target: a requester's API token (default: the agent's).
    #[arg(long)]
    requester_token: Option<String>,
    /// With --target: the group id of the agent queue.
    #[arg(long, default_value_t = 1)]
    group_id: u64,
}

fn main() -> std::process::ExitCode {
    match real_main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn real_main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Cmd::Generate { data } => {
            let started = Instant::now();
            let meta = generate::generate(&data.data_dir(), data.tickets(), data.seed)?;
            eprintln!(
                "generated {} tickets, {} timeline entries, {} users in {:.1} s into {}",
                meta.tickets,
                meta.events,
                meta.users,
                started.elapsed().as_secs_f64(),
                data.data_dir().display()
            );
            Ok(())
        }
        Cmd::Run(args) => run(*args),
        Cmd::Drill(d) => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let args = drill::DrillArgs {
                fault: d.fault,
                runs: d.runs,
                clients: d.clients,
                seconds: d.seconds,
                postgres: d.postgres,
                out: d.out,
                bin: server::ventanilla_binary(d.ventanilla)?,
            };
            drill::run(&args, &rt)
        }
        Cmd::Mail {
            pipe_messages,
            smtp_messages,
            senders,
            ventanilla,
            out,
        } => mail::run(ventanilla, pipe_messages, smtp_messages, senders, &out).map(|_| ()),
        Cmd::Events {
            alerts,
            creates,
            train,
            out,
        } => {
            std::fs::create_dir_all(&out)?;
            let path = out.join("events.db");
            for ext in ["", "-wal", "-shm", ".migrate-lock"] {
                let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
            }
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let table = rt.block_on(events::report(
                &format!("sqlite://{}", path.display()),
                alerts,
                creates,
                train,
            ))?;
            let file = out.join("report-events-sqlite.md");
            std::fs::write(&file, &table)?;
            println!("{table}");
            say(format!("wrote {}", file.display()));
            Ok(())
        }
        Cmd::Routing {
            creates,
            rounds,
            database,
            postgres_url,
            out,
        } => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(routing_bench(
                creates,
                rounds,
                &database,
                &postgres_url,
                &out,
            ))
        }
        Cmd::MailOut {
            mails,
            database,
            postgres_url,
            out,
        } => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(mail_out_bench(mails, &database, &postgres_url, &out))
        }
        Cmd::Sla {
            tickets,
            full,
            computations,
            database,
            postgres_url,
            out,
        } => {
            let n = if full { 1_000_000 } else { tickets };
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(sla_bench(n, computations, &database, &postgres_url, &out))
        }
    }
}

/// Waits for the work a server does once at start to end before anything is measured: the
/// classifier's first training (about 20 s of one core at 1 M tickets) ran beside the first
/// scenarios and inflated their tails. Done when a `classifier.train` job created since
/// `started` has finished (done or dead); at most five minutes.
async fn start_up_jobs_done(url: &str, started: jiff::Timestamp) -> anyhow::Result<()> {
    use sqlx::Connection as _;
    let since = started.as_microsecond();
    let sql = "SELECT count(*) FROM jobs WHERE kind = 'classifier.train' \
               AND status IN ('done', 'dead') AND created_at >= $1";
    let deadline = Instant::now() + Duration::from_secs(300);
    let waited = Instant::now();
    loop {
        let n: i64 = if url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(url).await?;
            sqlx::query_scalar(sql)
                .bind(since)
                .fetch_one(&mut c)
                .await?
        } else {
            let mut c = sqlx::PgConnection::connect(url).await?;
            sqlx::query_scalar(sql)
                .bind(since)
                .fetch_one(&mut c)
                .await?
        };
        if n > 0 {
            say(format!(
                "start-up jobs done after {:.1} s (the classifier's first training)",
                waited.elapsed().as_secs_f64()
            ));
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the server's start-up jobs did not finish within five minutes");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn mail_out_bench(
    mails: u64,
    database: &str,
    postgres_url: &str,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    use sqlx::Connection as _;
    std::fs::create_dir_all(out)?;
    let result = if database == "postgres" {
        let name = format!("ventanilla_mail_bench_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(postgres_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        let base = postgres_url
            .rsplit_once('/')
            .map_or(postgres_url, |(b, _)| b);
        let r = mail_out::run(mails, &format!("{base}/{name}"), out).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await?;
        r?
    } else {
        let path = out.join("mail-out.db");
        for ext in ["", "-wal", "-shm", ".migrate-lock"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        mail_out::run(mails, &format!("sqlite://{}", path.display()), out).await?
    };
    println!("| scenario | database | mails | seconds | mails/s |");
    println!("|---|---|---:|---:|---:|");
    println!(
        "| mail-out (outbox → SMTP sink) | {database} | {} | {:.2} | {:.0} |",
        result.mails, result.seconds, result.per_second
    );
    Ok(())
}

async fn sla_bench(
    n: u64,
    computations: u64,
    database: &str,
    postgres_url: &str,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    use sqlx::Connection as _;
    std::fs::create_dir_all(out)?;
    let table = if database == "postgres" {
        let name = format!("ventanilla_sla_bench_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(postgres_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        let base = postgres_url
            .rsplit_once('/')
            .map_or(postgres_url, |(b, _)| b);
        let result = sla::report(&format!("{base}/{name}"), "postgres", n, computations).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await?;
        result?
    } else {
        let path = out.join(format!("sla-{n}.db"));
        for ext in ["", "-wal", "-shm", ".migrate-lock"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        sla::report(
            &format!("sqlite://{}", path.display()),
            "sqlite",
            n,
            computations,
        )
        .await?
    };
    let file = out.join(format!("report-sla-{database}-{n}.md"));
    std::fs::write(&file, &table)?;
    println!("{table}");
    say(format!("wrote {}", file.display()));
    Ok(())
}

async fn routing_bench(
    n: usize,
    rounds: usize,
    database: &str,
    postgres_url: &str,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    use sqlx::Connection as _;
    std::fs::create_dir_all(out)?;
    let table = if database == "postgres" {
        let name = format!("ventanilla_routing_bench_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(postgres_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        let base = postgres_url
            .rsplit_once('/')
            .map_or(postgres_url, |(b, _)| b);
        let result = routing::report(&format!("{base}/{name}"), "postgres", n, rounds).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await?;
        result?
    } else {
        let path = out.join("routing.db");
        for ext in ["", "-wal", "-shm", ".migrate-lock"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        routing::report(&format!("sqlite://{}", path.display()), "sqlite", n, rounds).await?
    };
    let file = out.join(format!("report-routing-{database}.md"));
    std::fs::write(&file, &table)?;
    println!("{table}");
    say(format!("wrote {}", file.display()));
    Ok(())
}

fn say(msg: impl AsRef<str>) {
    eprintln!(
        "[bench {}] {}",
        ventanilla_domain::SystemClock.now().strftime("%H:%M:%S"),
        msg.as_ref()
    );
}

/// Reuses a generated data set when its meta says it is the same size and seed.
fn data_set(data: &DataArgs) -> anyhow::Result<generate::Meta> {
    let dir = data.data_dir();
    if let Ok(raw) = std::fs::read(dir.join("meta.json"))
        && let Ok(meta) = serde_json::from_slice::<generate::Meta>(&raw)
        && meta.tickets == data.tickets()
        && meta.seed == data.seed
        && dir.join("data.jsonl").exists()
    {
        say(format!("reusing the data set in {}", dir.display()));
        return Ok(meta);
    }
    let started = Instant::now();
    say(format!(
        "generating {} tickets into {}",
        data.tickets(),
        dir.display()
    ));
    let meta = generate::generate(&dir, data.tickets(), data.seed)?;
    say(format!(
        "generated {} timeline entries and {} users in {:.1} s",
        meta.events,
        meta.users,
        started.elapsed().as_secs_f64()
    ));
    Ok(meta)
}

/// Loads the 10,000 articles, times a full `ventanilla reindex` of tickets and articles on
/// the running desk (it rebuilds in short batches, without downtime) and measures the
/// index; returns the notes for the report.
fn knowledge_base(
    rt: &tokio::runtime::Runtime,
    bin: &std::path::Path,
    db: &Database,
    base: &str,
    admin_token: &str,
    data_dir: &std::path::Path,
) -> anyhow::Result<Vec<String>> {
    say("loading the knowledge base (10,000 articles through the API)");
    let (articles, seconds) = kb::load_articles(base, admin_token, data_dir, 4)?;
    let mut notes = vec![format!(
        "Search: {articles} published articles were written through `POST /api/v1/articles` by 4 clients in {seconds:.1} s ({:.0}/s), each indexed in its own transaction.",
        articles as f64 / seconds
    )];
    say("timing ventanilla reindex");
    let started = Instant::now();
    server::cli(bin, &["reindex", "--database-url", &db.url()], None)?;
    notes.push(format!(
        "Search index: a full `ventanilla reindex` (every ticket, then every article, then a compaction) took {:.1} s on the running desk.",
        started.elapsed().as_secs_f64()
    ));
    match db.search_index_bytes(rt) {
        Ok(bytes) => notes.push(format!(
            "Search index size: {:.1} MB ({}).",
            bytes as f64 / 1e6,
            db.search_index_tables()
        )),
        Err(e) => notes.push(format!("Search index size not measured: {e:#}")),
    }
    Ok(notes)
}

fn scenarios(names: &[String]) -> anyhow::Result<Vec<Scenario>> {
    if names.is_empty() {
        return Ok(Scenario::ALL.to_vec());
    }
    names
        .iter()
        .map(|n| Scenario::parse(n).with_context(|| format!("unknown scenario {n:?}")))
        .collect()
}

/// Creates an administrator and a supervisor (`ventanilla user add`), their API tokens and
/// the supervisor's console session (through the login form).
fn overseers(
    bin: &std::path::Path,
    url: &str,
    base: &str,
    meta: &generate::Meta,
) -> anyhow::Result<load::Overseers> {
    const PASSWORD: &str = "bench-password-0123456789";
    let mut tokens = Vec::new();
    for (role, email) in [
        ("admin", "bench.admin@bench.invalid"),
        ("supervisor", "bench.supervisor@bench.invalid"),
    ] {
        server::cli(
            bin,
            &[
                "user",
                "add",
                "--database-url",
                url,
                "--email",
                email,
                "--name",
                &format!("Bench {role}"),
                "--role",
                role,
                "--password-stdin",
            ],
            Some(&format!("{PASSWORD}\n")),
        )?;
        tokens.push(server::token(bin, url, email)?);
    }
    let session_cookie = load::sign_in(base, "bench.supervisor@bench.invalid", PASSWORD)?;
    let mut console_tickets: Vec<u64> = meta.long_timeline.iter().map(|(id, _)| *id).collect();
    console_tickets.truncate(1000);
    if console_tickets.is_empty() {
        console_tickets = (1..=meta.tickets.min(1000)).collect();
    }
    Ok(load::Overseers {
        admin_token: tokens[0].clone(),
        supervisor_token: tokens[1].clone(),
        session_cookie,
        organisations: vocab::COMPANIES.len() as u64,
        console_tickets,
    })
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let wanted = scenarios(&args.scenarios)?;
    let bounds = Bounds {
        duration: Duration::from_secs_f64(args.duration),
        max_requests: args.max_requests,
    };
    std::fs::create_dir_all(&args.data.out)?;
    let mut notes = Vec::new();
    let mut report = Report {
        date: ventanilla_domain::SystemClock
            .now()
            .strftime("%Y-%m-%d %H:%M UTC")
            .to_string(),
        backend: args.database.clone(),
        machine: Machine::detect(),
        tickets_loaded: 0,
        import: None,
        results: Vec::new(),
        server_rss_bytes: None,
        database_bytes: None,
        notes: Vec::new(),
        targets: Vec::new(),
    };

    // The system under test: started here, or given.
    let mut managed: Option<(Server, Database)> = None;
    let ctx = match &args.target {
        Some(url) => {
            if !(url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost")) {
                bail!("--target must be a server on 127.0.0.1");
            }
            let agent_token = args.agent_token.clone().context("--agent-token")?;
            let workable = load::workable(url, &agent_token, 200)?;
            report.backend = format!("{} (target {url})", args.database);
            notes.push("Target mode: one agent and one requester token; get_ticket reads the agent's own tickets, whatever their timeline length.".to_owned());
            Ctx {
                base: url.clone(),
                agents: vec![AgentCtx {
                    token: agent_token.clone(),
                    group_id: args.group_id,
                    long_tickets: workable.clone(),
                    workable,
                }],
                requesters: vec![args.requester_token.clone().unwrap_or(agent_token)],
                overseers: None,
                sla_sort: false,
                in_solution: Default::default(),
            }
        }
        None => {
            let meta = data_set(&args.data)?;
            let bin = server::ventanilla_binary(args.ventanilla.clone())?;
            let db = match args.database.as_str() {
                "sqlite" => Database::sqlite(&args.data.out)?,
                "postgres" => Database::postgres(&rt, &args.postgres_url)?,
                other => bail!("--database must be sqlite or postgres, not {other:?}"),
            };
            let url = db.url();
            say(format!("importing into {}", db.backend()));
            server::cli(&bin, &["migrate", "--database-url", &url], None)?;
            let file = args.data.data_dir().join("data.jsonl");
            let started = Instant::now();
            let out = server::cli(
                &bin,
                &["import", "--database-url", &url, &file.to_string_lossy()],
                None,
            )?;
            let seconds = started.elapsed().as_secs_f64();
            say(out.lines().next().unwrap_or(""));
            let rows = meta.tickets + meta.events + meta.users;
            report.import = Some(Import {
                tickets: meta.tickets,
                events: meta.events,
                users: meta.users,
                seconds,
                tickets_per_second: meta.tickets as f64 / seconds,
                rows_per_second: rows as f64 / seconds,
            });
            report.tickets_loaded = meta.tickets;
            notes.push(format!("Import time is the whole `ventanilla import` process, file read to commit ({} MB of JSON Lines).", std::fs::metadata(&file).map_or(0, |m| m.len()) / 1_000_000));

            // Tokens for 16 agents (with their tickets) and 16 requesters, made in parallel.
            let agents: Vec<usize> = (0..meta.agents.len().min(16)).collect();
            let requesters: Vec<String> = meta.requesters.iter().take(16).cloned().collect();
            let emails: Vec<String> = agents
                .iter()
                .map(|&a| meta.agents[a].clone())
                .chain(requesters.iter().cloned())
                .collect();
            let tokens: Vec<anyhow::Result<String>> = std::thread::scope(|s| {
                let hs: Vec<_> = emails
                    .iter()
                    .map(|e| s.spawn(|| server::token(&bin, &url, e)))
                    .collect();
                hs.into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(anyhow::anyhow!("token thread")))
                    })
                    .collect()
            });
            let tokens = tokens.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
            let log = args.data.out.join(format!("server-{}.log", db.backend()));
            say("starting ventanilla serve");
            let started = ventanilla_domain::SystemClock.now();
            let srv = Server::start(&bin, &url, &log)?;
            rt.block_on(start_up_jobs_done(&url, started))?;
            let mut agent_ctx = Vec::new();
            for (i, &a) in agents.iter().enumerate() {
                let token = tokens[i].clone();
                let workable = load::workable(&srv.base, &token, 200)?;
                let mut long_tickets: Vec<u64> = meta
                    .long_timeline
                    .iter()
                    .filter(|(_, who)| *who == a)
                    .map(|(id, _)| *id)
                    .collect();
                if workable.is_empty() {
                    continue;
                }
                if long_tickets.is_empty() {
                    // Small data sets: not every agent has a 20-entry ticket.
                    long_tickets = workable.clone();
                }
                agent_ctx.push(AgentCtx {
                    token,
                    group_id: (a % vocab::GROUPS.len()) as u64 + 1,
                    long_tickets,
                    workable,
                });
            }
            if agent_ctx.is_empty() {
                bail!("no agent has tickets in analysis: generate more tickets");
            }
            let overseers = overseers(&bin, &url, &srv.base, &meta)?;
            if wanted.iter().any(|s| s.searches()) {
                notes.extend(knowledge_base(
                    &rt,
                    &bin,
                    &db,
                    &srv.base,
                    &overseers.admin_token,
                    &args.data.data_dir(),
                )?);
            }
            let ctx = Ctx {
                base: srv.base.clone(),
                agents: agent_ctx,
                requesters: tokens[agents.len()..].to_vec(),
                overseers: Some(overseers),
                sla_sort: false,
                in_solution: Default::default(),
            };
            managed = Some((srv, db));
            ctx
        }
    };
    let mut ctx = ctx;
    ctx.sla_sort = load::supports_sla_sort(&ctx.base, &ctx.agents[0].token);
    if !ctx.sla_sort {
        notes.push("agent_queue_sla skipped: this server does not sort tickets by SLA due date (sort=due refused).".to_owned());
    } else if args.target.is_none() {
        notes.push("agent_queue_sla: the generated desk has no SLA policies and imported tickets carry no SLA clock, so the due-date queue holds only tickets that get one during the run; it measures the query and its index, not a full queue.".to_owned());
    }
    let ctx = Arc::new(ctx);

    if ctx.overseers.is_none() {
        notes.push("Target mode: the administrator, supervisor and console scenarios are skipped (they need users the run creates).".to_owned());
    } else {
        notes.push("supervisor_breached: imported tickets carry no SLA clock, so the breached list holds only tickets that breach during the run; it measures the query and its index on a near-empty list. The console scenarios load the HTML document a browser asks for (static assets are cached by the browser after the first page).".to_owned());
    }
    for &s in &wanted {
        if s == Scenario::AgentQueueSla && !ctx.sla_sort {
            continue;
        }
        if ctx.overseers.is_none() && s.needs_overseers() {
            continue;
        }
        for &c in &args.concurrency {
            let o = load::run(&ctx, s, c, bounds, args.data.seed);
            say(format!(
                "{:<16} {:>3} clients: {:>8.0} ops/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.1} ms  errors {}",
                o.scenario, c, o.throughput, o.p50_ms, o.p99_ms, o.max_ms, o.errors
            ));
            report.results.push(o);
        }
    }

    if let Some((srv, db)) = &managed {
        report.server_rss_bytes = server::rss(srv.pid());
        report.database_bytes = db.size(&rt).ok();
    }
    report.notes = notes;
    report.check_targets();
    let md = report.markdown();
    let stem = format!(
        "report-{}-{}",
        report.backend.split(' ').next().unwrap_or("x"),
        report.tickets_loaded
    );
    std::fs::write(args.data.out.join(format!("{stem}.md")), &md)?;
    std::fs::write(
        args.data.out.join(format!("{stem}.json")),
        serde_json::to_vec_pretty(&report)?,
    )?;
    println!("{md}");
    say(format!(
        "report written to {}",
        args.data.out.join(format!("{stem}.md")).display()
    ));
    if let Some((srv, db)) = managed {
        drop(srv);
        db.drop_database(&rt)?;
    }
    Ok(())
}
