//! A scheduled report's mail (issue 14, item 4): the KPI table in the reader's language,
//! and the CSV queued with it as an attachment. The outbox row keeps the KPIs as numbers
//! (the JSON of `GET /reports/kpis`); labels and number formats are applied here, at send
//! time, so each recipient reads their own language.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, SinglePart};
use serde::Serialize;

use crate::web::kit::i18n::Lang;

/// The KPIs a report mail lists, in the contract's order.
const ROWS: &[&str] = &[
    "tickets_created",
    "tickets_resolved",
    "first_contact_resolution_rate",
    "sla_response_compliance",
    "sla_resolution_compliance",
    "mean_first_response_minutes",
    "mean_time_to_resolve_minutes",
    "average_handling_minutes",
    "csat_average",
    "reopen_rate",
    "escalation_rate",
    "backlog_open",
    "backlog_mean_age_minutes",
    "deflections",
    "knowledge_contributions",
];

/// One line of the mail's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailRow {
    pub label: String,
    pub value: String,
}

/// A decimal number in the language's notation (`es` writes a decimal comma).
fn decimal(lang: Lang, v: f64, places: usize) -> String {
    let s = format!("{v:.places$}");
    if lang.decimal_comma() {
        s.replace('.', ",")
    } else {
        s
    }
}

/// A KPI's value as a reader expects it: rates as percentages, minutes with one decimal,
/// the satisfaction average with two, counts whole; "—" where there was nothing to divide.
fn value(lang: Lang, key: &str, v: &serde_json::Value) -> String {
    let Some(n) = v.as_f64() else {
        return "—".to_owned();
    };
    if key.ends_with("_rate") || key.ends_with("_compliance") {
        // As the dashboard writes them.
        format!("{} %", decimal(lang, n * 100.0, 1))
    } else if key.ends_with("_minutes") {
        decimal(lang, n, 1)
    } else if key == "csat_average" {
        decimal(lang, n, 2)
    } else {
        format!("{}", n.round() as i64)
    }
}

/// The table of a report mail's `kpis` payload, labelled in `lang`.
pub fn rows(lang: Lang, kpis: &serde_json::Value) -> Vec<MailRow> {
    ROWS.iter()
        .map(|k| MailRow {
            label: lang.t(&format!("kpi-{k}")),
            value: value(lang, k, &kpis[*k]),
        })
        .collect()
}

/// The payload's `attachment` (`filename`, `content_type`, `content`) as a MIME part;
/// `None` when the row has none or it is malformed.
pub fn attachment(payload: &serde_json::Value) -> Option<SinglePart> {
    let a = payload.get("attachment")?;
    let name = a.get("filename")?.as_str()?;
    let content = a.get("content")?.as_str()?;
    let kind = a
        .get("content_type")
        .and_then(|c| c.as_str())
        .unwrap_or("application/octet-stream");
    let ct = ContentType::parse(&format!("{kind}; charset=utf-8")).ok()?;
    Some(Attachment::new(name.to_owned()).body(content.to_owned(), ct))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ventanilla_domain::Language;

    #[test]
    fn figures_read_in_each_language() {
        let kpis = serde_json::json!({
            "tickets_created": 12,
            "first_contact_resolution_rate": 0.875,
            "mean_time_to_resolve_minutes": 90.26,
            "csat_average": 4.5,
            "reopen_rate": null,
        });
        let es = rows(Lang(Language::Es), &kpis);
        let en = rows(Lang(Language::En), &kpis);
        let find = |rows: &[MailRow], i: usize| rows[i].value.clone();
        assert_eq!(find(&es, 0), "12");
        assert_eq!(find(&es, 2), "87,5 %");
        assert_eq!(find(&en, 2), "87.5 %");
        assert_eq!(find(&es, 6), "90,3");
        assert_eq!(find(&en, 8), "4.50");
        assert_eq!(find(&en, 9), "—", "nothing to divide");
        assert_eq!(en[0].label, "Tickets created");
        assert_ne!(es[0].label, en[0].label, "labels are translated");
        assert!(
            !es.iter().any(|r| r.label.starts_with("kpi-")),
            "every label exists"
        );
    }
}
