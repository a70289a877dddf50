//! Regressions of the security campaign (issue 18) on the web pages: redirect targets,
//! control characters, sign-in from other sites, ids that do not parse, text that is not
//! UTF-8 and subjects made of invisible characters.

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use ventanilla_testkit::{PASSWORD, TestApp, TestResponse};

use super::helpers::{Browser, assert_page, location};

/// The sign-in form as a browser posts it (optionally with extra headers).
async fn sign_in(t: &TestApp, next: &str, headers: &[(header::HeaderName, &str)]) -> TestResponse {
    let body = serde_urlencoded::to_string([
        ("email", "ana@x.test"),
        ("password", PASSWORD),
        ("next", next),
    ])
    .unwrap();
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    t.send(req.body(Body::from(body)).unwrap()).await
}

/// The sign-in page's known open-redirect and header-injection forms: each signs in and
/// lands on `/`, never elsewhere and never with a 500.
const HOSTILE_TARGETS: &[&str] = &[
    "/\t/127.0.0.1:9/x",
    "/%09/127.0.0.1:9/x",
    "//127.0.0.1:9/x",
    "/\\127.0.0.1:9",
    "\\/127.0.0.1:9",
    "/%2F%2F127.0.0.1:9",
    "/%5C127.0.0.1:9",
    "https://evil.example/",
    "javascript:alert(1)",
    "/x\r\nSet-Cookie: planted=1",
    "/x\n",
    "/x\r",
    "/x\u{7f}",
    "/x\u{0}",
];

