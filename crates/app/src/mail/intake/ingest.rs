//! The one ingest step every door calls: store the raw message first (deduplicated), then
//! process it. "Try later" whenever the database cannot take it, so nothing is lost: the
//! MTA, the SMTP client or the IMAP poll delivers it again, and the dedupe key makes the
//! second delivery find the first row instead of a second ticket.

use sha2::{Digest, Sha256};
use ventanilla_mail::Unparseable;
use ventanilla_store::StoreError;
use ventanilla_store::mail_in::{InboundState, NewInbound};

use super::{Source, process, route};
use crate::App;

/// What became of a delivered mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// Stored and processed now.
    Stored { id: i64, state: InboundState },
    /// The same mail was stored and processed before: nothing done.
    Duplicate { id: i64 },
}

/// Why a mail was not taken.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The database is unavailable: deliver again later (SMTP 451, exit 75).
    #[error("try again later: {0}")]
    TryLater(#[source] anyhow::Error),
    /// Not a mail we can take at all (empty, too large): SMTP 5xx, exit 65.
    #[error("unusable message: {}", .0.code())]
    Unusable(Unparseable),
}

impl From<StoreError> for IngestError {
    fn from(e: StoreError) -> Self {
        IngestError::TryLater(e.into())
    }
}

/// The dedupe key: the Message-ID, or a hash of the bytes when the mail has none.
fn dedupe_key(raw: &[u8], message_id: Option<&str>) -> String {
    match message_id {
        Some(id) => id.to_owned(),
        None => format!(
            "sha256:{}",
            Sha256::digest(raw)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ),
    }
}

/// Takes one raw message. `mailbox` names a configured mailbox (IMAP knows it); otherwise
/// `recipients` (SMTP `RCPT TO`) or the mail's own `To`/`Cc`/`Delivered-To` choose it.
///
/// # Errors
/// [`IngestError::TryLater`] when the database cannot store or process it now;
/// [`IngestError::Unusable`] for empty or oversized input.
pub async fn ingest(
    app: &App,
    raw: &[u8],
    source: Source,
    mailbox: Option<&str>,
    recipients: &[String],
) -> Result<Delivered, IngestError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::Unusable(Unparseable::Empty));
    }
    if raw.len() > app.config.mail.intake.max_message_bytes {
        return Err(IngestError::Unusable(Unparseable::TooLarge));
    }
    let message_id = ventanilla_mail::message_id(raw);
    let key = dedupe_key(raw, message_id.as_deref());
    let box_cfg = if recipients.is_empty() && mailbox.is_none() {
        route(
            &app.config.mail.intake,
            None,
            &ventanilla_mail::header_recipients(raw),
        )
    } else {
        route(&app.config.mail.intake, mailbox, recipients)
    };
    let stored = app
        .store
        .mail_in()
        .store_raw(&NewInbound {
            dedupe_key: &key,
            message_id: message_id.as_deref(),
            mailbox: &box_cfg.name,
            source: source.as_str(),
            raw,
            at: app.now(),
        })
        .await?;
    if stored.state.is_final() {
        app.metrics.mail_received("duplicate");
        return Ok(Delivered::Duplicate { id: stored.id });
    }
    let state = process::process(app, stored.id, raw, &box_cfg).await?;
    app.metrics.mail_received(state.as_str());
    Ok(Delivered::Stored {
        id: stored.id,
        state,
    })
}

/// Processes a stored mail again (an admin's retry of a failed or stuck one).
///
/// # Errors
/// [`IngestError::TryLater`] when the database is unavailable.
pub async fn retry(app: &App, id: i64) -> Result<InboundState, IngestError> {
    let row = app.store.mail_in().get(id).await?;
    let raw = app.store.mail_in().raw(id).await?;
    let box_cfg = route(&app.config.mail.intake, Some(&row.mailbox), &[]);
    Ok(process::process(app, id, &raw, &box_cfg).await?)
}
