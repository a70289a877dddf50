//! Inbound mail (issue #11). Three doors — `ventanilla mail deliver` on stdin, the SMTP
//! listener ([`smtp`]) and IMAP polling ([`imap`]) — call one [`ingest`] step:
//!
//! ```text
//!   raw bytes ─▶ store raw (dedupe on Message-ID) ─▶ parse ─▶ automatic? ─▶ kept, never answered
//!                    │ database down: TryLater                 │
//!                    ▼                                         ▼
//!              SMTP 451 / exit 75 /                thread (our Message-IDs, then a
//!              IMAP message left unseen            [INC-…] tag from a participant)
//!                                                  ▼                  ▼
//!                                        reply (add_action)   new ticket (register_ticket)
//! ```
//!
//! Mail calls the same use cases as the API, as a [`Caller`](crate::desk::Caller) of
//! origin `mail`: the sender's own account, found or created as a requester.

mod answer;
pub mod imap;
mod ingest;
mod process;
pub mod smtp;

pub use answer::answer_refused;
pub use ingest::{Delivered, IngestError, ingest, retry};

use crate::config::{IntakeConfig, MailboxConfig};

/// Which door a mail came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Pipe,
    Smtp,
    Imap,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Pipe => "pipe",
            Source::Smtp => "smtp",
            Source::Imap => "imap",
        }
    }
}

/// The mailbox used when none is configured or none matches.
pub fn fallback_mailbox() -> MailboxConfig {
    MailboxConfig::default()
}

/// The configured mailbox whose address is among `recipients` (or whose name is given),
/// else the first configured one, else the built-in default.
pub fn route(config: &IntakeConfig, name: Option<&str>, recipients: &[String]) -> MailboxConfig {
    if let Some(n) = name
        && let Some(m) = config.mailboxes.iter().find(|m| m.name == n)
    {
        return m.clone();
    }
    config
        .mailboxes
        .iter()
        .find(|m| {
            !m.address.is_empty()
                && recipients
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(m.address.trim()))
        })
        .or_else(|| config.mailboxes.first())
        .cloned()
        .unwrap_or_else(fallback_mailbox)
}
