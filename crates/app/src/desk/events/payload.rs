//! Reading monitoring payloads into [`Alert`]s: Alertmanager's webhook body (version 4) and
//! the generic event body. A malformed body is refused naming the field at fault
//! (`alerts[2].fingerprint`), so the sender's operators can fix their template.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use ventanilla_domain::ticket::{Impact, Urgency};

use crate::config::EventsConfig;

/// One alert, whatever system sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// What makes two posts the same alert: the fingerprint, the group key or the dedupe key.
    pub key: String,
    /// The fingerprint (Alertmanager) or dedupe key (generic) as sent.
    pub fingerprint: String,
    pub firing: bool,
    pub summary: String,
    pub description: String,
    /// The affected configuration item.
    pub ci: Option<String>,
    pub severity: String,
    pub impact: Impact,
    pub urgency: Urgency,
    pub labels: BTreeMap<String, String>,
}

/// A payload refused: the field at fault and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    pub field: String,
    pub message: String,
}

impl PayloadError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

type Parsed<T> = Result<T, PayloadError>;

fn object<'a>(v: &'a Value, field: &str) -> Parsed<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| PayloadError::new(field, "must be an object"))
}

fn string<'a>(o: &'a Map<String, Value>, key: &str, field: &str) -> Parsed<&'a str> {
    match o.get(key) {
        None | Some(Value::Null) => Err(PayloadError::new(field, "is required")),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(PayloadError::new(field, "must not be empty"))
        }
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(PayloadError::new(field, "must be a string")),
    }
}

fn opt_string<'a>(o: &'a Map<String, Value>, key: &str, field: &str) -> Parsed<Option<&'a str>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(PayloadError::new(field, "must be a string")),
    }
}

fn labels(o: &Map<String, Value>, key: &str, field: &str) -> Parsed<BTreeMap<String, String>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(PayloadError::new(
                    format!("{field}.{k}"),
                    "must be a string",
                )),
            })
            .collect(),
        Some(_) => Err(PayloadError::new(field, "must be an object of strings")),
    }
}

fn status(o: &Map<String, Value>, field: &str) -> Parsed<bool> {
    match string(o, "status", field)? {
        "firing" => Ok(true),
        "resolved" => Ok(false),
        _ => Err(PayloadError::new(field, "must be firing or resolved")),
    }
}

/// Impact and urgency for a severity through the configured mapping.
pub fn severity_matrix(cfg: &EventsConfig, severity: &str) -> (String, Impact, Urgency) {
    let sev = severity.trim().to_lowercase();
    let (sev, pair) = match cfg.severities.get(&sev) {
        Some(p) => (sev, p),
        None => match cfg.severities.get(&cfg.default_severity) {
            Some(p) => (cfg.default_severity.clone(), p),
            None => return (sev, Impact::Medium, Urgency::Medium),
        },
    };
    (
        sev,
        pair[0].parse().unwrap_or(Impact::Medium),
        pair[1].parse().unwrap_or(Urgency::Medium),
    )
}

/// A short line: the first line of `s`, at most `max` characters.
fn line(s: &str, max: usize) -> String {
    s.lines()
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .take(max)
        .collect()
}

/// Alertmanager's webhook body, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config).
pub fn alertmanager(body: &[u8], cfg: &EventsConfig, group_by_key: bool) -> Parsed<Vec<Alert>> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| PayloadError::new("body", format!("is not JSON: {e}")))?;
    let root = object(&v, "body")?;
    match root.get("version") {
        Some(Value::String(s)) if s == "4" => {}
        None | Some(Value::Null) => return Err(PayloadError::new("version", "is required")),
        Some(_) => return Err(PayloadError::new("version", "must be \"4\"")),
    }
    let group_key = string(root, "groupKey", "groupKey")?.to_owned();
    let common = labels(root, "commonLabels", "commonLabels")?;
    let alerts = match root.get("alerts") {
        Some(Value::Array(a)) => a,
        None | Some(Value::Null) => return Err(PayloadError::new("alerts", "is required")),
        Some(_) => return Err(PayloadError::new("alerts", "must be an array")),
    };
    let mut out = Vec::with_capacity(alerts.len());
    for (i, a) in alerts.iter().enumerate() {
        let f = |k: &str| format!("alerts[{i}].{k}");
        let a = object(a, &format!("alerts[{i}]"))?;
        let firing = status(a, &f("status"))?;
        let fingerprint = string(a, "fingerprint", &f("fingerprint"))?.to_owned();
        let mut lab = common.clone();
        lab.extend(labels(a, "labels", &f("labels"))?);
        let ann = labels(a, "annotations", &f("annotations"))?;
        let name = lab
            .get("alertname")
            .cloned()
            .unwrap_or_else(|| "alert".into());
        let summary = ann
            .get("summary")
            .or_else(|| ann.get("title"))
            .map(|s| line(s, 200))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| name.clone());
        let ci = lab.get(&cfg.ci_label).map(|s| line(s, 200));
        let subject = match &ci {
            Some(ci) if !summary.contains(ci.as_str()) => format!("[{name}] {summary} ({ci})"),
            _ => format!("[{name}] {summary}"),
        };
        let mut description = ann.get("description").cloned().unwrap_or_default();
        if let Some(url) = opt_string(a, "generatorURL", &f("generatorURL"))? {
            description.push_str(&format!("\n\n{url}"));
        }
        let labels_text: Vec<String> = lab.iter().map(|(k, v)| format!("{k}={v}")).collect();
        description.push_str(&format!(
            "\n\nfingerprint={fingerprint}\n{}",
            labels_text.join("\n")
        ));
        let (severity, impact, urgency) =
            severity_matrix(cfg, lab.get(&cfg.severity_label).map_or("", String::as_str));
        out.push(Alert {
            key: if group_by_key {
                group_key.clone()
            } else {
                fingerprint.clone()
            },
            fingerprint,
            firing,
            summary: subject.chars().take(250).collect(),
            description: description.trim().to_owned(),
            ci,
            severity,
            impact,
            urgency,
            labels: lab,
        });
    }
    Ok(out)
}

