//! The reports rollup off the commit path (issue 14): ticket changes append to
//! `report_pending`, and a fold (the job, or any report read first) moves them into the
//! rollup exactly once, even with two nodes folding while tickets are written — on SQLite,
//! and on PostgreSQL when `VENTANILLA_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used)]

use jiff::{SignedDuration, Timestamp};
use ventanilla_domain::access::REQUESTER;
use ventanilla_domain::report::{Measure, Measures};
use ventanilla_domain::ticket::{Priority, Status, TicketKind};
use ventanilla_domain::{TicketId, UserId};
use ventanilla_store::Store;
use ventanilla_store::reports::RollupFilter;
use ventanilla_store::tickets::Effects;
use ventanilla_testdb::{TestDb, fixtures};

fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().unwrap()
}

/// Every day of 2026, no slice.
const YEAR: RollupFilter = RollupFilter {
    from_day: 20260101,
    to_day: 20261231,
    group: None,
    organisation: None,
    category: None,
};

async fn requester(s: &Store) -> UserId {
    fixtures::user(s, "r@x.test", REQUESTER, now()).await.id
}

async fn register(s: &Store, r: UserId, n: usize) -> Vec<TicketId> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let reg = fixtures::registration(
            fixtures::new_ticket(r, TicketKind::Incident, Priority::Medium),
            None,
        );
        let done = s.tickets().create_many(&[reg], now()).await.unwrap();
        ids.push(done[0].0.id);
    }
    ids
}

async fn close(s: &Store, id: TicketId) {
    let at = now() + SignedDuration::from_hours(2);
    s.tickets()
        .modify(id, None, None, at, |t| {
            t.status = Status::Closed;
            t.resolved_at = Some(at);
            Ok::<_, ()>(Effects::default())
        })
        .await
        .unwrap();
}

/// The year's totals and the backlog, as the dashboard reads them.
async fn sums(s: &Store) -> (Measures, Measures) {
    let r = s.reports();
    (
        r.totals(&YEAR).await.unwrap(),
        r.backlog(&YEAR).await.unwrap(),
    )
}

#[tokio::test]
async fn changes_wait_in_pending_and_a_read_folds_them_first() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = requester(&s).await;
    let ids = register(&s, r, 3).await;
    // Each registration appends its created day and its backlog entry: six rows, none
    // folded yet; a second fold finds nothing.
    assert_eq!(s.reports().fold_pending().await.unwrap(), 6);
    assert_eq!(s.reports().fold_pending().await.unwrap(), 0);

    // A read right after a change sees it, because it folds first; then nothing is left.
    close(&s, ids[0]).await;
    let (total, backlog) = sums(&s).await;
    assert_eq!(total.get(Measure::Created), 3);
    assert_eq!(total.get(Measure::Resolved), 1);
    assert_eq!(backlog.get(Measure::Open), 2);
    assert_eq!(s.reports().fold_pending().await.unwrap(), 0);

    // Breakdowns fold first too.
    register(&s, r, 1).await;
    let by_channel = s
        .reports()
        .breakdown("channel", &YEAR, false)
        .await
        .unwrap();
    let created: i64 = by_channel
        .iter()
        .map(|(_, m)| m.get(Measure::Created))
        .sum();
    assert_eq!(created, 4, "{by_channel:?}");
}

#[tokio::test]
async fn two_nodes_folding_while_tickets_change_count_each_change_once() {
    let db = TestDb::fresh().await;
    let a = db.store().await;
    let b = db.store().await;
    let r = requester(&a).await;
    let writer = {
        let a = a.clone();
        tokio::spawn(async move {
            let ids = register(&a, r, 40).await;
            for id in ids.iter().step_by(3) {
                close(&a, *id).await;
            }
        })
    };
    let folder = |s: Store| {
        tokio::spawn(async move {
            let mut folded = 0;
            for _ in 0..60 {
                folded += s.reports().fold_pending().await.unwrap();
                tokio::task::yield_now().await;
            }
            folded
        })
    };
    let (fa, fb) = (folder(a.clone()), folder(b.clone()));
    writer.await.unwrap();
    let folded = fa.await.unwrap() + fb.await.unwrap() + a.reports().fold_pending().await.unwrap();
    // 40 registrations append two rows each (created day, backlog), 14 closings two each
    // (resolution day, backlog): each row is taken by exactly one fold.
    assert_eq!(folded, 40 * 2 + 14 * 2);

    let (total, backlog) = sums(&b).await;
    assert_eq!(total.get(Measure::Created), 40);
    assert_eq!(total.get(Measure::Resolved), 14);
    assert_eq!(backlog.get(Measure::Open), 26);
    // And the rollup equals one rebuilt from the tickets, measure by measure.
    a.reports().rebuild().await.unwrap();
    assert_eq!(sums(&b).await, (total, backlog));
}
