//! Attaching files to a ticket: who may attach now, the checks every file passes before
//! anything is stored (name, emptiness, size), and storage typed by sniffing the content
//! rather than trusting the client. Serving them is the surfaces' business (downloads only,
//! with `nosniff`).

use sha2::{Digest, Sha256};
use ventanilla_domain::ticket::Ticket;
use ventanilla_domain::{Caller, Permission, TicketId, ValidationError};
use ventanilla_store::tickets::attachments::{AttachmentMeta, NewAttachment};

use super::access::load;
use super::patch::guard_agent_change;
use crate::App;
use crate::desk::{DeskError, DeskResult};

/// The ticket, if the caller may attach files to it now: staff while agents may change it,
/// the requester on their own ticket until it ends.
pub async fn may_attach(app: &App, caller: &Caller, id: TicketId) -> DeskResult<Ticket> {
    let ticket = load(app, caller, id).await?;
    if caller.can(Permission::TicketsWork) {
        guard_agent_change(ticket.status)?;
    } else if ticket.requester_id != caller.user_id() {
        return Err(DeskError::Forbidden);
    } else if ticket.status.is_terminal() {
        return Err(DeskError::ticket_closed());
    }
    Ok(ticket)
}

/// Checks one file before anything is stored: its name (cleaned; the cleaned name is
/// returned), that it is not empty and that it is within `tickets.attachment_max_bytes`.
pub fn check_file(app: &App, raw_filename: &str, data: &[u8]) -> DeskResult<String> {
    let filename = clean_filename(raw_filename)?;
    if data.is_empty() {
        return Err(ValidationError::new("body", "the file is empty").into());
    }
    if data.len() > app.config.tickets.attachment_max_bytes {
        return Err(DeskError::TooLarge);
    }
    Ok(filename)
}

/// Stores one file on a ticket that [`may_attach`] allowed: checked, typed by sniffing its
/// content, hashed. Requesters' files are always public; staff choose (default public).
pub async fn attach_file(
    app: &App,
    caller: &Caller,
    ticket: &Ticket,
    raw_filename: &str,
    public: Option<bool>,
    data: &[u8],
) -> DeskResult<AttachmentMeta> {
    let filename = check_file(app, raw_filename, data)?;
    let staff = caller.can(Permission::TicketsWork);
    let content_type = infer::get(data).map_or("application/octet-stream", |k| k.mime_type());
    let sha256: String = Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(app
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
            Some(caller.user_id()),
            app.now(),
        )
        .await?)
}

/// Keeps the last path component, without control or invisible format characters, at most
/// 200 chars.
pub fn clean_filename(raw: &str) -> Result<String, ValidationError> {
    // The cleaning downloads repeat (`http::download`): controls and invisible format
    // characters (bidirectional overrides) removed, the last path component only.
    let cleaned = crate::http::download::clean_file_name(raw, 200);
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return Err(ValidationError::new("filename", "is required"));
    }
    Ok(cleaned)
}
