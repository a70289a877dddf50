//! The testkit's own contract: the desk builder's people and groups, the ticket builder
//! registering as the API does, and the check that a test leaves no job unrun.

#![allow(clippy::unwrap_used)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use jiff::SignedDuration;
use ventanilla_domain::ticket::{Channel, EventKind, Priority, Status, TicketKind};
use ventanilla_domain::{Clock as _, Tier};
use ventanilla_store::jobs::NewJob;
use ventanilla_testkit::{Desk, desk};

async fn enqueue(d: &Desk, kind: &str, after: SignedDuration) {
    let now = d.app.now();
    let job = NewJob::new(
        kind,
        serde_json::json!({}),
        now.saturating_add(after).unwrap(),
    );
    d.app.store.jobs().enqueue(&job, now).await.unwrap();
}

#[tokio::test]
async fn the_desk_has_its_people_groups_and_calendar() {
    let d = desk()
        .with_l2("Sistemas")
        .with_calendar(
            "Oficina",
            serde_json::json!({ "time_zone": "Europe/Madrid", "weekly": { "mon": [["09:00", "18:00"]] } }),
        )
        .build()
        .await;
    let members = d.app.store.groups().members(d.l1).await.unwrap();
    let ids: Vec<_> = members.iter().map(|m| (m.user_id, m.supervisor)).collect();
    assert_eq!(ids, vec![(d.agent.id(), false), (d.supervisor.id(), true)]);
    let l2 = d.app.store.groups().get(d.l2.unwrap()).await.unwrap();
    assert_eq!((l2.name.as_str(), l2.tier), ("Sistemas", Tier::L2));
    assert!(d.calendar.is_some());
    let me = d.get("/api/v1/me", &d.requester).await;
    assert_eq!(me.body["user"]["email"], "req@x.test");
}

#[tokio::test]
async fn the_ticket_builder_registers_as_the_api_does() {
    let d = desk().build().await;
    // A requester's own ticket: registered by them, through their token (channel api).
    let own = d.ticket().by(&d.requester).create().await;
    assert_eq!(
        (
            own.number.as_str(),
            own.requester_id,
            own.channel,
            own.status
        ),
        ("INC-000001", d.requester.id(), Channel::Api, Status::New)
    );
    let created = &d.app.store.tickets().events(own.id, false).await.unwrap()[0];
    assert_eq!(
        (created.kind, created.actor_id),
        (EventKind::Created, Some(d.requester.id()))
    );
    // Routing a requester may not choose: registered for them by the administrator.
    let routed = d
        .ticket()
        .by(&d.requester)
        .service_request()
        .in_group(d.l1)
        .assigned_to(&d.agent)
        .category("hardware")
        .priority(Priority::Critical, "Dirección general")
        .create()
        .await;
    assert_eq!(routed.kind, TicketKind::ServiceRequest);
    assert_eq!(routed.number, "REQ-000001");
    assert_eq!(routed.requester_id, d.requester.id());
    assert_eq!(
        (routed.group_id, routed.assignee_id, routed.priority),
        (Some(d.l1), Some(d.agent.id()), Priority::Critical)
    );
    assert!(routed.category_id.is_some());
    let created = &d
        .app
        .store
        .tickets()
        .events(routed.id, false)
        .await
        .unwrap()[0];
    assert_eq!(created.actor_id, Some(d.admin.id()));
    // The service's refusals come back from `try_create`; keys make retries safe.
    let refused = d
        .ticket()
        .by(&d.requester)
        .registered_by(&d.requester)
        .in_group(d.l1)
        .try_create()
        .await;
    assert!(refused.is_err(), "a requester may not route their ticket");
    let first = d.ticket().idempotency_key("k").try_create().await.unwrap();
    let again = d.ticket().idempotency_key("k").try_create().await.unwrap();
    assert_eq!((first.0.id, first.1), (again.0.id, !again.1));
}

#[tokio::test]
async fn a_due_job_left_unrun_fails_the_test() {
    let d = desk().build().await;
    enqueue(&d, "housekeeping", SignedDuration::ZERO).await;
    let dropped = catch_unwind(AssertUnwindSafe(|| drop(d)));
    let message = dropped.unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(message.contains("housekeeping"), "{message}");
}

#[tokio::test]
async fn jobs_run_or_excused_or_not_yet_due_pass() {
    let d = desk().build().await;
    enqueue(&d, "housekeeping", SignedDuration::ZERO).await;
    assert!(d.run_pending_jobs().await >= 1);
    drop(d);
    let d = desk().build().await;
    enqueue(&d, "housekeeping", SignedDuration::ZERO).await;
    d.allow_pending_jobs();
    drop(d);
    let d = desk().build().await;
    enqueue(&d, "housekeeping", SignedDuration::from_hours(1)).await;
    assert_eq!(d.clock.now(), d.app.now());
    drop(d);
}

#[tokio::test]
async fn a_job_that_failed_is_reported_too() {
    let d = desk().build().await;
    enqueue(&d, "no.such.kind", SignedDuration::ZERO).await;
    d.run_pending_jobs().await;
    let dropped = catch_unwind(AssertUnwindSafe(|| drop(d)));
    let message = dropped.unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(message.contains("no.such.kind"), "{message}");
}
