//! No script survives: 60 XSS payloads written as article Markdown (rendered and sanitised
//! for every page and the API's `body_html`) and as ticket text (shown as highlighted search
//! snippets, the one place ticket text is emitted as HTML) — none keeps a script, an event
//! handler, a `javascript:`-like URL or a dangerous element.

use serde_json::json;
use ventanilla_testkit::desk;

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.test/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "![x](x\" onerror=\"alert(1))",
    "<javascript:alert(1)>",
    "[a](<javascript:alert(1)>)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<input onfocus=alert(1) autofocus>",
    "<select onfocus=alert(1) autofocus>",
    "<textarea onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<p onclick=\"alert(1)\">click</p>",
    "<b onmouseover=alert(1)>x</b>",
    "<table background=\"javascript:alert(1)\">",
    "<div><scr<script>ipt>alert(1)</scr</script>ipt></div>",
    "<<script>alert(1)//<</script>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<img src=`x` onerror=`alert(1)`>",
    "<img/src/onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<template><script>alert(1)</script></template>",
    "<isindex action=javascript:alert(1) type=image>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">",
    "<a href=\"#\" onclick=\"alert(1)\">`code`</a>",
    "`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
];

/// Tags that may appear in sanitised article HTML (what Markdown produces).
const ALLOWED: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "input",
    "sup",
    "sub",
    "span",
    "div",
    "abbr",
    "dl",
    "dt",
    "dd",
    "kbd",
    "q",
    "small",
    "details",
    "summary",
];

/// Every problem of one piece of HTML: a tag outside the list, an event handler, or a URL
/// attribute whose scheme is not http, https or mailto.
fn problems(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find('<') {
        let tag = &rest[i + 1..];
        let end = tag.find('>').unwrap_or(tag.len());
        let inside = &tag[..end];
        let name: String = inside
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !ALLOWED.contains(&name.as_str()) {
            out.push(format!("tag <{inside}>"));
        }
        for attr in inside.split_whitespace().skip(1) {
            let (key, value) = attr.split_once('=').unwrap_or((attr, ""));
            let value = value.trim_matches('"');
            if key.starts_with("on") {
                out.push(format!("handler {attr}"));
            }
            if matches!(
                key,
                "href" | "src" | "action" | "formaction" | "background" | "data"
            ) && !(value.starts_with("http://")
                || value.starts_with("https://")
                || value.starts_with("mailto:")
                || value.starts_with('#'))
            {
                out.push(format!("url {attr}"));
            }
            if key == "style" {
                out.push(format!("style {attr}"));
            }
        }
        if name == "input" && !inside.contains("type=\"checkbox\"") {
            out.push(format!("input {inside}"));
        }
        rest = &tag[end..];
    }
    out
}

#[tokio::test]
async fn no_payload_survives_articles_or_ticket_snippets() {
    assert!(PAYLOADS.len() >= 50);
    let d = desk().build().await;
    let mut failures = Vec::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let body = format!("Impresora {i}\n\n{p}\n\nimpresora final");
        let r = d
            .post(
                "/api/v1/articles",
                json!({"kind": "faq", "title": format!("Impresora {i} {p}"), "body": body, "language": "es", "status": "published"}),
                &d.agent,
            )
            .await;
        assert_eq!(r.status, 201, "{p}: {}", r.body);
        let html = r.body["body_html"].as_str().unwrap().to_owned();
        for problem in problems(&html) {
            failures.push(format!("article #{i} {p:?}: {problem} in {html}"));
        }
        // The same payload as ticket text, found by search and shown as a snippet.
        let t = d
            .ticket()
            .by(&d.requester)
            .subject(&format!("Caso {i}"))
            .description(&format!("zz{i}marker {p} zz{i}marker"))
            .create()
            .await;
        let s = d
            .get(
                &format!("/api/v1/search?q=zz{i}marker&type=ticket"),
                &d.requester,
            )
            .await;
        assert_eq!(s.status, 200, "{}", s.body);
        let res = &s.body["results"][0];
        assert_eq!(res["id"], t.id.get(), "{p}");
        let snippet = res["snippet"]
            .as_str()
            .unwrap()
            .replace("<mark>", "")
            .replace("</mark>", "");
        if snippet.contains('<') || snippet.contains('>') || snippet.contains('"') {
            failures.push(format!("ticket #{i} {p:?}: snippet {snippet}"));
        }
    }
    // Article snippets in search results too.
    let s = d
        .get(
            "/api/v1/search?q=impresora&type=article&limit=200",
            &d.agent,
        )
        .await;
    for r in s.body["results"].as_array().unwrap() {
        let snippet = r["snippet"]
            .as_str()
            .unwrap()
            .replace("<mark>", "")
            .replace("</mark>", "");
        if snippet.contains('<') || snippet.contains('>') {
            failures.push(format!("article snippet {snippet}"));
        }
    }
    assert_eq!(
        s.body["results"].as_array().map(Vec::len),
        Some(PAYLOADS.len())
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
