//! Routing (SPEC C5, issue 17): an agent's availability and skills, a group's auto-assignment
//! mode, and the one pure choice of who gets the next ticket. The store calls [`choose`]
//! inside the transaction that registers the ticket, with the group's routing row locked,
//! so concurrent registrations see each other's choices (see `store/src/routing.rs`).
//!
//! | mode            | who is chosen among the available members under the cap            |
//! |-----------------|---------------------------------------------------------------------|
//! | `off`           | nobody: the ticket waits in the group's queue                       |
//! | `round_robin`   | the first member (by id) after the last one chosen, wrapping round  |
//! | `least_loaded`  | the member with the fewest open tickets; ties in round-robin order  |
//! | `skill_matched` | the members with the most matching skills, then as `least_loaded`;  |
//! |                 | with no member matching, as `least_loaded` among all (said so)      |

use crate::ids::UserId;
use crate::ticket::names::named_enum;

named_enum! {
    /// Whether an agent takes work now. Only `available` agents are chosen by routing.
    pub enum Availability in "availability" {
        /// At work and taking tickets.
        Available => "available",
        /// At work but not taking new tickets (on a call, in a meeting).
        Busy => "busy",
        /// Away from the desk for a while.
        Away => "away",
        /// Outside working hours.
        OffShift => "off_shift",
    }
}

named_enum! {
    /// How a support group hands out its new tickets.
    pub enum RoutingMode in "mode" {
        /// Tickets wait in the queue for someone to take them.
        Off => "off",
        /// In turn, one after another.
        RoundRobin => "round_robin",
        /// To whoever has the fewest open tickets.
        LeastLoaded => "least_loaded",
        /// To whoever knows the ticket's category and the requester's language best.
        SkillMatched => "skill_matched",
    }
}

named_enum! {
    /// What a skill is about.
    pub enum SkillKind in "kind" {
        /// A ticket category (the code is the category's id).
        Category => "category",
        /// A language the agent serves requesters in (`es`, `en`).
        Language => "language",
        /// A type of configuration item (free code until the CMDB lands).
        CiType => "ci_type",
    }
}

/// The longest a group may wait before a ticket is offered to the next agent: one week.
pub const REOFFER_MAX_MINUTES: i64 = 7 * 24 * 60;
/// The most open tickets a group may cap its agents at.
pub const CAP_MAX: i64 = 10_000;

/// One agent routing may choose: an available member of the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: UserId,
    /// Open tickets assigned to them now (new, analysis, solution, pending).
    pub open: i64,
    /// How many of the ticket's wishes their skills meet (category, language, CI type).
    pub matched: u32,
}

/// Why routing chose an agent: recorded on the ticket's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Their turn in the rotation.
    Turn,
    /// The fewest open tickets (the count is kept).
    FewestOpen { open: i64 },
    /// The most matching skills (how many), then the fewest open tickets.
    Skills { matched: u32, open: i64 },
    /// Nobody has a matching skill: the fewest open tickets among all.
    NoSkillMatch { open: i64 },
}

impl Reason {
    /// The stable code (Fluent `routing-reason-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Reason::Turn => "turn",
            Reason::FewestOpen { .. } => "fewest_open",
            Reason::Skills { .. } => "skills",
            Reason::NoSkillMatch { .. } => "no_skill_match",
        }
    }
}

/// The agent chosen and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub user_id: UserId,
    pub reason: Reason,
}

/// The position of `id` in the rotation that starts after `last`: 0 for the next in turn.
fn turn_distance(id: UserId, last: Option<UserId>) -> (bool, i64) {
    match last {
        // Those after the last one chosen come first (false < true), then the wrap-around.
        Some(l) => (id.get() <= l.get(), id.get()),
        None => (false, id.get()),
    }
}

