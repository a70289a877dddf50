//! `/tickets`: incidents and service requests — registration, queues, changes, the service
//! model's transitions, the timeline, attachments, escalation and major incidents.

pub mod actions;
pub mod attachments;
pub mod bulk;
pub mod create;
pub mod escalate;
pub mod links;
pub mod read;
pub mod transitions;
pub mod update;

use axum::http::{HeaderMap, HeaderValue, header};
use serde::Serialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{Status, Ticket};

use crate::auth::Auth;
use crate::desk::tickets::access;
use crate::error::{AppError, AppResult};

/// A ticket as the API returns it. For callers who do not see internal data, internal
/// reasons are removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// The statuses the caller may move this ticket to now.
    #[schema(value_type = Vec<String>)]
    pub allowed_transitions: Vec<Status>,
}

pub fn view(auth: &Auth, mut ticket: Ticket) -> TicketView {
    let allowed_transitions = ventanilla_domain::ticket::allowed(&auth.actor, &ticket);
    redact(auth, &mut ticket);
    TicketView {
        ticket,
        allowed_transitions,
    }
}

/// Removes what only staff may read.
pub fn redact(auth: &Auth, t: &mut Ticket) {
    if !access::sees_internal(&auth.caller()) {
        t.priority_override_reason = None;
        t.major_reason = None;
    }
}

pub fn etag(t: &Ticket) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", t.version)) {
        h.insert(header::ETAG, v);
    }
    h
}

/// The version named by `If-Match`, if any: `"7"`, `W/"7"` or `7`; `*` matches any.
pub fn if_match(headers: &HeaderMap) -> AppResult<Option<i64>> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let s = v
        .to_str()
        .map_err(|_| AppError::BadRequest("If-Match is not text".into()))?
        .trim();
    if s == "*" {
        return Ok(None);
    }
    let s = s.strip_prefix("W/").unwrap_or(s).trim_matches('"');
    // An entity tag we never issued matches no version: 412, as RFC 9110 says for any
    // If-Match that does not match (version numbers are never negative).
    Ok(Some(s.parse().unwrap_or(-1)))
}
