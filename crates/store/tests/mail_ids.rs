//! Message-IDs that thread mail into tickets: brackets and space do not matter, the first
//! known id in the order given wins, a redelivered id keeps its first ticket — on SQLite,
//! and on PostgreSQL when `VENTANILLA_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used)]

use jiff::Timestamp;
use ventanilla_domain::access::REQUESTER;
use ventanilla_domain::ticket::{Priority, TicketKind};
use ventanilla_store::mail_ids::{Direction, normalise};
use ventanilla_testdb::{TestDb, fixtures};

fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn a_reply_finds_its_ticket_by_any_remembered_id() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = fixtures::user(&s, "r@x.test", REQUESTER, now()).await.id;
    let batch = vec![
        fixtures::registration(
            fixtures::new_ticket(r, TicketKind::Incident, Priority::Low),
            None,
        ),
        fixtures::registration(
            fixtures::new_ticket(r, TicketKind::Incident, Priority::Low),
            None,
        ),
    ];
    let done = s.tickets().create_many(&batch, now()).await.unwrap();
    let (a, b) = (done[0].0.id, done[1].0.id);
    let ids = s.mail_ids();
    ids.remember("<first@client.test>", a, Direction::In, now())
        .await
        .unwrap();
    ids.remember(" out.1@desk.test ", b, Direction::Out, now())
        .await
        .unwrap();
    // A redelivery naming the same id for another ticket does not move it.
    ids.remember("first@client.test", b, Direction::In, now())
        .await
        .unwrap();

    let of = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        ids.ticket_of(&of(&["first@client.test"])).await.unwrap(),
        Some(a)
    );
    assert_eq!(
        ids.ticket_of(&of(&[
            "<unknown@x>",
            "<out.1@desk.test>",
            "<first@client.test>"
        ]))
        .await
        .unwrap(),
        Some(b),
        "the first known id in the order given"
    );
    assert_eq!(ids.ticket_of(&of(&["<>", "nope@x"])).await.unwrap(), None);
}

#[test]
fn normalising_strips_brackets_and_refuses_empty_or_overlong_ids() {
    assert_eq!(normalise(" <a@b> ").as_deref(), Some("a@b"));
    assert_eq!(normalise("<>"), None);
    assert_eq!(normalise(&"x".repeat(999)), None);
}
