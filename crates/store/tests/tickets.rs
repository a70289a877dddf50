//! The store contract for tickets: registration, numbers, idempotency, optimistic writes,
//! scoped keyset lists, the timeline, attachments, categories, settings and the outbox — on
//! SQLite, and on PostgreSQL when `VENTANILLA_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used)]

use jiff::Timestamp;
use ventanilla_domain::access::{AGENT, REQUESTER};
use ventanilla_domain::directory::NewGroup;
use ventanilla_domain::ticket::{EventKind, Priority, Status, TicketKind};
use ventanilla_domain::{Text, Tier, UserId};
use ventanilla_store::audit::NewAudit;
use ventanilla_store::categories::{CategoryPatch, NewCategory};
use ventanilla_store::tickets::attachments::NewAttachment;
use ventanilla_store::tickets::{
    Effects, ModifyError, NewEvent, NewOutbox, TicketFilter, TicketScope, TicketSort,
};
use ventanilla_store::{Store, StoreError};
use ventanilla_testdb::TestDb;
use ventanilla_testdb::fixtures::{self, new_ticket};

fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().unwrap()
}

fn audit() -> NewAudit {
    NewAudit::new(now(), None, "test", None)
}

async fn user(s: &Store, email: &str, role: &str) -> UserId {
    fixtures::user(s, email, role, now()).await.id
}

