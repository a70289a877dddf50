//! One message in, a [`ParsedMail`] out: headers, threading ids, sender, body (text over
//! HTML), sanitised HTML, attachments, automatic-mail signs, with the [`Limits`] applied.

use mail_parser::decoders::html::html_to_text;
use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

use crate::charset;
use crate::html;
use crate::loops;
use crate::model::{Address, Attachment, Limits, ParsedMail, ReturnPath, Unparseable};
use crate::subject::strip_reply_prefixes;
use crate::trim::trim_reply;

/// Parses one RFC 5322 message.
///
/// # Errors
/// [`Unparseable`] when the input is empty, too large, has no header section or no
/// usable `From` address. The caller keeps the raw bytes either way.
pub fn parse(raw: &[u8], limits: &Limits) -> Result<ParsedMail, Unparseable> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(Unparseable::Empty);
    }
    if raw.len() > limits.max_bytes {
        return Err(Unparseable::TooLarge);
    }
    if !has_header_section(raw) {
        return Err(Unparseable::NotAMessage);
    }
    let m = guarded(|| MessageParser::default().parse(raw)).ok_or(Unparseable::NotAMessage)?;
    let from = first_address(m.from()).ok_or(Unparseable::NoSender)?;
    let mut notes = Vec::new();
    let return_path = return_path(&m);
    let auto = loops::detect(&m, &return_path, Some(&from.email));
    let subject = clean_line(&subject_of(&m, raw, &mut notes));
    let (text, html) = bodies(&m, raw, limits, &mut notes);
    let attachments = attachments(&m, raw, limits, &mut notes);
    let reply_text = trim_reply(&text);
    Ok(ParsedMail {
        message_id: m.message_id().and_then(normalise_id),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
        reply_to: first_address(m.reply_to()),
        recipients: m
            .to()
            .into_iter()
            .chain(m.cc())
            .flat_map(|a| a.iter())
            .filter_map(|a| a.address())
            .map(|a| a.trim().to_lowercase())
            .collect(),
        from: Some(from),
        return_path,
        topic: strip_reply_prefixes(&subject),
        subject,
        text,
        reply_text,
        html,
        attachments,
        auto,
        notes,
    })
}

/// A header section: the first line is a header field (`Name: value`), as RFC 5322 and an
/// mbox `From ` line (which MTAs may prepend) allow.
fn has_header_section(raw: &[u8]) -> bool {
    let first = raw.split(|b| *b == b'\n').next().unwrap_or_default();
    if first.starts_with(b"From ") {
        return true;
    }
    match first.iter().position(|b| *b == b':') {
        Some(colon) if colon > 0 => first[..colon]
            .iter()
            .all(|b| b.is_ascii_graphic() && *b != b':'),
        _ => false,
    }
}

fn normalise_id(id: &str) -> Option<String> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty() && id.len() <= 998).then(|| id.to_owned())
}

fn ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    let list: Vec<&str> = match value {
        mail_parser::HeaderValue::Text(t) => vec![t.as_ref()],
        mail_parser::HeaderValue::TextList(l) => l.iter().map(AsRef::as_ref).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(normalise_id)
        .take(100)
        .collect()
}

fn first_address(a: Option<&mail_parser::Address<'_>>) -> Option<Address> {
    let a = a?.iter().find(|a| {
        a.address()
            .is_some_and(|e| e.contains('@') && !e.trim().is_empty())
    })?;
    let email = a.address()?.trim().to_owned();
    let name = a
        .name()
        .map(clean_line)
        .filter(|n| !n.is_empty() && *n != email);
    Some(Address { name, email })
}

fn return_path(m: &Message<'_>) -> ReturnPath {
    match m.header_raw("Return-Path") {
        None => ReturnPath::Absent,
        Some(raw) => {
            let inner = raw
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim();
            if inner.is_empty() {
                ReturnPath::Empty
            } else {
                ReturnPath::Address(inner.to_owned())
            }
        }
    }
}

