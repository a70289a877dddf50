//! IMAP polling: one task per mailbox with an `[mail.intake.mailboxes.imap]` account. Each
//! round selects the folder, checks UIDVALIDITY, fetches the messages not yet seen by UID
//! (`BODY.PEEK[]`, so nothing is marked read before it is stored), ingests each one and only
//! then sets `\Seen`. When the database cannot take a message it stays unseen and the round
//! ends; the next round tries again. Between rounds the task waits with IDLE when the server
//! offers it, or sleeps `mail.intake.imap_poll_secs`.
//!
//! Connections: IMAPS (`tls`), STARTTLS, or plain on loopback, with rustls (ring) trusting
//! the system's roots plus an optional `ca_file`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::ClientConfig;

use super::{IngestError, Source, ingest};
use crate::App;
use crate::config::{ImapConfig, ImapSecurity, MailboxConfig};

/// Where a poller got to: the folder's UIDVALIDITY and the highest UID handled.
#[derive(Debug, Default, Clone, Copy)]
struct Cursor {
    validity: Option<u32>,
    last_uid: u32,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Messages stored (new or duplicate) and marked seen.
    pub taken: usize,
    /// Messages left unseen because the database could not take them.
    pub deferred: usize,
}

/// Starts one polling task per mailbox that has an IMAP account.
pub fn spawn_all(app: &Arc<App>) -> Vec<tokio::task::JoinHandle<()>> {
    app.config
        .mail
        .intake
        .mailboxes
        .iter()
        .filter(|m| m.imap.is_some())
        .map(|m| tokio::spawn(run(app.clone(), m.clone())))
        .collect()
}

/// Polls one mailbox for ever, reconnecting after errors with a growing pause.
pub async fn run(app: Arc<App>, mailbox: MailboxConfig) {
    let mut cursor = Cursor::default();
    let mut backoff = Duration::from_secs(1);
    loop {
        match session_loop(&app, &mailbox, &mut cursor).await {
            Ok(()) => backoff = Duration::from_secs(1),
            Err(e) => {
                tracing::warn!(mailbox = %mailbox.name, error = format!("{e:#}"), "IMAP poll failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(300));
            }
        }
    }
}

fn tls_config(imap: &ImapConfig) -> anyhow::Result<Arc<ClientConfig>> {
    Ok(crate::http::tls::client_config(imap.ca_file.as_deref())?)
}

fn password(imap: &ImapConfig) -> anyhow::Result<String> {
    match (&imap.password, &imap.password_file) {
        (_, Some(path)) => Ok(std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .trim()
            .to_owned()),
        (Some(p), None) => Ok(p.clone()),
        (None, None) => Err(anyhow!("no password or password_file")),
    }
}

/// Connects, logs in and polls until the connection fails.
async fn session_loop(
    app: &Arc<App>,
    mailbox: &MailboxConfig,
    cursor: &mut Cursor,
) -> anyhow::Result<()> {
    let imap = mailbox
        .imap
        .as_ref()
        .ok_or_else(|| anyhow!("no imap account"))?;
    let tcp = TcpStream::connect((imap.host.as_str(), imap.port))
        .await
        .with_context(|| format!("cannot connect to {}:{}", imap.host, imap.port))?;
    let server_name =
        rustls_pki_types::ServerName::try_from(imap.host.clone()).context("bad IMAP host name")?;
    match imap.security {
        ImapSecurity::Plain => {
            let mut client = async_imap::Client::new(tcp);
            client.read_response().await.context("no greeting")?;
            login_and_poll(app, mailbox, imap, client, cursor).await
        }
        ImapSecurity::Tls => {
            let tls = TlsConnector::from(tls_config(imap)?)
                .connect(server_name, tcp)
                .await
                .context("TLS handshake failed")?;
            let mut client = async_imap::Client::new(tls);
            client.read_response().await.context("no greeting")?;
            login_and_poll(app, mailbox, imap, client, cursor).await
        }
        ImapSecurity::Starttls => {
            let mut client = async_imap::Client::new(tcp);
            client.read_response().await.context("no greeting")?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .context("STARTTLS refused")?;
            let tcp = client.into_inner();
            let tls = TlsConnector::from(tls_config(imap)?)
                .connect(server_name, tcp)
                .await
                .context("TLS handshake failed")?;
            let client = async_imap::Client::new(tls);
            login_and_poll(app, mailbox, imap, client, cursor).await
        }
    }
}

async fn login_and_poll<T>(
    app: &Arc<App>,
    mailbox: &MailboxConfig,
    imap: &ImapConfig,
    client: async_imap::Client<T>,
    cursor: &mut Cursor,
) -> anyhow::Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut session = client
        .login(&imap.username, password(imap)?)
        .await
        .map_err(|(e, _)| anyhow!("login failed: {e}"))?;
    let idle = imap.idle
        && session
            .capabilities()
            .await
            .map(|c| c.has_str("IDLE"))
            .unwrap_or(false);
    let pause = Duration::from_secs(app.config.mail.intake.imap_poll_secs);
    loop {
        let round = poll_once(app, mailbox, imap, &mut session, cursor).await?;
        if round.taken > 0 || round.deferred > 0 {
            tracing::info!(mailbox = %mailbox.name, taken = round.taken, deferred = round.deferred, "IMAP round");
        }
        if idle && round.deferred == 0 {
            let mut handle = session.idle();
            handle.init().await.context("IDLE refused")?;
            let (wait, _stop) = handle.wait_with_timeout(pause);
            wait.await.context("IDLE failed")?;
            session = handle.done().await.context("IDLE DONE failed")?;
        } else {
            tokio::time::sleep(pause).await;
        }
    }
}