#[tokio::test]
async fn create_numbers_idempotency_and_reads() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = user(&s, "r@x.test", REQUESTER).await;
    let (a, created) = s
        .tickets()
        .create(
            &new_ticket(r, TicketKind::Incident, Priority::Medium),
            Some(r),
            now(),
            Some("k1"),
            &[],
        )
        .await
        .unwrap();
    assert!(created);
    assert_eq!(
        (a.number.as_str(), a.status, a.version),
        ("INC-000001", Status::New, 1)
    );
    let (again, created) = s
        .tickets()
        .create(
            &new_ticket(r, TicketKind::Incident, Priority::Medium),
            Some(r),
            now(),
            Some("k1"),
            &[],
        )
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.id, a.id);
    let extra = [NewEvent::new(EventKind::Note, false).body("registrado por teléfono")];
    let (b, _) = s
        .tickets()
        .create(
            &new_ticket(r, TicketKind::ServiceRequest, Priority::Low),
            Some(r),
            now(),
            None,
            &extra,
        )
        .await
        .unwrap();
    assert_eq!(b.number, "REQ-000001");
    assert_eq!(s.tickets().by_number("REQ-000001").await.unwrap().id, b.id);
    assert_eq!(
        s.tickets().next_number(TicketKind::Incident).await.unwrap(),
        "INC-000002"
    );
    let (c, _) = s
        .tickets()
        .create(
            &new_ticket(r, TicketKind::Incident, Priority::Low),
            Some(r),
            now(),
            None,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        c.number, "INC-000003",
        "a number taken is never handed out again"
    );
    assert_eq!(s.tickets().get(a.id).await.unwrap(), a);
    let events = s.tickets().events(b.id, false).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.kind).collect::<Vec<_>>(),
        vec![EventKind::Created, EventKind::Note]
    );
    assert_eq!(
        s.tickets().events(b.id, true).await.unwrap().len(),
        1,
        "internal entries filtered in SQL"
    );
    assert!(matches!(
        s.tickets().get(ventanilla_domain::TicketId(999)).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn modify_is_optimistic_and_records_effects() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = user(&s, "r@x.test", REQUESTER).await;
    let (t, _) = s
        .tickets()
        .create(
            &new_ticket(r, TicketKind::Incident, Priority::Medium),
            Some(r),
            now(),
            None,
            &[],
        )
        .await
        .unwrap();
    let later: Timestamp = "2026-06-01T11:00:00Z".parse().unwrap();
    let (after, fx) = s
        .tickets()
        .modify(t.id, Some(1), Some(r), later, |t| {
            t.status = Status::Analysis;
            Ok::<_, ()>(Effects {
                events: vec![
                    NewEvent::change("status", Some("new".into()), Some("analysis".into()), true)
                        .minutes(Some(15)),
                ],
                outbox: vec![NewOutbox {
                    kind: "test".into(),
                    recipient_id: Some(r),
                    payload: serde_json::json!({ "a": 1 }),
                }],
                ..Effects::default()
            })
        })
        .await
        .unwrap();
    assert_eq!(
        (
            after.version,
            after.status,
            after.status_changed_at,
            after.updated_at
        ),
        (2, Status::Analysis, later, later)
    );
    assert_eq!(fx.events.len(), 1);
    assert_eq!(s.tickets().get(t.id).await.unwrap(), after);
    assert_eq!(s.tickets().minutes_spent(t.id).await.unwrap(), 15);
    let pending = s.outbox().pending(10).await.unwrap();
    assert_eq!((pending.len(), pending[0].ticket_id), (1, Some(t.id)));
    s.outbox()
        .mark_delivered(pending[0].id, later)
        .await
        .unwrap();
    assert!(s.outbox().pending(10).await.unwrap().is_empty());
    let stale = s
        .tickets()
        .modify(t.id, Some(1), Some(r), later, |_| {
            Ok::<_, ()>(Effects::default())
        })
        .await;
    assert!(matches!(
        stale,
        Err(ModifyError::VersionMismatch { current: 2 })
    ));
    let refused = s
        .tickets()
        .modify(t.id, None, Some(r), later, |t| {
            t.subject = "changed".into();
            Err::<Effects, _>("no")
        })
        .await;
    assert!(matches!(refused, Err(ModifyError::Refused("no"))));
    assert_eq!(
        s.tickets().get(t.id).await.unwrap().subject,
        after.subject,
        "a refusal writes nothing"
    );
    let (same, _) = s
        .tickets()
        .modify(t.id, None, Some(r), later, |_| {
            Ok::<_, ()>(Effects::default())
        })
        .await
        .unwrap();
    assert_eq!(same.version, 2, "no change, no new version");
}

#[tokio::test]
async fn scoped_lists_page_by_keyset() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r1 = user(&s, "r1@x.test", REQUESTER).await;
    let r2 = user(&s, "r2@x.test", REQUESTER).await;
    let agent = user(&s, "a@x.test", AGENT).await;
    let g = s
        .groups()
        .create(
            &NewGroup {
                name: Text::parse("n", "G", 9).unwrap(),
                tier: Tier::L1,
                description: None,
                email: None,
            },
            &audit(),
        )
        .await
        .unwrap();
    s.groups()
        .put_member(g.id, agent, false, &audit())
        .await
        .unwrap();
    let prios = [
        Priority::Low,
        Priority::Critical,
        Priority::Medium,
        Priority::Critical,
        Priority::Informational,
    ];
    let mut ids = Vec::new();
    for (i, p) in prios.iter().enumerate() {
        let mut n = new_ticket(if i < 3 { r1 } else { r2 }, TicketKind::Incident, *p);
        if i % 2 == 0 {
            n.group_id = Some(g.id);
        }
        ids.push(
            s.tickets()
                .create(&n, None, now(), None, &[])
                .await
                .unwrap()
                .0
                .id,
        );
    }
    let all = TicketFilter::default();
    let ids_of =
        |p: ventanilla_store::tickets::TicketPage| p.items.iter().map(|t| t.id).collect::<Vec<_>>();
    let own = s
        .tickets()
        .list(&TicketScope::Own(r1), &all, TicketSort::Oldest, None, 50)
        .await
        .unwrap();
    assert_eq!(ids_of(own), ids[..3].to_vec());
    let group = s
        .tickets()
        .list(
            &TicketScope::Groups(agent),
            &all,
            TicketSort::Oldest,
            None,
            50,
        )
        .await
        .unwrap();
    assert_eq!(ids_of(group), vec![ids[0], ids[2], ids[4]]);
    assert!(
        s.tickets()
            .visible(ids[0], &TicketScope::Groups(agent))
            .await
            .unwrap()
    );
    assert!(
        !s.tickets()
            .visible(ids[1], &TicketScope::Groups(agent))
            .await
            .unwrap()
    );
    let mut order = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = s
            .tickets()
            .list(
                &TicketScope::All,
                &all,
                TicketSort::Priority,
                after.as_deref(),
                2,
            )
            .await
            .unwrap();
        order.extend(page.items.iter().map(|t| t.id));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(order, vec![ids[1], ids[3], ids[2], ids[0], ids[4]]);
    let newest = s
        .tickets()
        .list(&TicketScope::All, &all, TicketSort::Newest, None, 2)
        .await
        .unwrap();
    assert_eq!(newest.items[0].id, ids[4]);
    let rest = s
        .tickets()
        .list(
            &TicketScope::All,
            &all,
            TicketSort::Newest,
            newest.next.as_deref(),
            10,
        )
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 3);
    let f = TicketFilter {
        text: Some("50%".into()),
        statuses: vec![Status::New],
        assignee_id: Some(None),
        ..TicketFilter::default()
    };
    assert_eq!(
        s.tickets()
            .list(&TicketScope::All, &f, TicketSort::Oldest, None, 50)
            .await
            .unwrap()
            .items
            .len(),
        5
    );
    let f = TicketFilter {
        priority: Some(Priority::Critical),
        ..TicketFilter::default()
    };
    assert_eq!(
        s.tickets()
            .list(&TicketScope::All, &f, TicketSort::Oldest, None, 50)
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert!(matches!(
        s.tickets()
            .list(&TicketScope::All, &all, TicketSort::Priority, Some("x"), 5)
            .await,
        Err(StoreError::Invalid(_))
    ));
    // Capped counts: several in one statement, each with its own scope and filter.
    let critical = TicketFilter {
        priority: Some(Priority::Critical),
        ..TicketFilter::default()
    };
    let mine = TicketFilter {
        assignee_id: Some(Some(agent)),
        ..TicketFilter::default()
    };
    let lists = vec![
        (TicketScope::All, all.clone()),
        (TicketScope::Groups(agent), all.clone()),
        (TicketScope::Own(r2), all.clone()),
        (TicketScope::All, critical.clone()),
        (TicketScope::Groups(agent), critical),
        (TicketScope::All, mine),
    ];
    let counts = s.tickets().count_capped_each(&lists, 100).await.unwrap();
    assert_eq!(counts, vec![5, 3, 2, 2, 0, 0]);
    let capped = s.tickets().count_capped_each(&lists, 2).await.unwrap();
    assert_eq!(capped, vec![2, 2, 2, 2, 0, 0]);
    assert!(
        s.tickets()
            .count_capped_each(&[], 2)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.tickets()
            .count_capped(&TicketScope::Groups(agent), &all, 100)
            .await
            .unwrap(),
        3
    );
}

