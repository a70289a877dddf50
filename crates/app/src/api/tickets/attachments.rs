//! Attachments: uploaded as the raw request body (`?filename=`) or from the web's multipart
//! forms through the same checks and storage ([`may_attach`], [`store_file`]), stored in the
//! database, typed by sniffing the content rather than trusting the client, and served only
//! as downloads with `nosniff`, so an upload can never run as a page of this site.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use ventanilla_domain::ticket::Ticket;
use ventanilla_domain::{AttachmentId, Permission, TicketId, ValidationError};
use ventanilla_store::tickets::attachments::{AttachmentMeta, NewAttachment};

use super::update::guard_agent_change;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::tickets::{access, ticket_closed};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    pub filename: String,
    /// Staff only: `false` keeps the file internal. Requesters' files are always public.
    pub public: Option<bool>,
}

/// Attaches a file (the request body) to a ticket.
#[utoipa::path(post, path = "/tickets/{id}/attachments", tag = "tickets", params(("id" = i64, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentMeta), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> AppResult<(StatusCode, Json<AttachmentMeta>)> {
    let ticket = may_attach(&state, &auth, TicketId(id)).await?;
    clean_filename(&q.filename)?;
    let limit = state.config.tickets.attachment_max_bytes;
    let data = http_body_util::Limited::new(body, limit)
        .collect()
        .await
        .map_err(|_| AppError::PayloadTooLarge)?
        .to_bytes();
    let meta = store_file(&state, &auth, &ticket, &q.filename, q.public, &data).await?;
    Ok((StatusCode::CREATED, Json(meta)))
}

/// The ticket, if `auth` may attach files to it now: staff while agents may change it, the
/// requester on their own ticket until it ends. The web forms ask the same question.
pub async fn may_attach(state: &AppState, auth: &Auth, id: TicketId) -> AppResult<Ticket> {
    let ticket = access::load(state, auth, id).await?;
    if auth.actor.can(Permission::TicketsWork) {
        guard_agent_change(ticket.status)?;
    } else if ticket.requester_id != auth.user_id() {
        return Err(AppError::Forbidden);
    } else if ticket.status.is_terminal() {
        return Err(ticket_closed());
    }
    Ok(ticket)
}

/// Checks one file before anything is stored: its name (cleaned; the cleaned name is
/// returned), that it is not empty and that it is within `tickets.attachment_max_bytes`.
pub fn check_file(state: &AppState, raw_filename: &str, data: &[u8]) -> AppResult<String> {
    let filename = clean_filename(raw_filename)?;
    if data.is_empty() {
        return Err(ValidationError::new("body", "the file is empty").into());
    }
    if data.len() > state.config.tickets.attachment_max_bytes {
        return Err(AppError::PayloadTooLarge);
    }
    Ok(filename)
}

/// Stores one file on a ticket that [`may_attach`] allowed: checked, typed by sniffing its
/// content, hashed. Requesters' files are always public; staff choose (default public).
pub async fn store_file(
    state: &AppState,
    auth: &Auth,
    ticket: &Ticket,
    raw_filename: &str,
    public: Option<bool>,
    data: &[u8],
) -> AppResult<AttachmentMeta> {
    let filename = check_file(state, raw_filename, data)?;
    let staff = auth.actor.can(Permission::TicketsWork);
    let content_type = infer::get(data).map_or("application/octet-stream", |k| k.mime_type());
    let sha256: String = Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(state
        .store
        .tickets()
        .add_attachment(
            &NewAttachment {
                ticket_id: ticket.id,
                filename: &filename,
                content_type,
                sha256: &sha256,
                public: !staff || public.unwrap_or(true),
                data,
            },
            Some(auth.user_id()),
            state.now(),
        )
        .await?)
}

/// Keeps the last path component, without control characters, quotes or bidirectional
/// controls (`\u{202e}txt.exe` would show as `exe.txt`), at most 200 chars; a name of only
/// invisible characters is no name.
fn clean_filename(raw: &str) -> AppResult<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && !ventanilla_domain::text::is_bidi_control(*c))
        .take(200)
        .collect();
    let cleaned = ventanilla_domain::text::trim_invisible(&cleaned).to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return Err(ValidationError::new("filename", "is required").into());
    }
    Ok(cleaned)
}

/// Lists a ticket's attachments (public ones only for requesters).
#[utoipa::path(get, path = "/tickets/{id}/attachments", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentMeta>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<AttachmentMeta>>> {
    let ticket = access::load(&state, &auth, TicketId(id)).await?;
    Ok(Json(
        state
            .store
            .tickets()
            .attachments(ticket.id, !access::sees_internal(&auth))
            .await?,
    ))
}

/// Content types that can carry script when rendered.
const ACTIVE_TYPES: &[&str] = &[
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
];

/// Downloads an attachment.
#[utoipa::path(get, path = "/attachments/{id}", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (meta, data) = state.store.tickets().attachment(AttachmentId(id)).await?;
    access::load(&state, &auth, meta.ticket_id).await?;
    if !meta.public && !access::sees_internal(&auth) {
        return Err(AppError::NotFound);
    }
    let mut headers = HeaderMap::new();
    let ctype = if ACTIVE_TYPES.contains(&meta.content_type.as_str()) {
        // Types a browser would run as a page of this site are served as plain bytes.
        HeaderValue::from_static("application/octet-stream")
    } else {
        HeaderValue::from_str(&meta.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream"))
    };
    headers.insert(header::CONTENT_TYPE, ctype);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    let ascii: String = meta
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok((headers, data).into_response())
}
