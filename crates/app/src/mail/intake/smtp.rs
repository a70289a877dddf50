//! The built-in SMTP listener (RFC 5321, the subset a relaying MTA and swaks speak: EHLO/HELO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT; SIZE, 8BITMIME, PIPELINING). Each message goes through
//! [`ingest`](super::ingest) before it is acknowledged: `250` only once it is stored,
//! `451` when the database cannot take it (the sending MTA queues and retries), `552`/`554`
//! for mail that can never be taken. No relaying, no AUTH, no TLS: put it on loopback behind
//! the MTA, or on a private network.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use ventanilla_mail::Unparseable;

use super::{Delivered, IngestError, Source, ingest};
use crate::App;

/// Longest command line accepted (RFC 5321 §4.5.3.1.4 says 512; some clients send more).
const LINE_MAX: usize = 2048;
/// Recipients accepted per message.
const RCPT_MAX: usize = 100;
/// How long a client may stay silent.
const IDLE: Duration = Duration::from_secs(300);

/// Accepts connections until the task is dropped, at most `max_connections` at once.
pub async fn serve(app: Arc<App>, listener: TcpListener) {
    let limit = Arc::new(Semaphore::new(
        app.config.mail.intake.smtp.max_connections.max(1),
    ));
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "SMTP intake listening");
    }
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "SMTP accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = limit.clone().acquire_owned().await else {
            return;
        };
        let app = app.clone();
        tokio::spawn(async move {
            if let Err(e) = session(&app, stream, peer).await {
                tracing::debug!(%peer, error = %e, "SMTP session ended");
            }
            drop(permit);
        });
    }
}

async fn session(app: &App, stream: TcpStream, peer: SocketAddr) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    converse(app, &mut r, &mut w, peer).await
}

async fn reply<W: AsyncWrite + Unpin>(w: &mut W, text: &str) -> std::io::Result<()> {
    w.write_all(text.as_bytes()).await?;
    w.write_all(b"\r\n").await?;
    w.flush().await
}

/// Reads one line (without CRLF); `None` at end of stream. Over-long lines are cut.
async fn line<R: AsyncRead + Unpin>(r: &mut BufReader<R>) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = tokio::time::timeout(
        IDLE,
        (&mut *r).take(LINE_MAX as u64).read_until(b'\n', &mut buf),
    )
    .await
    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
    if n == 0 {
        return Ok(None);
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// The address inside `FROM:<a@b> SIZE=…` / `TO:<a@b>`.
fn path_arg(rest: &str) -> Option<(String, &str)> {
    let rest = rest.trim_start();
    let open = rest.find('<')?;
    let close = rest[open..].find('>')? + open;
    Some((rest[open + 1..close].trim().to_owned(), &rest[close + 1..]))
}

/// Reads DATA up to the lone dot, undoing dot-stuffing; `None` when over `max` bytes (the
/// rest is read and dropped so the session stays in step).
async fn data<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    max: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut out = Vec::with_capacity(8192);
    let mut over = false;
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        let n = tokio::time::timeout(IDLE, r.read_until(b'\n', &mut buf))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if buf == b".\r\n" || buf == b".\n" {
            break;
        }
        if over {
            continue;
        }
        let chunk = if buf.starts_with(b"..") {
            &buf[1..]
        } else {
            &buf[..]
        };
        if out.len() + chunk.len() > max {
            over = true;
            out.clear();
            continue;
        }
        out.extend_from_slice(chunk);
    }
    Ok((!over).then_some(out))
}

