//! Monitoring events through the API (issue 13): integrations and their tokens,
//! Alertmanager's webhook body and the generic body, one incident per alert key, repeats
//! and resolutions, the raw payload kept, and bad input refused naming the field.

use http::StatusCode;
use serde_json::{Value, json};
use ventanilla_domain::TicketId;
use ventanilla_testkit::{Caller, TestApp};

pub async fn integration(
    t: &TestApp,
    admin: &Caller,
    kind: &str,
    settings: Value,
) -> (i64, Caller) {
    let res = t
        .post(
            "/api/v1/integrations",
            json!({ "kind": kind, "name": format!("{kind} prod"), "settings": settings }),
            admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let token = res.body["token"].as_str().unwrap().to_owned();
    (res.body["id"].as_i64().unwrap(), Caller::Bearer(token))
}

pub fn am_body(group: &str, alerts: Value) -> Value {
    json!({
        "version": "4", "groupKey": group, "truncatedAlerts": 0, "status": "firing",
        "receiver": "ventanilla", "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": {"alertname": "DiskFull"}, "commonAnnotations": {},
        "externalURL": "http://alertmanager.test", "alerts": alerts,
    })
}

pub fn am_alert(fp: &str, status: &str, instance: &str, severity: &str) -> Value {
    json!({
        "status": status,
        "labels": {"alertname": "DiskFull", "instance": instance, "severity": severity},
        "annotations": {"summary": format!("Disk almost full on {instance}")},
        "startsAt": "2026-03-02T08:59:00Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.test/graph", "fingerprint": fp,
    })
}

async fn codes(t: &TestApp, id: i64) -> Vec<String> {
    t.app
        .store
        .tickets()
        .events(TicketId(id), false)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| e.code)
        .collect()
}

#[tokio::test]
async fn alertmanager_firing_repeat_and_resolved() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, am) = integration(&t, &admin, "alertmanager", json!({})).await;

    let body = am_body(
        "{}:{alertname=\"DiskFull\"}",
        json!([
            am_alert("aaa111", "firing", "db-01", "critical"),
            am_alert("bbb222", "firing", "web-02", "info"),
        ]),
    );
    let res = t
        .post("/api/v1/events/alertmanager", body.clone(), &am)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let opened: Vec<i64> = res.body["opened"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(opened.len(), 2, "{}", res.text);
    let raw = t
        .app
        .store
        .events()
        .payload(res.body["payload_id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&raw).unwrap(),
        body,
        "raw payload kept"
    );

    let mut tickets = Vec::new();
    for id in &opened {
        tickets.push(t.app.store.tickets().get(TicketId(*id)).await.unwrap());
    }
    tickets.sort_by(|a, b| a.ci_ref.cmp(&b.ci_ref));
    let web = tickets.pop().unwrap();
    let db = tickets.pop().unwrap();
    assert_eq!(db.channel.as_str(), "event");
    assert_eq!(
        db.ci_ref.as_deref(),
        Some("db-01"),
        "affected CI from the label"
    );
    assert_eq!(
        (db.impact.as_str(), db.urgency.as_str()),
        ("high", "high"),
        "critical"
    );
    assert_eq!(
        (web.impact.as_str(), web.urgency.as_str()),
        ("low", "low"),
        "info"
    );
    assert!(
        db.description.contains("fingerprint=aaa111"),
        "{}",
        db.description
    );
    assert!(
        db.subject.contains("Disk almost full on db-01"),
        "{}",
        db.subject
    );
    assert_eq!(
        t.app.store.events().keys_of(db.id).await.unwrap(),
        vec!["aaa111".to_owned()],
        "the incident carries its fingerprint"
    );
    assert!(
        codes(&t, db.id.get())
            .await
            .contains(&"event_opened".to_owned())
    );

    // Alertmanager repeats the same group: no new incident, a note on each.
    let res = t
        .post("/api/v1/events/alertmanager", body.clone(), &am)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["opened"], json!([]), "{}", res.text);
    assert_eq!(res.body["repeated"], 2);
    assert!(
        codes(&t, db.id.get())
            .await
            .contains(&"event_repeated".to_owned())
    );

    // The database alert resolves: a note, and the incident moves to validation.
    let resolved = am_body(
        "{}:{alertname=\"DiskFull\"}",
        json!([am_alert("aaa111", "resolved", "db-01", "critical")]),
    );
    let res = t
        .post("/api/v1/events/alertmanager", resolved.clone(), &am)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["resolved"], 1, "{}", res.text);
    let db = t.app.store.tickets().get(db.id).await.unwrap();
    assert_eq!(db.status.as_str(), "validation");
    assert!(
        codes(&t, db.id.get())
            .await
            .contains(&"event_resolved".to_owned())
    );
    let web = t.app.store.tickets().get(web.id).await.unwrap();
    assert_eq!(web.status.as_str(), "new", "the other alert still fires");
    // The same resolution again changes nothing.
    let res = t.post("/api/v1/events/alertmanager", resolved, &am).await;
    assert_eq!(res.body["resolved"], 0, "{}", res.text);
    assert_eq!(res.body["ignored"], 1, "{}", res.text);
}

