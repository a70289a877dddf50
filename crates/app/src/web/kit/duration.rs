//! Durations and decimals as people read them: "15 min", "1 h 30 min", "2 d 4 h" (never
//! "0.2 h"), and numbers with the language's decimal separator ("1,5" in Spanish).

use super::i18n::Lang;

/// A span of minutes in words: minutes under an hour, hours and minutes under two days,
/// then days and hours. Negative spans read as their size.
pub fn minutes(lang: Lang, total: i64) -> String {
    let total = total.unsigned_abs();
    let (d, h, m) = (total / 1440, (total % 1440) / 60, total % 60);
    let unit = |key: &str, n: u64| lang.t1(key, "n", &n.to_string());
    if total < 60 {
        unit("dur-min", m)
    } else if total < 2 * 1440 {
        let h = total / 60;
        if m == 0 {
            unit("dur-h", h)
        } else {
            format!("{} {}", unit("dur-h", h), unit("dur-min", m))
        }
    } else if h == 0 {
        unit("dur-d", d)
    } else {
        format!("{} {}", unit("dur-d", d), unit("dur-h", h))
    }
}

/// A duration in words (rounded to the minute).
pub fn span(lang: Lang, d: &jiff::SignedDuration) -> String {
    minutes(lang, (d.as_secs() + 30).div_euclid(60))
}

/// A number with `places` decimals and the language's separator.
pub fn decimal(lang: Lang, value: f64, places: usize) -> String {
    let s = format!("{value:.places$}");
    if lang.decimal_comma() {
        s.replace('.', ",")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ventanilla_domain::Language;

    #[test]
    fn durations_read_as_people_say_them() {
        let es = Lang(Language::Es);
        let en = Lang(Language::En);
        assert_eq!(minutes(es, 15), "15 min");
        assert_eq!(minutes(en, 90), "1 h 30 min");
        assert_eq!(minutes(en, 120), "2 h");
        assert_eq!(minutes(en, 0), "0 min");
        assert_eq!(minutes(en, -45), "45 min");
        assert_eq!(minutes(es, 47 * 60), "47 h");
        assert_eq!(minutes(es, 3 * 1440 + 4 * 60 + 10), "3 d 4 h");
        assert_eq!(minutes(en, 2 * 1440), "2 d");
        assert_eq!(span(en, &jiff::SignedDuration::from_mins(15)), "15 min");
        assert_eq!(decimal(es, 1.5, 1), "1,5");
        assert_eq!(decimal(en, 1.5, 1), "1.5");
    }
}
