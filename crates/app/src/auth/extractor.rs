//! The `Auth` extractor: who is calling, by bearer token or session cookie, with the CSRF
//! check for cookie-authenticated unsafe requests. Every protected handler takes it, so
//! access is always decided on the server.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum_extra::extract::CookieJar;
use jiff::SignedDuration;
use ventanilla_domain::{Actor, Permission, TokenId};

use super::secret;
use super::session::{CSRF_HEADER, SESSION_COOKIE};
use crate::AppState;
use crate::error::AppError;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum AuthMethod {
    Session {
        id_hash: String,
        csrf_token: String,
        /// When the user last proved who they are in this session (sign-in, second factor
        /// or re-authentication): sensitive administrative actions need it recent.
        auth_at: jiff::Timestamp,
        /// `full`, or (only on the paths that finish a sign-in) `second_factor` / `enrol`.
        stage: String,
    },
    Token(TokenId),
}

/// Where a request came from, for throttling and the audit log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    pub fn from_parts(parts: &Parts, trust_forwarded_for: bool) -> Self {
        let forwarded = trust_forwarded_for
            .then(|| forwarded_for(&parts.headers))
            .flatten();
        let ip = forwarded.or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        });
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(300).collect());
        Self { ip, user_agent }
    }

    pub fn ip_string(&self) -> Option<String> {
        self.ip.map(|ip| ip.to_string())
    }
}

/// The first address of `X-Forwarded-For`: the client as seen by the outermost proxy.
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get("x-forwarded-for")?
        .to_str()
        .ok()?
        .split(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientInfo::from_parts(
            parts,
            state.config.server.trust_forwarded_for,
        ))
    }
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Auth {
    pub actor: Actor,
    pub method: AuthMethod,
    pub client: ClientInfo,
}

impl Auth {
    /// Refuses with 403 unless the actor's role grants `p`.
    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.actor.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn user_id(&self) -> ventanilla_domain::UserId {
        self.actor.user_id
    }

    /// Refuses a session whose last proof of identity is older than `[identity]
    /// reauth_minutes` (code `reauthentication_required`): sensitive administrative actions
    /// call this. Bearer tokens are credentials proved on every request and pass.
    pub fn require_recent(&self, now: jiff::Timestamp, minutes: u32) -> Result<(), AppError> {
        match &self.method {
            AuthMethod::Session { auth_at, .. }
                if now.duration_since(*auth_at) > SignedDuration::from_mins(i64::from(minutes)) =>
            {
                Err(AppError::Refused {
                    status: axum::http::StatusCode::FORBIDDEN,
                    code: "reauthentication_required",
                    message: "confirm your password or a two-factor code first".into(),
                    field: None,
                })
            }
            _ => Ok(()),
        }
    }

    /// The caller of a use case through the API.
    pub fn caller(&self) -> ventanilla_domain::Caller {
        self.caller_via(ventanilla_domain::Origin::Api)
    }

    /// The caller of a use case through `origin` (the web pages pass `Web`).
    pub fn caller_via(&self, origin: ventanilla_domain::Origin) -> ventanilla_domain::Caller {
        ventanilla_domain::Caller {
            actor: self.actor.clone(),
            origin,
            ip: self.client.ip_string(),
        }
    }
}

/// Writes are rare enough per token and session that recording use at most once a minute
/// (tokens) or every five minutes (sessions, which also slide their expiry) costs nothing.
const TOKEN_TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);
const SESSION_TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(300);
/// A token's use is audited when it was last used this long ago (or never).
const TOKEN_AUDIT_EVERY: SignedDuration = SignedDuration::from_secs(3600);

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let client = ClientInfo::from_parts(parts, state.config.server.trust_forwarded_for);
        let now = state.now();
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(str::trim)
                .ok_or(AppError::Unauthenticated)?;
            let found = state
                .store
                .tokens()
                .authenticate(&secret::hash(token), now)
                .await?;
            let auth = found.ok_or(AppError::Unauthenticated)?;
            if auth
                .last_used_at
                .is_none_or(|t| now.duration_since(t) >= TOKEN_TOUCH_EVERY)
            {
                state.store.tokens().mark_used(auth.token_id, now).await?;
            }
            // Identity (issue 19): token use in the audit log, at most once an hour a token.
            if auth
                .last_used_at
                .is_none_or(|t| now.duration_since(t) >= TOKEN_AUDIT_EVERY)
            {
                let entry = ventanilla_store::audit::NewAudit::new(
                    now,
                    Some(auth.actor.user_id),
                    "token.use",
                    client.ip_string(),
                )
                .target("token", Some(auth.token_id.get()));
                state.store.audit().record(&entry).await?;
            }
            return Ok(Auth {
                actor: auth.actor,
                method: AuthMethod::Token(auth.token_id),
                client,
            });
        }

        let auth = Auth::from_session_cookie(parts, state)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if !is_safe(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !auth.csrf_matches(sent) {
                return Err(AppError::Csrf);
            }
        }
        Ok(auth)
    }
}

impl Auth {
    /// The caller named by the session cookie, without any CSRF check: the API checks the
    /// `X-CSRF-Token` header, the web pages a `_csrf` form field (`web::kit::form::CsrfForm`).
    pub async fn from_session_cookie(
        parts: &Parts,
        state: &AppState,
    ) -> Result<Option<Auth>, AppError> {
        let client = ClientInfo::from_parts(parts, state.config.server.trust_forwarded_for);
        let now = state.now();
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Ok(None);
        };
        let id_hash = secret::hash(cookie.value());
        let Some(session) = state.store.sessions().lookup(&id_hash, now).await? else {
            return Ok(None);
        };
        if session.stage != "full" {
            let path = parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map_or_else(|| parts.uri.path().to_owned(), |u| u.0.path().to_owned());
            if !crate::identity::sessions::stage_allows(&session.stage, &path) {
                return Err(crate::identity::sessions::stage_refusal(&session.stage));
            }
        }
        if now.duration_since(session.last_seen_at) >= SESSION_TOUCH_EVERY {
            let expires = super::session::expiry(state, now);
            state.store.sessions().touch(&id_hash, now, expires).await?;
        }
        Ok(Some(Auth {
            actor: session.actor,
            method: AuthMethod::Session {
                id_hash,
                csrf_token: session.csrf_token,
                auth_at: session.auth_at,
                stage: session.stage,
            },
            client,
        }))
    }

    /// Whether `sent` is this session's CSRF token (always false for bearer tokens).
    pub fn csrf_matches(&self, sent: &str) -> bool {
        match &self.method {
            AuthMethod::Session { csrf_token, .. } => secret::constant_time_eq(sent, csrf_token),
            AuthMethod::Token(_) => false,
        }
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}
