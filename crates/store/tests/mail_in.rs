//! The inbound mail store on both backends: raw bytes kept exactly, one row per dedupe key
//! however often it is stored, outcomes recorded, the log paged newest first by state, and
//! the per-sender count behind the acknowledgement cap.

#![allow(clippy::unwrap_used)]

use jiff::{SignedDuration, Timestamp};
use ventanilla_store::mail_in::{InboundState, NewInbound, Outcome};
use ventanilla_testdb::TestDb;

fn t0() -> Timestamp {
    "2026-11-30T08:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn raw_mail_is_stored_once_and_its_outcome_recorded() {
    let db = TestDb::fresh().await;
    let store = db.store().await;
    let raw: Vec<u8> = (0u8..=255)
        .chain(b"From: a@b\r\n".iter().copied())
        .collect();
    let new = |key: &'static str, at| NewInbound {
        dedupe_key: key,
        message_id: Some(key),
        mailbox: "soporte",
        source: "smtp",
        raw: &raw,
        at,
    };
    let first = store.mail_in().store_raw(&new("k1", t0())).await.unwrap();
    assert!(first.fresh);
    for _ in 0..3 {
        let again = store.mail_in().store_raw(&new("k1", t0())).await.unwrap();
        assert_eq!(
            (again.id, again.fresh, again.state),
            (first.id, false, InboundState::Received)
        );
    }
    assert_eq!(
        store.mail_in().raw(first.id).await.unwrap(),
        raw,
        "bytes kept exactly"
    );
    store
        .mail_in()
        .finish(
            first.id,
            &Outcome {
                state: InboundState::Failed,
                reason: Some("no_sender"),
                sender: Some("a@b"),
                subject: Some("Asunto"),
                ticket_id: None,
                at: t0(),
            },
        )
        .await
        .unwrap();
    let again = store.mail_in().store_raw(&new("k1", t0())).await.unwrap();
    assert_eq!(again.state, InboundState::Failed);
    let row = store.mail_in().get(first.id).await.unwrap();
    assert_eq!(
        (row.attempts, row.reason.as_deref(), row.sender.as_deref()),
        (1, Some("no_sender"), Some("a@b"))
    );

    // Paging newest first, by state.
    let mut ids = vec![first.id];
    for (i, key) in ["k2", "k3", "k4"].into_iter().enumerate() {
        let s = store
            .mail_in()
            .store_raw(&new(key, t0() + SignedDuration::from_mins(i as i64)))
            .await
            .unwrap();
        ids.push(s.id);
        store
            .mail_in()
            .finish(
                s.id,
                &Outcome {
                    state: InboundState::Ticket,
                    reason: None,
                    sender: Some("loop@robot"),
                    subject: None,
                    ticket_id: None,
                    at: t0(),
                },
            )
            .await
            .unwrap();
    }
    let page = store.mail_in().list(None, None, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[3], ids[2]]
    );
    let next = store.mail_in().list(None, Some(ids[2]), 2).await.unwrap();
    assert_eq!(
        next.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[1], ids[0]]
    );
    let failed = store
        .mail_in()
        .list(Some(InboundState::Failed), None, 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        store
            .mail_in()
            .from_since("loop@robot", InboundState::Ticket, t0())
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .mail_in()
            .from_since(
                "loop@robot",
                InboundState::Ticket,
                t0() + SignedDuration::from_mins(2),
            )
            .await
            .unwrap(),
        1
    );
}
