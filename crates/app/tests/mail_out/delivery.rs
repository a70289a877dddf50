//! Mail to a real SMTP server: Debian's python3-aiosmtpd started on a loopback port.
//! Headers (Auto-Submitted, Message-ID, threading), the reader's language, links, retries
//! with backoff after a 451 or with the server down, dead letters and the admin's resend.

use http::StatusCode;
use jiff::SignedDuration;
use mail_parser::MessageParser;
use serde_json::json;
use ventanilla_testkit::{Desk, desk};

use super::sink::{self, Sink, header};
use super::{act, incident, speaks, step};

pub(super) async fn desk_sending_to(port: u16, max_attempts: u32) -> Desk {
    desk_sending_to_with(port, move |c| c.mail.max_attempts = max_attempts).await
}

/// A desk sending to the sink on `port`, with `tweak` applied to its configuration last.
pub(super) async fn desk_sending_to_with(
    port: u16,
    tweak: impl FnOnce(&mut ventanilla_app::config::Config) + 'static,
) -> Desk {
    desk()
        .config(move |c| {
            c.server.public_url = "http://desk.test".into();
            c.mail.transport = ventanilla_app::mail::Transport::Smtp;
            c.mail.from = "Mesa de ayuda <mesa@desk.test>".into();
            c.mail.message_id_domain = "desk.test".into();
            c.mail.smtp.host = "127.0.0.1".into();
            c.mail.smtp.port = port;
            c.mail.smtp.timeout_secs = 5;
            c.mail.retry_base_secs = 30;
            tweak(c);
        })
        .build()
        .await
}

pub(super) async fn deliver(d: &Desk) -> usize {
    ventanilla_app::mail::deliver_pending(&d.app).await.unwrap()
}

/// The decoded text part of a raw mail.
pub(super) fn text(raw: &str) -> String {
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    m.body_text(0).unwrap().into_owned()
}

/// The HTML part, with MiniJinja's escaped slashes (`&#x2f;`, valid in attributes) read back.
fn html(raw: &str) -> String {
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
    m.body_html(0).unwrap().replace("&#x2f;", "/")
}

pub(super) fn to(raw: &str) -> String {
    header(raw, "X-Envelope-To").unwrap()
}

