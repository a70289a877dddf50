//! The `Content-Disposition` of every file the product serves as a download (RFC 6266 with
//! RFC 8187 for non-ASCII names), and the cleaning of a file name before it is stored or
//! sent: one place, so every download route says the same thing the same safe way.
//!
//! The header carries two names: `filename="…"`, an ASCII fallback for old clients
//! (accents folded, `Acta reunión` → `Acta reunion`, anything that could end the quoted
//! string or be read as a path or an escape replaced by `_`), and `filename*=UTF-8''…`,
//! the exact name percent-encoded, which browsers prefer. Neither can carry a CR, LF or
//! quote (so no header injection), and bidirectional and other invisible format characters
//! are removed first, so `factura\u{202E}fdp.exe` (U+202E, right-to-left override) cannot pose as `factura.exe.pdf`.

use axum::http::HeaderValue;
use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// What a download is called when nothing of its name is left after cleaning.
const FALLBACK_NAME: &str = "download";

/// Invisible format characters (Unicode category Cf, and the bidirectional controls among
/// them) that can reorder or hide parts of a displayed name.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{08E2}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

/// A file name as it may be stored and shown: its last path component (`/` or `\`), without
/// control or invisible format characters, trimmed, at most `max_chars` characters. Empty
/// when nothing is left (the caller decides whether that is an error).
pub fn clean_file_name(raw: &str, max_chars: usize) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let kept: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_format_char(*c))
        .take(max_chars)
        .collect();
    kept.trim().to_owned()
}

/// The ASCII fallback: accents folded (NFKD without combining marks), dashes and quotes
/// made plain, every other character outside a conservative set replaced by `_`.
fn ascii_fallback(name: &str) -> String {
    let folded: String = name
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => '\'',
            'ß' => 's',
            'æ' | 'Æ' => 'e',
            'ø' => 'o',
            'Ø' => 'O',
            'đ' => 'd',
            'Đ' => 'D',
            'ł' => 'l',
            'Ł' => 'L',
            c if c.is_ascii_alphanumeric() || " .-_()[]+,=@&#!~'$^{}".contains(c) => c,
            _ => '_',
        })
        .collect();
    let trimmed = folded.trim_matches(|c: char| c == ' ' || c == '.');
    let (stem, ext) = match trimmed.rsplit_once('.') {
        Some((stem, ext)) if !ext.is_empty() && !ext.contains('_') => (stem, Some(ext)),
        _ => (trimmed, None),
    };
    if stem.chars().all(|c| c == '_' || c == ' ') {
        // Nothing readable survived (a name in another script): keep the extension.
        return match ext {
            Some(ext) => format!("{FALLBACK_NAME}.{ext}"),
            None => FALLBACK_NAME.to_owned(),
        };
    }
    trimmed.to_owned()
}

/// RFC 8187 `value-chars`: UTF-8 bytes, `attr-char`s as they are, the rest as `%XX`.
fn percent_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<exact name>` for a file
/// called `name` (cleaned again here, so names stored before the cleaning existed are safe).
pub fn attachment(name: &str) -> HeaderValue {
    let mut clean = clean_file_name(name, usize::MAX);
    if clean.is_empty() {
        clean = FALLBACK_NAME.to_owned();
    }
    let value = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(&clean),
        percent_encode(&clean)
    );
    // Every byte above is visible ASCII or a space, which a header value always accepts.
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_report_name() {
        assert_eq!(
            attachment("Acta reunión año 2026 — ñandú.pdf"),
            "attachment; filename=\"Acta reunion ano 2026 - nandu.pdf\"; filename*=UTF-8''Acta%20reuni%C3%B3n%20a%C3%B1o%202026%20%E2%80%94%20%C3%B1and%C3%BA.pdf"
        );
    }

    #[test]
    fn other_scripts_keep_the_extension() {
        assert_eq!(
            attachment("отчёт.xlsx"),
            "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.xlsx"
        );
    }
}
