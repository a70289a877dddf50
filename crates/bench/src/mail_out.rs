//! `bench mail-out` (issue #11): outbound mails per second from the outbox to a real SMTP
//! server on loopback (Debian's python3-aiosmtpd, the tests' sink), on a fresh SQLite (or
//! PostgreSQL) database seeded with the demo desk. Each mail is a notification about a
//! ticket: rendered from the templates in the recipient's language, threaded under the
//! ticket's earlier mails (one look-up), sent over a pooled SMTP connection, and recorded
//! (its Message-ID remembered, the outbox row marked sent).

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ventanilla_app::App;
use ventanilla_app::mail::Transport;
use ventanilla_domain::SystemClock;
use ventanilla_store::Store;
use ventanilla_store::outbox::NewMail;

/// The sink the tests use, written next to the bench's output and run from there.
const SINK: &str = include_str!("../../app/tests/mail_out/sink.py");

pub struct MailOut {
    pub mails: u64,
    pub seconds: f64,
    pub per_second: f64,
}

pub async fn run(n: u64, database_url: &str, out: &Path) -> anyhow::Result<MailOut> {
    std::fs::create_dir_all(out)?;
    let script = out.join("sink.py");
    std::fs::write(&script, SINK)?;
    let received = out.join("mail-received");
    let _ = std::fs::remove_dir_all(&received);
    std::fs::create_dir_all(&received)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut sink = Command::new("/usr/bin/python3")
        .arg(&script)
        .arg(&received)
        .arg(port.to_string())
        .stdout(Stdio::null())
        .spawn()
        .context("starting the SMTP sink (apt-get install python3-aiosmtpd)")?;
    let result = measure(n, database_url, port, &received).await;
    let _ = sink.kill();
    let _ = sink.wait();
    result
}

async fn measure(n: u64, url: &str, port: u16, received: &Path) -> anyhow::Result<MailOut> {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut config = ventanilla_app::Config::default();
    config.database.url = url.to_owned();
    config.mail.transport = Transport::Smtp;
    config.mail.smtp.host = "127.0.0.1".into();
    config.mail.smtp.port = port;
    config.mail.batch = 200;
    config.mail.message_id_domain = "bench.test".into();
    let store = Store::connect(url, &config.store_options()).await?;
    store.migrate().await?;
    let app = Arc::new(App::new(store, Arc::new(SystemClock), config));
    ventanilla_app::demo::seed(&app).await?;
    ventanilla_app::demo::seed_tickets(&app).await?;
    // The demo's own notices go first, so the count starts from an empty outbox.
    ventanilla_app::mail::deliver_pending(&app).await?;
    let before = std::fs::read_dir(received)?.count() as u64;
    let tickets = app.store.tickets().open_ids_after(0, 1000).await?;
    if tickets.is_empty() {
        bail!("the demo desk has no open tickets");
    }
    let mut queued = 0u64;
    for i in 0..n {
        let t = app
            .store
            .tickets()
            .get(tickets[i as usize % tickets.len()])
            .await?;
        let mail = NewMail {
            kind: "notification.ticket.replied".into(),
            ticket_id: Some(t.id),
            recipient_id: Some(t.requester_id),
            payload: serde_json::json!({
                "params": { "number": t.number, "subject": t.subject },
                "body": format!("Respuesta {i}: pruebe a reiniciar el equipo y díganos si vuelve a fallar."),
            }),
        };
        app.store.outbox().queue(&mail, app.now()).await?;
        queued += 1;
    }
    let started = Instant::now();
    let handled = ventanilla_app::mail::deliver_pending(&app).await? as u64;
    // Sent means the sink answered 250 after writing the file.
    let seconds = started.elapsed().as_secs_f64();
    let got = std::fs::read_dir(received)?.count() as u64 - before;
    if handled != queued || got != queued {
        bail!("queued {queued}, handled {handled}, the sink received {got}");
    }
    app.store.close().await;
    Ok(MailOut {
        mails: queued,
        seconds,
        per_second: queued as f64 / seconds.max(1e-9),
    })
}