/// One round: new messages by UID, each stored before it is marked seen.
async fn poll_once<T>(
    app: &Arc<App>,
    mailbox: &MailboxConfig,
    imap: &ImapConfig,
    session: &mut async_imap::Session<T>,
    cursor: &mut Cursor,
) -> anyhow::Result<Round>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let selected = session
        .select(&imap.folder)
        .await
        .with_context(|| format!("cannot select {}", imap.folder))?;
    if selected.uid_validity != cursor.validity {
        // A new folder, or one rebuilt by the server: UIDs start over, so look at every
        // unseen message again (Message-ID dedupe keeps what was stored before).
        *cursor = Cursor {
            validity: selected.uid_validity,
            last_uid: 0,
        };
    }
    let mut uids: Vec<u32> = session
        .uid_search("UNSEEN")
        .await
        .context("UID SEARCH failed")?
        .into_iter()
        .collect();
    uids.sort_unstable();
    let mut round = Round::default();
    for uid in uids {
        let raw = {
            let mut fetches = session
                .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                .await
                .context("UID FETCH failed")?;
            let mut raw: Option<Vec<u8>> = None;
            while let Some(f) = fetches.next().await {
                let f = f.context("UID FETCH failed")?;
                if f.uid == Some(uid)
                    && let Some(body) = f.body()
                {
                    raw = Some(body.to_vec());
                }
            }
            raw
        };
        let Some(raw) = raw else { continue };
        match ingest(app, &raw, Source::Imap, Some(&mailbox.name), &[]).await {
            Ok(_) | Err(IngestError::Unusable(_)) => {}
            Err(IngestError::TryLater(e)) => {
                tracing::warn!(mailbox = %mailbox.name, uid, error = %e, "left unseen: try later");
                round.deferred += 1;
                return Ok(round);
            }
        }
        let mut stored = session
            .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
            .await
            .context("UID STORE failed")?;
        while let Some(r) = stored.next().await {
            r.context("UID STORE failed")?;
        }
        cursor.last_uid = cursor.last_uid.max(uid);
        round.taken += 1;
    }
    Ok(round)
}