#[tokio::test]
async fn mails_thread_speak_the_readers_language_and_say_they_are_automatic() {
    if !sink::available() {
        return;
    }
    let sink = Sink::start();
    let d = desk_sending_to(sink.port, 5).await;
    speaks(&d, &d.requester, "en").await;
    let id = incident(&d, "No puedo imprimir").await;
    assert_eq!(
        deliver(&d).await,
        2,
        "the acknowledgement and the group's notice"
    );
    let mails = sink.mails();
    let ack = mails.iter().find(|m| to(m) == "req@x.test").unwrap();
    let agent = mails.iter().find(|m| to(m) == "agent@x.test").unwrap();
    // The requester reads English, the agent Spanish; each link goes to their own pages.
    assert_eq!(
        header(ack, "Subject").unwrap(),
        "[INC-000001] We have registered INC-000001: No puedo imprimir"
    );
    assert!(text(ack).starts_with("Hello req,"), "{}", text(ack));
    assert!(text(ack).contains(&format!("http://desk.test/portal/tickets/{id}")));
    assert!(html(ack).contains(&format!("href=\"http://desk.test/portal/tickets/{id}\"")));
    assert!(
        text(agent).contains("Nuevo ticket INC-000001 en su grupo"),
        "{}",
        text(agent)
    );
    assert!(text(agent).contains(&format!("http://desk.test/console/tickets/{id}")));
    for m in [ack, agent] {
        assert_eq!(
            header(m, "Auto-Submitted").as_deref(),
            Some("auto-generated")
        );
        assert_eq!(
            header(m, "X-Auto-Response-Suppress").as_deref(),
            Some("All")
        );
        assert!(header(m, "From").unwrap().contains("mesa@desk.test"));
        let mid = header(m, "Message-ID").unwrap();
        assert!(
            mid.starts_with("<ventanilla.") && mid.ends_with("@desk.test>"),
            "{mid}"
        );
    }
    let first_id = header(ack, "Message-ID").unwrap();
    // The desk's reply threads under what went before, and says what was written.
    act(
        &d,
        id,
        &d.agent,
        "reply",
        "Pruebe a reiniciarla, por favor.",
    )
    .await;
    assert_eq!(deliver(&d).await, 1);
    let mails = sink.mails();
    let reply = mails.last().unwrap();
    assert_eq!(to(reply), "req@x.test");
    let refs = header(reply, "References").unwrap();
    assert!(refs.contains(&first_id), "{refs}");
    let in_reply_to = header(reply, "In-Reply-To").unwrap();
    assert!(
        refs.ends_with(&in_reply_to),
        "In-Reply-To names the newest: {in_reply_to} / {refs}"
    );
    assert!(text(reply).contains("Pruebe a reiniciarla, por favor."));
    assert!(text(reply).contains("The support team replied on INC-000001"));
    // Every id sent is remembered, so a reply naming it joins the ticket.
    let reply_id = header(reply, "Message-ID").unwrap();
    let found = d.app.store.mail_ids().ticket_of(&[reply_id]).await.unwrap();
    assert_eq!(found.map(|t| t.get()), Some(id));
    // The validation question carries yes and no links.
    step(&d, id, &d.agent, json!({ "to": "analysis" })).await;
    step(&d, id, &d.agent, json!({ "to": "solution" })).await;
    step(
        &d,
        id,
        &d.agent,
        json!({ "to": "validation", "resolution_code": "driver", "resolution": "Reinstalado el controlador" }),
    )
    .await;
    deliver(&d).await;
    let mails = sink.mails();
    let question = mails.last().unwrap();
    let body = text(question);
    assert!(body.contains("Is the service back to normal?"), "{body}");
    assert!(body.contains("Reinstalado el controlador"));
    assert!(body.contains(&format!("http://desk.test/portal/tickets/{id}#confirm-yes")));
    assert!(body.contains(&format!("http://desk.test/portal/tickets/{id}#confirm-no")));
}

