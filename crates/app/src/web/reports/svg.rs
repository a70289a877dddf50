//! Charts drawn on the server as SVG (no script, no library): a line chart of two daily
//! series and horizontal bars. Each has a `<title>` and `<desc>` for screen readers, and
//! the page always shows the same numbers as a table beside it. Text is XML-escaped.

use std::fmt::Write as _;

/// XML-escapes text for an SVG element or attribute.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The smallest "round" number (1, 2 or 5 × 10ⁿ) at least `v`, for the axis top.
fn nice_max(v: i64) -> i64 {
    let v = v.max(1);
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if step * m >= v {
                return step * m;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// One named series of a line chart, drawn in `class` (colours live in the stylesheet).
pub struct Series<'a> {
    pub name: &'a str,
    pub class: &'a str,
    pub values: Vec<i64>,
}

const W: f64 = 720.0;
const H: f64 = 240.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;

/// A line chart of daily series over `labels` (the days), with a legend.
pub fn lines(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[Series<'_>],
) -> String {
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .max()
            .unwrap_or(0),
    );
    let n = labels.len().max(1);
    let plot_w = W - LEFT - 8.0;
    let plot_h = H - TOP - BOTTOM;
    let x = |i: usize| {
        LEFT + if n == 1 {
            plot_w / 2.0
        } else {
            plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: i64| TOP + plot_h - plot_h * v as f64 / max as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    for k in 0..=4 {
        let v = max * k / 4;
        let yy = y(v);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"#,
            W - 8.0,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    for i in [0, n / 2, n - 1] {
        if let Some(l) = labels.get(i) {
            let _ = write!(
                s,
                r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x(i),
                H - 8.0,
                esc(l)
            );
        }
    }
    for (k, se) in series.iter().enumerate() {
        let pts: Vec<String> = se
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline class="{}" fill="none" points="{}"/>"#,
            esc(se.class),
            pts.join(" ")
        );
        let lx = LEFT + 10.0 + 140.0 * k as f64;
        let _ = write!(
            s,
            r#"<rect class="{}" x="{lx:.1}" y="{TOP}" width="10" height="10"/><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
            esc(se.class),
            lx + 14.0,
            TOP + 9.0,
            esc(se.name)
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars: one row per `(label, value)`.
pub fn bars(id: &str, title: &str, desc: &str, rows: &[(String, i64)]) -> String {
    let max = nice_max(rows.iter().map(|r| r.1).max().unwrap_or(0));
    let row_h = 22.0;
    let h = 8.0 + row_h * rows.len().max(1) as f64;
    let label_w = 180.0;
    let bar_w = W - label_w - 60.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {h}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let w = bar_w * (*v).max(0) as f64 / max as f64;
        let short: String = label.chars().take(28).collect();
        let _ = write!(
            s,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar" x="{label_w}" y="{y:.1}" width="{w:.1}" height="{:.1}"/><text class="axis" x="{:.1}" y="{:.1}">{v}</text>"#,
            label_w - 6.0,
            y + 14.0,
            esc(&short),
            row_h - 6.0,
            label_w + w + 4.0,
            y + 14.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_axes_are_round() {
        let svg = bars("b", "<Grupos>", "d", &[("Redes & \"WiFi\"".into(), 7)]);
        assert!(svg.contains("&lt;Grupos&gt;"));
        assert!(svg.contains("Redes &amp; &quot;WiFi&quot;"));
        assert!(!svg.contains("<Grupos>"));
        assert_eq!(
            (nice_max(0), nice_max(7), nice_max(11), nice_max(500)),
            (1, 10, 20, 500)
        );
        let l = lines(
            "l",
            "t",
            "d",
            &["a".into(), "b".into()],
            &[Series {
                name: "x",
                class: "s1",
                values: vec![1, 3],
            }],
        );
        assert!(l.contains("<polyline class=\"s1\""));
    }
}