#[tokio::test]
async fn grouping_by_group_key_opens_one_incident_per_group() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, am) = integration(&t, &admin, "alertmanager", json!({"group_by": "group_key"})).await;
    let body = am_body(
        "{}:{alertname=\"HighLatency\"}",
        json!([
            am_alert("f1", "firing", "a", "warning"),
            am_alert("f2", "firing", "b", "warning"),
            am_alert("f3", "firing", "c", "warning"),
        ]),
    );
    let res = t.post("/api/v1/events/alertmanager", body, &am).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        res.body["opened"].as_array().unwrap().len(),
        1,
        "{}",
        res.text
    );
}

#[tokio::test]
async fn generic_events_dedupe_and_resolve() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, gen_) = integration(&t, &admin, "generic", json!({"on_resolved": "resolve"})).await;
    let fire = json!({"dedupe_key": "nagios/host-7/ping", "status": "firing",
        "summary": "host-7 does not answer ping", "severity": "error", "ci": "host-7"});
    let res = t.post("/api/v1/events", fire.clone(), &gen_).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let id = res.body["opened"][0].as_i64().unwrap();
    let res = t.post("/api/v1/events", fire.clone(), &gen_).await;
    assert_eq!(res.body["opened"], json!([]));
    assert_eq!(res.body["repeated"], 1);
    let ticket = t.app.store.tickets().get(TicketId(id)).await.unwrap();
    assert_eq!(
        (ticket.impact.as_str(), ticket.urgency.as_str()),
        ("high", "medium")
    );
    assert_eq!(ticket.ci_ref.as_deref(), Some("host-7"));

    let res = t
        .post(
            "/api/v1/events",
            json!({"dedupe_key": "nagios/host-7/ping", "status": "resolved", "summary": "ok"}),
            &gen_,
        )
        .await;
    assert_eq!(res.body["resolved"], 1, "{}", res.text);
    let ticket = t.app.store.tickets().get(TicketId(id)).await.unwrap();
    assert_eq!(
        ticket.status.as_str(),
        "survey",
        "resolved: validated as solved"
    );
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    let (am_id, am) = integration(&t, &admin, "alertmanager", json!({})).await;
    let (gen_id, gen_) = integration(&t, &admin, "generic", json!({})).await;

    let res = t
        .post(
            "/api/v1/integrations",
            json!({"kind": "alertmanager", "name": "x"}),
            &agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "administrators only");
    let res = t
        .post(
            "/api/v1/integrations",
            json!({"kind": "zabbix", "name": "x"}),
            &admin,
        )
        .await;
    assert_eq!(res.body["error"]["field"], "kind");

    let unknown = Caller::Bearer("vt_nobodyknowsthistoken".into());
    let body = am_body("g", json!([am_alert("f", "firing", "a", "info")]));
    let res = t
        .post("/api/v1/events/alertmanager", body.clone(), &unknown)
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = t
        .post("/api/v1/events/alertmanager", body.clone(), &agent)
        .await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "a personal token is not an integration's"
    );
    let res = t
        .post("/api/v1/events/alertmanager", body.clone(), &gen_)
        .await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "a generic integration's token"
    );

    let mut v3 = body.clone();
    v3["version"] = json!("3");
    let res = t.post("/api/v1/events/alertmanager", v3, &am).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "invalid_payload");
    assert_eq!(res.body["error"]["field"], "version");
    let no_fp = am_body("g", json!([{"status": "firing", "labels": {}}]));
    let res = t.post("/api/v1/events/alertmanager", no_fp, &am).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.body["error"]["field"], "alerts[0].fingerprint");
    let res = t
        .post(
            "/api/v1/events",
            json!({"status": "firing", "summary": "x"}),
            &gen_,
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.body["error"]["field"], "dedupe_key");
    let res = t
        .post(
            "/api/v1/events",
            json!({"dedupe_key": "k", "status": "burning", "summary": "x"}),
            &gen_,
        )
        .await;
    assert_eq!(res.body["error"]["field"], "status");
    for i in [am_id, gen_id] {
        assert_eq!(
            t.app.store.events().count_linked(i).await.unwrap(),
            0,
            "nothing was opened by refused bodies"
        );
    }
}