#[tokio::test]
async fn sign_in_only_returns_to_local_paths() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    for next in HOSTILE_TARGETS {
        let res = sign_in(&t, next, &[]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{next:?}: {}", res.text);
        assert_eq!(location(&res), "/", "{next:?}");
        assert!(res.headers.get(header::SET_COOKIE).is_some());
        assert!(!res.text.contains("planted"));
    }
    let res = sign_in(&t, "/console?view=mine", &[]).await;
    assert_eq!(location(&res), "/console?view=mine", "local paths are kept");
    // The sign-in page puts the same decision in its hidden field.
    let res = t
        .get(
            "/login?next=%2F%09%2Fevil.example%0D%0A",
            &ventanilla_testkit::Caller::Anonymous,
        )
        .await;
    assert_page(&res, StatusCode::OK);
    assert!(
        res.text.contains(r#"name="next" value="/""#),
        "{}",
        res.text
    );
}

#[tokio::test]
async fn the_language_switch_only_returns_to_local_paths() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let b = Browser::sign_in(&t, "ana@x.test").await;
    for back in HOSTILE_TARGETS {
        let res = b
            .post(&t, "/language", &[("language", "en"), ("back", back)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{back:?}: {}", res.text);
        assert_eq!(location(&res), "/", "{back:?}");
    }
    let res = b
        .post(&t, "/language", &[("language", "es"), ("back", "/console")])
        .await;
    assert_eq!(location(&res), "/console");
}

#[tokio::test]
async fn sign_in_from_another_site_is_refused() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    for (name, value) in [
        (header::ORIGIN, "https://evil.example"),
        (header::ORIGIN, "null"),
        (header::REFERER, "https://evil.example/login"),
    ] {
        let res = sign_in(&t, "/", &[(name.clone(), value)]).await;
        assert_page(&res, StatusCode::FORBIDDEN);
        assert!(
            res.headers.get(header::SET_COOKIE).is_none(),
            "{name}: {value}"
        );
    }
    let ours = t.app.config.server.public_url.clone();
    let res = sign_in(&t, "/", &[(header::ORIGIN, ours.as_str())]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    let res = sign_in(
        &t,
        "/",
        &[
            (header::HOST, "desk.internal:8080"),
            (header::ORIGIN, "http://desk.internal:8080"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "same host: {}", res.text);
}

/// A GET with the session and language cookies a signed-in browser has.
async fn browse(t: &TestApp, b: &Browser, lang: &str, path: &str) -> TestResponse {
    let req = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header(
            header::COOKIE,
            format!("ventanilla_session={}; ventanilla_lang={lang}", b.cookie),
        )
        .body(Body::empty())
        .unwrap();
    t.send(req).await
}

#[tokio::test]
async fn ids_that_do_not_parse_get_the_html_error_page_in_the_users_language() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    t.user("req@x.test", "requester").await;
    let agent = Browser::sign_in(&t, "ana@x.test").await;
    agent
        .post(&t, "/language", &[("language", "en"), ("back", "/")])
        .await;
    for path in [
        "/console/tickets/abc",
        "/console/tickets/99999999999999999999",
        "/console/tickets/-",
        "/admin/users/1.5",
    ] {
        let res = browse(&t, &agent, "en", path).await;
        assert!(
            res.status == StatusCode::BAD_REQUEST
                || res.status == StatusCode::NOT_FOUND
                || res.status == StatusCode::FORBIDDEN,
            "{path}: {}",
            res.status
        );
        assert_page(&res, res.status);
        assert!(
            res.text.contains(r#"<html lang="en">"#),
            "{path}: {}",
            res.text
        );
    }
    let requester = Browser::sign_in(&t, "req@x.test").await;
    // An id that does not parse names nothing: the "not found" page, as for an unknown id
    // (and as the API answers).
    let res = browse(&t, &requester, "es", "/portal/tickets/abc").await;
    assert_page(&res, StatusCode::NOT_FOUND);
    assert!(
        res.text.contains("No encontramos esta página"),
        "{}",
        res.text
    );
    // A GET on a path that only takes forms is no page.
    let res = browse(&t, &requester, "es", "/logout").await;
    assert_page(&res, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn text_that_is_not_utf8_is_refused_not_stored() {
    let t = TestApp::new().await;
    t.user("req@x.test", "requester").await;
    t.user("ana@x.test", "agent").await;
    let b = Browser::sign_in(&t, "req@x.test").await;
    // Urlencoded: `caf%E9` is Latin-1, not UTF-8.
    let body = format!(
        "_csrf={}&kind=incident&subject=caf%E9&description=x&impact=low&urgency=low",
        b.csrf
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri("/portal/new")
        .header(header::COOKIE, format!("ventanilla_session={}", b.cookie))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let res = t.send(req).await;
    assert_page(&res, StatusCode::BAD_REQUEST);
    assert!(
        res.text.contains("subject"),
        "names the field: {}",
        res.text
    );
    // Multipart with raw Latin-1 bytes in the subject.
    let boundary = "XyZ";
    let mut body = Vec::new();
    for (name, value) in [
        ("_csrf", b.csrf.as_bytes()),
        ("kind", b"incident".as_slice()),
        ("subject", b"caf\xe9".as_slice()),
        ("description", b"x".as_slice()),
        ("impact", b"low".as_slice()),
        ("urgency", b"low".as_slice()),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method(Method::POST)
        .uri("/portal/new")
        .header(header::COOKIE, format!("ventanilla_session={}", b.cookie))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let res = t.send(req).await;
    assert_page(&res, StatusCode::BAD_REQUEST);
    assert!(
        res.text.contains("subject"),
        "names the field: {}",
        res.text
    );
    let mine = b.get(&t, "/portal").await;
    assert!(
        !mine.text.contains('\u{FFFD}') && !mine.text.contains("caf"),
        "nothing stored"
    );
    // A search that is not UTF-8.
    let agent = Browser::sign_in(&t, "ana@x.test").await;
    let res = agent.get(&t, "/console?q=caf%E9").await;
    assert_page(&res, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_subject_of_invisible_characters_is_empty() {
    let t = TestApp::new().await;
    t.user("req@x.test", "requester").await;
    let b = Browser::sign_in(&t, "req@x.test").await;
    let res = b
        .post_files(
            &t,
            "/portal/new",
            &[
                ("kind", "incident"),
                ("subject", "\u{200B}\u{200B}\u{200B}"),
                ("description", "The printer prints blank pages"),
                ("impact", "low"),
                ("urgency", "low"),
            ],
            &[],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("The printer prints blank pages"),
        "input kept"
    );
}

#[tokio::test]
async fn pages_carry_a_strict_policy_and_hsts_only_behind_https() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let b = Browser::sign_in(&t, "ana@x.test").await;
    for res in [
        b.get(&t, "/console").await,
        t.get("/login", &ventanilla_testkit::Caller::Anonymous)
            .await,
        t.get("/api/v1/me", &ventanilla_testkit::Caller::Anonymous)
            .await,
    ] {
        let csp = res.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
        assert!(
            res.headers["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("camera=()")
        );
        assert!(
            res.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
            "plain http"
        );
    }
    let https =
        TestApp::with_config(|c| c.server.public_url = "https://desk.example.com".into()).await;
    let res = https
        .get("/login", &ventanilla_testkit::Caller::Anonymous)
        .await;
    assert_eq!(
        res.headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
}

/// The policy forbids inline script, so no template may rely on one: no `<script>` without
/// `src`, no `on…=` handler attribute, no `javascript:` URL, no inline style.
#[test]
fn templates_have_no_inline_script_or_style() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "html") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        &mut files,
    );
    assert!(files.len() > 10, "{} templates", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap().to_ascii_lowercase();
        for (i, line) in text.lines().enumerate() {
            let at = format!("{}:{}", f.display(), i + 1);
            if let Some(pos) = line.find("<script") {
                assert!(line[pos..].contains(" src="), "{at}: inline script");
            }
            assert!(!line.contains("javascript:"), "{at}: javascript: URL");
            assert!(
                !line.contains(" style=") && !line.contains("<style"),
                "{at}: inline style"
            );
            let handler = line.split_whitespace().any(|w| {
                w.starts_with("on")
                    && w.contains('=')
                    && w[2..]
                        .split('=')
                        .next()
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase()))
            });
            assert!(!handler, "{at}: inline event handler");
        }
    }
}

/// The text of the element with `id` (`<code id="…">text</code>`).
fn element_text<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\">")).unwrap() + id.len() + 6;
    let end = start + html[start..].find('<').unwrap();
    &html[start..end]
}

#[tokio::test]
async fn two_factor_through_the_pages_in_spanish() {
    use ventanilla_app::identity::totp;
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let b = Browser::sign_in(&t, "ana@x.test").await;
    let page = b.get(&t, "/account/security").await;
    assert_page(&page, StatusCode::OK);
    assert!(
        page.text.contains("action=\"/account/totp\""),
        "{}",
        page.text
    );

    // Enrolment: the page shows the secret to type (never its sealed form) and its URI.
    let res = b.post(&t, "/account/totp", &[]).await;
    assert_eq!(location(&res), "/account/security#totp");
    let page = b.get(&t, "/account/security").await;
    let secret = element_text(&page.text, "totp-secret").to_owned();
    assert_eq!(secret.len(), 32, "{secret}");
    assert!(
        !page.text.contains("v1:"),
        "the sealed form never reaches the page"
    );
    assert!(element_text(&page.text, "totp-uri").contains(&secret));

    // A wrong first code: the page again, saying why in Spanish.
    let wrong = b
        .post(&t, "/account/totp/confirm", &[("code", "000000")])
        .await;
    assert_page(&wrong, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.text.contains("El código es incorrecto"),
        "{}",
        wrong.text
    );
    let code = totp::code_at(&secret, t.app.now()).unwrap();
    let on = b
        .post(&t, "/account/totp/confirm", &[("code", &code)])
        .await;
    assert_page(&on, StatusCode::OK);
    assert!(on.text.contains("id=\"recovery-codes\""), "{}", on.text);
    // Starting again from a stale tab: the page, with the reason in Spanish.
    let again = b.post(&t, "/account/totp", &[]).await;
    assert_page(&again, StatusCode::CONFLICT);
    assert!(again.text.contains("ya está activada"), "{}", again.text);

    // The next sign-in stops at the code page; a wrong code is refused in Spanish, the next
    // step's code lets her in.
    let b2 = Browser::sign_in(&t, "ana@x.test").await;
    let console = b2.get(&t, "/console").await;
    assert_eq!(location(&console), "/login/totp");
    let wrong = b2
        .post(
            &t,
            "/login/totp",
            &[("code", "123456"), ("next", "/console")],
        )
        .await;
    assert_page(&wrong, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.text.contains("El código es incorrecto"),
        "{}",
        wrong.text
    );
    t.clock.advance(jiff::SignedDuration::from_secs(30));
    let code = totp::code_at(&secret, t.app.now()).unwrap();
    let ok = b2
        .post(&t, "/login/totp", &[("code", &code), ("next", "/console")])
        .await;
    assert_eq!(location(&ok), "/console");
    assert_page(&b2.get(&t, "/console").await, StatusCode::OK);
}
