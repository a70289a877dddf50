//! Article Markdown → HTML that is safe to put in a page: pulldown-cmark renders it (raw
//! HTML in the Markdown included, as people paste it), then ammonia keeps only a list of
//! harmless tags and attributes — no script, no style, no event handler, no `javascript:`
//! or `data:` URL — and marks every link `rel="noopener noreferrer nofollow"`.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .rm_tags(["img"]);
    b
});

/// Renders and sanitises Markdown.
pub fn render(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    CLEANER.clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn formatting_survives() {
        let html = render("# Título\n\n1. **Uno**\n2. [dos](https://example.com)\n");
        assert!(html.contains("<h1>Título</h1>"));
        assert!(html.contains("<strong>Uno</strong>"));
        assert!(html.contains("href=\"https://example.com\""));
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
    }
}
