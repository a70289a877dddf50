//! Reports' exports, staffing and charging (issue 14): the streamed ticket CSV (pages, BOM,
//! formula injection defused, opened by LibreOffice headless with the accents intact), the
//! invoicing figures of a month by hand, and staffing from arrivals by Erlang C.

use std::io::Write as _;

use http::StatusCode;
use jiff::Timestamp;
use serde_json::{Value, json};
use ventanilla_testkit::{Desk, desk};

async fn ticket(d: &Desk, subject: &str) -> i64 {
    let res = d
        .post("/api/v1/tickets", json!({ "kind": "incident", "subject": subject, "description": "Desde esta mañana",
            "impact": "low", "urgency": "low", "group_id": d.l1, "assignee_id": d.agent.id(), "requester_id": d.requester.id() }), &d.agent)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

async fn log(d: &Desk, id: i64, minutes: i64, who: &ventanilla_testkit::Caller) {
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "note", "body": "trabajo", "minutes": minutes }),
            who,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
}

/// LibreOffice's view of a CSV file: its cells, row by row, read from the HTML it writes.
fn libreoffice_cells(csv: &[u8], separator: u8) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(csv)
        .unwrap();
    let out = dir.path().join("out");
    let status = std::process::Command::new("soffice")
        .args([
            "--headless",
            "--norestore",
            &format!(
                "-env:UserInstallation=file://{}/profile",
                dir.path().display()
            ),
            &format!("--infilter=CSV:{separator},34,76,1"),
            "--convert-to",
            "html",
            "--outdir",
        ])
        .arg(&out)
        .arg(&path)
        .output()
        .expect("LibreOffice (soffice) runs: apt-get install libreoffice-calc-nogui");
    assert!(status.status.success(), "{status:?}");
    let html = std::fs::read_to_string(out.join("export.html")).unwrap();
    html.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = cell.split_once('>').map_or("", |x| x.1);
                    let text = inner.split("</td>").next().unwrap_or("");
                    // Cells may wrap their text in <font> and the like: keep the text only.
                    let mut out = String::new();
                    let mut tag = false;
                    for c in text.chars() {
                        match c {
                            '<' => tag = true,
                            '>' => tag = false,
                            c if !tag => out.push(c),
                            _ => {}
                        }
                    }
                    out.replace("&quot;", "\"")
                        .replace("&amp;", "&")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .trim()
                        .to_owned()
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_ticket_csv_streams_pages_is_injection_safe_and_opens_in_libreoffice() {
    let d = desk().build().await;
    d.clock
        .set("2026-03-09T08:00:00Z".parse::<Timestamp>().unwrap());
    ticket(&d, "Impresión rota en León: ¿tóner?").await;
    ticket(&d, "=HYPERLINK(\"http://x.test\",\"pulse\")").await;
    ticket(&d, "Coma, \"comillas\" y; punto y coma").await;
    let url = "/api/v1/reports/tickets.csv?from=2026-03-09&to=2026-03-09";
    let res = d.get(url, &d.supervisor).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        res.text.starts_with("\u{feff}number,kind,subject,"),
        "{}",
        res.text
    );
    assert!(
        res.text.contains(
            "\r\nINC-000002,incident,\"'=HYPERLINK(\"\"http://x.test\"\",\"\"pulse\"\")\","
        ),
        "{}",
        res.text
    );
    assert_eq!(res.text.lines().count(), 4);
    // Out of the period: nothing but the header. Another slice: nothing either.
    let res = d
        .get(
            "/api/v1/reports/tickets.csv?from=2026-03-10&to=2026-03-10",
            &d.supervisor,
        )
        .await;
    assert_eq!(res.text.lines().count(), 1);
    let res = d
        .get(
            "/api/v1/reports/tickets.csv?from=2026-03-09&to=2026-03-09&group_id=999",
            &d.supervisor,
        )
        .await;
    assert_eq!(res.text.lines().count(), 1);
    assert_eq!(d.get(url, &d.agent).await.status, StatusCode::FORBIDDEN);

    // LibreOffice reads both separators with the accents intact and the formula as text.
    for (sep, byte) in [("comma", b','), ("semicolon", b';')] {
        let res = d.get(&format!("{url}&sep={sep}"), &d.supervisor).await;
        let cells = libreoffice_cells(res.text.as_bytes(), byte);
        assert_eq!(
            cells[0][0], "number",
            "{sep}: the BOM is not part of the first cell"
        );
        assert_eq!(
            cells[1][2], "Impresión rota en León: ¿tóner?",
            "{sep}: {cells:?}"
        );
        assert_eq!(
            cells[2][2], "'=HYPERLINK(\"http://x.test\",\"pulse\")",
            "{sep}"
        );
        assert_eq!(cells[3][2], "Coma, \"comillas\" y; punto y coma", "{sep}");
    }
}

