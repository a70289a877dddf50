//! Policy validation, clock actions per status and choosing the most specific policy.

use jiff::SignedDuration;

use super::hours;
use crate::ids::OrganisationId;
use crate::sla::{
    ClockAction, ClockRule, DEFAULT_WARN_PERCENT, SlaKind, SlaPolicy, SlaPolicySpec, SlaTarget,
    select_policy,
};

fn spec(name: &str, org: Option<i64>, cat: Option<i64>) -> SlaPolicySpec {
    SlaPolicySpec {
        name: name.to_owned(),
        priority: "high".to_owned(),
        organisation: org.map(OrganisationId),
        category: cat,
        calendar_id: 1,
        targets: SlaTarget {
            first_response: hours(1),
            resolution: hours(8),
        },
        warn_percent: DEFAULT_WARN_PERCENT,
        response_clock: ClockRule::default(),
        resolution_clock: ClockRule::default(),
    }
}

fn policy(name: &str, org: Option<i64>, cat: Option<i64>) -> SlaPolicy {
    SlaPolicy::new(spec(name, org, cat)).unwrap()
}

fn chosen(
    policies: &[SlaPolicy],
    prio: &str,
    org: Option<i64>,
    cat: Option<i64>,
) -> Option<String> {
    select_policy(policies, prio, org.map(OrganisationId), cat).map(|p| p.name.clone())
}

#[test]
fn the_most_specific_matching_policy_wins() {
    let policies = vec![
        policy("base", None, None),
        policy("cat", None, Some(7)),
        policy("org", Some(3), None),
        policy("org+cat", Some(3), Some(7)),
    ];
    assert_eq!(
        chosen(&policies, "high", Some(3), Some(7)).as_deref(),
        Some("org+cat")
    );
    assert_eq!(
        chosen(&policies, "high", Some(3), Some(8)).as_deref(),
        Some("org")
    );
    assert_eq!(
        chosen(&policies, "high", Some(4), Some(7)).as_deref(),
        Some("cat")
    );
    assert_eq!(
        chosen(&policies, "high", None, None).as_deref(),
        Some("base")
    );
    assert_eq!(
        chosen(&policies, "High ", Some(4), None).as_deref(),
        Some("base")
    );
    assert_eq!(chosen(&policies, "critical", Some(3), Some(7)), None);
    // Order does not matter for specificity; among equals the first listed wins.
    let mut reversed = policies.clone();
    reversed.reverse();
    assert_eq!(
        chosen(&reversed, "high", Some(3), Some(7)).as_deref(),
        Some("org+cat")
    );
    let twins = vec![
        policy("first", Some(3), None),
        policy("second", Some(3), None),
    ];
    assert_eq!(
        chosen(&twins, "high", Some(3), None).as_deref(),
        Some("first")
    );
    // A policy narrowed to an organisation never applies to a ticket without one.
    assert_eq!(
        chosen(&[policy("org", Some(3), None)], "high", None, None),
        None
    );
}

#[test]
fn validation_refuses_bad_policies() {
    let bad: Vec<(SlaPolicySpec, &str)> = vec![
        (
            SlaPolicySpec {
                name: " ".into(),
                ..spec("x", None, None)
            },
            "name",
        ),
        (
            SlaPolicySpec {
                priority: "".into(),
                ..spec("x", None, None)
            },
            "priority",
        ),
        (
            SlaPolicySpec {
                targets: SlaTarget {
                    first_response: SignedDuration::ZERO,
                    resolution: hours(1),
                },
                ..spec("x", None, None)
            },
            "targets",
        ),
        (
            SlaPolicySpec {
                targets: SlaTarget {
                    first_response: hours(9),
                    resolution: hours(8),
                },
                ..spec("x", None, None)
            },
            "targets.first_response",
        ),
        (
            SlaPolicySpec {
                warn_percent: 0,
                ..spec("x", None, None)
            },
            "warn_percent",
        ),
        (
            SlaPolicySpec {
                warn_percent: 100,
                ..spec("x", None, None)
            },
            "warn_percent",
        ),
        (
            SlaPolicySpec {
                resolution_clock: ClockRule {
                    running: vec![],
                    paused: vec![],
                },
                ..spec("x", None, None)
            },
            "resolution_clock",
        ),
        (
            SlaPolicySpec {
                response_clock: ClockRule {
                    running: vec!["new".into()],
                    paused: vec!["NEW".into()],
                },
                ..spec("x", None, None)
            },
            "response_clock",
        ),
    ];
    for (s, field) in bad {
        assert_eq!(SlaPolicy::new(s).unwrap_err().field, field);
    }
}

#[test]
fn clocks_follow_the_lifecycle_and_the_first_reply_stops_the_response_clock() {
    let p = policy("base", None, None);
    for s in ["new", "analysis", "solution"] {
        assert_eq!(p.resolution_action(s), ClockAction::Run, "{s}");
        assert_eq!(p.response_action(s, false), ClockAction::Run, "{s}");
        assert_eq!(p.response_action(s, true), ClockAction::Stop, "{s}");
    }
    assert_eq!(p.resolution_action("pending"), ClockAction::Pause);
    for s in ["validation", "survey", "review", "closed", "cancelled"] {
        assert_eq!(p.resolution_action(s), ClockAction::Stop, "{s}");
    }
    assert_eq!(p.targets.get(SlaKind::FirstResponse), hours(1));
    assert_eq!(p.targets.get(SlaKind::Resolution), hours(8));
    // Status lists are normalised: trimmed, lower-case, deduplicated.
    let custom = SlaPolicy::new(SlaPolicySpec {
        resolution_clock: ClockRule {
            running: vec![" New ".into(), "new".into()],
            paused: vec![],
        },
        ..spec("x", None, None)
    })
    .unwrap();
    assert_eq!(custom.resolution_clock.running, vec!["new".to_owned()]);
    assert_eq!(custom.resolution_action("pending"), ClockAction::Stop);
}
