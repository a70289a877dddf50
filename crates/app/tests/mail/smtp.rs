//! The SMTP listener as an MTA meets it: Debian's swaks sends into it on a loopback port.

use std::process::Command;

use tokio::net::TcpListener;
use ventanilla_app::mail::intake::smtp;
use ventanilla_store::mail_in::InboundState;
use ventanilla_testkit::desk;

use super::support::tool;

/// Runs swaks against `port` with the given extra arguments; returns (exit ok, transcript).
pub fn swaks(port: u16, args: &[&str]) -> (bool, String) {
    let out = Command::new("swaks")
        .args(["--server", "127.0.0.1", "--port", &port.to_string()])
        .args(["--helo", "mta.test", "--timeout", "20"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_delivers_into_the_smtp_listener() {
    if !tool("swaks") {
        return;
    }
    let d = desk().build().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(smtp::serve(d.t.app.clone(), listener));
    let (ok, transcript) = tokio::task::spawn_blocking(move || {
        swaks(
            port,
            &[
                "--from",
                "ana@cliente.example",
                "--to",
                "soporte@desk.example",
                "--header",
                "Subject: =?UTF-8?Q?Rat=C3=B3n_roto?=",
                "--header",
                "Message-ID: <swaks-1@cliente.example>",
                "--body",
                "El ratón no funciona.",
            ],
        )
    })
    .await
    .unwrap();
    assert!(ok, "{transcript}");
    assert!(
        transcript.contains("250 2.0.0 Ok: stored as"),
        "{transcript}"
    );
    let rows = d.t.app.store.mail_in().list(None, None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].source, "smtp");
    assert_eq!(rows[0].state, InboundState::Ticket);
    let t =
        d.t.app
            .store
            .tickets()
            .get(rows[0].ticket_id.unwrap())
            .await
            .unwrap();
    assert_eq!(t.subject, "Ratón roto");
    server.abort();
}