#[tokio::test]
async fn an_export_larger_than_a_page_arrives_page_by_page() {
    let d = desk().build().await;
    // 2,500 tickets through the import (the path the benchmark loads a million by).
    let mut jsonl = String::from(
        r#"{"type":"user","ref":"ana","email":"ana@hsr.example","name":"Ana García","language":"es"}"#,
    );
    jsonl.push('\n');
    for i in 0..2500 {
        jsonl.push_str(&format!(
            r#"{{"type":"ticket","number":"INC-{:06}","kind":"incident","subject":"Petición nº {i}","description":"d","requester":"ana","channel":"email","impact":"low","urgency":"low","status":"new","created_at":"2026-02-01T{:02}:{:02}:00Z"}}"#,
            900_000 + i,
            i / 60 % 22,
            i % 60
        ));
        jsonl.push('\n');
    }
    let app = d.state();
    let report = app
        .store
        .import(
            std::io::Cursor::new(jsonl.into_bytes()),
            &ventanilla_store::import::ImportOptions {
                time_zone: ventanilla_domain::TimeZoneName::utc(),
                now: app.now(),
            },
        )
        .await
        .unwrap();
    assert_eq!(report.tickets, 2500);
    // The import rebuilt the rollup: the KPIs count the imported tickets.
    let k = d
        .get(
            "/api/v1/reports/kpis?from=2026-02-01&to=2026-02-01",
            &d.supervisor,
        )
        .await
        .body;
    assert_eq!(k["tickets_created"], 2500, "{k}");
    // The body is a stream: the header, then one chunk per page of 1,000 rows.
    use http_body_util::BodyExt as _;
    let req = http::Request::get("/api/v1/reports/tickets.csv?from=2026-02-01&to=2026-02-01")
        .header(
            "authorization",
            match &d.supervisor.caller {
                ventanilla_testkit::Caller::Bearer(t) => format!("Bearer {t}"),
                _ => unreachable!(),
            },
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let mut req = req;
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            1,
        ))));
    let res = tower::ServiceExt::oneshot(ventanilla_app::router(app.0.clone()), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    let mut chunks = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            chunks.push(String::from_utf8(data.to_vec()).unwrap());
        }
    }
    // A finished body may be polled again (the compression layer does): it stays finished.
    // It used to panic there, which broke the connection off mid-response.
    assert!(body.frame().await.is_none(), "polled after its end");
    let sizes: Vec<usize> = chunks.iter().map(|c| c.lines().count()).collect();
    // The first page is read before the answer starts, so it travels with the header.
    assert_eq!(
        sizes,
        vec![1001, 1000, 500],
        "header and first page, then pages"
    );
    let first = chunks[0].lines().nth(1).unwrap_or_default();
    assert!(first.starts_with("INC-900000,"), "oldest first: {first}");
}

