//! The shell: sign-in and sign-out pages, the language switch, CSRF on forms, HTML error
//! pages, embedded assets with cache headers, and the home redirect.

use http::{StatusCode, header};
use ventanilla_testkit::TestApp;

use crate::helpers::{Browser, anonymous_get, assert_page, location};

#[tokio::test]
async fn anonymous_visitors_are_sent_to_the_sign_in_page() {
    let t = TestApp::new().await;
    assert_eq!(location(&anonymous_get(&t, "/").await), "/login");
    let res = anonymous_get(&t, "/console?view=open").await;
    assert_eq!(location(&res), "/login?next=/console%3Fview%3Dopen");
    let page = anonymous_get(&t, "/login").await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("name=\"password\""));
    assert!(page.text.contains("href=\"#main\""), "skip link");
}

#[tokio::test]
async fn the_sign_in_form_starts_a_session_and_follows_next() {
    let t = TestApp::new().await;
    t.user("ana@example.com", "requester").await;
    let body = "email=ana%40example.com&password=wrong&next=%2Fportal";
    let req = http::Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body))
        .unwrap();
    let res = t.send(req).await;
    assert_page(&res, StatusCode::UNAUTHORIZED);
    assert!(res.text.contains("Correo o contraseña incorrectos"));
    assert!(
        res.text.contains("value=\"ana@example.com\""),
        "keeps the email"
    );

    let body = format!(
        "email=ana%40example.com&password={}&next=%2F%2Fevil.example",
        ventanilla_testkit::PASSWORD.replace(' ', "+")
    );
    let req = http::Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body))
        .unwrap();
    let res = t.send(req).await;
    assert_eq!(location(&res), "/", "no open redirect");
    assert!(ventanilla_testkit::session_cookie(&res.headers).is_some());
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let t = TestApp::new().await;
    t.user("ana@example.com", "requester").await;
    let b = Browser::sign_in(&t, "ana@example.com").await;
    let res = b.post_raw(&t, "/logout", &[]).await;
    assert_page(&res, StatusCode::FORBIDDEN);
    let res = b.post_raw(&t, "/logout", &[("_csrf", "forged")]).await;
    assert_page(&res, StatusCode::FORBIDDEN);
    // Still signed in; with the token, signed out.
    assert_page(&b.get(&t, "/portal").await, StatusCode::OK);
    let res = b.post(&t, "/logout", &[]).await;
    assert!(location(&res).starts_with("/login"));
    assert!(location(&b.get(&t, "/portal").await).starts_with("/login"));
}

#[tokio::test]
async fn the_language_switch_is_remembered_on_the_profile() {
    let t = TestApp::new().await;
    let u = t.user("ana@example.com", "requester").await;
    let b = Browser::sign_in(&t, "ana@example.com").await;
    assert!(b.get(&t, "/portal").await.text.contains("Mis tickets"));
    let res = b
        .post(&t, "/language", &[("language", "en"), ("back", "/portal")])
        .await;
    assert_eq!(location(&res), "/portal");
    let page = b.get(&t, "/portal").await;
    assert!(page.text.contains("My tickets"), "{}", page.text);
    assert!(page.text.contains("<html lang=\"en\">"));
    let stored = t.app.store.users().get(u.id).await.unwrap();
    assert_eq!(stored.language, ventanilla_domain::Language::En);
}

#[tokio::test]
async fn unknown_pages_and_errors_are_html_in_the_visitors_language() {
    let t = TestApp::new().await;
    let req = http::Request::builder()
        .uri("/no/such/page")
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = t.send(req).await;
    assert_page(&res, StatusCode::NOT_FOUND);
    assert!(res.text.contains("We could not find this page"));
    // The API keeps answering JSON.
    let res = anonymous_get(&t, "/api/v1/no-such").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.error_code(), "not_found");
}

#[tokio::test]
async fn assets_are_embedded_and_cached() {
    let t = TestApp::new().await;
    let page = anonymous_get(&t, "/login").await;
    let css = page
        .text
        .split("href=\"")
        .find_map(|s| s.split('"').next().filter(|h| h.ends_with("app.css")))
        .unwrap()
        .to_owned();
    let res = anonymous_get(&t, &css).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        res.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(
        anonymous_get(&t, "/assets/x/missing.js").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn home_sends_requesters_to_the_portal_and_staff_to_the_console() {
    let t = TestApp::new().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    let r = Browser::sign_in(&t, "ana@example.com").await;
    let a = Browser::sign_in(&t, "agent@example.com").await;
    assert_eq!(location(&r.get(&t, "/").await), "/portal");
    assert_eq!(location(&a.get(&t, "/").await), "/console");
}

/// Every message key written literally in a template or the web code exists in Spanish
/// and in English (`t("…")`, `t1("…", …)`, `ctx("…")`).
#[test]
fn every_literal_message_key_exists_in_both_languages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // Every .ftl file of a language is loaded (one per area: main, mail…).
    let keys = |lang: &str| -> Vec<String> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(root.join(format!("locales/{lang}"))).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ftl") {
                out.extend(
                    std::fs::read_to_string(path)
                        .unwrap()
                        .lines()
                        .filter_map(|l| l.split(" = ").next().map(str::to_owned)),
                );
            }
        }
        out
    };
    let (es, en) = (keys("es"), keys("en"));
    let mut missing = Vec::new();
    // Both trees have one folder per area (portal, console, admin, kit): walk them whole.
    let mut files = Vec::new();
    let mut dirs = vec![root.join("templates"), root.join("src/web")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(
        files.len() > 40,
        "templates and web sources found: {}",
        files.len()
    );
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for marker in ["c.t(\"", "c.t1(\"", "lang.t(\"", "l.t(\"", "ctx(\""] {
            for piece in text.split(marker).skip(1) {
                let key = piece.split('"').next().unwrap();
                let plausible = !key.is_empty()
                    && key.bytes().all(|b| {
                        b.is_ascii_lowercase() || b == b'-' || b == b'_' || b.is_ascii_digit()
                    });
                if plausible && !(es.iter().any(|k| k == key) && en.iter().any(|k| k == key)) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "missing messages: {missing:#?}");
}