/// Chooses who gets the next ticket among `candidates` (the group's available members),
/// skipping `exclude` (the agent a ticket is being taken from) and anyone at `cap` open
/// tickets or more. `last` is the agent chosen last in this group. `None`: nobody fits, or
/// the mode is `off`.
pub fn choose(
    mode: RoutingMode,
    candidates: &[Candidate],
    last: Option<UserId>,
    cap: Option<i64>,
    exclude: Option<UserId>,
) -> Option<Choice> {
    let eligible = candidates
        .iter()
        .filter(|c| Some(c.user_id) != exclude && cap.is_none_or(|cap| c.open < cap));
    let turn = |c: &&Candidate| turn_distance(c.user_id, last);
    match mode {
        RoutingMode::Off => None,
        RoutingMode::RoundRobin => eligible.min_by_key(turn).map(|c| Choice {
            user_id: c.user_id,
            reason: Reason::Turn,
        }),
        RoutingMode::LeastLoaded => eligible.min_by_key(|c| (c.open, turn(c))).map(|c| Choice {
            user_id: c.user_id,
            reason: Reason::FewestOpen { open: c.open },
        }),
        RoutingMode::SkillMatched => eligible
            .min_by_key(|c| (std::cmp::Reverse(c.matched), c.open, turn(c)))
            .map(|c| Choice {
                user_id: c.user_id,
                reason: if c.matched == 0 {
                    Reason::NoSkillMatch { open: c.open }
                } else {
                    Reason::Skills {
                        matched: c.matched,
                        open: c.open,
                    }
                },
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(id: i64, open: i64, matched: u32) -> Candidate {
        Candidate {
            user_id: UserId(id),
            open,
            matched,
        }
    }

    #[test]
    fn round_robin_takes_the_next_after_the_last_and_wraps() {
        let cs = [c(3, 0, 0), c(5, 0, 0), c(9, 0, 0)];
        let pick =
            |last| choose(RoutingMode::RoundRobin, &cs, last, None, None).map(|x| x.user_id.get());
        assert_eq!(pick(None), Some(3));
        assert_eq!(pick(Some(UserId(3))), Some(5));
        assert_eq!(
            pick(Some(UserId(4))),
            Some(5),
            "the last one left the group"
        );
        assert_eq!(pick(Some(UserId(9))), Some(3));
        assert_eq!(pick(Some(UserId(12))), Some(3));
    }

    #[test]
    fn off_chooses_nobody_and_nobody_fits_gives_none() {
        let cs = [c(1, 5, 0)];
        assert_eq!(choose(RoutingMode::Off, &cs, None, None, None), None);
        assert_eq!(
            choose(RoutingMode::RoundRobin, &cs, None, Some(5), None),
            None
        );
        assert_eq!(
            choose(RoutingMode::LeastLoaded, &cs, None, None, Some(UserId(1))),
            None
        );
        assert_eq!(
            choose(RoutingMode::SkillMatched, &[], None, None, None),
            None
        );
    }

    #[test]
    fn least_loaded_takes_the_fewest_open_then_the_turn() {
        let cs = [c(1, 4, 0), c(2, 1, 0), c(3, 1, 0)];
        let got = choose(RoutingMode::LeastLoaded, &cs, Some(UserId(2)), None, None).unwrap();
        assert_eq!(got.user_id, UserId(3));
        assert_eq!(got.reason, Reason::FewestOpen { open: 1 });
    }

    #[test]
    fn skill_matched_prefers_skills_over_load_and_says_when_nobody_matches() {
        let cs = [c(1, 0, 0), c(2, 7, 2), c(3, 2, 1)];
        let got = choose(RoutingMode::SkillMatched, &cs, None, None, None).unwrap();
        assert_eq!((got.user_id, got.reason.code()), (UserId(2), "skills"));
        let none = [c(1, 3, 0), c(2, 1, 0)];
        let got = choose(RoutingMode::SkillMatched, &none, None, None, None).unwrap();
        assert_eq!(got.user_id, UserId(2));
        assert_eq!(got.reason, Reason::NoSkillMatch { open: 1 });
    }

    proptest! {
        /// Handing out tickets in turn to a fixed set of agents never gives one agent two
        /// tickets more than another, whatever the ids and the starting point.
        #[test]
        fn round_robin_spreads_evenly(
            ids in proptest::collection::btree_set(1i64..1000, 1..12),
            start in proptest::option::of(0i64..1000),
            n in 0usize..200,
        ) {
            let cs: Vec<Candidate> = ids.iter().map(|i| c(*i, 0, 0)).collect();
            let mut last = start.map(UserId);
            let mut counts = std::collections::BTreeMap::<i64, usize>::new();
            for _ in 0..n {
                let got = choose(RoutingMode::RoundRobin, &cs, last, None, None).unwrap();
                *counts.entry(got.user_id.get()).or_default() += 1;
                last = Some(got.user_id);
            }
            let max = ids.iter().map(|i| counts.get(i).copied().unwrap_or(0)).max().unwrap();
            let min = ids.iter().map(|i| counts.get(i).copied().unwrap_or(0)).min().unwrap();
            prop_assert!(max - min <= 1);
        }

        /// Least-loaded never picks someone with more open tickets than another eligible
        /// agent, and never anyone at the cap or excluded.
        #[test]
        fn least_loaded_respects_load_cap_and_exclusion(
            loads in proptest::collection::vec(0i64..20, 1..10),
            cap in proptest::option::of(1i64..20),
            exclude in proptest::option::of(1i64..10),
        ) {
            let cs: Vec<Candidate> =
                loads.iter().enumerate().map(|(i, l)| c(i as i64 + 1, *l, 0)).collect();
            let got = choose(RoutingMode::LeastLoaded, &cs, None, cap, exclude.map(UserId));
            let eligible: Vec<&Candidate> = cs
                .iter()
                .filter(|x| Some(x.user_id.get()) != exclude && cap.is_none_or(|k| x.open < k))
                .collect();
            match got {
                None => prop_assert!(eligible.is_empty()),
                Some(ch) => {
                    let open = cs.iter().find(|x| x.user_id == ch.user_id).unwrap().open;
                    prop_assert!(eligible.iter().all(|x| x.open >= open));
                    prop_assert!(Some(ch.user_id.get()) != exclude);
                    prop_assert!(cap.is_none_or(|k| open < k));
                }
            }
        }
    }
}
