//! Outbound webhooks over HTTPS with a real local TLS receiver: a certificate for
//! `localhost` from a throwaway CA (Debian's `openssl`). With `[webhooks] ca_file` naming
//! that CA the delivery arrives over TLS, signed, and is logged delivered; without it the
//! attempt fails as untrusted, is retried, and nothing is ever sent in clear.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use http::StatusCode;
use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use jiff::SignedDuration;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use ventanilla_testkit::{Caller, TestApp};

#[derive(Clone, Default)]
struct TlsReceiver {
    /// (headers, body) of every request received over TLS.
    got: Arc<Mutex<Vec<(http::HeaderMap, String)>>>,
    /// Connections whose first byte was not a TLS handshake record (plain HTTP).
    plain: Arc<Mutex<usize>>,
    /// TLS handshakes the client broke off (it did not trust the certificate).
    refused_handshakes: Arc<Mutex<usize>>,
}

async fn serve(rx: TlsReceiver, listener: TcpListener, acceptor: TlsAcceptor) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        let rx = rx.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let mut first = [0u8; 1];
            if tcp.peek(&mut first).await.unwrap_or(0) == 1 && first[0] != 0x16 {
                *rx.plain.lock().unwrap() += 1;
                return;
            }
            let Ok(tls) = acceptor.accept(tcp).await else {
                *rx.refused_handshakes.lock().unwrap() += 1;
                return;
            };
            let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                let rx = rx.clone();
                async move {
                    let (parts, body) = req.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    rx.got
                        .lock()
                        .unwrap()
                        .push((parts.headers, String::from_utf8_lossy(&body).into_owned()));
                    Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"ok"))))
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

/// An HTTPS receiver for `localhost` (on 127.0.0.1, and on ::1 with the same port when the
/// machine has it, whichever `localhost` resolves to first).
async fn tls_receiver(cert: &Path, key: &Path) -> (TlsReceiver, u16) {
    use rustls_pki_types::pem::PemObject as _;
    let chain = rustls_pki_types::CertificateDer::pem_file_iter(cert)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls_pki_types::PrivateKeyDer::from_pem_file(key).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let rx = TlsReceiver::default();
    let v4 = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = v4.local_addr().unwrap().port();
    if let Ok(v6) = TcpListener::bind(SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], port))).await {
        tokio::spawn(serve(rx.clone(), v6, acceptor.clone()));
    }
    tokio::spawn(serve(rx.clone(), v4, acceptor));
    (rx, port)
}

async fn run_jobs(t: &TestApp) {
    ventanilla_app::jobs::schedule_ticks(&t.app, t.app.now())
        .await
        .unwrap();
    ventanilla_app::jobs::run_pending(&t.app, "test")
        .await
        .unwrap();
}

