//! Issue 15, case 5: every file the product reads is accepted as editors write it — with a
//! UTF-8 byte-order mark, with CRLF line ends, or both — and a file it refuses is refused
//! with the line and column an editor shows. One table: every file input × every form.

use std::io::Cursor;

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use serde_json::json;
use ventanilla_app::config::Config;
use ventanilla_store::import::ImportError;
use ventanilla_testkit::{Caller, PASSWORD, TestApp, TestResponse};

/// The four ways an editor saves the same text (written here with LF ends).
const FORMS: [(&str, bool, bool); 4] = [
    ("plain", false, false),
    ("BOM", true, false),
    ("CRLF", false, true),
    ("BOM+CRLF", true, true),
];

fn saved(text: &str, bom: bool, crlf: bool) -> Vec<u8> {
    let body = if crlf {
        text.replace('\n', "\r\n")
    } else {
        text.to_owned()
    };
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    out.extend_from_slice(body.as_bytes());
    out
}

fn ics(date: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//ES\nBEGIN:VEVENT\nUID:{date}\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:{date}\nSUMMARY:Fiesta\nEND:VEVENT\nEND:VCALENDAR\n"
    )
}

/// A calendar for `name`; returns its id.
async fn calendar(t: &TestApp, admin: &Caller, name: &str) -> i64 {
    let res = t
        .post(
            "/api/v1/calendars",
            json!({ "name": name, "calendar": { "time_zone": "Europe/Madrid", "weekly": { "mon": [["09:00", "18:00"]] } } }),
            admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

async fn api_import(t: &TestApp, admin: &Caller, cal: i64, data: Vec<u8>) -> TestResponse {
    let Caller::Bearer(tok) = admin else {
        unreachable!()
    };
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/calendars/{cal}/holidays/import"))
        .header(header::AUTHORIZATION, format!("Bearer {tok}"))
        .header(header::CONTENT_TYPE, "text/calendar")
        .body(Body::from(data))
        .unwrap();
    t.send(req).await
}

/// The admin page's holiday form, posted as a browser posts a file.
async fn page_import(t: &TestApp, session: &Caller, cal: i64, data: Vec<u8>) -> TestResponse {
    let Caller::Session { cookie, csrf } = session else {
        unreachable!()
    };
    let boundary = "----ventanilla-file-inputs";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"festivos.ics\"\r\nContent-Type: text/calendar\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/admin/calendars/{cal}/holidays"))
        .header(header::COOKIE, format!("ventanilla_session={cookie}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    t.send(req).await
}

async fn holidays(t: &TestApp, admin: &Caller, cal: i64) -> Vec<String> {
    let res = t.get("/api/v1/calendars", admin).await;
    res.body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == cal)
        .map(|c| {
            c["calendar"]["holidays"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["date"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn file(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, data).unwrap();
    path
}

const JSONL: &str = "{\"type\":\"organisation\",\"ref\":\"o1\",\"name\":\"Hospital San Rafael\",\"code\":\"HSR\"}\n\n{\"type\":\"user\",\"ref\":\"ana\",\"email\":\"ana@hsr.example\",\"name\":\"Ana García\",\"organisation\":\"o1\",\"language\":\"es\",\"time_zone\":\"Europe/Madrid\"}\n";

#[tokio::test]
async fn every_file_input_accepts_bom_and_crlf() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let session = t.login("admin@x.test", PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let inputs = [
        "ventanilla import (JSON Lines)",
        "holidays .ics (API)",
        "holidays .ics (admin page)",
        "configuration file (TOML)",
        "database.url_file",
    ];
    for (i, (form, bom, crlf)) in FORMS.into_iter().enumerate() {
        for input in inputs {
            let case = format!("{input} × {form}");
            match input {
                "ventanilla import (JSON Lines)" => {
                    // Each form imports its own organisation and user.
                    let text = JSONL
                        .replace("\"o1\"", &format!("\"o{i}\""))
                        .replace("HSR", &format!("HSR{i}"))
                        .replace("San Rafael", &format!("San Rafael {i}"))
                        .replace("ana@", &format!("ana{i}@"));
                    let report = t
                        .app
                        .store
                        .import(Cursor::new(saved(&text, bom, crlf)), &import_options())
                        .await
                        .unwrap_or_else(|e| panic!("{case}: {e}"));
                    assert_eq!(
                        (report.organisations, report.users, report.lines),
                        (1, 1, 3),
                        "{case}"
                    );
                }
                "holidays .ics (API)" => {
                    let cal = calendar(&t, &admin, &format!("API {form}")).await;
                    let res = api_import(&t, &admin, cal, saved(&ics("20261225"), bom, crlf)).await;
                    assert_eq!(res.status, StatusCode::OK, "{case}: {}", res.text);
                    assert_eq!(
                        holidays(&t, &admin, cal).await,
                        vec!["2026-12-25"],
                        "{case}"
                    );
                }
                "holidays .ics (admin page)" => {
                    let cal = calendar(&t, &admin, &format!("Web {form}")).await;
                    // The calendar's own page offers the import (issue 16: calendars are forms).
                    let page = t
                        .get(&format!("/admin/sla/calendars/{cal}"), &session)
                        .await;
                    assert!(
                        page.text.contains(&format!("action=\"/admin/calendars/{cal}/holidays\" enctype=\"multipart/form-data\"")),
                        "the calendar's page offers the file form"
                    );
                    let res =
                        page_import(&t, &session, cal, saved(&ics("20261208"), bom, crlf)).await;
                    assert_eq!(res.status, StatusCode::SEE_OTHER, "{case}: {}", res.text);
                    assert_eq!(
                        holidays(&t, &admin, cal).await,
                        vec!["2026-12-08"],
                        "{case}"
                    );
                }
                "configuration file (TOML)" => {
                    let text = "# ventanilla\n[server]\nlisten = \"127.0.0.1:9123\"\n[database]\nurl = \"sqlite:/tmp/x.db\"\n";
                    let path = file(&dir, &format!("c{i}.toml"), &saved(text, bom, crlf));
                    let config =
                        Config::load(Some(&path)).unwrap_or_else(|e| panic!("{case}: {e}"));
                    assert_eq!(config.server.listen.to_string(), "127.0.0.1:9123", "{case}");
                    assert_eq!(config.database.url, "sqlite:/tmp/x.db", "{case}");
                }
                "database.url_file" => {
                    let secret = file(
                        &dir,
                        &format!("url{i}"),
                        &saved("postgres://app@db.internal/desk\n", bom, crlf),
                    );
                    let text = format!(
                        "[database]\nurl_file = {:?}\n",
                        secret.display().to_string()
                    );
                    let path = file(&dir, &format!("u{i}.toml"), text.as_bytes());
                    let config =
                        Config::load(Some(&path)).unwrap_or_else(|e| panic!("{case}: {e}"));
                    assert_eq!(
                        config.database.url, "postgres://app@db.internal/desk",
                        "{case}"
                    );
                }
                other => unreachable!("{other}"),
            }
        }
    }
}

#[tokio::test]
async fn a_refused_file_names_the_line_and_column() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let session = t.login("admin@x.test", PASSWORD).await;
    for (form, bom, crlf) in FORMS {
        // JSON Lines: line 3 (after a blank line) has no value where one must be.
        let text = format!(
            "{{\"type\":\"organisation\",\"ref\":\"x\",\"name\":\"Año {form}\",\"code\":\"X{form}\"}}\n\n{{\"type\":\"user\",\"ref\":}}\n"
        );
        let err = t
            .app
            .store
            .import(Cursor::new(saved(&text, bom, crlf)), &import_options())
            .await
            .unwrap_err();
        match &err.error {
            ImportError::Input { line, column, .. } => {
                assert_eq!((*line, *column), (3, 22), "import × {form}: {err}")
            }
            other => panic!("import × {form}: {other:?}"),
        }
        assert!(err.to_string().contains("line 3, column 22"), "{err}");

        // iCalendar: the fourth line's start date is not a date; the value starts at 20.
        let bad = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:25/12/2026\nEND:VEVENT\nEND:VCALENDAR\n";
        let cal = calendar(&t, &admin, &format!("Mal {form}")).await;
        let res = api_import(&t, &admin, cal, saved(bad, bom, crlf)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        let message = res.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("line 4, column 20"),
            "API × {form}: {}",
            res.body
        );
        let res = page_import(&t, &session, cal, saved(bad, bom, crlf)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin page × {form}"
        );
        assert!(
            res.text.contains("line 4, column 20"),
            "admin page × {form}: {}",
            res.text
        );
        // A file that is not iCalendar at all: where the parser stopped.
        let res = api_import(
            &t,
            &admin,
            cal,
            saved("BEGIN:VCALENDAR\nnot a property\n", bom, crlf),
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        let message = res.body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("line "), "API garbage × {form}: {message}");
        assert!(
            message.contains("column "),
            "API garbage × {form}: {message}"
        );

        // TOML: the value on line 3 is missing.
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            &dir,
            "bad.toml",
            &saved("[server]\n# the address\nlisten = \n", bom, crlf),
        );
        let e = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(
            e.contains("line 3") && e.contains("column"),
            "config × {form}: {e}"
        );
    }
}

/// What the CLI passes: the configured default zone and the clock's now.
fn import_options() -> ventanilla_store::import::ImportOptions {
    ventanilla_store::import::ImportOptions {
        time_zone: ventanilla_domain::TimeZoneName::parse("Europe/Madrid").expect("zone"),
        now: jiff::Timestamp::UNIX_EPOCH,
    }
}