#[tokio::test]
async fn a_refusing_server_is_retried_with_backoff_then_the_mail_is_dead_until_resent() {
    if !sink::available() {
        return;
    }
    let sink = Sink::start();
    let d = desk_sending_to(sink.port, 3).await;
    sink.refuse(true);
    incident(&d, "No puedo imprimir").await;
    assert_eq!(deliver(&d).await, 2);
    let log = d.app.store.outbox().mail_log(None, None, 10).await.unwrap();
    for m in &log {
        assert_eq!((m.state.as_str(), m.attempts), ("pending", 1));
        assert!(
            m.last_error.as_deref().unwrap().contains("451"),
            "{:?}",
            m.last_error
        );
    }
    // Not again before the backoff (30 s), then again after it (60 s more for the third).
    assert_eq!(deliver(&d).await, 0);
    d.clock.advance(SignedDuration::from_secs(31));
    assert_eq!(deliver(&d).await, 2);
    d.clock.advance(SignedDuration::from_secs(31));
    assert_eq!(deliver(&d).await, 0, "the second wait is twice as long");
    d.clock.advance(SignedDuration::from_secs(30));
    assert_eq!(deliver(&d).await, 2);
    let log = d.app.store.outbox().mail_log(None, None, 10).await.unwrap();
    assert!(
        log.iter().all(|m| m.state == "dead" && m.attempts == 3),
        "{log:?}"
    );
    d.clock.advance(SignedDuration::from_hours(2));
    assert_eq!(deliver(&d).await, 0, "dead letters wait for an admin");
    assert_eq!(sink.count(), 0);
    // The admin sees them and sends one again; the server accepts it now.
    let res = d.get("/api/v1/mail/outbox?state=dead", &d.admin).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["items"].as_array().unwrap().len(), 2);
    let dead = res.body["items"][0]["id"].as_i64().unwrap();
    let res = d.get("/api/v1/mail/outbox", &d.agent).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "the log is for admins");
    sink.refuse(false);
    let res = d
        .post(
            &format!("/api/v1/mail/outbox/{dead}/resend"),
            json!({}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_eq!(deliver(&d).await, 1);
    assert_eq!(sink.count(), 1);
    let sent = d.app.store.outbox().get(dead).await.unwrap();
    assert_eq!(sent.state, "sent");
    assert!(sent.message_id.is_some());
    let res = d
        .post(
            &format!("/api/v1/mail/outbox/{dead}/resend"),
            json!({}),
            &d.admin,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::NOT_FOUND,
        "a sent mail is not sent twice"
    );
}

#[tokio::test]
async fn mail_waits_while_the_server_is_down_and_goes_when_it_is_back() {
    if !sink::available() {
        return;
    }
    let port = sink::free_port();
    let d = desk_sending_to(port, 5).await;
    incident(&d, "No puedo imprimir").await;
    assert_eq!(deliver(&d).await, 2);
    let log = d.app.store.outbox().mail_log(None, None, 10).await.unwrap();
    assert!(
        log.iter().all(|m| m.state == "pending" && m.attempts == 1),
        "{log:?}"
    );
    let sink = Sink::start_on(port);
    d.clock.advance(SignedDuration::from_secs(31));
    assert_eq!(deliver(&d).await, 2);
    assert_eq!(sink.count(), 2);
    let log = d
        .app
        .store
        .outbox()
        .mail_log(Some("sent"), None, 10)
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
}

#[tokio::test]
async fn acknowledgements_to_one_sender_are_capped_per_hour() {
    if !sink::available() {
        return;
    }
    let sink = Sink::start();
    let d = desk()
        .config({
            let port = sink.port;
            move |c| {
                c.mail.transport = ventanilla_app::mail::Transport::Smtp;
                c.mail.smtp.host = "127.0.0.1".into();
                c.mail.smtp.port = port;
                c.mail.ack_cap_per_hour = 2;
            }
        })
        .build()
        .await;
    for i in 0..4 {
        incident(&d, &format!("Fallo {i}")).await;
        deliver(&d).await;
    }
    let acks = |state: &'static str| {
        let d = &d;
        async move {
            d.app
                .store
                .outbox()
                .mail_log(Some(state), None, 100)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.kind == "notification.ticket.registered")
                .count()
        }
    };
    assert_eq!(acks("sent").await, 2);
    assert_eq!(
        acks("skipped").await,
        2,
        "a flood from one sender is not answered in kind"
    );
    d.clock.advance(SignedDuration::from_mins(61));
    incident(&d, "Otra hora").await;
    deliver(&d).await;
    assert_eq!(acks("sent").await, 3, "the cap is per hour");
}

#[tokio::test]
async fn the_admin_sends_a_test_mail() {
    if !sink::available() {
        return;
    }
    let sink = Sink::start();
    let d = desk_sending_to(sink.port, 5).await;
    let res = d
        .post(
            "/api/v1/mail/test",
            json!({ "to": "ops@desk.test", "language": "en" }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text);
    let res = d
        .post(
            "/api/v1/mail/test",
            json!({ "to": "no es correo" }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["error"]["field"], "to");
    let res = d
        .post(
            "/api/v1/mail/test",
            json!({ "to": "ops@desk.test" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(deliver(&d).await, 1);
    let m = &sink.mails()[0];
    assert_eq!(to(m), "ops@desk.test");
    assert!(text(m).contains("This is a test mail"), "{}", text(m));
    assert_eq!(
        header(m, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
}
