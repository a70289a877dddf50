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
use utoipa::IntoParams;
use ventanilla_domain::{AttachmentId, TicketId};
use ventanilla_store::tickets::attachments::AttachmentMeta;

use crate::AppState;
use crate::auth::Auth;
use crate::desk::tickets::access;
use crate::desk::tickets::attachments::{attach_file, clean_filename, may_attach};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};

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
    let caller = auth.caller();
    let ticket = may_attach(&state, &caller, TicketId(id)).await?;
    clean_filename(&q.filename)?;
    let limit = state.config.tickets.attachment_max_bytes;
    let data = http_body_util::Limited::new(body, limit)
        .collect()
        .await
        .map_err(|_| AppError::PayloadTooLarge)?
        .to_bytes();
    let meta = attach_file(&state, &caller, &ticket, &q.filename, q.public, &data).await?;
    Ok((StatusCode::CREATED, Json(meta)))
}

/// Lists a ticket's attachments (public ones only for requesters).
#[utoipa::path(get, path = "/tickets/{id}/attachments", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentMeta>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<AttachmentMeta>>> {
    let caller = auth.caller();
    let ticket = access::load(&state, &caller, TicketId(id)).await?;
    Ok(Json(
        state
            .store
            .tickets()
            .attachments(ticket.id, !access::sees_internal(&caller))
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
    let caller = auth.caller();
    access::load(&state, &caller, meta.ticket_id).await?;
    if !meta.public && !access::sees_internal(&caller) {
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
    headers.insert(
        header::CONTENT_DISPOSITION,
        crate::http::download::attachment(&meta.filename),
    );
    Ok((headers, data).into_response())
}