#[tokio::test]
async fn attachments_categories_settings_and_survey_queue() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = user(&s, "r@x.test", REQUESTER).await;
    let (t, _) = s
        .tickets()
        .create(
            &new_ticket(r, TicketKind::Incident, Priority::Low),
            Some(r),
            now(),
            None,
            &[],
        )
        .await
        .unwrap();
    let data = vec![0u8, 1, 2, 255];
    let meta = s
        .tickets()
        .add_attachment(
            &NewAttachment {
                ticket_id: t.id,
                filename: "a.bin",
                content_type: "application/octet-stream",
                sha256: "x",
                public: false,
                data: &data,
            },
            Some(r),
            now(),
        )
        .await
        .unwrap();
    let (m2, bytes) = s.tickets().attachment(meta.id).await.unwrap();
    assert_eq!((m2.size, bytes), (4, data));
    assert_eq!(s.tickets().attachments(t.id, true).await.unwrap().len(), 0);
    assert_eq!(s.tickets().attachments(t.id, false).await.unwrap().len(), 1);
    assert_eq!(
        s.tickets().get(t.id).await.unwrap().version,
        2,
        "an upload is a change of the ticket"
    );

    let cats = s.categories().list().await.unwrap();
    assert_eq!(
        cats.len(),
        ventanilla_domain::ticket::default_categories().len()
    );
    let hw = cats.iter().find(|c| c.code == "hardware").unwrap().clone();
    let new = NewCategory {
        code: "hardware.scanner".into(),
        parent_id: Some(hw.id),
        name_es: "Escáner".into(),
        name_en: "Scanner".into(),
    };
    let scanner = s.categories().create(&new, &audit()).await.unwrap();
    assert!(matches!(
        s.categories().create(&new, &audit()).await,
        Err(StoreError::Conflict { .. })
    ));
    let moved = s
        .categories()
        .update(
            hw.id,
            &CategoryPatch {
                parent_id: Some(Some(scanner.id)),
                ..Default::default()
            },
            &audit(),
        )
        .await;
    assert!(matches!(moved, Err(StoreError::Invalid(_))), "no cycles");
    let retired = s
        .categories()
        .update(
            scanner.id,
            &CategoryPatch {
                active: Some(false),
                name_en: Some("Scanners".into()),
                ..Default::default()
            },
            &audit(),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            retired.active,
            retired.name_en.as_str(),
            retired.name_es.as_str()
        ),
        (false, "Scanners", "Escáner")
    );

    assert_eq!(
        s.settings().get::<serde_json::Value>("k").await.unwrap(),
        None
    );
    s.settings()
        .put("k", &serde_json::json!({ "a": 1 }), &audit())
        .await
        .unwrap();
    s.settings()
        .put("k", &serde_json::json!({ "a": 2 }), &audit())
        .await
        .unwrap();
    assert_eq!(
        s.settings().get::<serde_json::Value>("k").await.unwrap(),
        Some(serde_json::json!({ "a": 2 }))
    );

    s.tickets()
        .modify(t.id, None, None, now(), |t| {
            t.status = Status::Survey;
            Ok::<_, ()>(Effects::default())
        })
        .await
        .unwrap();
    let cutoff: Timestamp = "2026-06-02T10:00:00Z".parse().unwrap();
    assert_eq!(
        s.tickets().survey_expired(now(), 10).await.unwrap().len(),
        0
    );
    assert_eq!(
        s.tickets().survey_expired(cutoff, 10).await.unwrap(),
        vec![t.id]
    );
}

/// The "following" list of someone in no group is empty, on both backends (PostgreSQL
/// refuses the `group_id IN ()` such a person once produced: the console's tab answered 500).
#[tokio::test]
async fn following_with_no_group_lists_nothing() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = user(&s, "r@x.test", REQUESTER).await;
    let loner = user(&s, "loner@x.test", AGENT).await;
    s.tickets()
        .create(
            &new_ticket(r, TicketKind::Incident, Priority::Medium),
            None,
            now(),
            None,
            &[],
        )
        .await
        .unwrap();
    let following = TicketFilter {
        followed_by: Some(loner),
        ..TicketFilter::default()
    };
    for sort in [
        TicketSort::Oldest,
        TicketSort::Newest,
        TicketSort::Priority,
        TicketSort::Due,
    ] {
        let page = s
            .tickets()
            .list(&TicketScope::Groups(loner), &following, sort, None, 50)
            .await
            .unwrap();
        assert!(page.items.is_empty());
    }
}
