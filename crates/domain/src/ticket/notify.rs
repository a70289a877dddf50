//! Who is told about a ticket event (SPEC C16, issue #16): one mapping from what a change did
//! (the ticket before and after, the timeline entries it wrote, who acted) to the notices it
//! sends, so a change made on the web, through the API, by mail, by a rule or by a job tells
//! the same people the same thing. Escalations, major incidents and SLA crossings have their
//! own rules in `escalation.rs`; their notices join these.
//!
//! | event                                        | kind                       | who                                   |
//! |----------------------------------------------|----------------------------|---------------------------------------|
//! | registered                                   | `ticket.registered`        | the requester (acknowledgement)       |
//! | registered in a group, nobody assigned       | `ticket.created`           | the group's members                   |
//! | assigned (at registration or later)          | `ticket.assigned`          | the new assignee                      |
//! | routed to an agent (registration, re-offer)  | `ticket.routed`            | that agent, instead of the group      |
//! | the requester replies (resuming if pending)  | `ticket.requester_replied` | the assignee, else the group          |
//! | the requester answers "no" in validation     | `ticket.solution_rejected` | the assignee, else the group          |
//! | reaches review                               | `ticket.review`            | the supervisors                       |
//! | the desk replies publicly                    | `ticket.replied`           | the requester                         |
//! | reaches validation (solution proposed)       | `ticket.validation`        | the requester                         |
//! | reaches survey                               | `ticket.survey`            | the requester                         |
//! | closed                                       | `ticket.closed`            | the requester                         |
//!
//! Nobody is told about their own action — except the acknowledgement, which the requester
//! gets also for a ticket they registered themselves (it is their receipt, and by mail the
//! proof that the desk has it) — and one person gets at most one notice per kind per change.

use super::history::{Entry, Notice, Params};
use super::record::{EventKind, NewTicket, Ticket};
use super::status::Status;
use crate::ids::UserId;

/// Who a notice is for, by role on the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The requester (the portal and the requester's mail).
    Requester,
    /// Agents and supervisors.
    Staff,
}

/// Every notification kind a person can receive, with its audience: the preferences page
/// lists these. Kinds from `escalation.rs` are here too.
pub const NOTICE_KINDS: &[(&str, Audience)] = &[
    ("ticket.registered", Audience::Requester),
    ("ticket.replied", Audience::Requester),
    ("ticket.validation", Audience::Requester),
    ("ticket.survey", Audience::Requester),
    ("ticket.closed", Audience::Requester),
    ("ticket.created", Audience::Staff),
    ("ticket.assigned", Audience::Staff),
    ("ticket.requester_replied", Audience::Staff),
    ("ticket.solution_rejected", Audience::Staff),
    ("ticket.review", Audience::Staff),
    ("ticket.escalated", Audience::Staff),
    ("ticket.hierarchical_escalation", Audience::Staff),
    ("ticket.major_incident", Audience::Staff),
    ("sla.warning", Audience::Staff),
    ("sla.breach", Audience::Staff),
    // Routing and collaboration (issue 17): written by the desk's routing and collaboration
    // use cases, listed here so people can turn each off by channel like any other.
    ("ticket.routed", Audience::Staff),
    ("ticket.mentioned", Audience::Staff),
    ("ticket.watched", Audience::Staff),
    ("ticket.cc", Audience::Requester),
    ("ticket.merged", Audience::Requester),
    // Automation hooks (issue 13): a request waits for a supervisor's approval; an
    // automation failed or never got through, so an agent does it by hand; or a supervisor
    // rejected it, so the agent answers the requester.
    ("ticket.approval", Audience::Staff),
    ("ticket.automation_failed", Audience::Staff),
    ("ticket.automation_rejected", Audience::Staff),
];

/// Whether `kind` is a notification kind.
pub fn is_notice_kind(kind: &str) -> bool {
    NOTICE_KINDS.iter().any(|(k, _)| *k == kind)
}

/// The people around a ticket that a change may need to tell, read before the change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Concerned {
    /// Members of the ticket's group who are not supervisors.
    pub members: Vec<UserId>,
    /// The group's supervisors, or every supervisor when the group has none.
    pub supervisors: Vec<UserId>,
}

