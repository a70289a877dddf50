//! The event → notification mapping (`notify.rs`): each row of its table, the actor never
//! told about their own action, and one notice per kind per person.

use super::rules::ticket;
use super::*;
use crate::ids::UserId;

const REQUESTER: UserId = UserId(1);
const AGENT: UserId = UserId(2);
const MATE: UserId = UserId(3);
const BOSS: UserId = UserId(4);

fn concerned() -> Concerned {
    Concerned {
        members: vec![AGENT, MATE],
        supervisors: vec![BOSS],
    }
}

fn told(ns: &[Notice]) -> Vec<(i64, &str)> {
    ns.iter()
        .map(|n| (n.user_id.get(), n.kind.as_str()))
        .collect()
}

fn new_ticket(assignee: Option<UserId>) -> NewTicket {
    let t = ticket(Status::New);
    NewTicket {
        kind: t.kind,
        subject: crate::text::Text::parse("subject", &t.subject, 200).unwrap(),
        description: crate::text::Text::parse("description", "d", 200).unwrap(),
        requester_id: REQUESTER,
        organisation_id: None,
        channel: t.channel,
        ci_ref: None,
        category_id: None,
        impact: t.impact,
        urgency: t.urgency,
        priority: t.priority,
        priority_override_reason: None,
        group_id: t.group_id,
        assignee_id: assignee,
        tier: None,
        facts: Default::default(),
        sla: Default::default(),
    }
}

#[test]
fn registration_acknowledges_and_tells_the_group() {
    let t = new_ticket(None);
    let ns = register_notices(&t, Some(REQUESTER), &concerned());
    // The requester registered it: the acknowledgement is the one notice an actor gets.
    assert_eq!(
        told(&ns),
        vec![
            (1, "ticket.registered"),
            (2, "ticket.created"),
            (3, "ticket.created")
        ]
    );
    let ns = register_notices(&t, Some(AGENT), &concerned());
    assert_eq!(
        told(&ns),
        vec![(1, "ticket.registered"), (3, "ticket.created")]
    );
    assert_eq!(ns[0].params["subject"], "Impresora");
}

#[test]
fn a_routed_registration_tells_the_agent_instead_of_the_group() {
    let t = new_ticket(None);
    let ns = register_notices(&t, Some(REQUESTER), &concerned());
    let routed = Notice {
        user_id: MATE,
        kind: "ticket.routed".into(),
        params: Params::new(),
        body: None,
    };
    assert_eq!(
        told(&routed_notices(ns, routed)),
        vec![(1, "ticket.registered"), (3, "ticket.routed")]
    );
}

#[test]
fn registration_with_an_assignee_tells_only_the_assignee() {
    let t = new_ticket(Some(MATE));
    let ns = register_notices(&t, None, &concerned());
    assert_eq!(
        told(&ns),
        vec![(1, "ticket.registered"), (3, "ticket.assigned")]
    );
}

#[test]
fn assignment_tells_the_new_assignee_unless_they_took_it() {
    let before = ticket(Status::Analysis);
    let mut after = before.clone();
    after.assignee_id = Some(MATE);
    assert_eq!(
        told(&change_notices(
            &before,
            &after,
            &[],
            Some(AGENT),
            &concerned()
        )),
        vec![(3, "ticket.assigned")]
    );
    assert!(change_notices(&before, &after, &[], Some(MATE), &concerned()).is_empty());
}

#[test]
fn a_requester_reply_reaches_the_assignee_and_says_it_resumed() {
    let mut before = ticket(Status::Pending);
    before.assignee_id = Some(AGENT);
    let mut after = before.clone();
    after.status = Status::Analysis;
    let reply = Entry::new(EventKind::Reply, true);
    let ns = change_notices(
        &before,
        &after,
        std::slice::from_ref(&reply),
        Some(REQUESTER),
        &concerned(),
    );
    assert_eq!(told(&ns), vec![(2, "ticket.requester_replied")]);
    assert_eq!(
        ns[0].params.get("resumed").map(String::as_str),
        Some("true")
    );
    // Nobody assigned: the group hears it.
    before.assignee_id = None;
    after.assignee_id = None;
    before.status = Status::Analysis;
    let ns = change_notices(&before, &after, &[reply], Some(REQUESTER), &concerned());
    assert_eq!(
        told(&ns),
        vec![
            (2, "ticket.requester_replied"),
            (3, "ticket.requester_replied")
        ]
    );
    assert!(!ns[0].params.contains_key("resumed"));
}

#[test]
fn a_desk_reply_reaches_the_requester_but_a_note_does_not() {
    let before = ticket(Status::Analysis);
    let reply = Entry::new(EventKind::Reply, true);
    let note = Entry::new(EventKind::Note, false);
    assert_eq!(
        told(&change_notices(
            &before,
            &before,
            &[reply],
            Some(AGENT),
            &concerned()
        )),
        vec![(1, "ticket.replied")]
    );
    assert!(change_notices(&before, &before, &[note], Some(AGENT), &concerned()).is_empty());
}

#[test]
fn a_rejected_solution_reaches_the_assignee() {
    let mut before = ticket(Status::Validation);
    before.assignee_id = Some(MATE);
    let mut after = before.clone();
    after.status = Status::Analysis;
    let mut no = Entry::new(EventKind::Confirmation, true);
    no.new_value = Some("no".into());
    let ns = change_notices(&before, &after, &[no], Some(REQUESTER), &concerned());
    assert_eq!(told(&ns), vec![(3, "ticket.solution_rejected")]);
}

#[test]
fn status_steps_tell_requester_and_supervisors() {
    let before = ticket(Status::Solution);
    for (to, want) in [
        (Status::Validation, vec![(1, "ticket.validation")]),
        (Status::Survey, vec![(1, "ticket.survey")]),
        (Status::Review, vec![(4, "ticket.review")]),
        (Status::Closed, vec![(1, "ticket.closed")]),
        (Status::Pending, vec![]),
    ] {
        let mut after = before.clone();
        after.status = to;
        assert_eq!(
            told(&change_notices(
                &before,
                &after,
                &[],
                Some(AGENT),
                &concerned()
            )),
            want,
            "{to:?}"
        );
    }
}

#[test]
fn merged_rules_give_one_notice_per_kind_per_person() {
    let t = ticket(Status::Analysis);
    let a = vec![Notice::about(AGENT, "ticket.escalated", &t)];
    let b = vec![
        Notice::about(AGENT, "ticket.escalated", &t),
        Notice::about(MATE, "ticket.escalated", &t),
    ];
    assert_eq!(
        told(&merge_notices(a, b)),
        vec![(2, "ticket.escalated"), (3, "ticket.escalated")]
    );
    assert!(NOTICE_KINDS.iter().all(|(k, _)| is_notice_kind(k)));
}
