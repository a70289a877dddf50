//! What the desk records on a ticket's timeline, as codes and parameters, never sentences
//! (SPEC C16: "the system stores codes and parameters, never sentences, and renders them when
//! they are read"). An [`Entry`] is what a rule says happened; [`Said`] is the typed meaning of
//! a system entry, stored as its [`Said::code`] and [`Said::params`] and rendered in the
//! reader's language (Fluent message `history-<code>`). Free text a person typed (a reply,
//! a handover summary, a reason) stays in `body`, untranslated, as they wrote it.

use super::record::EventKind;
use super::status::Status;
use crate::people::Tier;
use crate::sla::SlaKind;

pub use super::record::Params;

/// A service-level threshold crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    Warning,
    Breach,
}

impl Crossing {
    pub fn as_str(self) -> &'static str {
        match self {
            Crossing::Warning => "warning",
            Crossing::Breach => "breach",
        }
    }
}

/// The stable name of an SLA target in codes and parameters.
pub fn target_code(kind: SlaKind) -> &'static str {
    match kind {
        SlaKind::FirstResponse => "first_response",
        SlaKind::Resolution => "resolution",
    }
}

/// The meaning of a system timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// Registered through a channel.
    Created { channel: String },
    /// A step of the service model: the seed-002 step numbers passed through.
    Steps { steps: Vec<u8> },
    /// "No solution" in validation: back to analysis, reopened for the n-th time.
    NoSolution { reopened: i64 },
    /// A child resolved or closed together with its parent (a major incident).
    WithParent { parent: String, to: Status },
    /// Functional escalation, as the requester sees it.
    EscalatedToTier { tier: Tier },
    /// Functional escalation's handover to a group (the summary is the body).
    Handover { group: String },
    /// Hierarchical escalation to the supervisors (the summary is the body).
    Hierarchical,
    /// Escalation run by a service-level action.
    SlaEscalation {
        group: String,
        crossing: Crossing,
        target: SlaKind,
    },
    /// A service-level threshold was crossed.
    SlaCrossed {
        crossing: Crossing,
        target: SlaKind,
        at: String,
    },
    /// The priority matrix was overridden (the reason is the body).
    PriorityOverride,
    /// A service-level action raised the priority.
    PriorityRaisedBySla { crossing: Crossing },
    /// Linked under a parent ticket.
    LinkedUnder { parent: String },
    /// A child was linked under this ticket.
    ChildLinked { child: String },
    /// Unlinked from a parent ticket.
    UnlinkedFrom { parent: String },
    /// The assignee was removed because they are not a member of the ticket's group.
    AssigneeNotMember,
    /// Routing chose the assignee (issue 17); `after_minutes` when the ticket was taken
    /// from an agent who had not picked it up and offered to the next.
    AutoAssigned {
        reason: crate::routing::Reason,
        after_minutes: Option<i64>,
    },
    /// This duplicate was merged into another ticket (issue 17).
    MergedInto { into: String },
    /// A duplicate was merged into this ticket: its replies, notes and files are here.
    MergedFrom { from: String },
}

impl Said {
    /// The stable code stored with the entry (`history-<code>` in the Fluent files).
    pub fn code(&self) -> &'static str {
        match self {
            Said::Created { .. } => "created",
            Said::Steps { .. } => "steps",
            Said::NoSolution { .. } => "no_solution",
            Said::WithParent {
                to: Status::Closed, ..
            } => "closed_with_parent",
            Said::WithParent { .. } => "resolved_with_parent",
            Said::EscalatedToTier { .. } => "escalated_to_tier",
            Said::Handover { .. } => "handover",
            Said::Hierarchical => "hierarchical_escalation",
            Said::SlaEscalation { .. } => "sla_escalation",
            Said::SlaCrossed {
                crossing: Crossing::Warning,
                ..
            } => "sla_warning",
            Said::SlaCrossed { .. } => "sla_breach",
            Said::PriorityOverride => "priority_override",
            Said::PriorityRaisedBySla { .. } => "priority_raised_by_sla",
            Said::LinkedUnder { .. } => "linked_under",
            Said::ChildLinked { .. } => "child_linked",
            Said::UnlinkedFrom { .. } => "unlinked_from",
            Said::AssigneeNotMember => "assignee_not_member",
            Said::AutoAssigned {
                reason,
                after_minutes,
            } => auto_code(*reason, after_minutes.is_some()),
            Said::MergedInto { .. } => "merged_into",
            Said::MergedFrom { .. } => "merged_from",
        }
    }

    /// The parameters stored with the code.
    pub fn params(&self) -> Params {
        let mut p = Params::new();
        let mut put = |k: &str, v: String| {
            p.insert(k.to_owned(), v);
        };
        match self {
            Said::Created { channel } => put("channel", channel.clone()),
            Said::Steps { steps } => put(
                "steps",
                steps
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Said::NoSolution { reopened } => put("count", reopened.to_string()),
            Said::WithParent { parent, .. } => put("parent", parent.clone()),
            Said::EscalatedToTier { tier } => put("tier", tier.code().to_owned()),
            Said::Handover { group } => put("group", group.clone()),
            Said::Hierarchical | Said::PriorityOverride | Said::AssigneeNotMember => {}
            Said::SlaEscalation {
                group,
                crossing,
                target,
            } => {
                put("group", group.clone());
                put("crossing", crossing.as_str().to_owned());
                put("target", target_code(*target).to_owned());
            }
            Said::SlaCrossed {
                crossing: _,
                target,
                at,
            } => {
                put("target", target_code(*target).to_owned());
                put("at", at.clone());
            }
            Said::PriorityRaisedBySla { crossing } => put("crossing", crossing.as_str().to_owned()),
            Said::LinkedUnder { parent } | Said::UnlinkedFrom { parent } => {
                put("parent", parent.clone())
            }
            Said::ChildLinked { child } => put("child", child.clone()),
            Said::AutoAssigned {
                reason,
                after_minutes,
            } => {
                use crate::routing::Reason;
                match reason {
                    Reason::Turn => {}
                    Reason::FewestOpen { open } | Reason::NoSkillMatch { open } => {
                        put("open", open.to_string())
                    }
                    Reason::Skills { matched, open } => {
                        put("matched", matched.to_string());
                        put("open", open.to_string());
                    }
                }
                if let Some(m) = after_minutes {
                    put("minutes", m.to_string());
                }
            }
            Said::MergedInto { into } => put("into", into.clone()),
            Said::MergedFrom { from } => put("from", from.clone()),
        }
        p
    }
}

