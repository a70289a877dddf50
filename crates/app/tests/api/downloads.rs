//! Issue 15, case 3: every download the product serves names the file the same safe way —
//! an ASCII `filename=` fallback and the exact UTF-8 name in `filename*=` (RFC 6266 and
//! RFC 8187). One table: every download route (the API, and the links on the console's and
//! the portal's ticket pages, followed with the page's session) × hostile names.

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use serde_json::json;
use ventanilla_testkit::{Caller, PASSWORD, TestApp, TestResponse};

/// (name uploaded, name stored and sent exactly, ASCII fallback).
const NAMES: &[(&str, &str, &str)] = &[
    (
        "Acta reunión año 2026 — ñandú.pdf",
        "Acta reunión año 2026 — ñandú.pdf",
        "Acta reunion ano 2026 - nandu.pdf",
    ),
    (
        "informe \"final\".pdf",
        "informe \"final\".pdf",
        "informe _final_.pdf",
    ),
    ("C:\\Users\\ana\\back\\slash.txt", "slash.txt", "slash.txt"),
    (
        "acta\r\nSet-Cookie: x=1\r\n.txt",
        "actaSet-Cookie: x=1.txt",
        "actaSet-Cookie_ x=1.txt",
    ),
    (
        "100% real;x=1.csv",
        "100% real;x=1.csv",
        "100_ real_x=1.csv",
    ),
    ("factura\u{202E}fdp.exe", "facturafdp.exe", "facturafdp.exe"),
    (
        "\u{2067}nómina\u{2069}\u{200F}.xlsx",
        "nómina.xlsx",
        "nomina.xlsx",
    ),
    ("отчёт.xlsx", "отчёт.xlsx", "download.xlsx"),
    ("報告書.docx", "報告書.docx", "download.docx"),
];

async fn upload(t: &TestApp, ticket: i64, name: &str, who: &Caller) -> TestResponse {
    let Caller::Bearer(tok) = who else {
        unreachable!()
    };
    let q = serde_urlencoded::to_string([("filename", name)]).unwrap();
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/tickets/{ticket}/attachments?{q}"))
        .header(header::AUTHORIZATION, format!("Bearer {tok}"))
        .body(Body::from(b"contenido".to_vec()))
        .unwrap();
    t.send(req).await
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Checks one `Content-Disposition`; returns (fallback, exact name).
fn parse(value: &[u8]) -> (String, String) {
    assert!(
        value.iter().all(|b| (0x20..0x7F).contains(b)),
        "only visible ASCII in the header: {value:?}"
    );
    let v = std::str::from_utf8(value).unwrap();
    let rest = v
        .strip_prefix("attachment; filename=\"")
        .unwrap_or_else(|| panic!("{v}"));
    let (fallback, star) = rest
        .split_once("\"; filename*=UTF-8''")
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        !fallback.contains(['"', '\\', '%', ';', '/']),
        "the fallback stays one plain quoted token: {v}"
    );
    assert!(
        star.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~%".contains(&b)),
        "filename* is attr-chars and %XX only: {v}"
    );
    let exact = String::from_utf8(percent_decode(star)).expect("UTF-8 name");
    (fallback.to_owned(), exact)
}

