//! `TestApp`: the real router over a fresh database, driven in-process, with a manual clock
//! and helpers to make users, sign in and send requests as a given caller.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;
use ventanilla_app::config::Config;
use ventanilla_app::{App, AppState};
use ventanilla_domain::directory::{NewUser, User};
use ventanilla_domain::{ManualClock, Text, TimeZoneName};
use ventanilla_store::audit::NewAudit;

use ventanilla_testdb::{TestDb, fixtures};

/// Who sends a request.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Bearer(String),
    /// A browser session: the cookie value and the CSRF token sent in `X-CSRF-Token`.
    Session {
        cookie: String,
        csrf: String,
    },
    /// A browser session that forgets the CSRF header (what a cross-site form would send).
    SessionWithoutCsrf {
        cookie: String,
    },
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
    /// The body's size in bytes as sent (compressed when the request asked for it).
    pub wire_len: usize,
}

impl TestResponse {
    /// The stable error code of an error response.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

pub struct TestApp {
    pub app: Arc<App>,
    pub clock: Arc<ManualClock>,
    pub router: Router,
    pub db: TestDb,
    /// The client address requests come from (tests change it to test per-IP limits).
    pub client: SocketAddr,
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(|_| {}).await
    }

    /// A test app whose config `tweak` may change (limits, timeouts…).
    pub async fn with_config(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::fresh().await;
        let store = db.store().await;
        let mut config = Config::default();
        config.database.url = db.url.clone();
        // Cheap hashing keeps tests fast; production defaults are checked in config tests.
        config.auth.argon2_memory_kib = 256;
        config.auth.argon2_iterations = 1;
        // Two-factor secrets are sealed with a key, on either backend.
        config.identity.sealing_key =
            Some(ventanilla_app::identity::sealing::Sealer::new_key_base64().expect("random key"));
        tweak(&mut config);
        let start: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().expect("start instant");
        let clock = Arc::new(ManualClock::new(start));
        let app = Arc::new(App::new(store, clock.clone(), config));
        let router = ventanilla_app::router(app.clone());
        TestApp {
            app,
            clock,
            router,
            db,
            client: SocketAddr::from(([127, 0, 0, 1], 40000)),
        }
    }

    pub fn state(&self) -> AppState {
        AppState(self.app.clone())
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        caller: &Caller,
    ) -> TestResponse {
        let mut req = Request::builder().method(method).uri(path);
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        req = match caller {
            Caller::Anonymous => req,
            Caller::Bearer(t) => req.header(header::AUTHORIZATION, format!("Bearer {t}")),
            Caller::Session { cookie, csrf } => req
                .header(header::COOKIE, format!("ventanilla_session={cookie}"))
                .header("x-csrf-token", csrf),
            Caller::SessionWithoutCsrf { cookie } => {
                req.header(header::COOKIE, format!("ventanilla_session={cookie}"))
            }
        };
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        self.send(req.body(body).expect("request")).await
    }

    /// Sends a prepared request (for raw bodies and unusual headers).
    pub async fn send(&self, mut req: Request<Body>) -> TestResponse {
        req.extensions_mut().insert(ConnectInfo(self.client));
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            body,
            text,
            wire_len: bytes.len(),
        }
    }

    pub async fn get(&self, path: &str, caller: &Caller) -> TestResponse {
        self.request(Method::GET, path, None, caller).await
    }

    pub async fn post(&self, path: &str, body: Value, caller: &Caller) -> TestResponse {
        self.request(Method::POST, path, Some(body), caller).await
    }

    pub async fn patch(&self, path: &str, body: Value, caller: &Caller) -> TestResponse {
        self.request(Method::PATCH, path, Some(body), caller).await
    }

    pub async fn put(&self, path: &str, body: Value, caller: &Caller) -> TestResponse {
        self.request(Method::PUT, path, Some(body), caller).await
    }

    pub async fn delete(&self, path: &str, caller: &Caller) -> TestResponse {
        self.request(Method::DELETE, path, None, caller).await
    }

    /// Creates an active user with `role` and the password [`PASSWORD`], straight in the store.
    pub async fn user(&self, email: &str, role: &str) -> User {
        self.user_in(email, role, None).await
    }

    pub async fn user_in(
        &self,
        email: &str,
        role: &str,
        org: Option<ventanilla_domain::OrganisationId>,
    ) -> User {
        let role = self
            .app
            .store
            .roles()
            .by_name(role)
            .await
            .expect("role exists");
        let hash = self
            .app
            .passwords
            .hash(PASSWORD.to_owned())
            .await
            .expect("hash");
        let new = NewUser {
            name: Text::parse("name", email.split('@').next().unwrap_or(email), 200).expect("name"),
            organisation_id: org,
            time_zone: TimeZoneName::parse(&self.app.config.defaults.time_zone).expect("zone"),
            password_hash: Some(hash),
            ..fixtures::new_user(email, role.id)
        };
        let entry = NewAudit::new(self.app.now(), None, "user.create", None);
        self.app
            .store
            .users()
            .create(&new, &entry)
            .await
            .expect("create user")
    }

    /// A bearer token for a new user with `role`.
    pub async fn token_for(&self, email: &str, role: &str) -> (User, Caller) {
        let user = self.user(email, role).await;
        let token = ventanilla_app::api::issue_token(&self.state(), user.id, "test", None)
            .await
            .expect("token");
        (user, Caller::Bearer(token.token))
    }

    /// Signs in through the API and returns the session caller.
    pub async fn login(&self, email: &str, password: &str) -> Caller {
        let res = self
            .post(
                "/api/v1/auth/login",
                serde_json::json!({ "email": email, "password": password }),
                &Caller::Anonymous,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "login failed: {}", res.text);
        let cookie = session_cookie(&res.headers).expect("session cookie");
        let csrf = res.body["csrf_token"]
            .as_str()
            .expect("csrf token")
            .to_owned();
        Caller::Session { cookie, csrf }
    }
}

/// The session id from a `Set-Cookie` header, if the response sets one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::SET_COOKIE).iter().find_map(|v| {
        let s = v.to_str().ok()?;
        let rest = s.strip_prefix("ventanilla_session=")?;
        let value = rest.split(';').next()?;
        (!value.is_empty()).then(|| value.to_owned())
    })
}
