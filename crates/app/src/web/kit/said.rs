//! What the desk recorded, in the reader's language: timeline entries and notifications are
//! stored as codes and parameters (`ventanilla_domain::ticket::{Said, Notice}`) and rendered
//! here with Fluent at read time (`history-<code>`, `notice-<kind>`), so a Spanish agent
//! reads Spanish and an English one English, whatever language the writer used. Parameters
//! that are themselves codes (a channel, an SLA target) are put into words first.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ventanilla_domain::ticket::Params;

use super::i18n::Lang;

/// Parameter values that are codes, with the message prefix that puts each into words.
const WORDED: &[(&str, &str)] = &[
    ("channel", "channel"),
    ("target", "sla-target"),
    ("crossing", "sla-crossing"),
    ("cadence", "report-cadence"),
];

fn args(lang: Lang, tz: &TimeZone, params: &Params) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| {
            let value = if let Some((_, prefix)) = WORDED.iter().find(|(name, _)| name == k) {
                let key = format!("{prefix}-{v}");
                if lang.has(&key) {
                    lang.t(&key)
                } else {
                    v.clone()
                }
            } else if k == "actions" {
                // A rule's actions, stored as their codes (`set_category, add_tag`).
                v.split(", ")
                    .map(|code| {
                        let key = format!("rule-did-{code}");
                        if lang.has(&key) {
                            lang.t(&key)
                        } else {
                            code.to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            } else if k == "steps" {
                v.split(',')
                    .map(|s| format!("[{s}]"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            } else if k == "at" {
                v.parse::<Timestamp>()
                    .map(|t| {
                        t.to_zoned(tz.clone())
                            .strftime("%Y-%m-%d %H:%M")
                            .to_string()
                    })
                    .unwrap_or_else(|_| v.clone())
            } else {
                v.clone()
            };
            (k.clone(), value)
        })
        .collect()
}

/// A timeline entry's system statement, e.g. "Escalado a L2".
pub fn history(lang: Lang, tz: &TimeZone, code: &str, params: &Params) -> String {
    lang.tn(&format!("history-{code}"), &args(lang, tz, params))
}

/// The message key of a notification kind (`ticket.escalated` → `notice-ticket-escalated`).
pub fn notice_key(kind: &str) -> String {
    format!("notice-{}", kind.replace('.', "-"))
}

/// A notification's title, e.g. "INC-000042 escalado a Redes".
pub fn notice(lang: Lang, tz: &TimeZone, kind: &str, params: &Params) -> String {
    let key = notice_key(kind);
    // Looked up with its arguments: a message with variables is not found without them.
    let title = lang.tn(&key, &args(lang, tz, params));
    if title == key {
        // A kind this version does not know (written by a newer node): its number at least.
        params
            .get("number")
            .cloned()
            .unwrap_or_else(|| kind.to_owned())
    } else {
        title
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ventanilla_domain::Language;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn notices_and_entries_read_in_each_language() {
        let tz = TimeZone::UTC;
        let p = params(&[
            ("number", "INC-000007"),
            ("group", "Redes"),
            ("subject", "Sin red"),
        ]);
        for (lang, want) in [
            (Language::Es, "INC-000007 escalado a Redes: Sin red"),
            (Language::En, "INC-000007 escalated to Redes: Sin red"),
        ] {
            assert_eq!(notice(Lang(lang), &tz, "ticket.escalated", &p), want);
        }
        let p = params(&[("target", "first_response"), ("at", "2026-03-02T10:00:00Z")]);
        assert_eq!(
            history(Lang(Language::Es), &tz, "sla_warning", &p),
            "Aviso de SLA: el objetivo de primera respuesta vence el 2026-03-02 10:00"
        );
        assert_eq!(
            history(Lang(Language::En), &tz, "sla_warning", &p),
            "SLA warning: first response target due 2026-03-02 10:00"
        );
        let p = params(&[("rule", "Impresoras"), ("actions", "set_category, add_tag")]);
        assert_eq!(
            history(Lang(Language::Es), &tz, "rule_fired", &p),
            "Regla «Impresoras» aplicada: categoría, etiqueta"
        );
        assert_eq!(
            history(Lang(Language::En), &tz, "rule_fired", &p),
            "Rule “Impresoras” applied: category, tag"
        );
    }
}