/// The generic body: `{"dedupe_key", "status", "summary", "description"?, "severity"?,
/// "ci"?, "labels"?}`, or a list of them under `events`.
pub fn generic(body: &[u8], cfg: &EventsConfig) -> Parsed<Vec<Alert>> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| PayloadError::new("body", format!("is not JSON: {e}")))?;
    let root = object(&v, "body")?;
    if let Some(list) = root.get("events") {
        let Value::Array(list) = list else {
            return Err(PayloadError::new("events", "must be an array"));
        };
        return list
            .iter()
            .enumerate()
            .map(|(i, e)| one_generic(e, cfg, &format!("events[{i}].")))
            .collect();
    }
    Ok(vec![one_generic(&v, cfg, "")?])
}

const GENERIC_KEYS: &[&str] = &[
    "dedupe_key",
    "status",
    "summary",
    "description",
    "severity",
    "ci",
    "labels",
];

fn one_generic(v: &Value, cfg: &EventsConfig, prefix: &str) -> Parsed<Alert> {
    let f = |k: &str| format!("{prefix}{k}");
    let o = object(v, if prefix.is_empty() { "body" } else { prefix })?;
    if let Some(k) = o.keys().find(|k| !GENERIC_KEYS.contains(&k.as_str())) {
        return Err(PayloadError::new(f(k), "is not a known field"));
    }
    let key = string(o, "dedupe_key", &f("dedupe_key"))?;
    if key.chars().count() > 200 {
        return Err(PayloadError::new(
            f("dedupe_key"),
            "must be at most 200 characters",
        ));
    }
    let firing = status(o, &f("status"))?;
    let summary = line(string(o, "summary", &f("summary"))?, 250);
    let description = opt_string(o, "description", &f("description"))?
        .unwrap_or("")
        .chars()
        .take(100_000)
        .collect::<String>();
    let ci = opt_string(o, "ci", &f("ci"))?.map(|s| line(s, 200));
    let lab = labels(o, "labels", &f("labels"))?;
    let (severity, impact, urgency) = severity_matrix(
        cfg,
        opt_string(o, "severity", &f("severity"))?.unwrap_or(""),
    );
    Ok(Alert {
        key: key.to_owned(),
        fingerprint: key.to_owned(),
        firing,
        summary: if summary.is_empty() {
            key.to_owned()
        } else {
            summary
        },
        description: if description.trim().is_empty() {
            format!("dedupe_key={key}")
        } else {
            format!("{description}\n\ndedupe_key={key}")
        },
        ci,
        severity,
        impact,
        urgency,
        labels: lab,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alertmanager_names_the_field_at_fault() {
        let cfg = EventsConfig::default();
        let err = |b: Value| {
            alertmanager(b.to_string().as_bytes(), &cfg, false)
                .unwrap_err()
                .field
        };
        assert_eq!(
            err(serde_json::json!({"version": "3", "groupKey": "g", "alerts": []})),
            "version"
        );
        assert_eq!(
            err(serde_json::json!({"groupKey": "g", "alerts": []})),
            "version"
        );
        assert_eq!(
            err(serde_json::json!({"version": "4", "alerts": []})),
            "groupKey"
        );
        assert_eq!(
            err(
                serde_json::json!({"version": "4", "groupKey": "g", "alerts": [
                {"status": "firing", "fingerprint": "a"}, {"status": "firing"}]})
            ),
            "alerts[1].fingerprint"
        );
        assert_eq!(
            err(
                serde_json::json!({"version": "4", "groupKey": "g", "alerts": [{"status": "on", "fingerprint": "a"}]})
            ),
            "alerts[0].status"
        );
    }

    #[test]
    fn severity_maps_to_impact_and_urgency() {
        let cfg = EventsConfig::default();
        assert_eq!(
            severity_matrix(&cfg, "Critical"),
            ("critical".into(), Impact::High, Urgency::High)
        );
        assert_eq!(
            severity_matrix(&cfg, "nonsense"),
            ("warning".into(), Impact::Medium, Urgency::Medium)
        );
        assert_eq!(
            severity_matrix(&cfg, "info"),
            ("info".into(), Impact::Low, Urgency::Low)
        );
    }

    #[test]
    fn generic_refuses_unknown_fields_and_missing_keys() {
        let cfg = EventsConfig::default();
        let err = |b: Value| generic(b.to_string().as_bytes(), &cfg).unwrap_err().field;
        assert_eq!(
            err(serde_json::json!({"status": "firing", "summary": "x"})),
            "dedupe_key"
        );
        assert_eq!(
            err(serde_json::json!({"dedupe_key": "k", "summary": "x"})),
            "status"
        );
        assert_eq!(
            err(serde_json::json!({"dedupe_key": "k", "status": "firing"})),
            "summary"
        );
        assert_eq!(
            err(serde_json::json!({"dedupe_key": "k", "status": "firing", "summary": "s", "x": 1})),
            "x"
        );
    }
}