/// The code of an automatic assignment: `auto_assigned_<reason>`, or `reoffered_<reason>`
/// when the ticket was taken from an agent who had not picked it up.
fn auto_code(reason: crate::routing::Reason, reoffered: bool) -> &'static str {
    use crate::routing::Reason;
    match (reoffered, reason) {
        (false, Reason::Turn) => "auto_assigned_turn",
        (false, Reason::FewestOpen { .. }) => "auto_assigned_fewest_open",
        (false, Reason::Skills { .. }) => "auto_assigned_skills",
        (false, Reason::NoSkillMatch { .. }) => "auto_assigned_no_skill_match",
        (true, Reason::Turn) => "reoffered_turn",
        (true, Reason::FewestOpen { .. }) => "reoffered_fewest_open",
        (true, Reason::Skills { .. }) => "reoffered_skills",
        (true, Reason::NoSkillMatch { .. }) => "reoffered_no_skill_match",
    }
}

/// One timeline entry a rule records: the kind, who may see it, what the system says (a
/// code and parameters), what a person wrote, and for field changes the old and new values
/// (codes or ids, rendered at read time). Who and when come from the write that stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EventKind,
    pub public: bool,
    pub code: Option<String>,
    pub params: Params,
    /// Words a person wrote (a reply, a summary, a reason); never a system sentence.
    pub body: Option<String>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// Time spent, in minutes.
    pub minutes: Option<i64>,
}

impl Entry {
    pub fn new(kind: EventKind, public: bool) -> Self {
        Self {
            kind,
            public,
            code: None,
            params: Params::new(),
            body: None,
            field: None,
            old_value: None,
            new_value: None,
            minutes: None,
        }
    }

    /// A system entry saying `said`.
    pub fn said(kind: EventKind, public: bool, said: &Said) -> Self {
        Self {
            code: Some(said.code().to_owned()),
            params: said.params(),
            ..Self::new(kind, public)
        }
    }

    /// Adds what a person wrote.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Adds what a person wrote, if anything.
    pub fn body_opt(mut self, body: Option<impl Into<String>>) -> Self {
        self.body = body.map(Into::into);
        self
    }

    /// Adds the system's statement to any entry (a change that also says why).
    pub fn saying(mut self, said: &Said) -> Self {
        self.code = Some(said.code().to_owned());
        self.params = said.params();
        self
    }

    /// A field change: the old and new values as stored codes or ids.
    pub fn change(field: &str, old: Option<String>, new: Option<String>, public: bool) -> Self {
        Self {
            field: Some(field.to_owned()),
            old_value: old,
            new_value: new,
            ..Self::new(EventKind::Change, public)
        }
    }

    pub fn minutes(mut self, minutes: Option<i64>) -> Self {
        self.minutes = minutes;
        self
    }
}

/// A notice for one person (an in-app notification, later an e-mail): a kind code and its
/// parameters, rendered in the reader's language (Fluent `notice-<kind>`); `body` is what a
/// person wrote (a summary or reason), if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub user_id: crate::ids::UserId,
    pub kind: String,
    pub params: Params,
    pub body: Option<String>,
}

impl Notice {
    /// A notice about a ticket: its number and subject are always parameters.
    pub fn about(user_id: crate::ids::UserId, kind: &str, ticket: &super::record::Ticket) -> Self {
        let mut params = Params::new();
        params.insert("number".into(), ticket.number.clone());
        params.insert("subject".into(), ticket.subject.clone());
        Self {
            user_id,
            kind: kind.to_owned(),
            params,
            body: None,
        }
    }

    pub fn param(mut self, k: &str, v: impl Into<String>) -> Self {
        self.params.insert(k.to_owned(), v.into());
        self
    }

    pub fn body_opt(mut self, body: Option<impl Into<String>>) -> Self {
        self.body = body.map(Into::into);
        self
    }
}
