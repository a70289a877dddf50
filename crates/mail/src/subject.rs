//! Subjects: reply and forward prefixes in the languages desks meet (RE, RV, AW, SV, VS,
//! FW, FWD, RIF, TR, WG, ENC, RES, ODP, ANTW…) are ignored, and ticket tags like
//! `[INC-000123]` are found for threading.

/// Prefixes that mark a reply or a forward, lower-case, without the colon.
const PREFIXES: &[&str] = &[
    "re", "rv", "aw", "sv", "vs", "fw", "fwd", "rif", "r", "tr", "wg", "enc", "res", "odp", "antw",
    "ynt", "ref", "vb", "vl", "doorst", "trs", "rép", "réf", "απ", "σχετ", "回复", "答复", "转发",
    "返信", "转寄",
];

/// The subject without leading reply/forward prefixes (`RE: RV: Fwd[2]: Hola` → `Hola`)
/// and surrounding space.
pub fn strip_reply_prefixes(subject: &str) -> String {
    let mut s = subject.trim();
    while let Some(colon) = s.find([':', '：']) {
        let head = s[..colon].trim();
        // `RE[2]` and `RE(2)` counters.
        let word = head
            .split(['[', '('])
            .next()
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        if head.chars().count() > 12 || !PREFIXES.contains(&word.as_str()) {
            break;
        }
        let width = s[colon..].chars().next().map_or(1, char::len_utf8);
        s = s[colon + width..].trim_start();
    }
    s.trim().to_owned()
}

/// Every `[ABC-123]` tag in the subject, in order, without the brackets (`INC-000123`).
/// The application decides which prefixes are ticket numbers.
pub fn ticket_tags(subject: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let inner = after[..close].trim();
        if let Some((prefix, digits)) = inner.split_once('-')
            && (1..=5).contains(&prefix.len())
            && prefix.chars().all(|c| c.is_ascii_alphabetic())
            && (1..=12).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
        {
            out.push(inner.to_owned());
        }
        rest = &after[close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_in_many_languages_are_ignored() {
        for s in [
            "RE: Impresora",
            "Re: RE: Impresora",
            "RV: Impresora",
            "AW: WG: Impresora",
            "SV: Impresora",
            "VS: Impresora",
            "Fwd: Impresora",
            "RE[2]: Impresora",
            "  re :  Impresora ",
            "RES: Impresora",
        ] {
            assert_eq!(strip_reply_prefixes(s), "Impresora", "{s}");
        }
        assert_eq!(strip_reply_prefixes("Nota: hola"), "Nota: hola");
        assert_eq!(strip_reply_prefixes("Re:"), "");
    }

    #[test]
    fn tags_are_found() {
        assert_eq!(
            ticket_tags("RE: [INC-000123] Impresora [nota] [REQ-45]"),
            vec!["INC-000123", "REQ-45"]
        );
        assert!(ticket_tags("[INCIDENT-1] [INC-12a] [-1]").is_empty());
    }
}
