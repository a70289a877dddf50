//! KPIs (issue 14, SPEC C14) on a fixed data set whose every figure is computed by hand
//! below, through the API contract `GET /api/v1/reports/kpis` and its CSV; and the rollup
//! kept in the change transactions equals one rebuilt from the tickets.

use http::StatusCode;
use jiff::Timestamp;
use serde_json::{Value, json};
use ventanilla_testkit::{Caller, Desk};

const MADRID_OFFICE: &str = r#"{"time_zone":"Europe/Madrid","weekly":{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]]}}"#;

/// The desk with L2 "Sistemas", the Madrid office calendar and one policy, for priority
/// high: first response 1 h, resolution 4 h (business time); a breach only notifies.
async fn desk() -> Desk {
    let d = ventanilla_testkit::desk()
        .with_l2("Sistemas")
        .with_calendar(
            "Oficina Madrid",
            serde_json::from_str(MADRID_OFFICE).unwrap(),
        )
        .build()
        .await;
    let res = d
        .post("/api/v1/sla-policies", json!({ "policy": { "name": "P high", "priority": "high", "calendar_id": d.calendar.unwrap(), "targets": { "first_response": "PT1H", "resolution": "PT4H" } },
            "actions": { "warning": [], "breach": [{ "type": "notify_supervisors" }] } }), &d.admin)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    d.run_pending_jobs().await;
    d
}

trait Steps {
    fn at(&self, instant: &str);
    async fn create(&self, impact: &str, urgency: &str, category: Option<i64>) -> i64;
    async fn ok(&self, path: String, body: Value, who: &Caller);
    async fn resolve(&self, id: i64, from_new: bool);
    async fn kpis(&self, query: &str) -> Value;
    async fn category(&self, code: &str) -> i64;
}

impl Steps for Desk {
    fn at(&self, instant: &str) {
        self.clock.set(instant.parse::<Timestamp>().unwrap());
    }

    async fn create(&self, impact: &str, urgency: &str, category: Option<i64>) -> i64 {
        let mut body = json!({ "kind": "incident", "subject": "Sin impresora", "description": "No imprime",
            "impact": impact, "urgency": urgency, "group_id": self.l1, "assignee_id": self.agent.id(), "requester_id": self.requester.id() });
        if let Some(c) = category {
            body["category_id"] = json!(c);
        }
        let res = self.post("/api/v1/tickets", body, &self.agent).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        res.body["id"].as_i64().unwrap()
    }

    async fn ok(&self, path: String, body: Value, who: &Caller) {
        let res = self.post(&path, body, who).await;
        assert!(
            res.status.is_success(),
            "{path}: {} {}",
            res.status,
            res.text
        );
    }

    async fn resolve(&self, id: i64, from_new: bool) {
        let steps: &[Value] = if from_new {
            &[json!({ "to": "analysis" }), json!({ "to": "solution" })]
        } else {
            &[json!({ "to": "solution" })]
        };
        for s in steps {
            self.ok(
                format!("/api/v1/tickets/{id}/transitions"),
                s.clone(),
                &self.agent,
            )
            .await;
        }
        self.ok(
            format!("/api/v1/tickets/{id}/transitions"),
            json!({ "to": "validation", "resolution_code": "fixed", "resolution": "Cambiado el tóner" }),
            &self.agent,
        )
        .await;
    }

    async fn kpis(&self, query: &str) -> Value {
        let res = self
            .get(&format!("/api/v1/reports/kpis?{query}"), &self.supervisor)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        res.body
    }

    async fn category(&self, code: &str) -> i64 {
        let res = self.get("/api/v1/categories", &self.agent).await;
        res.body
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    }
}

/// Each dashboard breakdown (by group, organisation, category; "not set" as -1) gives every
/// slice the sums the rollup filtered to that slice holds, and the slices add up to the
/// whole: the breakdown seeks the rollup once per id of the dimension (store `reports.rs`),
/// so an id it failed to walk, or "not set", would be missing here.
async fn breakdowns_equal_their_slices(d: &Desk) {
    use ventanilla_store::reports::RollupFilter;
    let whole = RollupFilter {
        from_day: 20260301,
        to_day: 20260331,
        group: None,
        organisation: None,
        category: None,
    };
    let state = d.state();
    let reports = state.store.reports();
    let total = reports.totals(&whole).await.unwrap();
    for dim in ["group", "organisation", "category"] {
        let slices = reports.breakdown(dim, &whole, false).await.unwrap();
        let mut sum = ventanilla_domain::report::Measures::default();
        for (key, m) in &slices {
            let id = Some(key.parse::<i64>().unwrap());
            let slice = match dim {
                "group" => RollupFilter { group: id, ..whole },
                "organisation" => RollupFilter {
                    organisation: id,
                    ..whole
                },
                _ => RollupFilter {
                    category: id,
                    ..whole
                },
            };
            assert_eq!(reports.totals(&slice).await.unwrap(), *m, "{dim} {key}");
            sum.add_all(m);
        }
        assert_eq!(sum, total, "{dim}: {slices:?}");
    }
    let by_category = reports.breakdown("category", &whole, false).await.unwrap();
    assert!(
        by_category.iter().any(|(key, _)| key == "-1"),
        "tickets without a category are a slice: {by_category:?}"
    );
}

