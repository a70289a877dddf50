//! Helpers: mails written in the test, the corpus files, ticket reads, tools from Debian.

use ventanilla_app::mail::intake::{Delivered, Source, ingest};
use ventanilla_domain::TicketId;
use ventanilla_domain::ticket::Ticket;
use ventanilla_store::mail_in::{InboundMail, InboundState};
use ventanilla_testkit::Desk;

/// A plain mail from `from` with a Message-ID and optional extra header lines.
pub fn mail(from: &str, subject: &str, id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: soporte@desk.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// A fixture of the parser's corpus.
pub fn corpus(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../mail/tests/corpus")
        .join(format!("{name}.eml"));
    std::fs::read(path).unwrap()
}

/// Ingests through the pipe door and returns the stored row.
pub async fn deliver(d: &Desk, raw: &[u8]) -> (Delivered, InboundMail) {
    let out = ingest(&d.t.app, raw, Source::Pipe, None, &[])
        .await
        .unwrap();
    let id = match out {
        Delivered::Stored { id, .. } | Delivered::Duplicate { id } => id,
    };
    (out, d.t.app.store.mail_in().get(id).await.unwrap())
}

pub async fn ticket(d: &Desk, id: TicketId) -> Ticket {
    d.t.app.store.tickets().get(id).await.unwrap()
}

/// The public timeline bodies of a ticket, oldest first.
pub async fn replies(d: &Desk, id: TicketId) -> Vec<String> {
    d.t.app
        .store
        .tickets()
        .events(id, true)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| e.body)
        .collect()
}

pub fn state(m: &InboundMail) -> InboundState {
    m.state
}

/// Whether a Debian tool is installed; outside CI a missing one skips the test with a
/// message, in CI (`CI=true`) it fails.
pub fn tool(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is required in CI (.ci/run installs it)"
        );
        eprintln!("SKIPPED: {name} is not installed (apt-get install {name})");
    }
    found
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
