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
}

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
            std::process::ExitCode::FAILURE
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
    Ok(Arc::new(App::new(
        store,
        Arc::new(SystemClock),
        config.clone(),
    )))
}

/// Imports a JSON Lines file and prints what it wrote and how fast (the last line is JSON).
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
        println!("  {:<10} {:<30} {}", l.role, l.email, l.name);
    }
    if config.mail.transport == ventanilla_app::mail::Transport::File
        && let Some(out) = &config.mail.file_dir
    {
        println!(
            "Mail the desk sends is written as .eml files to {}",
            out.display()
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