fn approx(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

/// Monday 9 March 2026 in Madrid (UTC+1; the office opens at 09:00 = 08:00Z):
///
/// | ticket | priority (policy) | what happens (UTC) |
/// |---|---|---|
/// | T1 hardware | high (1 h / 4 h) | created 08:00; reply with 20 min logged 08:30; resolved 10:00; confirmed; rated 5; closed |
/// | T2 | high | created 08:00; breach of the 1 h response scanned at 09:05; reply with 30 min 09:30; resolved 11:00; requester says no 11:10; resolved again 11:30; confirmed; rated 2 |
/// | T3 | low (no policy) | created 08:00; escalated to L2 08:15; L2 replies with 45 min 09:00; open |
/// | T4 | low | created 10:00; cancelled 10:05 |
/// | T5 | low | created Tuesday 08:00; open |
///
/// By hand, for Monday alone: created 4 (T1–T4); resolved 2 (T1, T2, on their latest
/// resolution); first contact 1 of 2 (T2 was sent back) = 0.5; reopen rate 1/2 = 0.5;
/// escalation 1 of 4 created (T3) = 0.25; first responses T1 30 business min, T2 90
/// business min, T3 60 wall-clock min: mean 60; SLA response met by T1 only of the two
/// measured: 0.5; resolution T1 120 business min (08:00–10:00), T2 180 + 20 = 200 (the
/// clock stopped while the requester validated, 11:00–11:10): mean 160; SLA resolution 2 of
/// 2 = 1.0; handling (minutes logged on the resolved tickets) (20 + 30) / 2 = 25; CSAT
/// (5 + 2) / 2 = 3.5 from 2 responses. Backlog now (Tuesday 09:00Z): T2 (in review), T3,
/// T5 = 3, aged 1,500 + 1,500 + 60 minutes: mean 1,020. One article written (a knowledge
/// contribution) and one deflection, both on Monday.
#[tokio::test]
async fn every_kpi_on_a_fixed_data_set() {
    let d = desk().await;
    let hardware = d.category("hardware").await;
    let l2_agent = d.l2_agent.clone().unwrap();

    d.at("2026-03-09T08:00:00Z");
    let t1 = d.create("high", "medium", Some(hardware)).await;
    let t2 = d.create("high", "medium", None).await;
    let t3 = d.create("low", "low", None).await;
    d.at("2026-03-09T08:15:00Z");
    d.ok(
        format!("/api/v1/tickets/{t3}/escalations"),
        json!({ "type": "functional", "summary": "Placa base", "group_id": d.l2.unwrap() }),
        &d.agent,
    )
    .await;
    d.at("2026-03-09T08:30:00Z");
    d.ok(
        format!("/api/v1/tickets/{t1}/actions"),
        json!({ "kind": "reply", "body": "Lo miramos", "minutes": 20 }),
        &d.agent,
    )
    .await;
    d.at("2026-03-09T09:00:00Z");
    d.ok(
        format!("/api/v1/tickets/{t3}/actions"),
        json!({ "kind": "reply", "body": "Pedimos la pieza", "minutes": 45 }),
        &l2_agent,
    )
    .await;
    d.at("2026-03-09T09:05:00Z");
    d.run_pending_jobs().await; // T2's response target (09:00Z) is breached
    d.at("2026-03-09T09:30:00Z");
    d.ok(
        format!("/api/v1/tickets/{t2}/actions"),
        json!({ "kind": "reply", "body": "Perdón por la espera", "minutes": 30 }),
        &d.agent,
    )
    .await;
    d.at("2026-03-09T10:00:00Z");
    d.resolve(t1, true).await;
    let t4 = d.create("low", "low", None).await;
    d.at("2026-03-09T10:05:00Z");
    d.ok(
        format!("/api/v1/tickets/{t4}/transitions"),
        json!({ "to": "cancelled", "reason": "Duplicado" }),
        &d.agent,
    )
    .await;
    d.ok(
        format!("/api/v1/tickets/{t1}/confirmation"),
        json!({ "solved": true }),
        &d.requester,
    )
    .await;
    d.ok(
        format!("/api/v1/tickets/{t1}/survey"),
        json!({ "rating": 5 }),
        &d.requester,
    )
    .await;
    d.ok(
        format!("/api/v1/tickets/{t1}/transitions"),
        json!({ "to": "closed", "resolution_code": "fixed", "resolution": "Cambiado el tóner" }),
        &d.supervisor,
    )
    .await;
    d.at("2026-03-09T11:00:00Z");
    d.resolve(t2, true).await;
    d.at("2026-03-09T11:10:00Z");
    d.ok(
        format!("/api/v1/tickets/{t2}/confirmation"),
        json!({ "solved": false, "comment": "Sigue sin imprimir" }),
        &d.requester,
    )
    .await;
    d.at("2026-03-09T11:30:00Z");
    d.resolve(t2, false).await;
    d.ok(
        format!("/api/v1/tickets/{t2}/confirmation"),
        json!({ "solved": true }),
        &d.requester,
    )
    .await;
    d.ok(
        format!("/api/v1/tickets/{t2}/survey"),
        json!({ "rating": 2, "comment": "Lento" }),
        &d.requester,
    )
    .await;
    let res = d
        .post("/api/v1/articles", json!({"kind": "faq", "title": "Cambiar el tóner", "body": "Abra la tapa.", "language": "es", "status": "published"}), &d.agent)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let article = res.body["id"].as_i64().unwrap();
    let res = d
        .post(
            &format!("/api/v1/articles/{article}/deflections"),
            json!({"query": "tóner"}),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    d.at("2026-03-10T08:00:00Z");
    d.create("low", "low", None).await;
    d.at("2026-03-10T09:00:00Z");
    d.allow_pending_jobs();

    let k = d.kpis("from=2026-03-09&to=2026-03-09").await;
    assert_eq!(k["from"], "2026-03-09");
    assert_eq!(k["tickets_created"], 4, "{k}");
    assert_eq!(k["tickets_resolved"], 2, "{k}");
    assert!(approx(&k["first_contact_resolution_rate"], 0.5), "{k}");
    assert!(approx(&k["reopen_rate"], 0.5), "{k}");
    assert!(approx(&k["escalation_rate"], 0.25), "{k}");
    assert!(approx(&k["mean_first_response_minutes"], 60.0), "{k}");
    assert!(approx(&k["sla_response_compliance"], 0.5), "{k}");
    assert!(approx(&k["mean_time_to_resolve_minutes"], 160.0), "{k}");
    assert!(approx(&k["sla_resolution_compliance"], 1.0), "{k}");
    assert!(approx(&k["average_handling_minutes"], 25.0), "{k}");
    assert!(approx(&k["csat_average"], 3.5), "{k}");
    assert_eq!(k["csat_responses"], 2, "{k}");
    assert_eq!(k["backlog_open"], 3, "{k}");
    assert!(approx(&k["backlog_mean_age_minutes"], 1020.0), "{k}");
    assert_eq!(k["knowledge_contributions"], 1, "{k}");
    assert_eq!(k["deflections"], 1, "{k}");

    // Tuesday alone: one ticket created, nothing else; the rates have nothing to divide.
    let k = d.kpis("from=2026-03-10&to=2026-03-10").await;
    assert_eq!(k["tickets_created"], 1, "{k}");
    assert_eq!(k["tickets_resolved"], 0, "{k}");
    assert_eq!(k["first_contact_resolution_rate"], Value::Null, "{k}");
    assert!(approx(&k["escalation_rate"], 0.0), "{k}");
    assert_eq!(k["deflections"], 0, "{k}");

    // Slices: the L2 group holds T3 (created Monday, escalated, answered in 60 minutes,
    // open); the hardware category holds T1.
    let l2 = d.l2.unwrap();
    let k = d
        .kpis(&format!("from=2026-03-09&to=2026-03-10&group_id={l2}"))
        .await;
    assert_eq!(k["tickets_created"], 1, "{k}");
    assert!(approx(&k["escalation_rate"], 1.0), "{k}");
    assert!(approx(&k["mean_first_response_minutes"], 60.0), "{k}");
    assert_eq!(k["backlog_open"], 1, "{k}");
    let k = d
        .kpis(&format!(
            "from=2026-03-09&to=2026-03-10&category_id={hardware}"
        ))
        .await;
    assert_eq!(k["tickets_created"], 1, "{k}");
    assert!(approx(&k["first_contact_resolution_rate"], 1.0), "{k}");
    assert!(approx(&k["csat_average"], 5.0), "{k}");
    assert_eq!(k["backlog_open"], 0, "{k}");
    let k = d
        .kpis(&format!(
            "from=2026-03-09&to=2026-03-10&group_id={}&category_id={hardware}",
            d.l1
        ))
        .await;
    assert_eq!(k["tickets_created"], 1, "{k}");

    // The rollup kept by every change equals the one rebuilt from the tickets.
    let whole = "from=2026-03-01&to=2026-03-31";
    let before = d.kpis(whole).await;
    let read = d.state().store.reports().rebuild().await.unwrap();
    assert_eq!(read, 5);
    assert_eq!(d.kpis(whole).await, before);
    let k = d.kpis(&format!("{whole}&group_id={l2}")).await;
    assert_eq!(k["tickets_created"], 1, "{k}");
    breakdowns_equal_their_slices(&d).await;

    // The CSV: byte-order mark, the JSON names, the same figures; `;` with decimal commas.
    let res = d
        .get(
            "/api/v1/reports/kpis.csv?from=2026-03-09&to=2026-03-09",
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text.starts_with('\u{feff}'), "{}", res.text);
    let lines: Vec<&str> = res.text.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0]
            .starts_with("from,to,tickets_created,tickets_resolved,first_contact_resolution_rate,"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("2026-03-09,2026-03-09,4,2,0.5,0.5,1,60,160,25,3.5,0.5,0.25,3,"),
        "{}",
        lines[1]
    );
    let res = d
        .get(
            "/api/v1/reports/kpis.csv?from=2026-03-09&to=2026-03-09&sep=semicolon",
            &d.supervisor,
        )
        .await;
    assert!(
        res.text
            .contains("\r\n2026-03-09;2026-03-09;4;2;0,5;0,5;1;60;160;25;3,5;"),
        "{}",
        res.text
    );

    // The dashboards show the same figures (Spanish decimals), the chart and its table.
    let sup = d.login("sup@x.test", ventanilla_testkit::PASSWORD).await;
    let page = d.get("/reports?from=2026-03-09&to=2026-03-09", &sup).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for needle in [
        "<tr id=\"kpi-csat_average\"><th scope=\"row\">Satisfacción (CSAT, 1–5)</th><td class=\"num\">3,50</td>",
        "<tr id=\"kpi-first_contact_resolution_rate\"><th scope=\"row\">Resolución en el primer contacto</th><td class=\"num\">50,0 %</td>",
        "<svg class=\"chart\"",
        "id=\"trend-table\"",
        "<th scope=\"row\">2026-03-09</th><td>4</td><td>2</td>",
        "Σ valoraciones globales ÷ encuestas respondidas",
        "Lento",
    ] {
        assert!(page.text.contains(needle), "{needle}: {}", page.text);
    }
    let page = d
        .get(
            &format!("/reports/manager?from=2026-03-09&to=2026-03-10&category_id={hardware}"),
            &sup,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("id=\"by-channel-table\""),
        "{}",
        page.text
    );
    let agent = d.login("agent@x.test", ventanilla_testkit::PASSWORD).await;
    assert_eq!(
        d.get("/reports", &agent).await.status,
        StatusCode::FORBIDDEN
    );
    let mine = d
        .get("/reports/me?from=2026-03-09&to=2026-03-09", &agent)
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert!(
        mine.text.contains("<td id=\"mine-resolved\">2</td>"),
        "{}",
        mine.text
    );
    assert!(
        mine.text.contains("<td id=\"mine-csat\">3,50</td>"),
        "{}",
        mine.text
    );
}

#[tokio::test]
async fn kpis_need_reports_read_and_a_well_formed_period() {
    let d = desk().await;
    let res = d.get("/api/v1/reports/kpis", &d.agent).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = d.get("/api/v1/reports/kpis.csv", &d.requester).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    for bad in [
        "from=2026-13-01",
        "from=2026-03-10&to=2026-03-09",
        "group_id=0",
        "from=2020-01-01&to=2026-01-01",
    ] {
        let res = d
            .get(&format!("/api/v1/reports/kpis?{bad}"), &d.supervisor)
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            res.text
        );
        assert_eq!(res.error_code(), "validation_failed", "{bad}");
    }
    let res = d
        .get("/api/v1/reports/kpis.csv?sep=tab", &d.supervisor)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    // An empty desk: zero counts, no rates.
    let k = d.get("/api/v1/reports/kpis", &d.supervisor).await.body;
    assert_eq!(k["tickets_created"], 0);
    assert_eq!(k["csat_average"], Value::Null);
}