async fn converse<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    app: &App,
    r: &mut BufReader<R>,
    w: &mut W,
    peer: SocketAddr,
) -> std::io::Result<()> {
    let host = &app.config.mail.intake.smtp.hostname;
    let max = app.config.mail.intake.max_message_bytes;
    reply(w, &format!("220 {host} ESMTP Ventanilla")).await?;
    let mut from: Option<String> = None;
    let mut rcpts: Vec<String> = Vec::new();
    while let Some(cmd) = line(r).await? {
        let upper = cmd.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or_default();
        match verb {
            "EHLO" => {
                let text = format!(
                    "250-{host}\r\n250-SIZE {max}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SMTPUTF8"
                );
                reply(w, &text).await?;
            }
            "HELO" => reply(w, &format!("250 {host}")).await?,
            "MAIL" if upper.starts_with("MAIL FROM:") => match path_arg(&cmd[10..]) {
                Some((addr, params)) => {
                    let size = params.split_whitespace().find_map(|p| {
                        p.to_ascii_uppercase()
                            .strip_prefix("SIZE=")
                            .and_then(|n| n.parse::<usize>().ok())
                    });
                    if size.is_some_and(|s| s > max) {
                        reply(w, "552 5.3.4 Message size exceeds fixed limit").await?;
                    } else {
                        from = Some(addr);
                        rcpts.clear();
                        reply(w, "250 2.1.0 Ok").await?;
                    }
                }
                None => reply(w, "501 5.5.4 Syntax: MAIL FROM:<address>").await?,
            },
            "RCPT" if upper.starts_with("RCPT TO:") => match (&from, path_arg(&cmd[8..])) {
                (None, _) => reply(w, "503 5.5.1 MAIL first").await?,
                (Some(_), Some((addr, _))) if !addr.is_empty() && rcpts.len() < RCPT_MAX => {
                    rcpts.push(addr.to_lowercase());
                    reply(w, "250 2.1.5 Ok").await?;
                }
                (Some(_), Some(_)) => reply(w, "452 4.5.3 Too many recipients").await?,
                (Some(_), None) => reply(w, "501 5.5.4 Syntax: RCPT TO:<address>").await?,
            },
            "DATA" => {
                let Some(sender) = from.take() else {
                    reply(w, "503 5.5.1 MAIL first").await?;
                    continue;
                };
                if rcpts.is_empty() {
                    reply(w, "554 5.5.1 No valid recipients").await?;
                    continue;
                }
                reply(w, "354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(body) = data(r, max).await? else {
                    reply(w, "552 5.3.4 Message size exceeds fixed limit").await?;
                    rcpts.clear();
                    continue;
                };
                // The final delivery records the envelope sender (RFC 5321 §4.4): a null
                // one (`<>`) marks a bounce for loop protection.
                let mut raw = format!("Return-Path: <{sender}>\r\n").into_bytes();
                raw.extend_from_slice(&body);
                let answer = match ingest(app, &raw, Source::Smtp, None, &rcpts).await {
                    Ok(Delivered::Stored { id, .. } | Delivered::Duplicate { id }) => {
                        format!("250 2.0.0 Ok: stored as {id}")
                    }
                    Err(IngestError::TryLater(e)) => {
                        tracing::warn!(%peer, error = %e, "mail not stored: try later");
                        "451 4.3.0 Temporary failure, please try again later".to_owned()
                    }
                    Err(IngestError::Unusable(Unparseable::TooLarge)) => {
                        "552 5.3.4 Message size exceeds fixed limit".to_owned()
                    }
                    Err(IngestError::Unusable(u)) => {
                        format!("554 5.6.0 Message not usable ({})", u.code())
                    }
                };
                rcpts.clear();
                reply(w, &answer).await?;
            }
            "RSET" => {
                from = None;
                rcpts.clear();
                reply(w, "250 2.0.0 Ok").await?;
            }
            "NOOP" => reply(w, "250 2.0.0 Ok").await?,
            "VRFY" => reply(w, "252 2.5.2 Cannot verify").await?,
            "QUIT" => {
                reply(w, "221 2.0.0 Bye").await?;
                return Ok(());
            }
            _ => reply(w, "502 5.5.2 Command not recognised").await?,
        }
    }
    Ok(())
}
