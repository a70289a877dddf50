//! The store contract for group-committed registration (`create_many`) and for multi-status
//! queues merged per status: numbers, idempotency inside and across batches, all-or-nothing,
//! and keyset pages in every order — on SQLite, and on PostgreSQL when
//! `VENTANILLA_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used)]

use jiff::Timestamp;
use ventanilla_domain::access::REQUESTER;
use ventanilla_domain::ticket::{EventKind, Priority, Status, TicketKind};
use ventanilla_domain::{TicketId, UserId};
use ventanilla_store::tickets::{
    Effects, MAX_BATCH, Registration, TicketFilter, TicketScope, TicketSort,
};
use ventanilla_store::{Store, StoreError};
use ventanilla_testdb::{TestDb, fixtures};

fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().unwrap()
}

async fn requester(s: &Store) -> UserId {
    fixtures::user(s, "r@x.test", REQUESTER, now()).await.id
}

fn reg(r: UserId, kind: TicketKind, priority: Priority, key: Option<&str>) -> Registration {
    fixtures::registration(fixtures::new_ticket(r, kind, priority), key)
}

#[tokio::test]
async fn a_batch_takes_numbers_in_order_and_honours_keys() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = requester(&s).await;
    let batch = vec![
        reg(r, TicketKind::Incident, Priority::Low, None),
        reg(r, TicketKind::ServiceRequest, Priority::Low, None),
        reg(r, TicketKind::Incident, Priority::High, Some("k")),
        reg(r, TicketKind::Incident, Priority::High, Some("k")),
        reg(r, TicketKind::ServiceRequest, Priority::Medium, Some("k2")),
    ];
    let done = s.tickets().create_many(&batch, now()).await.unwrap();
    let numbers: Vec<(&str, bool)> = done.iter().map(|(t, c)| (t.number.as_str(), *c)).collect();
    assert_eq!(
        numbers,
        vec![
            ("INC-000001", true),
            ("REQ-000001", true),
            ("INC-000002", true),
            ("INC-000002", false),
            ("REQ-000002", true),
        ]
    );
    assert_eq!(
        done[2].0.id, done[3].0.id,
        "a key repeated in a batch is one ticket"
    );
    assert_eq!(done[2].0.priority, Priority::High);
    for (t, _) in &done {
        let events = s.tickets().events(t.id, false).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.kind).collect::<Vec<_>>(),
            vec![EventKind::Created],
            "one `created` entry per ticket"
        );
        assert_eq!(s.tickets().get(t.id).await.unwrap(), *t);
    }
    // A later batch finds the key used before.
    let again = s
        .tickets()
        .create_many(
            &[
                reg(r, TicketKind::Incident, Priority::Low, Some("k")),
                reg(r, TicketKind::Incident, Priority::Low, None),
            ],
            now(),
        )
        .await
        .unwrap();
    assert_eq!((again[0].0.id, again[0].1), (done[2].0.id, false));
    assert_eq!(
        (again[1].0.number.as_str(), again[1].1),
        ("INC-000003", true)
    );
}

#[tokio::test]
async fn a_refused_row_writes_nothing_of_its_batch() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = requester(&s).await;
    let mut bad = reg(r, TicketKind::Incident, Priority::Low, None);
    bad.new.requester_id = UserId(987_654);
    let batch = vec![reg(r, TicketKind::Incident, Priority::Low, Some("k")), bad];
    assert!(s.tickets().create_many(&batch, now()).await.is_err());
    let page = s
        .tickets()
        .list(
            &TicketScope::All,
            &TicketFilter::default(),
            TicketSort::Newest,
            None,
            10,
        )
        .await
        .unwrap();
    assert!(page.items.is_empty());
    // Neither the number nor the key was consumed.
    let (t, created) = s
        .tickets()
        .create(&batch[0].new, Some(r), now(), Some("k"), &[])
        .await
        .unwrap();
    assert!(created);
    assert_eq!(t.number, "INC-000001");
    let too_many: Vec<Registration> = (0..=MAX_BATCH)
        .map(|_| reg(r, TicketKind::Incident, Priority::Low, None))
        .collect();
    assert!(matches!(
        s.tickets().create_many(&too_many, now()).await,
        Err(StoreError::Invalid(_))
    ));
}

/// Pages through a list with `limit` and returns the ids in order.
async fn walk(s: &Store, f: &TicketFilter, sort: TicketSort, limit: u32) -> Vec<TicketId> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = s
            .tickets()
            .list(&TicketScope::All, f, sort, after.as_deref(), limit)
            .await
            .unwrap();
        out.extend(page.items.iter().map(|t| t.id));
        match page.next {
            Some(n) => after = Some(n),
            None => return out,
        }
    }
}

#[tokio::test]
async fn multi_status_queues_page_in_the_same_order_as_one_sorted_list() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = requester(&s).await;
    let prios = [
        Priority::Low,
        Priority::Critical,
        Priority::Medium,
        Priority::High,
        Priority::Informational,
    ];
    let statuses = [
        Status::New,
        Status::Analysis,
        Status::Pending,
        Status::Review,
    ];
    let regs: Vec<Registration> = (0..37)
        .map(|i| reg(r, TicketKind::Incident, prios[i % 5], None))
        .collect();
    let done = s.tickets().create_many(&regs, now()).await.unwrap();
    for (i, (t, _)) in done.iter().enumerate() {
        let status = statuses[(i * 7) % 4];
        s.tickets()
            .modify(t.id, None, None, now(), |t| {
                t.status = status;
                Ok::<_, ()>(Effects::default())
            })
            .await
            .unwrap();
    }
    let wanted = [Status::New, Status::Analysis, Status::Pending];
    let all = walk(&s, &TicketFilter::default(), TicketSort::Oldest, 100).await;
    assert_eq!(all.len(), 37);
    for sort in [TicketSort::Priority, TicketSort::Oldest, TicketSort::Newest] {
        // The expected order: every ticket in one sorted list, then those of the statuses.
        let mut expected = Vec::new();
        for id in walk(&s, &TicketFilter::default(), sort, 100).await {
            let t = s.tickets().get(id).await.unwrap();
            if wanted.contains(&t.status) {
                expected.push(id);
            }
        }
        assert!(expected.len() > 20 && expected.len() < 37);
        let f = TicketFilter {
            // Repeated on purpose: a status named twice must not list its tickets twice.
            statuses: vec![Status::Pending, Status::New, Status::Analysis, Status::New],
            ..TicketFilter::default()
        };
        for limit in [1, 4, 25] {
            assert_eq!(
                walk(&s, &f, sort, limit).await,
                expected,
                "{sort:?} by {limit}"
            );
        }
    }
}
