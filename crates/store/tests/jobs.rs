//! The store contract for jobs, notifications, calendars and SLA policies, on SQLite and
//! (with `VENTANILLA_TEST_POSTGRES_URL`) PostgreSQL.

#![allow(clippy::unwrap_used)]

use jiff::{SignedDuration, Timestamp};
use ventanilla_domain::access::AGENT;
use ventanilla_domain::sla::{CalendarSpec, SlaActions, SlaPolicy, SlaPolicySpec};
use ventanilla_store::StoreError;
use ventanilla_store::audit::NewAudit;
use ventanilla_store::jobs::NewJob;
use ventanilla_testdb::{TestDb, fixtures};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn jobs_dedupe_claim_lease_retry_and_die() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let now = t("2026-01-05T10:00:00Z");
    let job = NewJob::new("demo", serde_json::json!({ "n": 1 }), now).dedupe("demo@1");
    assert!(s.jobs().enqueue(&job, now).await.unwrap());
    assert!(
        !s.jobs().enqueue(&job, now).await.unwrap(),
        "the dedupe key holds"
    );
    let later = NewJob::new("later", serde_json::json!({}), t("2026-01-05T11:00:00Z"));
    s.jobs().enqueue(&later, now).await.unwrap();
    let lease = SignedDuration::from_secs(60);
    let claimed = s.jobs().claim("w1", now, lease, 10).await.unwrap();
    assert_eq!(
        claimed.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(),
        vec!["demo"],
        "not before run_at"
    );
    assert_eq!(
        (claimed[0].attempts, claimed[0].payload["n"].as_i64()),
        (1, Some(1))
    );
    assert!(
        s.jobs()
            .claim("w2", now, lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "held by w1"
    );
    // w1 dies: after the lease another worker takes it over.
    let after_lease = now + SignedDuration::from_secs(61);
    let taken = s.jobs().claim("w2", after_lease, lease, 10).await.unwrap();
    assert_eq!(
        (
            taken[0].id,
            taken[0].attempts,
            taken[0].locked_by.as_deref()
        ),
        (claimed[0].id, 2, Some("w2"))
    );
    s.jobs()
        .complete(taken[0].id, "w1", after_lease)
        .await
        .unwrap();
    assert_eq!(
        s.jobs()
            .list(Some("running"), None, 10)
            .await
            .unwrap()
            .len(),
        1,
        "a stale worker cannot complete it"
    );
    s.jobs()
        .complete(taken[0].id, "w2", after_lease)
        .await
        .unwrap();
    assert_eq!(
        s.jobs().list(Some("done"), None, 10).await.unwrap().len(),
        1
    );
    // Failures retry until attempts are spent, then the job is dead until an admin retries.
    let mut f = NewJob::new("flaky", serde_json::json!({}), now);
    f.max_attempts = 2;
    s.jobs().enqueue(&f, now).await.unwrap();
    let j = s
        .jobs()
        .claim("w", after_lease, lease, 1)
        .await
        .unwrap()
        .remove(0);
    s.jobs()
        .fail(j.id, "w", "boom", after_lease, after_lease)
        .await
        .unwrap();
    let j = s
        .jobs()
        .claim("w", after_lease, lease, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(j.attempts, 2);
    s.jobs()
        .fail(j.id, "w", "boom again", after_lease, after_lease)
        .await
        .unwrap();
    let dead = s.jobs().list(Some("dead"), None, 10).await.unwrap();
    assert_eq!(
        (dead.len(), dead[0].last_error.as_deref()),
        (1, Some("boom again"))
    );
    assert!(
        s.jobs()
            .claim("w", after_lease, lease, 5)
            .await
            .unwrap()
            .iter()
            .all(|j| j.kind != "flaky")
    );
    s.jobs().retry(dead[0].id, after_lease).await.unwrap();
    assert!(matches!(
        s.jobs().retry(dead[0].id, after_lease).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        s.jobs()
            .claim("w", after_lease, lease, 5)
            .await
            .unwrap()
            .iter()
            .filter(|j| j.kind == "flaky")
            .count(),
        1
    );
    assert_eq!(
        s.jobs()
            .purge_done(after_lease + SignedDuration::from_secs(1))
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn notifications_are_per_user() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let role = s.roles().by_name(AGENT).await.unwrap();
    let mk = |email: &str| fixtures::new_user(email, role.id);
    let now = t("2026-01-05T10:00:00Z");
    let audit = NewAudit::new(now, None, "t", None);
    let a = s.users().create(&mk("a@x.test"), &audit).await.unwrap();
    let b = s.users().create(&mk("b@x.test"), &audit).await.unwrap();
    assert_eq!(
        s.users().active_with_role(AGENT).await.unwrap(),
        vec![a.id, b.id]
    );
    // Notifications are written with ticket changes; none exist yet.
    let (items, unread) = s.notifications().list(a.id, false, None, 10).await.unwrap();
    assert_eq!((items.len(), unread), (0, 0));
    assert!(matches!(
        s.notifications().mark_read(a.id, 1, now).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.notifications().mark_all_read(b.id, now).await.unwrap(), 0);
}

#[tokio::test]
async fn calendars_and_policies_round_trip() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let audit = NewAudit::new(t("2026-01-05T10:00:00Z"), None, "t", None);
    let spec: CalendarSpec = serde_json::from_str(r#"{"time_zone":"America/Bogota","weekly":{"mon":[["08:00","12:00"],["13:00","17:00"]]},"holidays":[{"date":"2026-07-20","yearly":true}]}"#).unwrap();
    let cal = s
        .sla()
        .put_calendar(None, "Bogotá", &spec, &audit)
        .await
        .unwrap();
    assert_eq!(cal.calendar.time_zone_name(), "America/Bogota");
    assert!(matches!(
        s.sla().put_calendar(None, "bogotá", &spec, &audit).await,
        Err(StoreError::Conflict { .. })
    ));
    let renamed = s
        .sla()
        .put_calendar(Some(cal.id), "Bogotá oficina", &spec, &audit)
        .await
        .unwrap();
    assert_eq!(renamed.name, "Bogotá oficina");
    let policy_spec: SlaPolicySpec = serde_json::from_value(serde_json::json!({
        "name": "Alta", "priority": "high", "calendar_id": cal.id, "targets": { "first_response": "PT1H", "resolution": "PT4H" } })).unwrap();
    let policy = SlaPolicy::new(policy_spec).unwrap();
    let stored = s
        .sla()
        .put_policy(None, &policy, &SlaActions::standard(), true, &audit)
        .await
        .unwrap();
    assert_eq!(
        (stored.policy.name.as_str(), stored.actions.clone()),
        ("Alta", SlaActions::standard())
    );
    let mut orphan = policy.clone();
    orphan.calendar_id = 999;
    orphan.name = "Otra".into();
    assert!(matches!(
        s.sla()
            .put_policy(None, &orphan, &SlaActions::default(), true, &audit)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let off = s
        .sla()
        .put_policy(
            Some(stored.id),
            &policy,
            &SlaActions::default(),
            false,
            &audit,
        )
        .await
        .unwrap();
    assert!(!off.active);
    assert_eq!(s.sla().policies().await.unwrap().len(), 1);
}
