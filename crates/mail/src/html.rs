//! HTML bodies: sanitised with ammonia before anyone sees them (no scripts, styles, event
//! handlers, forms or remote images; links get `rel="noopener noreferrer"`), and turned
//! into text for the timeline when a mail has no text part.

use std::collections::HashSet;

/// The HTML, safe to show: only formatting tags, `cid:` and `data:` images dropped with the
/// remote ones (inline images are shown as attachments instead).
pub(crate) fn sanitise(html: &str) -> String {
    let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    let mut b = ammonia::Builder::default();
    b.url_schemes(schemes)
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer nofollow"));
    b.clean(html).to_string()
}
