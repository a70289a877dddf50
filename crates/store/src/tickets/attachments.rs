//! Attachments, stored in the database so every node serves them; a timeline entry records
//! each upload in the same transaction.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::ticket::EventKind;
use ventanilla_domain::{AttachmentId, TicketId, UserId};

use super::Tickets;
use super::events::{NewEvent, insert_event};
use crate::time::{from_db, to_db};
use crate::{Result, StoreError};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentMeta {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: AttachmentId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub ticket_id: TicketId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Visible to the requester (false for files attached to internal notes).
    pub public: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub uploaded_by: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub ticket_id: TicketId,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub public: bool,
    pub data: &'a [u8],
}

#[derive(sqlx::FromRow)]
struct MetaRow {
    id: i64,
    ticket_id: i64,
    filename: String,
    content_type: String,
    size: i64,
    sha256: String,
    public: bool,
    uploaded_by: Option<i64>,
    created_at: i64,
}

impl TryFrom<MetaRow> for AttachmentMeta {
    type Error = StoreError;
    fn try_from(r: MetaRow) -> Result<Self> {
        Ok(AttachmentMeta {
            id: AttachmentId(r.id),
            ticket_id: TicketId(r.ticket_id),
            filename: r.filename,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            public: r.public,
            uploaded_by: r.uploaded_by.map(UserId),
            created_at: from_db(r.created_at)?,
        })
    }
}

const META: &str =
    "id, ticket_id, filename, content_type, size, sha256, public, uploaded_by, created_at";

impl Tickets<'_> {
    pub async fn add_attachment(
        &self,
        a: &NewAttachment<'_>,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<AttachmentMeta> {
        let size = i64::try_from(a.data.len()).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let row: MetaRow = in_transaction!(self.0, |tx| {
            let row: MetaRow = sqlx::query_as(
                "INSERT INTO attachments (ticket_id, filename, content_type, size, sha256, public, uploaded_by, created_at, data)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 RETURNING id, ticket_id, filename, content_type, size, sha256, public, uploaded_by, created_at",
            )
            .bind(a.ticket_id.get())
            .bind(a.filename)
            .bind(a.content_type)
            .bind(size)
            .bind(a.sha256)
            .bind(a.public)
            .bind(by.map(UserId::get))
            .bind(to_db(now))
            .bind(a.data)
            .fetch_one(&mut *tx)
            .await?;
            let e = NewEvent::new(EventKind::Attachment, a.public).body(a.filename);
            insert_event!(&mut *tx, a.ticket_id.get(), now, by.map(UserId::get), &e);
            sqlx::query("UPDATE tickets SET updated_at = $2, version = version + 1 WHERE id = $1")
                .bind(a.ticket_id.get())
                .bind(to_db(now))
                .execute(&mut *tx)
                .await?;
            row
        });
        row.try_into()
    }

    pub async fn attachments(
        &self,
        ticket: TicketId,
        public_only: bool,
    ) -> Result<Vec<AttachmentMeta>> {
        let sql = if public_only {
            "SELECT id, ticket_id, filename, content_type, size, sha256, public, uploaded_by, created_at
             FROM attachments WHERE ticket_id = $1 AND public = TRUE ORDER BY id"
        } else {
            "SELECT id, ticket_id, filename, content_type, size, sha256, public, uploaded_by, created_at
             FROM attachments WHERE ticket_id = $1 ORDER BY id"
        };
        let rows: Vec<MetaRow> = on_reader!(self.0, |db| {
            sqlx::query_as(sql).bind(ticket.get()).fetch_all(db).await?
        });
        rows.into_iter().map(AttachmentMeta::try_from).collect()
    }

    /// One attachment's metadata and bytes.
    pub async fn attachment(&self, id: AttachmentId) -> Result<(AttachmentMeta, Vec<u8>)> {
        let sql = format!("SELECT {META} FROM attachments WHERE id = $1");
        let meta: MetaRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        let data: Vec<u8> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT data FROM attachments WHERE id = $1")
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        Ok((meta.try_into()?, data))
    }
}
