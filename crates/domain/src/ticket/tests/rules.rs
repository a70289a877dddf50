//! Property tests for the ticket rules beside the machine: patch application (priority
//! re-derivation, overrides, the assignee kept a member of the group), functional
//! escalation (the same entries and the same people told whether an agent or an SLA action
//! escalates), major-incident flagging and a child following its parent.

use proptest::prelude::*;

use super::*;
use crate::ids::{GroupId, TicketId, UserId};
use crate::people::Tier;
use crate::sla::SlaKind;

pub(super) fn ticket(status: Status) -> Ticket {
    let at = jiff::Timestamp::UNIX_EPOCH;
    Ticket {
        id: TicketId(1),
        number: "INC-000001".into(),
        kind: TicketKind::Incident,
        subject: "Impresora".into(),
        description: "No imprime".into(),
        requester_id: UserId(1),
        organisation_id: None,
        channel: Channel::Portal,
        ci_ref: None,
        category_id: None,
        impact: Impact::Low,
        urgency: Urgency::Low,
        priority: Priority::Low,
        priority_override_reason: None,
        group_id: Some(GroupId(1)),
        assignee_id: Some(UserId(10)),
        tier: Some(Tier::L1),
        escalated: false,
        status,
        requester_status: "",
        resume_to: None,
        pending_reason: None,
        reopen_count: 0,
        resolution_code: None,
        resolution: None,
        facts: KeyFacts::default(),
        major: false,
        major_reason: None,
        parent_id: None,
        rating: None,
        rating_comment: None,
        sla: Default::default(),
        version: 1,
        created_at: at,
        updated_at: at,
        status_changed_at: at,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
    }
}

fn arb_level() -> impl Strategy<Value = Impact> {
    prop::sample::select(Impact::ALL.to_vec())
}

fn arb_urgency() -> impl Strategy<Value = Urgency> {
    prop::sample::select(Urgency::ALL.to_vec())
}

fn arb_priority() -> impl Strategy<Value = Priority> {
    prop::sample::select(Priority::ALL.to_vec())
}

fn group(id: i64, tier: Tier, members: &[i64]) -> GroupFacts {
    GroupFacts {
        id: GroupId(id),
        tier,
        members: members.iter().map(|m| UserId(*m)).collect(),
    }
}

