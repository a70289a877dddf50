//! The `ventanilla` command: parses the command line and dispatches to the application.

use std::io::Read as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;
use ventanilla_app::config::{Config, LogFormat};
use ventanilla_app::{App, AppState};

use ventanilla_domain::{Email, SystemClock};
use ventanilla_store::Store;
use ventanilla_store::audit::NewAudit;

/// mimalloc instead of the system allocator: a server profile under 16 clients spent a
/// fifth of its time in glibc malloc's arena locks and consolidation, and the process kept
/// fragments of freed memory per thread arena.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "ventanilla",
    version,
    about = "Ventanilla: ITIL service desk in one binary"
)]
struct Cli {
    /// Configuration file (default: ./ventanilla.toml if present).
    #[arg(long, global = true, env = "VENTANILLA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone, Default)]
struct DbArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (overrides the config).
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: web, API and background work.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the config).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Run only the background job runner (SLA checks, timeouts, housekeeping): for
    /// deployments with web-only nodes (`jobs.enabled = false`) on PostgreSQL.
    Worker {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Start a server with demo data in a fresh data directory.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Keep the demo database in this folder instead of a temporary one.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Write an online, consistent copy of a SQLite database to a new file (safe while
    /// servers run). PostgreSQL: use pg_dump (docs/OPERATIONS.md).
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to create (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace a SQLite database by a backup, after checking the backup. Stop every server
    /// using the database first.
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file made by `ventanilla backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Import organisations, users, groups and tickets from a JSON Lines file (docs/IMPORT.md).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The file to read, or `-` for standard input.
        file: PathBuf,
    },
    /// Rebuild the search index of every ticket and article, in short batches while
    /// servers keep running (searches and writes go on; each row is replaced in place).
    Reindex {
        #[command(flatten)]
        db: DbArgs,
        /// Tickets per transaction.
        #[arg(long, default_value_t = 500)]
        batch: i64,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// The LDAP / Active Directory directory (`[identity.ldap]`).
    Directory {
        #[command(subcommand)]
        command: DirectoryCommand,
    },
    /// Inbound mail.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Take one RFC 5322 message on standard input, for an MTA pipe (e.g. Postfix
    /// `mailbox_command` or an alias `|ventanilla mail deliver`). Exit 0 stored (a new
    /// ticket, a reply, or a recognised duplicate or auto-reply), 75 try again later (the
    /// database is unavailable: the MTA keeps the mail queued), 65 unusable input.
    Deliver {
        #[command(flatten)]
        db: DbArgs,
        /// The configured mailbox it arrived in (default: by its recipients).
        #[arg(long)]
        mailbox: Option<String>,
    },
}

/// sysexits.h: the MTA keeps the message and retries.
const EX_TEMPFAIL: u8 = 75;
/// sysexits.h: the input is not a usable message.
const EX_DATAERR: u8 = 65;

/// A command that ends with a specific exit status (the MTA pipe contract).
#[derive(Debug)]
struct ExitWith(u8, String);

impl std::fmt::Display for ExitWith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl std::error::Error for ExitWith {}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// requester, agent, supervisor, admin or a custom role.
        #[arg(long, default_value = "requester")]
        role: String,
        #[arg(long, default_value = "es")]
        language: String,
        /// IANA time zone; default the configured `defaults.time_zone`.
        #[arg(long)]
        time_zone: Option<String>,
        /// Read the password from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum DirectoryCommand {
    /// Sync users, departments and group memberships from the directory now, as the
    /// scheduled job does: creates and updates the users found, deactivates (and signs out)
    /// linked users no longer found. Prints the report as JSON; the last line of standard
    /// error sums it up.
    Sync {
        #[command(flatten)]
        db: DbArgs,
        /// Only report what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print it (the last line is the token).
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented configuration file with every default.
    Example,
    /// Load the configuration and report the first problem, if any.
    Check,
}

fn main() -> std::process::ExitCode {
    match real_main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the cause chain on one line, without a backtrace dump.
            eprintln!("error: {e:#}");
            match e.downcast_ref::<ExitWith>() {
                Some(ExitWith(code, _)) => std::process::ExitCode::from(*code),
                None => std::process::ExitCode::FAILURE,
            }
        }
    }
}

fn real_main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Config {
        command: ConfigCommand::Example,
    } = &cli.command
    {
        print!("{}", ventanilla_app::config::EXAMPLE);
        return Ok(());
    }
    let mut config = Config::load(cli.config.as_deref())?;
    init_tracing(&config);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(run(cli.command, &mut config))
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log.filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn run(command: Command, config: &mut Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { db, listen } => {
            if let Some(l) = listen {
                config.server.listen = l;
            }
            let app = open(config, &db).await?;
            let listener = TcpListener::bind(config.server.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.server.listen))?;
            ventanilla_app::server::serve(app, listener).await
        }
        Command::Worker { db } => {
            let app = open(config, &db).await?;
            tokio::select! {
                () = ventanilla_app::jobs::run(app.clone()) => {}
                () = ventanilla_app::mail::run(app.clone()) => {}
                () = ventanilla_app::server::shutdown_signal() => {}
            }
            app.store.close().await;
            Ok(())
        }
        Command::Migrate { db } => {
            open(config, &db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Demo { listen, data_dir } => demo(config, listen, data_dir).await,
        Command::Import { db, file } => import(config, &db, &file).await,
        Command::Reindex { db, batch } => reindex(config, &db, batch).await,
        Command::Backup { db, to } => {
            let app = open(config, &db).await?;
            let started = std::time::Instant::now();
            app.store
                .backup_to(&to)
                .await
                .with_context(|| format!("cannot back up to {}", to.display()))?;
            app.store.close().await;
            let bytes = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
            println!(
                "backup written to {} ({bytes} bytes in {} ms)",
                to.display(),
                started.elapsed().as_millis()
            );
            Ok(())
        }
        Command::Restore { db, from } => {
            if let Some(url) = &db.database_url {
                config.database.url = url.clone();
            }
            let target = ventanilla_store::backup::restore_from(&from, &config.database.url)
                .await
                .with_context(|| format!("cannot restore {}", from.display()))?;
            // Opening migrates a backup taken by an older version up to this one.
            open(config, &db).await?.store.close().await;
            println!("restored {} into {}", from.display(), target.display());
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    email,
                    name,
                    role,
                    language,
                    time_zone,
                    password_stdin,
                },
        } => {
            let app = open(config, &db).await?;
            let password = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let user = add_user(
                &app,
                &email,
                &name,
                &role,
                &language,
                time_zone.as_deref(),
                password,
            )
            .await?;
            println!(
                "created user {} <{}> with role {}",
                user.id, user.email, user.role
            );
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { db, email, name },
        } => {
            let app = open(config, &db).await?;
            let user = app
                .store
                .users()
                .by_email(&Email::parse(&email)?)
                .await
                .context("no user with that email")?;
            let state = AppState(app.clone());
            let created =
                ventanilla_app::desk::directory::tokens::issue_token(&state, user.id, &name, None)
                    .await?;
            let entry = NewAudit::new(app.now(), None, "token.create", Some("cli".into()))
                .target("token", Some(created.info.id.get()))
                .detail(serde_json::json!({ "name": created.info.name, "user_id": user.id }));
            app.store.audit().record(&entry).await?;
            println!(
                "token {} created for {}; it is shown only once:",
                created.info.id, user.email
            );
            println!("{}", created.token);
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            println!(
                "configuration is valid (database: {})",
                redact(&config.database.url)
            );
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Example,
        } => Ok(()),
        Command::Mail {
            command: MailCommand::Deliver { db, mailbox },
        } => deliver(config, &db, mailbox.as_deref()).await,
        Command::Directory {
            command: DirectoryCommand::Sync { db, dry_run },
        } => directory_sync(config, &db, dry_run).await,
    }
}

/// `directory sync`: one sync (or dry run) now; the report as JSON on standard output.
async fn directory_sync(config: &mut Config, db: &DbArgs, dry_run: bool) -> anyhow::Result<()> {
    if config.identity.ldap.is_none() {
        bail!(
            "no directory is configured: add an [identity.ldap] section (docs/SECURITY.md, Identity)"
        );
    }
    let app = open(config, db).await?;
    let result = ventanilla_app::identity::ldap::sync(&app, dry_run).await;
    app.store.close().await;
    let report = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!(
        "{}{} created, {} updated, {} deactivated, {} unchanged, {} departments created, {} skipped",
        if dry_run { "dry run: " } else { "" },
        report.created.len(),
        report.updated.len(),
        report.deactivated.len(),
        report.unchanged,
        report.departments_created.len(),
        report.skipped.len(),
    );
    Ok(())
}

/// `mail deliver`: reads standard input (up to the configured limit), opens the database
/// and ingests the message. Any failure to reach the database is "try later".
async fn deliver(config: &mut Config, db: &DbArgs, mailbox: Option<&str>) -> anyhow::Result<()> {
    use ventanilla_app::mail::intake::{Delivered, IngestError, Source, ingest};
    let max = config.mail.intake.max_message_bytes;
    let mut raw = Vec::new();
    std::io::stdin()
        .lock()
        .take(max as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(|e| ExitWith(EX_TEMPFAIL, format!("cannot read standard input: {e}")))?;
    if raw.len() > max {
        return Err(ExitWith(EX_DATAERR, format!("message larger than {max} bytes")).into());
    }
    let app = open(config, db)
        .await
        .map_err(|e| ExitWith(EX_TEMPFAIL, format!("{e:#}")))?;
    let result = ingest(&app, &raw, Source::Pipe, mailbox, &[]).await;
    app.store.close().await;
    match result {
        Ok(Delivered::Stored { id, state }) => {
            println!("stored {id} ({})", state.as_str());
            Ok(())
        }
        Ok(Delivered::Duplicate { id }) => {
            println!("duplicate of {id}");
            Ok(())
        }
        Err(IngestError::TryLater(e)) => {
            Err(ExitWith(EX_TEMPFAIL, format!("try again later: {e:#}")).into())
        }
        Err(IngestError::Unusable(u)) => {
            Err(ExitWith(EX_DATAERR, format!("unusable message: {}", u.code())).into())
        }
    }
}

/// Opens the store from the config (and the flag), migrating it.
async fn open(config: &mut Config, db: &DbArgs) -> anyhow::Result<Arc<App>> {
    if let Some(url) = &db.database_url {
        config.database.url = url.clone();
    }
    let store = Store::connect(&config.database.url, &config.store_options())
        .await
        .with_context(|| format!("cannot open the database {}", redact(&config.database.url)))?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    ventanilla_app::identity::sealing::ensure_key(config)?;
    let app = Arc::new(App::new(store, Arc::new(SystemClock), config.clone()));
    // Secrets stored in clear (by an older version, or before a key was given) are sealed now.
    let sealed = ventanilla_app::identity::sealing::seal_stored(&app)
        .await
        .map_err(|e| anyhow::anyhow!("cannot seal the stored two-factor secrets: {e}"))?;
    if sealed > 0 {
        tracing::info!(sealed, "sealed secrets stored in clear");
    }
    Ok(app)
}

/// Imports a JSON Lines file and prints what it wrote and how fast (the last line is JSON).
/// `ventanilla reindex`: every ticket, then every article, then a compaction.
async fn reindex(config: &mut Config, db: &DbArgs, batch: i64) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=10_000).contains(&batch),
        "--batch must be between 1 and 10000"
    );
    let app = open(config, db).await?;
    let started = std::time::Instant::now();
    let search = app.store.search();
    let (mut after, mut tickets) = (0, 0_u64);
    while let Some(last) = search.reindex_tickets_after(after, batch).await? {
        tickets += 1;
        after = last;
    }
    let (mut after, mut articles) = (0, 0_u64);
    while let Some(last) = search.reindex_articles_after(after, batch).await? {
        articles += 1;
        after = last;
    }
    search.optimize().await?;
    println!(
        "search index rebuilt: {tickets} ticket batches, {articles} article batches in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn import(config: &mut Config, db: &DbArgs, file: &std::path::Path) -> anyhow::Result<()> {
    let app = open(config, db).await?;
    let input: Box<dyn std::io::BufRead + Send> = if file.as_os_str() == "-" {
        Box::new(std::io::BufReader::with_capacity(1 << 20, std::io::stdin()))
    } else {
        let f =
            std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        Box::new(std::io::BufReader::with_capacity(1 << 20, f))
    };
    let started = std::time::Instant::now();
    let options = ventanilla_store::import::ImportOptions {
        time_zone: app.config.defaults.time_zone()?,
        now: app.now(),
    };
    let report = app.store.import(input, &options).await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "imported {} organisations, {} departments, {} users, {} groups, {} tickets, {} timeline entries in {secs:.1} s ({:.0} tickets/s)",
        report.organisations,
        report.departments,
        report.users,
        report.groups,
        report.tickets,
        report.events,
        report.tickets as f64 / secs.max(1e-9)
    );
    println!(
        "{}",
        serde_json::json!({ "report": report, "seconds": secs })
    );
    app.store.close().await;
    Ok(())
}

/// Hides a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("cannot read the password from stdin")?;
    // A password piped from a file an editor saved: byte-order mark and CRLF are not part of it.
    let line = ventanilla_domain::textfile::lines(&input)
        .next()
        .map_or("", |(_, l)| l)
        .to_owned();
    if line.is_empty() {
        bail!("no password on standard input");
    }
    Ok(line)
}

async fn add_user(
    app: &App,
    email: &str,
    name: &str,
    role: &str,
    language: &str,
    time_zone: Option<&str>,
    password: Option<String>,
) -> anyhow::Result<ventanilla_domain::directory::User> {
    // The same use case as the API's and the administration's user form, as the operator.
    let req = ventanilla_app::desk::directory::users::CreateUser {
        email: email.to_owned(),
        name: name.to_owned(),
        phone: None,
        organisation_id: None,
        department_id: None,
        language: Some(language.to_owned()),
        time_zone: time_zone.map(str::to_owned),
        role: Some(role.to_owned()),
        organisation_manager: false,
        password,
    };
    ventanilla_app::desk::directory::users::create_user_by_operator(app, req)
        .await
        .map_err(|e| match e.field() {
            Some(field) => anyhow::anyhow!("{field}: {e}"),
            None => anyhow::anyhow!("{e}"),
        })
}

/// The demo desk's mailbox: mail to it opens tickets.
const DEMO_MAILBOX: &str = "soporte@ventanilla.test";

async fn demo(
    config: &mut Config,
    listen: std::net::SocketAddr,
    data_dir: Option<PathBuf>,
) -> anyhow::Result<()> {
    // A temporary folder unless one was named; it is removed when the demo stops.
    let temp;
    let dir = match data_dir {
        Some(d) => d,
        None => {
            temp = tempfile::Builder::new()
                .prefix("ventanilla-demo-")
                .tempdir()?;
            temp.path().to_owned()
        }
    };
    let db_path = dir.join("ventanilla.db");
    if db_path.exists() {
        bail!(
            "{} already exists: the demo needs a fresh data directory",
            db_path.display()
        );
    }
    config.database.url = format!("sqlite://{}", db_path.display());
    config.server.listen = listen;
    config.server.public_url = format!("http://{listen}");
    // Mail the desk sends lands as .eml files in the data folder, to be opened and read.
    let mail_dir = dir.join("mail-out");
    if config.mail.transport == ventanilla_app::mail::Transport::Off {
        config.mail.transport = ventanilla_app::mail::Transport::File;
        config.mail.file_dir = Some(mail_dir.clone());
    }
    // Mail reaches the desk through the SMTP listener on loopback, when its port is free.
    let smtp = &mut config.mail.intake.smtp;
    if !smtp.enabled && std::net::TcpListener::bind(smtp.listen).is_ok() {
        smtp.enabled = true;
    }
    if config.mail.intake.mailboxes.is_empty() {
        config
            .mail
            .intake
            .mailboxes
            .push(ventanilla_app::config::MailboxConfig {
                name: "soporte".into(),
                address: DEMO_MAILBOX.into(),
                ..Default::default()
            });
    }
    let app = open(config, &DbArgs::default()).await?;
    let logins = ventanilla_app::demo::seed(&app).await?;
    let tickets = ventanilla_app::demo::seed_tickets(&app).await?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    println!(
        "Ventanilla demo at http://{listen}/  (data in {})",
        dir.display()
    );
    println!(
        "{tickets} demo tickets; every demo account's password: {}",
        ventanilla_app::demo::DEMO_PASSWORD
    );
    for l in &logins {
        println!("  {:<10} {:<30} {:<22} {}", l.role, l.email, l.name, l.desk);
    }
    if config.mail.transport == ventanilla_app::mail::Transport::File
        && let Some(out) = &config.mail.file_dir
    {
        println!(
            "Mail the desk sends is written as .eml files to {}",
            out.display()
        );
    }
    if config.mail.intake.smtp.enabled {
        let at = config.mail.intake.smtp.listen;
        println!(
            "Mail to {DEMO_MAILBOX} opens tickets: send it to the SMTP listener on {at}, e.g."
        );
        println!(
            "  swaks --server {at} --from usuario@ventanilla.test --to {DEMO_MAILBOX} --header 'Subject: No puedo imprimir'"
        );
    }
    println!("Open http://{listen}/ in a browser and sign in with one of these, or use the API:");
    println!("  curl -i -H 'Content-Type: application/json' \\");
    println!(
        "  -d '{{\"email\":\"admin@ventanilla.test\",\"password\":\"{}\"}}' http://{listen}/api/v1/auth/login",
        ventanilla_app::demo::DEMO_PASSWORD
    );
    ventanilla_app::server::serve(app, listener).await
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/v.db"), "sqlite://data/v.db");
    }
}
