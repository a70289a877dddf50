//! Scheduled reports (issue 14, item 4): a schedule is kept through the API by people who
//! read reports, for recipients who read reports; each run is queued once, at 06:00 desk
//! time, for the whole period before it, with the KPI CSV attached, and a recipient who
//! lost the permission is skipped. The test clock starts on Monday 2026-03-02 10:00 in
//! Madrid (the desk's zone).

use http::StatusCode;
use serde_json::{Value, json};
use ventanilla_testkit::{Desk, desk};

async fn report_mails(d: &Desk) -> Vec<(i64, Value)> {
    let mut out: Vec<(i64, Value)> = d
        .app
        .store
        .outbox()
        .pending(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "mail.report")
        .map(|e| (e.recipient_id.unwrap().get(), e.payload))
        .collect();
    out.sort_by_key(|(r, _)| *r);
    out
}

fn weekly(recipients: &[i64]) -> Value {
    json!({ "name": "Mesa semanal", "cadence": "weekly", "recipients": recipients })
}

#[tokio::test]
async fn a_weekly_report_goes_once_to_each_recipient_with_last_weeks_kpis_and_csv() {
    let d = desk().build().await;
    // One ticket this week (Monday 2 March); none after.
    d.ticket().by(&d.requester).create().await;
    let boss = d.person("boss@x.test", "supervisor").await;
    let res = d
        .post(
            "/api/v1/reports/schedules",
            json!({ "name": "  Mesa semanal ", "cadence": "weekly", "sep": "semicolon",
                    "recipients": [d.supervisor.id().get(), boss.id().get(), boss.id().get()] }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().unwrap();
    assert_eq!(res.body["name"], "Mesa semanal", "trimmed");
    assert_eq!(
        res.body["recipients"],
        json!([d.supervisor.id().get(), boss.id().get()]),
        "each person once"
    );
    // The first run is next Monday at 06:00 in Madrid (05:00 UTC in winter).
    assert_eq!(res.body["next_run_at"], "2026-03-09T05:00:00Z");

    // Nothing before then.
    d.clock.set("2026-03-09T04:59:00Z".parse().unwrap());
    d.run_pending_jobs().await;
    assert!(report_mails(&d).await.is_empty());

    // The boss is moved to a role without reports before the run: skipped.
    let res = d
        .patch(
            &format!("/api/v1/users/{}", boss.id().get()),
            json!({ "role": "agent" }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    d.clock.set("2026-03-09T05:03:00Z".parse().unwrap());
    d.run_pending_jobs().await;
    let mails = report_mails(&d).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (to, payload) = &mails[0];
    assert_eq!(*to, d.supervisor.id().get());
    assert_eq!(payload["params"]["from"], "2026-03-02");
    assert_eq!(payload["params"]["to"], "2026-03-08");
    assert_eq!(payload["params"]["cadence"], "weekly");
    assert_eq!(payload["kpis"]["tickets_created"], 1);
    let csv = payload["attachment"]["content"].as_str().unwrap();
    assert_eq!(
        payload["attachment"]["filename"],
        "kpis-2026-03-02-2026-03-08.csv"
    );
    assert!(csv.starts_with('\u{feff}'), "UTF-8 with a byte-order mark");
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("from;to;tickets_created;"),
        "the schedule's separator: {csv}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("2026-03-02;2026-03-08;1;")
    );

    // A second pass, or a second node, sends nothing more; the next run is a week later.
    d.run_pending_jobs().await;
    ventanilla_app::desk::reports::schedules::send_due(&d.app)
        .await
        .unwrap();
    assert_eq!(report_mails(&d).await.len(), 1);
    let s = d
        .get(&format!("/api/v1/reports/schedules/{id}"), &d.supervisor)
        .await;
    assert_eq!(s.body["next_run_at"], "2026-03-16T05:00:00Z");
    assert_eq!(s.body["last_period"], "2026-03-02..2026-03-08");

    // After a week of downtime only the latest week is sent, and the next run is from now.
    d.clock.set("2026-03-24T08:00:00Z".parse().unwrap());
    d.run_pending_jobs().await;
    let mails = report_mails(&d).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(
        mails[1].1["params"]["from"], "2026-03-09",
        "the week before the missed run's day"
    );
    let s = d
        .get(&format!("/api/v1/reports/schedules/{id}"), &d.supervisor)
        .await;
    assert_eq!(s.body["next_run_at"], "2026-03-30T04:00:00Z", "summer time");
}

#[tokio::test]
async fn schedules_are_checked_and_kept_by_those_who_read_reports() {
    let d = desk().build().await;
    let sup = d.supervisor.id().get();
    // An agent does not read reports: neither keeps nor lists schedules.
    let res = d
        .post("/api/v1/reports/schedules", weekly(&[sup]), &d.agent)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = d.get("/api/v1/reports/schedules", &d.agent).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // Each refusal names its field and stores nothing.
    let cases = [
        (
            json!({ "name": " ", "cadence": "weekly", "recipients": [sup] }),
            "name",
        ),
        (
            json!({ "name": "x".repeat(121), "cadence": "weekly", "recipients": [sup] }),
            "name",
        ),
        (
            json!({ "name": "A", "cadence": "hourly", "recipients": [sup] }),
            "cadence",
        ),
        (
            json!({ "name": "A", "cadence": "weekly", "recipients": [] }),
            "recipients",
        ),
        (
            json!({ "name": "A", "cadence": "weekly", "recipients": [d.requester.id().get()] }),
            "recipients",
        ),
        (
            json!({ "name": "A", "cadence": "weekly", "recipients": [d.agent.id().get()] }),
            "recipients",
        ),
        (
            json!({ "name": "A", "cadence": "weekly", "recipients": [999_999] }),
            "recipients",
        ),
        (
            json!({ "name": "A", "cadence": "weekly", "recipients": (1..=51).collect::<Vec<i64>>() }),
            "recipients",
        ),
        (
            json!({ "name": "A", "cadence": "weekly", "recipients": [sup], "group_id": 999 }),
            "group_id",
        ),
        (
            json!({ "name": "A", "cadence": "weekly", "recipients": [sup], "organisation_id": 0 }),
            "organisation_id",
        ),
        (
            json!({ "name": "A", "cadence": "weekly", "recipients": [sup], "category_id": 999 }),
            "category_id",
        ),
        (
            json!({ "name": "A", "cadence": "weekly", "recipients": [sup], "sep": "tab" }),
            "sep",
        ),
    ];
    for (body, field) in cases {
        let res = d
            .post("/api/v1/reports/schedules", body.clone(), &d.supervisor)
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        assert_eq!(
            res.body["error"]["code"], "validation_failed",
            "{}",
            res.text
        );
        assert_eq!(res.body["error"]["field"], field, "{body}: {}", res.text);
    }
    // An unknown field is refused, not ignored.
    let res = d
        .post(
            "/api/v1/reports/schedules",
            json!({ "name": "A", "cadence": "weekly", "recipients": [sup], "to": "x@evil.test" }),
            &d.supervisor,
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.text);
    let res = d.get("/api/v1/reports/schedules", &d.supervisor).await;
    assert_eq!(res.body, json!([]), "nothing stored");

    // A valid one; changed to monthly for the L1 group its next run moves to 1 April.
    let res = d
        .post("/api/v1/reports/schedules", weekly(&[sup]), &d.supervisor)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().unwrap();
    let res = d
        .put(
            &format!("/api/v1/reports/schedules/{id}"),
            json!({ "name": "Mesa mensual", "cadence": "monthly", "recipients": [sup], "group_id": d.l1.get() }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["next_run_at"], "2026-04-01T04:00:00Z");
    assert_eq!(res.body["group_id"], d.l1.get());
    // A bad change leaves it as it was.
    let res = d
        .put(
            &format!("/api/v1/reports/schedules/{id}"),
            json!({ "name": "Mesa", "cadence": "yearly", "recipients": [sup] }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = d
        .get(&format!("/api/v1/reports/schedules/{id}"), &d.supervisor)
        .await;
    assert_eq!(res.body["name"], "Mesa mensual");
    // The changes are in the audit log.
    let actions: Vec<String> = d
        .app
        .store
        .audit()
        .list(
            &ventanilla_store::audit::AuditFilter::default(),
            ventanilla_domain::directory::PageRequest {
                after: None,
                limit: 200,
            },
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(
        actions.iter().any(|a| a == "report_schedule.create"),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "report_schedule.update"),
        "{actions:?}"
    );
    // Deleted once; then it is gone.
    let path = format!("/api/v1/reports/schedules/{id}");
    assert_eq!(
        d.delete(&path, &d.agent).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        d.delete(&path, &d.supervisor).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        d.delete(&path, &d.supervisor).await.status,
        StatusCode::NOT_FOUND
    );
}
