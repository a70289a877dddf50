//! Mentions and CC by mail (issue 17): an agent mentioned in an internal note and a person in
//! copy of a public reply each get a mail through the outbox, in their language, with the
//! words written; a person in copy is not invited to reply (mail intake would refuse them)
//! and is not sent to the console; each kind can be turned off like any other.

use http::StatusCode;
use serde_json::json;

use super::delivery::{deliver, desk_sending_to, text, to};
use super::sink::{self, Sink, header};
use super::{act, incident, speaks};

#[tokio::test]
async fn a_mention_and_a_cc_each_send_a_mail_and_can_be_turned_off() {
    if !sink::available() {
        return;
    }
    let sink = Sink::start();
    let d = desk_sending_to(sink.port, 5).await;
    let id = incident(&d, "No puedo imprimir").await;
    deliver(&d).await;
    let before = sink.count();
    let other = d.person("otro@x.test", "requester").await;
    speaks(&d, &other, "en").await;
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/cc"),
            json!({ "email": "otro@x.test" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    act(&d, id, &d.agent, "note", "@sup mira el registro del driver").await;
    assert_eq!(deliver(&d).await, 1, "the mention; a note reaches no CC");
    let mails = sink.mails();
    let m = &mails[before];
    assert_eq!(to(m), "sup@x.test");
    assert_eq!(
        header(m, "Subject").unwrap(),
        "[INC-000001] Te mencionaron en INC-000001: No puedo imprimir"
    );
    assert!(
        text(m).contains("@sup mira el registro del driver"),
        "{}",
        text(m)
    );
    assert!(text(m).contains(&format!("http://desk.test/console/tickets/{id}")));
    // A public reply: the requester and the person in copy, who reads English.
    act(&d, id, &d.agent, "reply", "Estamos en ello").await;
    assert_eq!(deliver(&d).await, 2);
    let mails = sink.mails();
    let cc = mails
        .iter()
        .find(|m| to(m) == "otro@x.test")
        .expect("a mail to the person in copy");
    let body = text(cc);
    assert!(body.contains("where you are in copy"), "{body}");
    assert!(body.contains("Estamos en ello"), "{body}");
    assert!(
        !body.contains("Reply to this mail"),
        "not a participant: {body}"
    );
    assert!(!body.contains("/console/"), "{body}");
    assert!(mails.iter().any(|m| to(m) == "req@x.test"));
    // The supervisor turns mentions off by mail: the next one stays in the app.
    let res = d
        .put(
            "/api/v1/notifications/preferences",
            json!({ "items": [{ "kind": "ticket.mentioned", "in_app": true, "email": false }] }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let sent = sink.count();
    act(&d, id, &d.agent, "note", "@sup otra vez").await;
    deliver(&d).await;
    assert_eq!(sink.count(), sent, "no mail");
    let res = d
        .get("/api/v1/notifications?unread=true", &d.supervisor)
        .await;
    assert_eq!(
        res.body["items"][0]["kind"], "ticket.mentioned",
        "{}",
        res.text
    );
}