proptest! {
    /// Following the matrix, any impact and urgency give the matrix's priority; an override
    /// wins with its reason recorded and survives later impact or urgency changes.
    #[test]
    fn priority_follows_the_matrix_unless_overridden(
        impact in arb_level(),
        urgency in arb_urgency(),
        later in arb_urgency(),
        over in proptest::option::of(arb_priority()),
    ) {
        let m = PriorityMatrix::default();
        let mut t = ticket(Status::Analysis);
        let patch = TicketPatch {
            impact: Some(impact),
            urgency: Some(urgency),
            priority_override: over.map(|p| Some((p, text("cierre contable")))),
            ..TicketPatch::default()
        };
        let cx = PatchContext { matrix: &m, group: None };
        let entries = apply_patch(&mut t, &patch, cx).unwrap();
        match over {
            None => prop_assert_eq!(t.priority, m.get(impact, urgency)),
            Some(p) => {
                prop_assert_eq!(t.priority, p);
                prop_assert_eq!(t.priority_override_reason.as_deref(), Some("cierre contable"));
                prop_assert!(entries.iter().any(|e| e.code.as_deref() == Some("priority_override")));
            }
        }
        let again = TicketPatch { urgency: Some(later), ..TicketPatch::default() };
        apply_patch(&mut t, &again, cx).unwrap();
        match over {
            None => prop_assert_eq!(t.priority, m.get(impact, later)),
            Some(p) => prop_assert_eq!(t.priority, p),
        }
        // Every entry names a field whose old and new values differ (an override is recorded
        // with its reason even when it confirms the current level).
        for e in entries.iter().filter(|e| e.code.is_none()) {
            prop_assert!(e.field.is_some());
            prop_assert_ne!(&e.old_value, &e.new_value);
        }
    }

    /// Whatever the patch does to group and assignee, a ticket moved to a group ends with an
    /// assignee who is a member of it (or none), and an assignment to a non-member is refused.
    #[test]
    fn the_assignee_is_always_a_member_of_the_group(
        members in prop::collection::vec(10i64..16, 0..5),
        assignee in proptest::option::of(10i64..16),
        move_group in any::<bool>(),
        assign in any::<bool>(),
    ) {
        let m = PriorityMatrix::default();
        let target = group(if move_group { 2 } else { 1 }, Tier::L2, &members);
        let mut t = ticket(Status::Analysis);
        let patch = TicketPatch {
            group_id: move_group.then_some(Some(target.id)),
            assignee_id: assign.then_some(assignee.map(UserId)),
            ..TicketPatch::default()
        };
        let cx = PatchContext { matrix: &m, group: Some(&target) };
        match apply_patch(&mut t, &patch, cx) {
            Err(e) => {
                prop_assert_eq!(e.field.as_str(), "assignee_id");
                let a = assignee.map(UserId);
                prop_assert!(assign && a.is_some_and(|a| !target.has_member(a)));
            }
            Ok(entries) => {
                if move_group {
                    prop_assert_eq!(t.group_id, Some(target.id));
                    prop_assert_eq!(t.tier, Some(Tier::L2));
                    prop_assert!(t.assignee_id.is_none_or(|a| target.has_member(a)));
                    if assign && assignee.is_some() || !target.has_member(UserId(10)) && !assign {
                        // Either assigned a member, or the old non-member was unassigned.
                        prop_assert!(t.assignee_id.is_none_or(|a| target.has_member(a)));
                    }
                    if !assign && !target.has_member(UserId(10)) {
                        prop_assert!(entries.iter().any(|e| e.code.as_deref() == Some("assignee_not_member")));
                    }
                }
            }
        }
    }

    /// An agent's escalation and an SLA action's record the same public entry, move the
    /// ticket the same way and tell exactly the receiving group's members.
    #[test]
    fn manual_and_sla_escalation_tell_the_same_people(
        members in prop::collection::btree_set(20i64..40, 0..6),
        breach in any::<bool>(),
    ) {
        let members: Vec<i64> = members.into_iter().collect();
        let to = Receiving { group: group(7, Tier::L2, &members), name: "Redes".into() };
        let crossing = if breach { Crossing::Breach } else { Crossing::Warning };
        let mut by_agent = ticket(Status::Analysis);
        let mut by_sla = ticket(Status::Analysis);
        let a = escalate_functional(&mut by_agent, &to, &Handover::Summary(text("sospecha de placa")));
        let s = escalate_functional(&mut by_sla, &to, &Handover::Sla { crossing, target: SlaKind::Resolution });
        prop_assert_eq!(&by_agent, &by_sla);
        prop_assert_eq!((by_agent.group_id, by_agent.tier, by_agent.assignee_id, by_agent.escalated),
            (Some(GroupId(7)), Some(Tier::L2), None, true));
        prop_assert_eq!(&a.entries[0], &s.entries[0]);
        let told = |o: &Outcome| o.notices.iter().map(|n| n.user_id.get()).collect::<Vec<_>>();
        prop_assert_eq!(told(&a), members.clone());
        prop_assert_eq!(told(&s), members);
        prop_assert!(a.notices.iter().chain(&s.notices).all(|n| n.kind == "ticket.escalated"));
        // Escalating again to the same group changes nothing and tells nobody.
        prop_assert_eq!(escalate_functional(&mut by_agent, &to, &Handover::Summary(text("x"))), Outcome::default());
    }

    /// An open child follows a resolved or closed parent with its resolution, as the system;
    /// a closed or cancelled child stays as it is.
    #[test]
    fn children_follow_their_parent(
        child_status in prop::sample::select(Status::ALL.to_vec()),
        close in any::<bool>(),
    ) {
        let mut parent = ticket(if close { Status::Closed } else { Status::Validation });
        parent.number = "INC-000009".into();
        parent.resolution_code = Some("hardware_replaced".into());
        parent.resolution = Some("Placa cambiada".into());
        let mut child = ticket(child_status);
        let before = child.clone();
        let entry = follow_parent(&mut child, &parent, jiff::Timestamp::UNIX_EPOCH);
        if child_status.is_terminal() || child_status == parent.status {
            prop_assert!(entry.is_none());
            prop_assert_eq!(child, before);
        } else {
            let e = entry.unwrap();
            prop_assert_eq!(child.status, parent.status);
            prop_assert_eq!(child.resolution.as_deref(), Some("Placa cambiada"));
            prop_assert_eq!(child.resume_to, None);
            prop_assert_eq!(e.params.get("parent").map(String::as_str), Some("INC-000009"));
        }
    }
}

#[test]
fn only_the_system_makes_a_child_follow() {
    let req = TransitionRequest::FollowParent {
        to: Status::Closed,
        resolution_code: None,
        resolution: None,
    };
    for by in [Requester, Agent, Supervisor] {
        assert!(transition(&at(Status::Analysis), &req, by).is_err(), "{by}");
    }
    let t = ok(&at(Status::Analysis), &req, System);
    assert_eq!(
        (t.to, t.kind),
        (Status::Closed, TransitionKind::FollowedParent)
    );
}

#[test]
fn flagging_a_major_incident_raises_urgency_and_tells_supervisors() {
    let m = PriorityMatrix::default();
    let mut t = ticket(Status::Analysis);
    let out = flag_major(
        &mut t,
        true,
        &text("toda la planta"),
        &m,
        &[UserId(5), UserId(6)],
    );
    assert_eq!((t.major, t.urgency), (true, Urgency::High));
    assert_eq!(t.priority, m.get(t.impact, Urgency::High));
    assert_eq!(out.notices.len(), 2);
    assert!(
        out.notices
            .iter()
            .all(|n| n.kind == "ticket.major_incident")
    );
    // Flagging again is no change.
    assert_eq!(
        flag_major(&mut t, true, &text("otra vez"), &m, &[UserId(5)]),
        Outcome::default()
    );
}