/// The notices of a registration: the requester's acknowledgement, and the assignee (if
/// one was named) or else the group's members. `actor` registered it. The ticket has no
/// number yet: the store adds the `number` parameter when it takes one.
pub fn on_register(t: &NewTicket, actor: Option<UserId>, who: &Concerned) -> Vec<Notice> {
    let about = |u: UserId, kind: &str| {
        let mut params = Params::new();
        params.insert("subject".into(), t.subject.to_string());
        Notice {
            user_id: u,
            kind: kind.to_owned(),
            params,
            body: None,
        }
    };
    let mut out = vec![about(t.requester_id, "ticket.registered")];
    match t.assignee_id {
        Some(a) => out.push(about(a, "ticket.assigned")),
        None => out.extend(who.members.iter().map(|m| about(*m, "ticket.created"))),
    }
    finish(out, actor)
}

/// The notices of a registration once auto-assignment gave the ticket to an agent (issue
/// 17): `routed` (the agent's `ticket.routed`) replaces the group's `ticket.created`, as an
/// assignee named at registration replaces it — a ticket someone owns is no longer the
/// group's to pick up (Zammad and GLPI tell the owner alone, too).
pub fn on_routed(registered: Vec<Notice>, routed: Notice) -> Vec<Notice> {
    let mut out: Vec<Notice> = registered
        .into_iter()
        .filter(|n| n.kind != "ticket.created")
        .collect();
    out.push(routed);
    out
}

/// The notices of a change to a registered ticket: `before` and `after` are the ticket on
/// either side, `entries` what the change wrote on the timeline, `actor` who made it.
pub fn on_change(
    before: &Ticket,
    after: &Ticket,
    entries: &[Entry],
    actor: Option<UserId>,
    who: &Concerned,
) -> Vec<Notice> {
    let mut out = Vec::new();
    let requester = after.requester_id;
    let by_requester = actor == Some(requester);
    // The ones working on it: the assignee, else the group.
    let workers = || match after.assignee_id {
        Some(a) => vec![a],
        None => who.members.clone(),
    };
    if let Some(a) = after.assignee_id
        && before.assignee_id != Some(a)
    {
        out.push(Notice::about(a, "ticket.assigned", after));
    }
    let public_reply = entries
        .iter()
        .find(|e| e.kind == EventKind::Reply && e.public)
        .map(|e| e.body.clone());
    if let Some(text) = public_reply.clone()
        && by_requester
    {
        let resumed = before.status == Status::Pending && after.status != Status::Pending;
        for u in workers() {
            let mut n = Notice::about(u, "ticket.requester_replied", after).body_opt(text.clone());
            if resumed {
                n = n.param("resumed", "true");
            }
            out.push(n);
        }
    } else if let Some(text) = public_reply {
        out.push(Notice::about(requester, "ticket.replied", after).body_opt(text));
    }
    let rejected = entries
        .iter()
        .find(|e| e.kind == EventKind::Confirmation && e.new_value.as_deref() == Some("no"));
    if let Some(no) = rejected {
        out.extend(workers().into_iter().map(|u| {
            Notice::about(u, "ticket.solution_rejected", after).body_opt(no.body.clone())
        }));
    }
    if after.status != before.status {
        match after.status {
            Status::Review => out.extend(
                who.supervisors
                    .iter()
                    .map(|u| Notice::about(*u, "ticket.review", after)),
            ),
            // The proposed solution goes with the question.
            Status::Validation => out.push(
                Notice::about(requester, "ticket.validation", after)
                    .body_opt(after.resolution.clone()),
            ),
            Status::Survey => out.push(Notice::about(requester, "ticket.survey", after)),
            Status::Closed => out.push(Notice::about(requester, "ticket.closed", after)),
            _ => {}
        }
    }
    finish(out, actor)
}

/// Drops notices to the actor (but the acknowledgement) and repeats of one kind to one person, keeping the first.
fn finish(mut out: Vec<Notice>, actor: Option<UserId>) -> Vec<Notice> {
    out.retain(|n| Some(n.user_id) != actor || n.kind == "ticket.registered");
    let mut seen: Vec<(UserId, String)> = Vec::with_capacity(out.len());
    out.retain(|n| {
        let key = (n.user_id, n.kind.clone());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    out
}

/// Joins notices from several rules for one change: one person gets one notice per kind.
pub fn merge(mut first: Vec<Notice>, more: Vec<Notice>) -> Vec<Notice> {
    for n in more {
        if !first
            .iter()
            .any(|f| f.user_id == n.user_id && f.kind == n.kind)
        {
            first.push(n);
        }
    }
    first
}