#[tokio::test]
async fn a_months_charges_by_hand_and_staffing_by_erlang_c() {
    let d = desk().build().await;
    d.clock
        .set("2026-03-02T09:00:00Z".parse::<Timestamp>().unwrap()); // a Monday, 10:00 Madrid
    let a = ticket(&d, "Portátil").await;
    let b = ticket(&d, "Correo").await;
    log(&d, a, 90, &d.agent).await;
    log(&d, b, 30, &d.agent).await;
    log(&d, b, 45, &d.supervisor).await;
    // Rates: the agent 60.00/h; the supervisor has none, so the group's 40.00/h applies.
    let res = d
        .request(http::Method::PUT, "/api/v1/reports/charging/rates", Some(json!({ "default_cents_per_hour": 1000, "groups": { d.l1.get().to_string(): 4000 }, "agents": { d.agent.id().get().to_string(): 6000 } })), &d.admin)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = d
        .request(
            http::Method::PUT,
            "/api/v1/reports/charging/rates",
            Some(json!({ "default_cents_per_hour": -1 })),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let c = d
        .get("/api/v1/reports/charging?month=2026-03", &d.supervisor)
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    // The agent: 90 + 30 = 120 min × 60.00/h = 120.00; the supervisor: 45 min × 40.00/h = 30.00.
    let lines = c.body["lines"].as_array().unwrap();
    let by_agent = |name: &str| {
        lines
            .iter()
            .find(|l| l["agent"].as_str().is_some_and(|a| a.contains(name)))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        (
            by_agent("agent")["minutes"].as_i64(),
            by_agent("agent")["amount_cents"].as_i64()
        ),
        (Some(120), Some(12000)),
        "{}",
        c.text
    );
    assert_eq!(
        (
            by_agent("sup")["minutes"].as_i64(),
            by_agent("sup")["amount_cents"].as_i64()
        ),
        (Some(45), Some(3000)),
        "{}",
        c.text
    );
    assert_eq!(c.body["totals"][0]["amount_cents"], 15000);
    assert_eq!(
        d.get("/api/v1/reports/charging?month=2026-04", &d.supervisor)
            .await
            .body["lines"],
        json!([])
    );
    let csv = d
        .get(
            "/api/v1/reports/charging.csv?month=2026-03&sep=semicolon",
            &d.supervisor,
        )
        .await;
    assert!(
        csv.text.starts_with("\u{feff}month;organisation_code;"),
        "{}",
        csv.text
    );
    assert!(csv.text.contains(";120;2;60,00;120,00\r\n"), "{}", csv.text);
    assert_eq!(
        d.get("/api/v1/reports/charging?month=marzo", &d.supervisor)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Staffing over that one Monday: two arrivals between 10:00 and 11:00 Madrid, handled in
    // (90 + 30 + 45) / 0 resolved → no resolution, so the default 10 minutes is assumed.
    let s = d.get("/api/v1/reports/staffing?from=2026-03-02&to=2026-03-02&target_secs=60&target_share=0.8", &d.supervisor).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    assert_eq!(s.body["aht_secs"], 600.0);
    let cell = s.body["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["weekday"] == "mon" && c["hour"] == 10)
        .unwrap()
        .clone();
    assert_eq!(cell["arrivals_per_hour"], 2.0, "{cell}");
    // 2/h × 600 s = 0.333 erlangs: one agent answers 80 % within a minute? P(wait) = 1/3,
    // SL(1) = 1 − ⅓·e^(−(1−⅓)·60/600) = 0.688 < 0.8, so two are needed (SL 0.98).
    assert_eq!(cell["agents_needed"], 2, "{cell}");
    assert_eq!(cell["agents_scheduled"], 0);
    let quiet = s.body["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["weekday"] == "mon" && c["hour"] == 3)
        .unwrap()
        .clone();
    assert_eq!(
        (
            quiet["arrivals_per_hour"].as_f64(),
            quiet["agents_needed"].as_i64()
        ),
        (Some(0.0), Some(0))
    );
    // The page compares with the agents scheduled (a weekly grid in the settings).
    let app = d.state();
    let sup = ventanilla_domain::Caller::new(
        app.store
            .users()
            .actor(d.supervisor.id())
            .await
            .unwrap()
            .unwrap(),
        ventanilla_domain::Origin::Web,
    );
    use ventanilla_app::desk::reports::staffing::{parse_schedule, save_schedule};
    let mut grid = String::new();
    for day in 0..7 {
        let hours: Vec<String> = (0..24)
            .map(|h| {
                if day == 0 && h == 10 {
                    "1".into()
                } else {
                    "3".into()
                }
            })
            .collect();
        grid.push_str(&hours.join(" "));
        grid.push('\n');
    }
    assert!(parse_schedule("1 2 3").is_err());
    save_schedule(&app, &sup, &parse_schedule(&grid).unwrap())
        .await
        .unwrap();
    let session = d.login("sup@x.test", ventanilla_testkit::PASSWORD).await;
    let page = d
        .get(
            "/reports/staffing?from=2026-03-02&to=2026-03-02&target_secs=60",
            &session,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("<th scope=\"row\">10:00</th><td class=\"short\" title=\"Menos agentes programados que necesarios\">2 / 1 ⚠</td><td>0 / 3</td>"), "{}", page.text);
    assert_eq!(
        d.get("/api/v1/reports/staffing?target_share=1.5", &d.supervisor)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        d.get("/api/v1/reports/staffing", &d.agent).await.status,
        StatusCode::FORBIDDEN
    );
}
