//! Applying a partial update to a ticket (SPEC C2, C4, C5): every field that really changes
//! gets one timeline entry with its old and new value; a new impact or urgency re-derives
//! the priority unless it was overridden (with a recorded reason); moving to another group
//! puts the ticket at that group's tier; and the ticket's assignee is always a member of its
//! group (an assignment to a non-member is refused, a group change unassigns a non-member).

use super::history::{Entry, Said};
use super::priority::PriorityMatrix;
use super::record::{Ticket, TicketPatch};
use crate::ids::{GroupId, UserId};
use crate::people::Tier;
use crate::text::ValidationError;

/// The support group a ticket will be in after a change: its tier and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFacts {
    pub id: GroupId,
    pub tier: Tier,
    pub members: Vec<UserId>,
}

impl GroupFacts {
    pub fn has_member(&self, user: UserId) -> bool {
        self.members.contains(&user)
    }
}

/// What a patch needs beyond the ticket: the matrix in force and the group the ticket will
/// be in (the patch's new group, else its current one; `None` when it has none).
#[derive(Debug, Clone, Copy)]
pub struct PatchContext<'a> {
    pub matrix: &'a PriorityMatrix,
    pub group: Option<&'a GroupFacts>,
}

/// Applies `p` to `t` and returns the entries to record. Refuses (on `assignee_id`) an
/// assignment to someone who is not a member of the ticket's group.
pub fn apply_patch(
    t: &mut Ticket,
    p: &TicketPatch,
    cx: PatchContext<'_>,
) -> Result<Vec<Entry>, ValidationError> {
    if let (Some(Some(a)), Some(g)) = (p.assignee_id, cx.group)
        && !g.has_member(a)
    {
        return Err(ValidationError::new(
            "assignee_id",
            "must be a member of the ticket's group",
        ));
    }
    let mut out = Vec::new();
    apply_texts(t, p, &mut out);
    apply_priority(t, p, cx.matrix, &mut out);
    let moved = p.group_id.is_some_and(|g| g != t.group_id);
    if let Some(v) = p.group_id {
        set(&mut out, "group_id", false, &mut t.group_id, v, |g| {
            g.map(|g| g.to_string())
        });
    }
    if let Some(v) = p.assignee_id {
        set(&mut out, "assignee_id", false, &mut t.assignee_id, v, |a| {
            a.map(|a| a.to_string())
        });
    }
    // Moving to a group puts the ticket at that group's tier, with a member as assignee.
    if let Some(g) = cx.group.filter(|g| moved && Some(g.id) == t.group_id) {
        if t.tier != Some(g.tier) {
            out.push(Entry::change(
                "tier",
                t.tier.map(|x| x.code().into()),
                Some(g.tier.code().into()),
                false,
            ));
            t.tier = Some(g.tier);
        }
        keep_assignee_in_group(t, g, &mut out);
    }
    Ok(out)
}

/// Unassigns the ticket when its assignee is not a member of `group` (the group it is in),
/// recording why. The invariant every change of group, assignee or membership keeps.
pub fn keep_assignee_in_group(t: &mut Ticket, group: &GroupFacts, out: &mut Vec<Entry>) {
    if let Some(a) = t.assignee_id
        && !group.has_member(a)
    {
        out.push(
            Entry::change("assignee_id", Some(a.to_string()), None, false)
                .saying(&Said::AssigneeNotMember),
        );
        t.assignee_id = None;
    }
}

/// Sets `slot` to `new` and records the change, if it is one.
fn set<T: PartialEq + Clone>(
    out: &mut Vec<Entry>,
    field: &str,
    public: bool,
    slot: &mut T,
    new: T,
    show: impl Fn(&T) -> Option<String>,
) {
    if *slot != new {
        out.push(Entry::change(field, show(slot), show(&new), public));
        *slot = new;
    }
}

fn text(v: &Option<String>) -> Option<String> {
    v.clone()
}

fn apply_texts(t: &mut Ticket, p: &TicketPatch, out: &mut Vec<Entry>) {
    let s = |x: &String| Some(x.clone());
    let opt = |v: &Option<crate::text::Text>| v.as_ref().map(|x| x.to_string());
    if let Some(v) = &p.subject {
        set(out, "subject", true, &mut t.subject, v.to_string(), s);
    }
    if let Some(v) = &p.description {
        set(
            out,
            "description",
            true,
            &mut t.description,
            v.to_string(),
            s,
        );
    }
    if let Some(v) = &p.ci_ref {
        set(out, "ci_ref", false, &mut t.ci_ref, opt(v), text);
    }
    if let Some(v) = p.category_id {
        set(out, "category_id", true, &mut t.category_id, v, |c| {
            c.map(|c| c.to_string())
        });
    }
    if let Some(v) = p.impact {
        set(out, "impact", false, &mut t.impact, v, |x| {
            Some(x.as_str().into())
        });
    }
    if let Some(v) = p.urgency {
        set(out, "urgency", false, &mut t.urgency, v, |x| {
            Some(x.as_str().into())
        });
    }
    if let Some(v) = p.facts_started_at {
        set(
            out,
            "facts.started_at",
            false,
            &mut t.facts.started_at,
            v,
            |x| x.map(|x| x.to_string()),
        );
    }
    let facts = [
        (
            "facts.impact_scope",
            &p.facts_impact_scope,
            &mut t.facts.impact_scope,
        ),
        (
            "facts.error_codes",
            &p.facts_error_codes,
            &mut t.facts.error_codes,
        ),
        ("facts.tried", &p.facts_tried, &mut t.facts.tried),
    ];
    for (field, new, slot) in facts {
        if let Some(v) = new {
            set(out, field, false, slot, opt(v), text);
        }
    }
    if let Some(v) = &p.resolution_code {
        set(
            out,
            "resolution_code",
            false,
            &mut t.resolution_code,
            opt(v),
            text,
        );
    }
    if let Some(v) = &p.resolution {
        set(out, "resolution", true, &mut t.resolution, opt(v), text);
    }
}

/// An override sets the priority with its reason; `Some(None)` returns to the matrix; with
/// no override in force, a new impact or urgency re-derives the priority.
fn apply_priority(t: &mut Ticket, p: &TicketPatch, m: &PriorityMatrix, out: &mut Vec<Entry>) {
    let show = |x: &super::priority::Priority| Some(x.as_str().into());
    match &p.priority_override {
        Some(Some((prio, reason))) => {
            t.priority_override_reason = Some(reason.to_string());
            out.push(
                Entry::change(
                    "priority",
                    Some(t.priority.as_str().into()),
                    Some(prio.as_str().into()),
                    false,
                )
                .saying(&Said::PriorityOverride)
                .body(reason.to_string()),
            );
            t.priority = *prio;
        }
        Some(None) => {
            t.priority_override_reason = None;
            let derived = m.get(t.impact, t.urgency);
            set(out, "priority", false, &mut t.priority, derived, show);
        }
        None if t.priority_override_reason.is_none() => {
            let derived = m.get(t.impact, t.urgency);
            set(out, "priority", false, &mut t.priority, derived, show);
        }
        None => {}
    }
}