/// The `href`s of the page's download links.
fn download_links(html: &str) -> Vec<String> {
    html.split("<a href=\"")
        .skip(1)
        .filter_map(|rest| {
            let (href, after) = rest.split_once('"')?;
            after
                .trim_start()
                .starts_with("download")
                .then(|| href.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn every_download_route_names_files_safely() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (agent_user, agent) = t.token_for("agent@x.test", "agent").await;
    let (_, requester) = t.token_for("ana@x.test", "requester").await;
    t.post(
        "/api/v1/groups",
        json!({ "name": "Mesa", "tier": "L1", "members": [{ "user_id": agent_user.id }] }),
        &admin,
    )
    .await;
    let res = t.post("/api/v1/tickets", json!({ "kind": "incident", "subject": "Actas", "description": "d", "impact": "low", "urgency": "low" }), &requester).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let ticket = res.body["id"].as_i64().unwrap();
    let mut files = Vec::new();
    for (raw, exact, fallback) in NAMES {
        let res = upload(&t, ticket, raw, &requester).await;
        assert_eq!(res.status, StatusCode::CREATED, "{raw:?}: {}", res.text);
        assert_eq!(res.body["filename"], *exact, "stored name of {raw:?}");
        files.push((res.body["id"].as_i64().unwrap(), *exact, *fallback));
    }
    let agent_session = t.login("agent@x.test", PASSWORD).await;
    let requester_session = t.login("ana@x.test", PASSWORD).await;

    // Every route that serves a file: the API's (from the OpenAPI document, so a new one
    // cannot be missed) and the pages' download links.
    let doc = t.get("/api/openapi.json", &Caller::Anonymous).await.body;
    let mut api_downloads: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, ops)| {
            ops["get"]["responses"]["200"]["content"]
                .as_object()
                .is_some_and(|c| c.keys().any(|k| k != "application/json"))
        })
        .map(|(path, _)| path.clone())
        .collect();
    api_downloads.sort();
    assert_eq!(
        api_downloads,
        vec![
            "/attachments/{id}",
            "/audit/export",
            "/reports/charging.csv",
            "/reports/kpis.csv",
            "/reports/tickets.csv"
        ],
        "a new download route joins this table"
    );
    // The reports' CSV files are named by the application (period or month), never by
    // what a user typed: one plain ASCII name each.
    let (_, supervisor) = t.token_for("sup@x.test", "supervisor").await;
    for (url, name) in [
        (
            "/api/v1/reports/kpis.csv?from=2026-01-01&to=2026-01-31",
            "kpis-2026-01-01-2026-01-31.csv",
        ),
        (
            "/api/v1/reports/tickets.csv?from=2026-01-01&to=2026-01-31",
            "tickets-2026-01-01-2026-01-31.csv",
        ),
        (
            "/api/v1/reports/charging.csv?month=2026-01",
            "charges-2026-01.csv",
        ),
    ] {
        let res = t.get(url, &supervisor).await;
        assert_eq!(res.status, StatusCode::OK, "{url}: {}", res.text);
        let (fallback, exact) = parse(res.headers[header::CONTENT_DISPOSITION].as_bytes());
        assert_eq!((fallback.as_str(), exact.as_str()), (name, name), "{url}");
        assert_eq!(res.headers["x-content-type-options"], "nosniff");
    }
    // The audit export's name is fixed (identity, issue 19).
    let csv = t.get("/api/v1/audit/export", &admin).await;
    assert_eq!(
        csv.headers[http::header::CONTENT_DISPOSITION],
        "attachment; filename=\"audit.csv\""
    );
    let console = t
        .get(&format!("/console/tickets/{ticket}"), &agent_session)
        .await;
    let portal = t
        .get(&format!("/portal/tickets/{ticket}"), &requester_session)
        .await;
    let console_links = download_links(&console.text);
    let portal_links = download_links(&portal.text);
    assert_eq!(console_links.len(), NAMES.len(), "{}", console.text);
    assert_eq!(portal_links.len(), NAMES.len(), "{}", portal.text);

    // (route, who follows it, the URL for file `id`)
    type Url = Box<dyn Fn(i64) -> String>;
    let pick = |links: Vec<String>| -> Url {
        Box::new(move |id| {
            links
                .iter()
                .find(|l| l.ends_with(&format!("/{id}")))
                .cloned()
                .unwrap_or_else(|| panic!("no link to {id} in {links:?}"))
        })
    };
    let routes: Vec<(&str, &Caller, Url)> = vec![
        (
            "API GET /attachments/{id} (token)",
            &agent,
            Box::new(|id| format!("/api/v1/attachments/{id}")),
        ),
        (
            "API as the requester (token)",
            &requester,
            Box::new(|id| format!("/api/v1/attachments/{id}")),
        ),
        (
            "console ticket page link",
            &agent_session,
            pick(console_links),
        ),
        (
            "portal ticket page link",
            &requester_session,
            pick(portal_links),
        ),
    ];
    for (route, who, url) in &routes {
        for (id, exact, fallback) in &files {
            let res = t.get(&url(*id), who).await;
            assert_eq!(
                res.status,
                StatusCode::OK,
                "{route} {exact:?}: {}",
                res.text
            );
            let values: Vec<_> = res
                .headers
                .get_all(header::CONTENT_DISPOSITION)
                .iter()
                .collect();
            assert_eq!(values.len(), 1, "{route} {exact:?}");
            let (got_fallback, got_exact) = parse(values[0].as_bytes());
            assert_eq!(got_exact, *exact, "{route}: filename* of {exact:?}");
            assert_eq!(got_fallback, *fallback, "{route}: filename of {exact:?}");
            assert!(
                !got_exact.contains(|c| matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
                "{route}: no bidirectional controls"
            );
            assert!(
                res.headers.get(header::SET_COOKIE).is_none(),
                "{route}: no injected header"
            );
            assert_eq!(res.headers["x-content-type-options"], "nosniff");
            assert_eq!(res.text, "contenido");
        }
    }
}
