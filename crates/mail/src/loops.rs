//! Signs that a mail was written by a machine (RFC 3834 and the headers real systems use),
//! so intake stores it but never answers it and never opens a ticket from it.

use mail_parser::{Message, MimeHeaders};
use serde::Serialize;

use crate::model::ReturnPath;

/// Why a mail counts as automatic; the first sign found, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoReason {
    /// `Content-Type: multipart/report` (delivery status or disposition notification).
    Report,
    /// `Return-Path: <>` or a `MAILER-DAEMON` sender: a bounce.
    NullSender,
    /// `Auto-Submitted` other than `no` (RFC 3834).
    AutoSubmitted,
    /// `X-Autoreply`, `X-Autorespond` or `X-Auto-Response-Suppress`.
    Autoreply,
    /// `Precedence: bulk`, `junk`, `list` or `auto_reply`.
    Precedence,
}

impl AutoReason {
    /// A stable code for the mail log.
    pub fn code(self) -> &'static str {
        match self {
            AutoReason::Report => "report",
            AutoReason::NullSender => "null_sender",
            AutoReason::AutoSubmitted => "auto_submitted",
            AutoReason::Autoreply => "autoreply",
            AutoReason::Precedence => "precedence",
        }
    }
}

fn header<'a>(m: &'a Message<'_>, name: &'static str) -> Option<&'a str> {
    m.header_raw(name).map(str::trim)
}

/// The first sign of an automatic mail, if any.
pub(crate) fn detect(
    m: &Message<'_>,
    return_path: &ReturnPath,
    from: Option<&str>,
) -> Option<AutoReason> {
    let report = m.root_part().content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    if report {
        return Some(AutoReason::Report);
    }
    let daemon = from.is_some_and(|f| {
        let local = f.split('@').next().unwrap_or_default().to_ascii_lowercase();
        local == "mailer-daemon" || local == "postmaster"
    });
    if *return_path == ReturnPath::Empty || daemon {
        return Some(AutoReason::NullSender);
    }
    if header(m, "Auto-Submitted").is_some_and(|v| {
        let v = v.split(';').next().unwrap_or_default().trim();
        !v.is_empty() && !v.eq_ignore_ascii_case("no")
    }) {
        return Some(AutoReason::AutoSubmitted);
    }
    if header(m, "X-Autoreply").is_some()
        || header(m, "X-Autorespond").is_some()
        || header(m, "X-Auto-Response-Suppress").is_some_and(|v| {
            v.split(',').any(|t| {
                matches!(
                    t.trim().to_ascii_lowercase().as_str(),
                    "all" | "oof" | "autoreply" | "dr" | "ndr" | "rn" | "nrn"
                )
            })
        })
    {
        return Some(AutoReason::Autoreply);
    }
    if header(m, "Precedence").is_some_and(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "bulk" | "junk" | "list" | "auto_reply" | "auto-reply"
        )
    }) {
        return Some(AutoReason::Precedence);
    }
    None
}