/// The subject, decoded; raw 8-bit bytes with no encoded word are read by detection.
fn subject_of(m: &Message<'_>, raw: &[u8], notes: &mut Vec<String>) -> String {
    let subject = m.subject().unwrap_or_default().to_owned();
    if !subject.contains('\u{FFFD}') {
        return subject;
    }
    // Find the raw header bytes and decode them by detection.
    for h in m.headers() {
        if h.name().eq_ignore_ascii_case("subject") {
            let start = h.offset_start() as usize;
            let end = h.offset_end() as usize;
            if let Some(bytes) = raw.get(start..end) {
                let (text, guessed) = charset::detect_decode(bytes);
                if let Some(enc) = guessed {
                    notes.push(format!("subject charset guessed: {enc}"));
                }
                return text.split_whitespace().collect::<Vec<_>>().join(" ");
            }
        }
    }
    subject
}

/// One line: no control characters, runs of space folded.
fn clean_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn part_text(raw: &[u8], part: &MessagePart<'_>, notes: &mut Vec<String>) -> Option<String> {
    let redecoded = |notes: &mut Vec<String>| {
        let (text, guessed) = charset::redecode(raw, part)?;
        if let Some(enc) = guessed {
            notes.push(format!("body charset guessed: {enc}"));
        }
        Some(text)
    };
    match &part.body {
        PartType::Text(t) => Some(if charset::needs_detection(part) {
            redecoded(notes).unwrap_or_else(|| t.to_string())
        } else {
            t.to_string()
        }),
        PartType::Html(h) => {
            let h = if charset::needs_detection(part) {
                redecoded(notes).unwrap_or_else(|| h.to_string())
            } else {
                h.to_string()
            };
            Some(html_to_text(&block_breaks(&h)))
        }
        _ => None,
    }
}

/// List items, rows and divisions end a line in the text (mail-parser ends paragraphs).
fn block_breaks(html: &str) -> String {
    let mut out = html.to_owned();
    for tag in ["</li>", "</LI>", "</tr>", "</TR>", "</div>", "</DIV>"] {
        out = out.replace(tag, &format!("{tag}<br>"));
    }
    out
}

/// The timeline text (text parts first; HTML turned into text when there is none) and the
/// sanitised HTML body.
fn bodies(
    m: &Message<'_>,
    raw: &[u8],
    limits: &Limits,
    notes: &mut Vec<String>,
) -> (String, Option<String>) {
    let mut text = String::new();
    for &id in m.text_body.iter().take(limits.max_parts) {
        let Some(part) = m.part(id) else { continue };
        if let Some(t) = part_text(raw, part, notes) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&t);
        }
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut text: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    if text.chars().count() > limits.max_text_chars {
        text = text.chars().take(limits.max_text_chars).collect();
        notes.push(format!("text cut at {} characters", limits.max_text_chars));
    }
    let html = m
        .html_body
        .iter()
        .filter_map(|&id| m.part(id))
        .find_map(|p| match &p.body {
            PartType::Html(h) => Some(html::sanitise(h)),
            _ => None,
        });
    (text.trim().to_owned(), html)
}

/// How deep each part sits in the MIME tree (the root at 0).
fn depths(m: &Message<'_>) -> Vec<usize> {
    let mut depth = vec![0usize; m.parts.len()];
    for (i, p) in m.parts.iter().enumerate() {
        if let PartType::Multipart(children) = &p.body {
            for &c in children {
                let parent = depth[i];
                if let Some(d) = depth.get_mut(c as usize)
                    && c as usize > i
                {
                    *d = parent + 1;
                }
            }
        }
    }
    depth
}

