//! Languages of the web pages: Fluent messages per language (`crates/app/locales`), the
//! choice of language (profile, then `Accept-Language`, then Spanish) and date formatting
//! in the viewer's time zone.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use ventanilla_domain::Language;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "es",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ES: LanguageIdentifier = langid!("es");
static EN: LanguageIdentifier = langid!("en");

/// The language a page is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lang(pub Language);

impl Lang {
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Whether the language writes decimals with a comma (Spanish: "1,5").
    pub fn decimal_comma(self) -> bool {
        self.code() == "es"
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self.0 {
            Language::Es => &ES,
            Language::En => &EN,
        }
    }

    /// The message `key`; the key itself if it is missing (a test checks none is).
    pub fn t(self, key: &str) -> String {
        LOCALES
            .try_lookup(self.id(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// Whether `key` exists (flash keys arrive in the URL and are shown only if known).
    pub fn has(self, key: &str) -> bool {
        LOCALES.try_lookup(self.id(), key).is_some()
    }

    /// The message `key` with one named argument.
    pub fn t1(self, key: &str, name: &'static str, value: &str) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_owned()));
        LOCALES
            .try_lookup_with_args(self.id(), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message `key` with named arguments.
    pub fn tn(self, key: &str, args: &[(String, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Owned(k.clone()), FluentValue::from(v.clone())))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), key, &map)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept(header: Option<&str>) -> Option<Lang> {
        let mut best: Option<(f32, Language)> = None;
        for part in header?.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse().ok()))
                .unwrap_or(1.0_f32);
            let lang = match tag.split('-').next() {
                Some("es") => Language::Es,
                Some("en") => Language::En,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| Lang(l))
    }
}

/// Every message key used by the code, for the completeness test.
pub fn has_everywhere(key: &str) -> bool {
    Lang(Language::Es).has(key) && Lang(Language::En).has(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_the_highest_quality() {
        assert_eq!(
            Lang::from_accept(Some("fr, en;q=0.8, es;q=0.9")),
            Some(Lang(Language::Es))
        );
        assert_eq!(Lang::from_accept(Some("en-GB")), Some(Lang(Language::En)));
        assert_eq!(Lang::from_accept(Some("de")), None);
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let keys = |src: &str| -> Vec<String> {
            src.lines()
                .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
                .filter_map(|l| l.split(" =").next().map(str::to_owned))
                .collect()
        };
        // Every `.ftl` file of a language is loaded (one per area: main, mail, …).
        let read = |lang: &str| -> String {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales")
                .join(lang);
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .expect("locale folder")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .collect();
            files.sort();
            files
                .iter()
                .map(|p| std::fs::read_to_string(p).expect("locale file"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let (es_src, en_src) = (read("es"), read("en"));
        assert_eq!(
            std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/es"))
                .map(|d| d.count())
                .ok(),
            std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/en"))
                .map(|d| d.count())
                .ok(),
            "both languages have the same files"
        );
        let es = keys(&es_src);
        let en = keys(&en_src);
        for k in &es {
            assert!(en.contains(k), "{k} missing in en");
        }
        for k in &en {
            assert!(es.contains(k), "{k} missing in es");
        }
        assert!(has_everywhere("sign-in"));
    }
}
