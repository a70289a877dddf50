//! Pure parsing of inbound e-mail for intake: one RFC 5322 message in, a [`ParsedMail`] out
//! (sender, threading headers, subject without reply prefixes, body text preferred over
//! HTML, sanitised HTML, attachments, signs of an automatic message). No I/O, no database:
//! the application stores the raw message first and then calls [`parse`], so this crate can
//! be fuzzed and snapshot-tested on its own and compiles apart from the large app crate.
//!
//! MIME and encodings come from `mail-parser` (which already reads ISO-8859-1 as
//! Windows-1252); parts with no charset label or a label nobody knows are re-decoded from
//! their bytes, by detection (`chardetng`) when they are not UTF-8, so nothing is ever
//! rejected over a charset or stored as escape codes.

mod charset;
mod html;
mod loops;
mod model;
mod parse;
mod subject;
mod trim;

pub use loops::AutoReason;
pub use model::{Address, Attachment, Limits, ParsedMail, ReturnPath, Unparseable};
pub use parse::parse;
pub use subject::{strip_reply_prefixes, ticket_tags};
pub use trim::trim_reply;
