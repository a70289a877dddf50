//! What intake gets from a parsed mail, and the limits parsing applies.

use serde::Serialize;

use crate::loops::AutoReason;

/// A mailbox: display name (decoded) and address (lower-cased domain kept as written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    pub name: Option<String>,
    pub email: String,
}

/// The envelope sender as the MTA recorded it in `Return-Path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "address")]
pub enum ReturnPath {
    /// No `Return-Path` header (SMTP listener and IMAP copies often have none).
    Absent,
    /// `Return-Path: <>`: the null sender of bounces and other automatic mail.
    Empty,
    Address(String),
}

/// A file carried by the mail: a real attachment, an inline image of the HTML body, or a
/// forwarded message (`message/rfc822`, kept as an `.eml`).
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub inline: bool,
    pub content_id: Option<String>,
    pub size: usize,
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// Everything intake needs from one message.
#[derive(Debug, Clone, Serialize)]
pub struct ParsedMail {
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    /// As written, oldest first.
    pub references: Vec<String>,
    pub from: Option<Address>,
    pub reply_to: Option<Address>,
    /// `To` and `Cc` addresses, for routing to a mailbox.
    pub recipients: Vec<String>,
    pub return_path: ReturnPath,
    /// The decoded subject, as written.
    pub subject: String,
    /// The subject without reply and forward prefixes (`RE:`, `RV:`, `AW:`…).
    pub topic: String,
    /// The body for the timeline: the text part, or the HTML part turned into text.
    pub text: String,
    /// `text` without the quoted history and the signature, for replies.
    pub reply_text: String,
    /// The HTML body, sanitised (no scripts, styles, event handlers or remote loads).
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Why the mail is automatic (an auto-reply, a bounce, a list), if it is.
    pub auto: Option<AutoReason>,
    /// Limits that cut something off, and charsets that had to be guessed.
    pub notes: Vec<String>,
}

impl ParsedMail {
    /// The first `In-Reply-To`, then `References` newest first: the order threading asks.
    pub fn thread_candidates(&self) -> Vec<String> {
        let mut out: Vec<String> = self.in_reply_to.clone();
        out.extend(self.references.iter().rev().cloned());
        out
    }
}

/// Limits on what one message may cost to parse.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Larger messages are not parsed at all (they are still kept raw by intake).
    pub max_bytes: usize,
    /// MIME parts beyond this are ignored.
    pub max_parts: usize,
    /// Parts nested deeper than this are ignored.
    pub max_depth: usize,
    /// Body text beyond this many characters is cut.
    pub max_text_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 25 * 1024 * 1024,
            max_parts: 200,
            max_depth: 10,
            max_text_chars: 100_000,
        }
    }
}

/// Why a message could not be read at all (it is still kept raw and shown to admins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unparseable {
    /// Nothing was given.
    Empty,
    /// Larger than [`Limits::max_bytes`].
    TooLarge,
    /// No header section: not an RFC 5322 message.
    NotAMessage,
    /// No usable `From` address.
    NoSender,
}

impl Unparseable {
    /// A stable code for logs and the mail log page.
    pub fn code(self) -> &'static str {
        match self {
            Unparseable::Empty => "empty",
            Unparseable::TooLarge => "too_large",
            Unparseable::NotAMessage => "not_a_message",
            Unparseable::NoSender => "no_sender",
        }
    }
}