async fn new_ticket(t: &TestApp, who: &Caller) -> i64 {
    let res = t
        .post(
            "/api/v1/tickets",
            json!({"kind": "incident", "subject": "Printer on fire", "description": "smoke",
                "impact": "low", "urgency": "low"}),
            who,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

/// Subscribes `url` to `ticket.created`; returns the webhook's id and signing secret.
async fn subscribe(t: &TestApp, admin: &Caller, url: &str) -> (i64, String) {
    let res = t
        .post(
            "/api/v1/webhooks",
            json!({"name": "crm", "url": url, "events": ["ticket.created"]}),
            admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    (
        res.body["id"].as_i64().unwrap(),
        res.body["secret"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn https_deliveries_verify_the_receiver_with_the_configured_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ventanilla_testkit::certs::Certificates { ca, cert, key } =
        ventanilla_testkit::certs::throwaway_ca(dir.path(), "localhost", "DNS:localhost");
    let (rx, port) = tls_receiver(&cert, &key).await;
    let t = TestApp::with_config(|c| {
        c.webhooks.allow_loopback = true;
        c.webhooks.ca_file = Some(ca);
    })
    .await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, requester) = t.token_for("r@x.test", "requester").await;
    let (hook_id, secret) = subscribe(&t, &admin, &format!("https://localhost:{port}/hook")).await;

    let ticket = new_ticket(&t, &requester).await;
    run_jobs(&t).await;
    let log = t
        .get(&format!("/api/v1/webhooks/{hook_id}/deliveries"), &admin)
        .await;
    assert_eq!(log.body[0]["status"], "delivered", "{}", log.text);
    assert_eq!(log.body[0]["attempts"], 1);
    assert_eq!(log.body[0]["response_status"], 200);

    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one delivery, over TLS");
    assert_eq!(*rx.plain.lock().unwrap(), 0, "nothing in clear");
    let (headers, body) = &got[0];
    assert_eq!(headers["host"], format!("localhost:{port}").as_str());
    assert_eq!(headers["x-ventanilla-event"], "ticket.created");
    let ts = headers["x-ventanilla-timestamp"].to_str().unwrap();
    let expected = ventanilla_app::desk::webhooks::send::signature(
        &secret,
        ts.parse().unwrap(),
        body.as_bytes(),
    );
    assert_eq!(
        headers["x-ventanilla-signature"].to_str().unwrap(),
        expected,
        "a valid HMAC-SHA256 signature"
    );
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["ticket"]["id"], ticket);
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_attempt_and_nothing_goes_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let ventanilla_testkit::certs::Certificates { cert, key, .. } =
        ventanilla_testkit::certs::throwaway_ca(dir.path(), "localhost", "DNS:localhost");
    let (rx, port) = tls_receiver(&cert, &key).await;
    // No `ca_file`: the throwaway CA is in no trust store.
    let t = TestApp::with_config(|c| c.webhooks.allow_loopback = true).await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, requester) = t.token_for("r@x.test", "requester").await;
    let (hook_id, _) = subscribe(&t, &admin, &format!("https://localhost:{port}/hook")).await;

    new_ticket(&t, &requester).await;
    run_jobs(&t).await;
    let log = t
        .get(&format!("/api/v1/webhooks/{hook_id}/deliveries"), &admin)
        .await;
    assert_eq!(log.body[0]["status"], "pending", "retried: {}", log.text);
    assert_eq!(log.body[0]["attempts"], 1);
    let error = log.body[0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("not trusted"), "{}", log.text);
    assert!(log.body[0]["response_status"].is_null(), "{}", log.text);

    // The retry after the backoff meets the same certificate and fails the same way.
    t.clock.advance(SignedDuration::from_secs(11));
    run_jobs(&t).await;
    let log = t
        .get(&format!("/api/v1/webhooks/{hook_id}/deliveries"), &admin)
        .await;
    assert_eq!(log.body[0]["status"], "pending", "{}", log.text);
    assert_eq!(log.body[0]["attempts"], 2);
    assert!(
        log.body[0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("not trusted"),
        "{}",
        log.text
    );

    assert!(rx.got.lock().unwrap().is_empty(), "never delivered");
    assert_eq!(*rx.plain.lock().unwrap(), 0, "never a plain-HTTP fallback");
    // The receiver's side of a broken-off handshake ends in its own task: wait for it.
    for _ in 0..100 {
        if *rx.refused_handshakes.lock().unwrap() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        *rx.refused_handshakes.lock().unwrap(),
        2,
        "two attempts, each broken off at the handshake"
    );
}

#[tokio::test]
async fn webhook_urls_are_http_or_https() {
    let t = TestApp::with_config(|c| c.webhooks.allow_loopback = true).await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    for url in [
        "ftp://localhost/hook",
        "ws://localhost/hook",
        "file:///etc/passwd",
    ] {
        let res = t
            .post(
                "/api/v1/webhooks",
                json!({"name": "x", "url": url, "events": ["ticket.*"]}),
                &admin,
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            res.text
        );
        assert_eq!(res.body["error"]["field"], "url");
    }
    subscribe(&t, &admin, "https://localhost:9/hook").await;
    subscribe(&t, &admin, "http://localhost:9/hook").await;
}
