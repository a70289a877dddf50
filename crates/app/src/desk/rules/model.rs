//! A rule's conditions and actions, and deciding whether a ticket matches (pure: the
//! context a condition needs is handed in). Keywords match whole words or phrases of the
//! subject and description, ignoring case and accents ("impresión" matches "IMPRESION").

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;
use utoipa::ToSchema;
use ventanilla_domain::ticket::Ticket;

/// What a ticket must look like for a rule to fire (every condition given must hold).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// Any of these words or phrases in the subject or description.
    pub keywords: Option<Vec<String>>,
    pub requester_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// The requester's department.
    pub department_id: Option<i64>,
    /// `portal`, `email`, `phone`, `chat`, `api` or `event`.
    pub channel: Option<String>,
    pub category_id: Option<i64>,
    /// The affected configuration item, exactly (ignoring case).
    pub ci: Option<String>,
    /// Any of these priorities.
    pub priority: Option<Vec<String>>,
    /// Local time of day (the desk's time zone), `HH:MM` to `HH:MM`; may wrap midnight.
    pub hours: Option<Hours>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    pub from: String,
    pub to: String,
}

/// What a rule does when it fires.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Action {
    SetCategory(i64),
    SetImpact(String),
    SetUrgency(String),
    SetGroup(i64),
    SetAssignee(i64),
    SetTier(String),
    AddTag(String),
    /// Tags the ticket `major-candidate` for the supervisors to judge.
    MajorCandidate(bool),
    /// An internal note with this text.
    AddNote(String),
    /// Notifies this user.
    Notify(i64),
    /// Calls this outbound webhook with the ticket.
    CallWebhook(i64),
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::SetCategory(_) => "set_category",
            Action::SetImpact(_) => "set_impact",
            Action::SetUrgency(_) => "set_urgency",
            Action::SetGroup(_) => "set_group",
            Action::SetAssignee(_) => "set_assignee",
            Action::SetTier(_) => "set_tier",
            Action::AddTag(_) => "add_tag",
            Action::MajorCandidate(_) => "major_candidate",
            Action::AddNote(_) => "add_note",
            Action::Notify(_) => "notify",
            Action::CallWebhook(_) => "call_webhook",
        }
    }
}

/// Lower case, accents removed, every run of non-alphanumerics one space, padded with a
/// space each side: `contains(" phrase ")` is then a whole-word match.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    let mut space = true;
    for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// Minutes since midnight of `HH:MM`.
pub fn minutes(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// A rule ready to evaluate: keywords folded once.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub conditions: Conditions,
    keywords: Vec<String>,
    hours: Option<(u32, u32)>,
}

/// What matching needs beyond the ticket.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The ticket's subject and description, folded.
    pub text: String,
    pub department_id: Option<i64>,
    /// Minutes since midnight, local time, of the change.
    pub minute: u32,
}

impl Compiled {
    pub fn new(conditions: Conditions) -> Self {
        let keywords = conditions
            .keywords
            .iter()
            .flatten()
            .map(|k| fold(k))
            .filter(|k| k.trim() != "")
            .collect();
        let hours = conditions
            .hours
            .as_ref()
            .and_then(|h| Some((minutes(&h.from)?, minutes(&h.to)?)));
        Self {
            conditions,
            keywords,
            hours,
        }
    }

    pub fn needs_department(&self) -> bool {
        self.conditions.department_id.is_some()
    }

    /// Whether `t` matches every condition.
    pub fn matches(&self, t: &Ticket, cx: &Context) -> bool {
        let c = &self.conditions;
        if c.keywords.is_some() && !self.keywords.iter().any(|k| cx.text.contains(k.as_str())) {
            return false;
        }
        if c.requester_id.is_some_and(|r| r != t.requester_id.get())
            || c.organisation_id
                .is_some_and(|o| Some(o) != t.organisation_id.map(|x| x.get()))
            || c.department_id.is_some_and(|d| Some(d) != cx.department_id)
            || c.channel
                .as_deref()
                .is_some_and(|ch| ch != t.channel.as_str())
            || c.category_id
                .is_some_and(|x| Some(x) != t.category_id.map(|x| x.get()))
        {
            return false;
        }
        if let Some(ci) = &c.ci
            && !t
                .ci_ref
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(ci.trim()))
        {
            return false;
        }
        if let Some(ps) = &c.priority
            && !ps.iter().any(|p| p == t.priority.as_str())
        {
            return false;
        }
        if c.hours.is_some() {
            let Some((from, to)) = self.hours else {
                return false;
            };
            let inside = if from <= to {
                (from..to).contains(&cx.minute)
            } else {
                cx.minute >= from || cx.minute < to
            };
            if !inside {
                return false;
            }
        }
        true
    }
}

/// The references a rule holds that no longer exist (a deleted or retired category,
/// group or webhook): such a rule is shown as broken and skipped.
pub fn broken_refs(
    c: &Conditions,
    actions: &[Action],
    categories: &HashSet<i64>,
    groups: &HashSet<i64>,
    webhooks: &HashSet<i64>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(x) = c.category_id
        && !categories.contains(&x)
    {
        out.push(format!("category {x}"));
    }
    for a in actions {
        match a {
            Action::SetCategory(x) if !categories.contains(x) => out.push(format!("category {x}")),
            Action::SetGroup(x) if !groups.contains(x) => out.push(format!("group {x}")),
            Action::CallWebhook(x) if !webhooks.contains(x) => out.push(format!("webhook {x}")),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        assert_eq!(fold("¡La IMPRESIÓN, falla!"), " la impresion falla ");
        let text = fold("No funciona la impresora del 2º piso");
        assert!(text.contains(&fold("impresora")));
        assert!(text.contains(&fold("Impresora DEL")));
        assert!(!text.contains(&fold("impre")), "whole words only");
    }

    #[test]
    fn hours_wrap_midnight() {
        let c = Compiled::new(Conditions {
            hours: Some(Hours {
                from: "22:00".into(),
                to: "06:00".into(),
            }),
            ..Default::default()
        });
        assert_eq!(c.hours, Some((22 * 60, 6 * 60)));
        assert_eq!(minutes("24:00"), None);
    }
}
