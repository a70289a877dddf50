//! Browser-like helpers: sessions from the sign-in page, GETs with the cookie, and form
//! posts with (or without) the `_csrf` field.

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use ventanilla_testkit::{Caller, TestApp, TestResponse};

/// A signed-in browser: the session cookie and its CSRF token.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

impl Browser {
    pub async fn sign_in(t: &TestApp, email: &str) -> Browser {
        match t.login(email, ventanilla_testkit::PASSWORD).await {
            Caller::Session { cookie, csrf } => Browser { cookie, csrf },
            other => panic!("not a session: {other:?}"),
        }
    }

    pub async fn get(&self, t: &TestApp, path: &str) -> TestResponse {
        let req = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(
                header::COOKIE,
                format!("ventanilla_session={}", self.cookie),
            )
            .body(Body::empty())
            .unwrap();
        t.send(req).await
    }

    /// Posts a form with this session's CSRF token added.
    pub async fn post(&self, t: &TestApp, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let mut all = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(t, path, &all).await
    }

    /// Posts a form exactly as given (no CSRF token unless the caller adds one).
    pub async fn post_raw(&self, t: &TestApp, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(
                header::COOKIE,
                format!("ventanilla_session={}", self.cookie),
            )
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        t.send(req).await
    }
}

pub async fn anonymous_get(t: &TestApp, path: &str) -> TestResponse {
    t.get(path, &Caller::Anonymous).await
}

/// Where a redirect points.
pub fn location(res: &TestResponse) -> String {
    assert!(
        res.status.is_redirection(),
        "expected a redirect, got {}: {}",
        res.status,
        res.text
    );
    res.headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

pub fn assert_page(res: &TestResponse, status: StatusCode) {
    assert_eq!(res.status, status, "{}", res.text);
    let ct = res
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("text/html"), "content type {ct}");
}

/// The id in a `/…/tickets/{id}?…` location.
pub fn ticket_id(location: &str) -> i64 {
    location
        .split("/tickets/")
        .nth(1)
        .and_then(|s| s.split(['?', '/']).next())
        .and_then(|s| s.parse().ok())
        .unwrap()
}

/// Registers an incident through the portal form and returns its id.
pub async fn report(t: &TestApp, b: &Browser, subject: &str) -> i64 {
    let res = b
        .post(
            t,
            "/portal/new",
            &[
                ("kind", "incident"),
                ("subject", subject),
                ("description", "The printer on floor 2 prints blank pages"),
                ("impact", "medium"),
                ("urgency", "high"),
            ],
        )
        .await;
    ticket_id(&location(&res))
}

/// A desk whose agents see every ticket (as a small desk without group routing runs).
pub async fn desk() -> TestApp {
    TestApp::with_config(|c| c.tickets.agents_see_all = true).await
}

impl Browser {
    /// Posts a `multipart/form-data` form as a browser does: this session's CSRF token, the
    /// text fields, then each file as a `files` part.
    pub async fn post_files(
        &self,
        t: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> TestResponse {
        let boundary = "----ventanilla-test-boundary-7d1f";
        let mut body: Vec<u8> = Vec::new();
        let mut all = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        for (name, value) in all {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (filename, data) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(
                header::COOKIE,
                format!("ventanilla_session={}", self.cookie),
            )
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        t.send(req).await
    }
}
