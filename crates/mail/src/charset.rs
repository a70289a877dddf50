//! Charsets beyond the labels: a text part with no `charset`, or one nobody knows, is read
//! again from its bytes — as UTF-8 when it is valid UTF-8, otherwise by detection
//! (`chardetng`, the detector Firefox uses), decoded with `encoding_rs`.

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Encoding, MessagePart, MimeHeaders};

/// Whether the part's text needs reading again: no charset label, or an unknown one.
pub(crate) fn needs_detection(part: &MessagePart<'_>) -> bool {
    match part.content_type().and_then(|ct| ct.attribute("charset")) {
        None => true,
        Some(label) => charset_decoder(label.as_bytes()).is_none(),
    }
}

/// The part's bytes after the transfer encoding, from the raw message.
fn body_bytes(raw: &[u8], part: &MessagePart<'_>) -> Option<Vec<u8>> {
    let start = usize::try_from(part.offset_body).ok()?;
    let end = usize::try_from(part.offset_end).ok()?;
    let bytes = raw.get(start..end.min(raw.len()))?;
    match part.encoding {
        Encoding::None => Some(bytes.to_vec()),
        Encoding::QuotedPrintable => quoted_printable_decode(bytes),
        Encoding::Base64 => base64_decode(bytes),
    }
}

/// Decodes `bytes` as UTF-8 if they are, otherwise as the encoding `chardetng` guesses.
/// Returns the text and the encoding's name when it was guessed.
pub(crate) fn detect_decode(bytes: &[u8]) -> (String, Option<&'static str>) {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_owned(), None);
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    det.feed(bytes, true);
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, _) = enc.decode(bytes);
    (text.into_owned(), Some(enc.name()))
}

/// The text of a part, read again by detection; `None` when the part's bytes cannot be found.
pub(crate) fn redecode(
    raw: &[u8],
    part: &MessagePart<'_>,
) -> Option<(String, Option<&'static str>)> {
    let bytes = body_bytes(raw, part)?;
    Some(detect_decode(&bytes))
}

/// A parameter of a MIME header by RFC 2231 (`name*=charset''%XX…` or `name*0*=…;
/// name*1*=…`), decoded with its own charset. mail-parser reads continuations as UTF-8;
/// this is used when that left replacement characters.
pub(crate) fn rfc2231_param(raw_header: &str, name: &str) -> Option<String> {
    let mut pieces: Vec<(u32, bool, String)> = Vec::new();
    for param in raw_header.split(';').skip(1) {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim().trim_matches('"').to_owned();
        let Some(rest) = key.strip_prefix(name).and_then(|r| r.strip_prefix('*')) else {
            continue;
        };
        let encoded = rest.ends_with('*') || rest.is_empty();
        let index = rest.trim_end_matches('*').parse().unwrap_or(0);
        pieces.push((index, encoded, value));
    }
    if pieces.is_empty() {
        return None;
    }
    pieces.sort_by_key(|p| p.0);
    let mut charset = "utf-8".to_owned();
    let mut bytes = Vec::new();
    for (i, (_, encoded, value)) in pieces.iter().enumerate() {
        let mut value = value.as_str();
        if i == 0 && *encoded {
            let mut it = value.splitn(3, '\'');
            if let (Some(cs), Some(_lang), Some(rest)) = (it.next(), it.next(), it.next()) {
                charset = cs.to_owned();
                value = rest;
            }
        }
        if *encoded {
            let b = value.as_bytes();
            let mut j = 0;
            while j < b.len() {
                if b[j] == b'%'
                    && let Some(hex) = value.get(j + 1..j + 3)
                    && let Ok(byte) = u8::from_str_radix(hex, 16)
                {
                    bytes.push(byte);
                    j += 3;
                    continue;
                }
                bytes.push(b[j]);
                j += 1;
            }
        } else {
            bytes.extend_from_slice(value.as_bytes());
        }
    }
    let enc = encoding_rs::Encoding::for_label(charset.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let enc = if enc == encoding_rs::UTF_8 || std::str::from_utf8(&bytes).is_err() {
        enc
    } else {
        encoding_rs::UTF_8
    };
    Some(enc.decode(&bytes).0.into_owned())
}
