//! `POST /tickets` (SPEC C1): JSON → `desk::tickets::register_ticket` → the ticket view,
//! with `Idempotency-Key` making retries safe.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use ventanilla_domain::ticket::Channel;

use super::{TicketView, etag, view};
use crate::AppState;
use crate::auth::{Auth, AuthMethod};
use crate::desk::tickets::register_ticket;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::Json;

pub use crate::desk::tickets::register::facts_of;
pub use crate::desk::tickets::{CreateTicket, FactsInput, RequesterInput};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Registers an incident or a service request. With an `Idempotency-Key` header, a retry
/// returns the ticket the first request created instead of a duplicate.
#[utoipa::path(post, path = "/tickets", tag = "tickets", request_body = CreateTicket,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes retries safe: 1 to 200 characters")),
    responses((status = 201, body = TicketView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Json(req): Json<CreateTicket>,
) -> AppResult<(StatusCode, HeaderMap, Json<TicketView>)> {
    let key = idempotency_key(&headers)?;
    // Without a channel, a browser session registers through the portal, a token the API.
    let channel = match auth.method {
        AuthMethod::Session { .. } => Channel::Portal,
        AuthMethod::Token(_) => Channel::Api,
    };
    let cmd = req.command(channel)?;
    let (ticket, created) = register_ticket(&state, &auth.caller(), &cmd, key.as_deref()).await?;
    let mut headers = etag(&ticket);
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/tickets/{}", ticket.id)) {
        headers.insert(header::LOCATION, loc);
    }
    if !created {
        headers.insert("idempotency-replayed", HeaderValue::from_static("true"));
    }
    Ok((StatusCode::CREATED, headers, Json(view(&auth, ticket))))
}

fn idempotency_key(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(v) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let k = v
        .to_str()
        .map_err(|_| AppError::BadRequest("Idempotency-Key must be text".into()))?
        .trim();
    if k.is_empty() || k.len() > 200 {
        return Err(AppError::BadRequest(
            "Idempotency-Key must be 1 to 200 characters".into(),
        ));
    }
    Ok(Some(k.to_owned()))
}
