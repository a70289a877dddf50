//! The one decision on where the browser may be sent back to after a form (`next` after
//! sign-in, the language switch's `back`, the sign-in redirect of a signed-out visitor):
//! only a path on this site. Anything else — another origin in any spelling a browser
//! accepts, a scheme, control characters — falls back to a safe default, so a hostile value
//! neither redirects elsewhere nor reaches the `Location` header (where a control character
//! used to panic into a 500 after the session cookie was set).

/// `raw` (already decoded once from the query or form) if it is a same-origin path, else
/// `None`. Accepted: `/`, or `/` followed by a non-separator, made only of printable ASCII
/// without backslashes (paths we hand out are percent-encoded; browsers drop tab, CR and LF
/// inside URLs, so `/\t/host` is `//host`), and still a local path without control
/// characters after each of up to three rounds of percent-decoding (so `/%2F%2Fhost` or
/// `/%5Chost` cannot become `//host` in a proxy or browser that decodes again).
pub fn local_target(raw: &str) -> Option<String> {
    if !is_local_path(raw)
        || !raw
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'\\')
    {
        return None;
    }
    let mut current = raw.to_owned();
    for _ in 0..3 {
        match percent_decode(&current) {
            Some(decoded) if decoded == current => return Some(raw.to_owned()),
            // Decoded text may hold spaces or accents (a search), but must still be a path
            // here and hold no control character a browser would drop or a header refuse.
            Some(decoded) if is_local_path(&decoded) && !decoded.chars().any(char::is_control) => {
                current = decoded;
            }
            // Another origin once decoded, or bytes that are not text.
            _ => return None,
        }
    }
    // Still changing after several rounds: nothing we produce is encoded this deep.
    None
}

/// [`local_target`] or `default`.
pub fn local_or(raw: &str, default: &str) -> String {
    local_target(raw).unwrap_or_else(|| default.to_owned())
}

/// Starts with one `/` not followed by another separator: `//host` and `/\\host` are
/// network-path references (browsers read `\\` as `/`).
fn is_local_path(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\'))
}

/// One round of percent-decoding; `None` when the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    String::from_utf8(crate::extract::percent_decode(s.as_bytes(), false)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known open-redirect spellings (OWASP, PortSwigger and browser URL-parser quirks).
    /// Each must be refused, i.e. the default is used instead.
    const BYPASSES: &[&str] = &[
        "//evil.example",
        "//evil.example/x",
        "///evil.example",
        "////evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/ /evil.example",
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d/evil.example",
        "/%2f/evil.example",
        "/%2F%2Fevil.example",
        "/%5cevil.example",
        "/%5Cevil.example",
        "/%252F%252Fevil.example",
        "/%25252F%25252Fevil.example",
        "/%2525252F%2525252Fevil.example",
        "/\u{3000}/evil.example",
        "/\u{FF0F}evil.example",
        "https://evil.example",
        "http:evil.example",
        "//127.0.0.1:8080/x",
        "/%09/127.0.0.1:8080/x",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "/javascript:alert(1)\n",
        "data:text/html,<script>alert(1)</script>",
        "evil.example",
        "",
        "/x\u{0}",
        "/x\u{7f}",
        "/x\r\nSet-Cookie: a=b",
        "/x%0d%0aSet-Cookie:%20a=b",
        "/%ff",
        "/\u{85}x",
    ];

    #[test]
    fn known_bypass_forms_are_refused() {
        for raw in BYPASSES {
            assert_eq!(
                local_target(raw),
                None,
                "{raw:?} must not be a redirect target"
            );
            assert_eq!(local_or(raw, "/"), "/", "{raw:?}");
        }
    }

    #[test]
    fn local_paths_are_kept_as_given() {
        for raw in [
            "/",
            "/console",
            "/console/tickets/12?flash=saved",
            "/console?q=impresora%20rota&status=open",
            "/portal/tickets/3#timeline",
            "/admin/users?role=agent&after=10",
            "/console?q=a%2Fb",
        ] {
            assert_eq!(local_target(raw).as_deref(), Some(raw), "{raw:?}");
        }
    }
}