fn attachments(
    m: &Message<'_>,
    raw: &[u8],
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Vec<Attachment> {
    let depth = depths(m);
    let mut out = Vec::new();
    if m.parts.len() > limits.max_parts {
        notes.push(format!("parts beyond {} ignored", limits.max_parts));
    }
    for &id in &m.attachments {
        let idx = id as usize;
        if idx >= limits.max_parts {
            break;
        }
        if depth.get(idx).copied().unwrap_or(0) > limits.max_depth {
            notes.push(format!(
                "part {idx} nested deeper than {} ignored",
                limits.max_depth
            ));
            continue;
        }
        let Some(part) = m.part(id) else { continue };
        let (data, default_name, ctype) = match &part.body {
            PartType::Message(inner) => (
                inner.raw_message().to_vec(),
                format!(
                    "{}.eml",
                    clean_line(inner.subject().unwrap_or("forwarded")).replace(['/', '\\'], "-")
                ),
                "message/rfc822".to_owned(),
            ),
            PartType::Multipart(_) => continue,
            _ => (part.contents().to_vec(), String::new(), content_type(part)),
        };
        if data.is_empty() {
            continue;
        }
        let content_id = part.content_id().and_then(normalise_id);
        let inline = part
            .content_disposition()
            .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"))
            || content_id.is_some();
        let filename = part
            .attachment_name()
            .map(|n| {
                if n.contains('\u{FFFD}') {
                    raw_filename(part, raw).unwrap_or_else(|| n.to_owned())
                } else {
                    n.to_owned()
                }
            })
            .map(|n| clean_line(&n))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| {
                if default_name.is_empty() {
                    format!(
                        "{}-{}.{}",
                        if inline { "inline" } else { "attachment" },
                        out.len() + 1,
                        extension(&ctype)
                    )
                } else {
                    default_name
                }
            });
        out.push(Attachment {
            filename,
            content_type: ctype,
            inline,
            content_id,
            size: data.len(),
            data,
        });
    }
    out
}

/// The file name from the part's raw `Content-Disposition` or `Content-Type` (RFC 2231).
fn raw_filename(part: &MessagePart<'_>, raw: &[u8]) -> Option<String> {
    for h in part.headers() {
        let (param, lower) = match h.name().to_ascii_lowercase().as_str() {
            "content-disposition" => ("filename", true),
            "content-type" => ("name", true),
            _ => ("", false),
        };
        if !lower {
            continue;
        }
        let bytes = raw.get(h.offset_start() as usize..h.offset_end() as usize)?;
        let text = String::from_utf8_lossy(bytes).replace(['\r', '\n'], "");
        if let Some(name) = charset::rfc2231_param(&text, param) {
            return Some(name);
        }
    }
    None
}

fn content_type(part: &MessagePart<'_>) -> String {
    part.content_type().map_or_else(
        || "application/octet-stream".to_owned(),
        |ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_lowercase(),
            None => ct.ctype().to_lowercase(),
        },
    )
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/gif" => "gif",
        "text/plain" => "txt",
        "text/html" => "html",
        "application/pdf" => "pdf",
        "text/calendar" => "ics",
        "message/delivery-status" => "txt",
        _ => "bin",
    }
}

/// Runs the MIME parser, taking a panic in it as "not a message". mail-parser 0.11.9 (the
/// newest) has a `debug_assert!` that fires on some malformed nestings ("Invalid part ID,
/// could not find multipart.", found by the fuzz target, `tests/regressions/`): builds with
/// debug assertions panic there. A mail must never crash the intake that reads it; the
/// caller keeps the raw bytes as unparseable.
fn guarded<'x>(
    run: impl FnOnce() -> Option<Message<'x>> + std::panic::UnwindSafe,
) -> Option<Message<'x>> {
    std::panic::catch_unwind(run).ok().flatten()
}

/// The Message-ID from the header section alone (cheap: intake stores the raw message
/// keyed on it before parsing the rest).
pub fn message_id(raw: &[u8]) -> Option<String> {
    guarded(|| MessageParser::default().parse_headers(raw))
        .and_then(|m| m.message_id().and_then(normalise_id))
}

/// The `To`, `Cc` and `Delivered-To` addresses from the header section alone, lower-cased
/// (routing a piped mail to its mailbox).
pub fn header_recipients(raw: &[u8]) -> Vec<String> {
    let Some(m) = guarded(|| MessageParser::default().parse_headers(raw)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = m
        .header_values("Delivered-To")
        .filter_map(|v| v.as_text())
        .map(|v| v.trim().trim_matches(['<', '>']).to_lowercase())
        .collect();
    out.extend(
        m.to()
            .into_iter()
            .chain(m.cc())
            .flat_map(|a| a.iter())
            .filter_map(|a| a.address())
            .map(|a| a.trim().to_lowercase()),
    );
    out
}
