//! Escalation (SPEC C5) and major incidents (C9) as rules on the ticket. Functional
//! escalation moves the ticket to a group of a higher tier and tells that group; hierarchical
//! escalation tells the supervisors. The same rule serves an agent's escalation and one run
//! by a service-level action (C6), so both record the same entries and notify the same
//! people; only the handover differs (the agent's summary, or the SLA crossing).

use super::history::{Crossing, Entry, Notice, Said};
use super::patch::GroupFacts;
use super::priority::{Priority, PriorityMatrix, Urgency};
use super::record::{EventKind, Ticket};
use crate::ids::UserId;
use crate::sla::SlaKind;
use crate::text::Text;

/// The group a functional escalation hands the ticket to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receiving {
    pub group: GroupFacts,
    pub name: String,
}

/// Why a functional escalation happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handover {
    /// An agent's handover summary: what is known, what was tried.
    Summary(Text),
    /// A service-level action at a warning or breach of a target.
    Sla { crossing: Crossing, target: SlaKind },
}

/// What a rule records and whom it tells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub entries: Vec<Entry>,
    pub notices: Vec<Notice>,
}

/// Functional escalation: the ticket moves to the receiving group at its tier, unassigned
/// (a member of the new group takes it), marked escalated for the requester ("escalated to
/// L2"); the handover is recorded internally and every member of the receiving group is
/// notified. Nothing happens if the ticket is already in that group.
pub fn escalate_functional(t: &mut Ticket, to: &Receiving, why: &Handover) -> Outcome {
    if t.group_id == Some(to.group.id) {
        return Outcome::default();
    }
    t.group_id = Some(to.group.id);
    t.tier = Some(to.group.tier);
    t.assignee_id = None;
    t.escalated = true;
    let public = Entry::said(
        EventKind::Escalation,
        true,
        &Said::EscalatedToTier {
            tier: to.group.tier,
        },
    );
    let (internal, body) = match why {
        Handover::Summary(s) => (
            Entry::said(
                EventKind::Escalation,
                false,
                &Said::Handover {
                    group: to.name.clone(),
                },
            )
            .body(s.to_string()),
            Some(s.to_string()),
        ),
        Handover::Sla { crossing, target } => (
            Entry::said(
                EventKind::Escalation,
                false,
                &Said::SlaEscalation {
                    group: to.name.clone(),
                    crossing: *crossing,
                    target: *target,
                },
            ),
            None,
        ),
    };
    let mut notices: Vec<Notice> = to
        .group
        .members
        .iter()
        .map(|m| {
            Notice::about(*m, "ticket.escalated", t)
                .param("group", to.name.clone())
                .body_opt(body.clone())
        })
        .collect();
    if let Handover::Sla { crossing, target } = why {
        for n in &mut notices {
            n.params
                .insert("crossing".into(), crossing.as_str().to_owned());
            n.params.insert(
                "target".into(),
                super::history::target_code(*target).to_owned(),
            );
        }
    }
    Outcome {
        entries: vec![public, internal],
        notices,
    }
}

/// Hierarchical escalation: recorded internally with the summary, and every supervisor given
/// is notified. The ticket itself does not move.
pub fn escalate_hierarchical(t: &Ticket, summary: &Text, supervisors: &[UserId]) -> Outcome {
    Outcome {
        entries: vec![
            Entry::said(EventKind::Escalation, false, &Said::Hierarchical)
                .body(summary.to_string()),
        ],
        notices: supervisors
            .iter()
            .map(|u| {
                Notice::about(*u, "ticket.hierarchical_escalation", t)
                    .body_opt(Some(summary.to_string()))
            })
            .collect(),
    }
}

/// Flags or unflags a major incident (C9). Flagging raises the urgency to high, re-derives
/// the priority unless it was overridden, and notifies the supervisors given. Setting the
/// flag it already has changes nothing.
pub fn flag_major(
    t: &mut Ticket,
    major: bool,
    reason: &Text,
    matrix: &PriorityMatrix,
    supervisors: &[UserId],
) -> Outcome {
    if t.major == major {
        return Outcome::default();
    }
    let mut out = Outcome::default();
    out.entries.push(
        Entry::change(
            "major",
            Some(t.major.to_string()),
            Some(major.to_string()),
            false,
        )
        .body(reason.to_string()),
    );
    t.major = major;
    t.major_reason = major.then(|| reason.to_string());
    if !major {
        return out;
    }
    if t.urgency != Urgency::High {
        out.entries.push(Entry::change(
            "urgency",
            Some(t.urgency.as_str().into()),
            Some(Urgency::High.as_str().into()),
            false,
        ));
        t.urgency = Urgency::High;
    }
    if t.priority_override_reason.is_none() {
        let p = matrix.get(t.impact, t.urgency);
        if p != t.priority {
            out.entries.push(Entry::change(
                "priority",
                Some(t.priority.as_str().into()),
                Some(p.as_str().into()),
                false,
            ));
            t.priority = p;
        }
    }
    out.notices = supervisors
        .iter()
        .map(|u| Notice::about(*u, "ticket.major_incident", t).body_opt(Some(reason.to_string())))
        .collect();
    out
}

/// A service-level crossing as recorded on the timeline (internal).
pub fn sla_crossed(target: SlaKind, crossing: Crossing, at: jiff::Timestamp) -> Entry {
    let mut e = Entry::said(
        EventKind::Sla,
        false,
        &Said::SlaCrossed {
            crossing,
            target,
            at: at.to_string(),
        },
    );
    e.field = Some(format!("sla.{}", super::history::target_code(target)));
    e.new_value = Some(crossing.as_str().into());
    e
}

/// The notices of a service-level crossing for `who`.
pub fn sla_notices(t: &Ticket, who: &[UserId], target: SlaKind, crossing: Crossing) -> Vec<Notice> {
    who.iter()
        .map(|u| {
            Notice::about(*u, &format!("sla.{}", crossing.as_str()), t)
                .param("target", super::history::target_code(target))
        })
        .collect()
}

/// A service-level action raising the priority one level (nothing above critical). The
/// raise counts as an override, so a later impact or urgency change does not undo it.
pub fn raise_priority(t: &mut Ticket, crossing: Crossing) -> Vec<Entry> {
    let rank = t.priority.rank();
    let Some(higher) = Priority::ALL.iter().copied().find(|p| p.rank() + 1 == rank) else {
        return Vec::new();
    };
    let e = Entry::change(
        "priority",
        Some(t.priority.as_str().into()),
        Some(higher.as_str().into()),
        false,
    )
    .saying(&Said::PriorityRaisedBySla { crossing });
    t.priority = higher;
    t.priority_override_reason = Some(format!("sla.{}", crossing.as_str()));
    vec![e]
}
