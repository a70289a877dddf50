//! Notifications and outbound mail (issues #16 and #11): who is told about each ticket event
//! and how a burst is grouped, preferences through the API and the pages (es and en), and
//! mail sent to a real SMTP server (Debian's python3-aiosmtpd on a loopback port): headers,
//! language, links, threading, retries and dead letters.

// Tests may panic on unexpected shapes: that is how they fail.
#![allow(clippy::unwrap_used)]

mod collab;
mod delivery;
mod notices;
mod pages;
mod reports;
mod round_trip;
mod sink;

use serde_json::{Value, json};
use ventanilla_testkit::{Desk, Person};

/// Registers an incident as the desk's requester through the API; its id.
pub async fn incident(d: &Desk, subject: &str) -> i64 {
    let res = d
        .post(
            "/api/v1/tickets",
            json!({ "kind": "incident", "subject": subject, "description": "La impresora del 2º piso no responde", "impact": "medium", "urgency": "medium" }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, http::StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

/// Posts a public reply (or a note) as `who`.
pub async fn act(d: &Desk, id: i64, who: &Person, kind: &str, body: &str) -> Value {
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": kind, "body": body }),
            who,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    res.body
}

/// Moves the ticket as `who`.
pub async fn step(d: &Desk, id: i64, who: &Person, body: Value) {
    let res = d
        .post(&format!("/api/v1/tickets/{id}/transitions"), body, who)
        .await;
    assert!(res.status.is_success(), "{}", res.text);
}

/// The unread notifications of `who`: (kind, repeats) newest first.
pub async fn inbox(d: &Desk, who: &Person) -> Vec<(String, i64)> {
    let res = d.get("/api/v1/notifications?unread=true", who).await;
    assert!(res.status.is_success(), "{}", res.text);
    res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["repeats"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Sets a user's language as the admin.
pub async fn speaks(d: &Desk, who: &Person, lang: &str) {
    let res = d
        .patch(
            &format!("/api/v1/users/{}", who.id().get()),
            json!({ "language": lang }),
            &d.admin,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
}

/// Marks every notification of `who` read.
pub async fn read_all(d: &Desk, who: &Person) {
    let res = d
        .post("/api/v1/notifications/read-all", json!({}), who)
        .await;
    assert_eq!(res.status, http::StatusCode::NO_CONTENT);
}
