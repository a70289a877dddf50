//! One-time form keys: a form that creates or appends something (a ticket, a reply, a note,
//! files, an escalation…) is rendered with a fresh key in its action (`?once=<key>`, from
//! `Ctx::once`), and the layer here applies each key at most once per
//! user. The first post claims the key in the `form_keys` table and runs the handler; when
//! the handler answers with a redirect (the page the form led to), that page is recorded.
//! A repeat — a double click, a resent request, on any node — waits for the first and is
//! sent to the same page. When the first post is refused (the form shown again with its
//! errors, an error page), the key is given back, so the corrected form can be sent again.
//!
//! Handlers need not know: the layer wraps every page route, and a post without a key (a
//! script, an old page) is handled as before. The claimed post runs in its own task, so a
//! browser that abandons it (a double click cancels the first request) does not stop it
//! half-way and leave the repeat waiting.

use std::cell::RefCell;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::SignedDuration;
use ventanilla_domain::UserId;
use ventanilla_store::form_keys::Claim;

use super::ctx::{REQUEST, RequestInfo, current_lang};
use super::error::{WebError, WebResult};
use crate::AppState;
use crate::auth::Auth;
use crate::error::AppError;

/// The query parameter that carries a form's key.
pub const PARAM: &str = "once";

/// How often a repeat looks whether the first post is done.
const POLL: Duration = Duration::from_millis(20);

/// How long a repeat waits for the first post before giving up (with a 503 page).
const WAIT_AT_MOST: Duration = Duration::from_secs(30);

/// A claim older than this whose post never finished (its process died) is taken over.
const STALE_AFTER: SignedDuration = SignedDuration::from_secs(120);

/// The key a request carries in its query string, if it looks like one of ours.
fn key_of(req: &Request) -> Option<String> {
    req.uri().query()?.split('&').find_map(|kv| {
        let v = kv.strip_prefix(PARAM)?.strip_prefix('=')?;
        let plausible = (16..=64).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| v.to_owned())
    })
}

/// The layer: posts with a key are applied once per user and key; everything else passes.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = key_of(&req) else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    // Signed out (or the session cannot be read): the handler answers as it always does.
    let user = match Auth::from_session_cookie(&parts, &state).await {
        Ok(Some(auth)) => auth.user_id(),
        _ => return next.run(Request::from_parts(parts, body)).await,
    };
    let req = Request::from_parts(parts, body);
    match once(state, user, key, req, next).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

async fn once(
    state: AppState,
    user: UserId,
    key: String,
    req: Request,
    next: Next,
) -> WebResult<Response> {
    let deadline = tokio::time::Instant::now() + WAIT_AT_MOST;
    loop {
        let now = state.now();
        let stale = now.saturating_sub(STALE_AFTER).unwrap_or(now);
        match state
            .store
            .form_keys()
            .claim(user, &key, now, stale)
            .await?
        {
            Claim::Mine => break,
            Claim::Done(location) => return Ok(Redirect::to(&location).into_response()),
            Claim::Pending { .. } if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(POLL).await;
            }
            Claim::Pending { .. } => {
                return Err(WebError::App(AppError::Unavailable));
            }
        }
    }
    // The request's language travels into the task, for the error pages rendered there.
    let info = RequestInfo {
        lang: current_lang(),
        signed_in: None,
    };
    let applied = tokio::spawn(REQUEST.scope(RefCell::new(info), async move {
        let res = next.run(req).await;
        let location = res
            .status()
            .is_redirection()
            .then(|| res.headers().get(header::LOCATION))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .filter(|l| l.starts_with('/') && !l.starts_with("//"))
            .map(str::to_owned);
        let keys = state.store.form_keys();
        let recorded = match &location {
            Some(l) => keys.finish(user, &key, l).await,
            None => keys.release(user, &key).await,
        };
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "form key not recorded");
        }
        res
    }));
    applied
        .await
        .map_err(|e| WebError::App(AppError::internal(anyhow::anyhow!("form post: {e}"))))
}
