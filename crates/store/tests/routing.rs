//! Routing in the store (issue 17), on SQLite and on PostgreSQL when
//! `VENTANILLA_TEST_POSTGRES_URL` is set: each mode chooses among available members only,
//! the choice and its reason are on the timeline, the cap holds, and concurrent
//! registrations (separate transactions on the pool, as two nodes would run them) share a
//! round-robin group evenly.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use ventanilla_domain::directory::{NewGroup, User};
use ventanilla_domain::routing::{Availability, RoutingMode, SkillKind};
use ventanilla_domain::ticket::{Priority, Status, Ticket, TicketKind};
use ventanilla_domain::{CategoryId, GroupId, Language, Text, Tier, UserId};
use ventanilla_store::Store;
use ventanilla_store::audit::NewAudit;
use ventanilla_store::routing::GroupRouting;
use ventanilla_testdb::{TestDb, fixtures};

fn t0() -> Timestamp {
    "2026-05-04T08:00:00Z".parse().unwrap()
}

fn audit(action: &str) -> NewAudit {
    NewAudit::new(t0(), None, action, None)
}

struct Setup {
    store: Store,
    _db: TestDb,
    requester: User,
    agents: Vec<User>,
    group: GroupId,
}

/// A group of `n` agents routing in `mode`, and a requester.
async fn setup(n: usize, mode: RoutingMode, max_open: Option<i64>) -> Setup {
    let db = TestDb::fresh().await;
    let store = db.store().await;
    let requester = fixtures::user(&store, "req@x.test", "requester", t0()).await;
    let group = store
        .groups()
        .create(
            &NewGroup {
                name: Text::parse("name", "Mesa", 100).unwrap(),
                tier: Tier::L1,
                description: None,
                email: None,
            },
            &audit("group.create"),
        )
        .await
        .unwrap()
        .id;
    let mut agents = Vec::new();
    for i in 0..n {
        let a = fixtures::user(&store, &format!("a{i}@x.test"), "agent", t0()).await;
        store
            .groups()
            .put_member(group, a.id, false, &audit("group.member"))
            .await
            .unwrap();
        agents.push(a);
    }
    let routing = GroupRouting {
        mode,
        reoffer_after_minutes: Some(10),
        max_open,
        shift_calendar_id: None,
    };
    store
        .routing()
        .set_group(group, &routing, &audit("group.routing"))
        .await
        .unwrap();
    Setup {
        store,
        _db: db,
        requester,
        agents,
        group,
    }
}

impl Setup {
    async fn create(&self, category: Option<CategoryId>) -> Ticket {
        let new = ventanilla_domain::ticket::NewTicket {
            group_id: Some(self.group),
            category_id: category,
            ..fixtures::new_ticket(self.requester.id, TicketKind::Incident, Priority::Medium)
        };
        self.store
            .tickets()
            .create(&new, Some(self.requester.id), t0(), None, &[])
            .await
            .unwrap()
            .0
    }

    fn agent(&self, i: usize) -> UserId {
        self.agents[i].id
    }
}

fn counts(tickets: &[Ticket]) -> BTreeMap<Option<i64>, usize> {
    let mut m = BTreeMap::new();
    for t in tickets {
        *m.entry(t.assignee_id.map(UserId::get)).or_default() += 1;
    }
    m
}

#[tokio::test]
async fn round_robin_takes_turns_among_available_members_and_says_why() {
    let s = setup(3, RoutingMode::RoundRobin, None).await;
    s.store
        .routing()
        .set_availability(s.agent(1), Availability::Busy, t0())
        .await
        .unwrap();
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(s.create(None).await.assignee_id);
    }
    let (a0, a2) = (Some(s.agent(0)), Some(s.agent(2)));
    assert_eq!(got, vec![a0, a2, a0, a2], "the busy agent is skipped");
    let t = s.create(None).await;
    let events = s.store.tickets().events(t.id, false).await.unwrap();
    let routed = events
        .iter()
        .find(|e| e.field.as_deref() == Some("assignee_id"))
        .expect("an assignment entry");
    assert_eq!(routed.code.as_deref(), Some("auto_assigned_turn"));
    assert_eq!(routed.actor_id, None, "the system assigned it");
    let (notes, _) = s
        .store
        .notifications()
        .list(s.agent(0), true, None, 50)
        .await
        .unwrap();
    assert!(notes.iter().any(|n| n.kind == "ticket.routed"));
}

#[tokio::test]
async fn off_and_nobody_available_leave_the_ticket_in_the_queue() {
    let s = setup(2, RoutingMode::Off, None).await;
    assert_eq!(s.create(None).await.assignee_id, None);
    let s = setup(2, RoutingMode::RoundRobin, None).await;
    for i in 0..2 {
        s.store
            .routing()
            .set_availability(s.agent(i), Availability::OffShift, t0())
            .await
            .unwrap();
    }
    assert_eq!(s.create(None).await.assignee_id, None);
}

#[tokio::test]
async fn least_loaded_fills_the_emptiest_and_the_cap_holds() {
    let s = setup(2, RoutingMode::LeastLoaded, Some(3)).await;
    // Agent 0 already has two open tickets given by hand.
    for _ in 0..2 {
        let new = ventanilla_domain::ticket::NewTicket {
            group_id: Some(s.group),
            assignee_id: Some(s.agent(0)),
            ..fixtures::new_ticket(s.requester.id, TicketKind::Incident, Priority::Medium)
        };
        s.store
            .tickets()
            .create(&new, None, t0(), None, &[])
            .await
            .unwrap();
    }
    let mut made = Vec::new();
    for _ in 0..6 {
        made.push(s.create(None).await);
    }
    let c = counts(&made);
    // Agent 1 catches up to two, then they alternate up to the cap of 3 each; the rest wait.
    assert_eq!(c.get(&Some(s.agent(0).get())), Some(&1));
    assert_eq!(c.get(&Some(s.agent(1).get())), Some(&3));
    assert_eq!(
        c.get(&None),
        Some(&2),
        "beyond the cap nobody is given more"
    );
    let events = s.store.tickets().events(made[0].id, false).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.code.as_deref() == Some("auto_assigned_fewest_open")
                && e.params.get("open").map(String::as_str) == Some("0"))
    );
}

#[tokio::test]
async fn skill_matched_prefers_category_and_language_then_falls_back() {
    let s = setup(3, RoutingMode::SkillMatched, None).await;
    let cat: CategoryId = s
        .store
        .categories()
        .create(
            &ventanilla_store::categories::NewCategory {
                code: "routing-net".into(),
                parent_id: None,
                name_es: "Red".into(),
                name_en: "Network".into(),
            },
            &audit("category.create"),
        )
        .await
        .unwrap()
        .id;
    // The requester writes Spanish (fixtures' default); agent 2 knows the category and
    // Spanish, agent 1 only Spanish.
    assert_eq!(s.requester.language, Language::Es);
    let r = s.store.routing();
    r.set_skills(
        s.agent(2),
        &[
            (SkillKind::Category, cat.get().to_string()),
            (SkillKind::Language, "es".into()),
        ],
    )
    .await
    .unwrap();
    r.set_skills(s.agent(1), &[(SkillKind::Language, "es".into())])
        .await
        .unwrap();
    let t = s.create(Some(cat)).await;
    assert_eq!(t.assignee_id, Some(s.agent(2)));
    let t = s.create(None).await;
    assert_eq!(
        t.assignee_id,
        Some(s.agent(1)),
        "language only: agent 1 has fewer open tickets than agent 2"
    );
    r.set_skills(s.agent(1), &[]).await.unwrap();
    r.set_skills(s.agent(2), &[]).await.unwrap();
    let t = s.create(None).await;
    assert_eq!(
        t.assignee_id,
        Some(s.agent(0)),
        "nobody matches: the least loaded"
    );
    let events = s.store.tickets().events(t.id, false).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.code.as_deref() == Some("auto_assigned_no_skill_match"))
    );
}

/// 64 registrations at once, each its own transaction on the pool (on PostgreSQL they run
/// side by side and meet at the group's lock), into a round-robin group of 4 available
/// agents: 16 each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_share_a_round_robin_group_evenly() {
    let s = setup(4, RoutingMode::RoundRobin, None).await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let store = s.store.clone();
        let new = ventanilla_domain::ticket::NewTicket {
            group_id: Some(s.group),
            ..fixtures::new_ticket(s.requester.id, TicketKind::Incident, Priority::Medium)
        };
        set.spawn(async move {
            store
                .tickets()
                .create(&new, None, t0(), None, &[])
                .await
                .unwrap()
                .0
        });
    }
    let made: Vec<Ticket> = set.join_all().await;
    let c = counts(&made);
    assert_eq!(c.get(&None), None, "everyone was assigned: {c:?}");
    let per: Vec<usize> = (0..4)
        .map(|i| c.get(&Some(s.agent(i).get())).copied().unwrap_or(0))
        .collect();
    let (max, min) = (per.iter().max().unwrap(), per.iter().min().unwrap());
    assert!(
        max - min <= 1,
        "assignments differ by more than one: {per:?}"
    );
    // The group commit path: 64 in one batch gives the same spread.
    let regs: Vec<_> = (0..64)
        .map(|_| {
            fixtures::registration(
                ventanilla_domain::ticket::NewTicket {
                    group_id: Some(s.group),
                    ..fixtures::new_ticket(s.requester.id, TicketKind::Incident, Priority::Medium)
                },
                None,
            )
        })
        .collect();
    let batch = s.store.tickets().create_many(&regs, t0()).await.unwrap();
    let made: Vec<Ticket> = batch.into_iter().map(|(t, _)| t).collect();
    let c = counts(&made);
    let per: Vec<usize> = (0..4)
        .map(|i| c.get(&Some(s.agent(i).get())).copied().unwrap_or(0))
        .collect();
    assert_eq!(per, vec![16, 16, 16, 16]);
}

#[tokio::test]
async fn a_ticket_nobody_picked_up_is_due_for_the_next_agent() {
    let s = setup(2, RoutingMode::RoundRobin, None).await;
    let t = s.create(None).await;
    let first = t.assignee_id.unwrap();
    let r = s.store.routing();
    assert!(r.reoffer_due(t0(), 10).await.unwrap().is_empty());
    let later = t0().checked_add(SignedDuration::from_mins(10)).unwrap();
    assert_eq!(r.reoffer_due(later, 10).await.unwrap(), vec![t.id]);
    let (choice, after) = r
        .next_for(t.id, (s.group, None, s.requester.id), Some(first), later)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(choice.user_id, first, "never back to the one it sat with");
    assert_eq!(after, Some(10));
    // Picked up (any change) before the time: not due.
    let t2 = s.create(None).await;
    s.store
        .tickets()
        .modify(
            t2.id,
            None,
            Some(first),
            t0() + SignedDuration::from_mins(1),
            |t| {
                t.subject = "Cambiado".into();
                Ok::<_, ()>(Default::default())
            },
        )
        .await
        .unwrap();
    let due = r
        .reoffer_due(t0() + SignedDuration::from_mins(10), 10)
        .await
        .unwrap();
    assert!(!due.contains(&t2.id), "{due:?}");
}

#[tokio::test]
async fn availability_skills_and_the_team_view_read_back() {
    let s = setup(2, RoutingMode::Off, None).await;
    let r = s.store.routing();
    assert_eq!(
        r.availability(s.agent(0)).await.unwrap(),
        Availability::Available
    );
    r.set_availability(s.agent(0), Availability::Away, t0())
        .await
        .unwrap();
    r.set_availability(s.agent(0), Availability::Busy, t0())
        .await
        .unwrap();
    assert_eq!(
        r.availability(s.agent(0)).await.unwrap(),
        Availability::Busy
    );
    r.set_skills(
        s.agent(1),
        &[
            (SkillKind::Language, "en".into()),
            (SkillKind::Language, "en".into()),
            (SkillKind::CiType, "printer".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        r.skills(s.agent(1)).await.unwrap(),
        vec![
            (SkillKind::CiType, "printer".to_owned()),
            (SkillKind::Language, "en".to_owned())
        ]
    );
    let team = r.team(&[s.group], t0()).await.unwrap();
    assert_eq!(team.len(), 2);
    let a0 = team.iter().find(|m| m.user_id == s.agent(0)).unwrap();
    assert_eq!((a0.availability, a0.open), (Availability::Busy, 0));
    assert_eq!(r.group(s.group).await.unwrap().mode, RoutingMode::Off);
}

/// The offers recorded, read from the table (the store keeps no reader for it).
async fn offers(db: &TestDb) -> i64 {
    let sql = "SELECT COUNT(*) FROM ticket_offers";
    if db.is_postgres() {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    } else {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    }
}

#[tokio::test]
async fn only_groups_with_a_reoffer_time_record_offers() {
    let s = setup(2, RoutingMode::RoundRobin, None).await;
    s.create(None).await;
    assert_eq!(
        offers(&s._db).await,
        1,
        "re-offered after 10 minutes: offered"
    );
    let routing = GroupRouting {
        mode: RoutingMode::RoundRobin,
        reoffer_after_minutes: None,
        max_open: None,
        shift_calendar_id: None,
    };
    s.store
        .routing()
        .set_group(s.group, &routing, &audit("group.routing"))
        .await
        .unwrap();
    let t = s.create(None).await;
    assert_eq!(t.assignee_id, Some(s.agent(1)), "still routed, in turn");
    assert_eq!(
        offers(&s._db).await,
        1,
        "never re-offered: no offer written (one statement less per batch)"
    );
}

/// Each agent's open work as the tickets say it, to hold `agent_load` against.
async fn open_work(
    s: &Setup,
    ids: &[ventanilla_domain::TicketId],
) -> std::collections::HashMap<i64, i64> {
    let mut m = std::collections::HashMap::new();
    for id in ids {
        let t = s.store.tickets().get(*id).await.unwrap();
        let open = matches!(
            t.status,
            Status::New | Status::Analysis | Status::Solution | Status::Pending
        );
        if let (true, Some(a)) = (open, t.assignee_id) {
            *m.entry(a.get()).or_default() += 1;
        }
    }
    m
}

async fn set(s: &Setup, id: ventanilla_domain::TicketId, f: impl Fn(&mut Ticket)) {
    s.store
        .tickets()
        .modify(id, None, None, t0(), |t| {
            f(t);
            Ok::<_, ()>(ventanilla_store::tickets::Effects::default())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn the_open_work_count_follows_every_change_and_a_recount_agrees() {
    let s = setup(2, RoutingMode::LeastLoaded, None).await;
    let (a0, a1) = (s.agent(0), s.agent(1));
    let agents = [a0.get(), a1.get()];
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(s.create(None).await.id);
    }
    let load = |s: &Setup| {
        let store = s.store.clone();
        async move { store.routing().open_counts(&agents).await.unwrap() }
    };
    assert_eq!(load(&s).await, open_work(&s, &ids).await, "registrations");
    assert_eq!(load(&s).await.values().sum::<i64>(), 4);

    // Reassigned, resolved, reopened, unassigned, put on hold: each moves the count.
    set(&s, ids[0], |t| t.assignee_id = Some(a1)).await;
    assert_eq!(load(&s).await, open_work(&s, &ids).await, "reassigned");
    set(&s, ids[1], |t| t.status = Status::Validation).await;
    assert_eq!(load(&s).await, open_work(&s, &ids).await, "solved");
    set(&s, ids[1], |t| t.status = Status::Analysis).await;
    assert_eq!(load(&s).await, open_work(&s, &ids).await, "reopened");
    set(&s, ids[2], |t| t.assignee_id = None).await;
    assert_eq!(load(&s).await, open_work(&s, &ids).await, "unassigned");
    set(&s, ids[3], |t| t.status = Status::Pending).await;
    set(&s, ids[3], |t| t.subject = "only the subject".into()).await;
    assert_eq!(
        load(&s).await,
        open_work(&s, &ids).await,
        "pending, then a subject"
    );
    set(&s, ids[3], |t| t.status = Status::Closed).await;
    let before = load(&s).await;
    assert_eq!(before, open_work(&s, &ids).await, "closed");

    // Least-loaded reads the count: the next ticket goes to whoever has least now.
    let least = if before.get(&a0.get()).copied().unwrap_or(0)
        < before.get(&a1.get()).copied().unwrap_or(0)
    {
        a0
    } else {
        a1
    };
    assert_ne!(
        before.get(&a0.get()),
        before.get(&a1.get()),
        "the changes above leave the two agents unequal: {before:?}"
    );
    let next = s.create(None).await;
    assert_eq!(next.assignee_id, Some(least));
    ids.push(next.id);

    // A recount from the tickets (as after an import) agrees with the running count.
    let running = load(&s).await;
    s.store.routing().recount_load().await.unwrap();
    assert_eq!(load(&s).await, running);
    assert_eq!(running, open_work(&s, &ids).await);
}

impl Setup {
    /// Registers `n` tickets in one group commit, each with the notices the desk computes
    /// (the domain's `register_notices`: the requester's receipt, the group's call).
    async fn create_batch(&self, n: usize) -> Vec<Ticket> {
        let who = ventanilla_domain::ticket::Concerned {
            members: self.agents.iter().map(|a| a.id).collect(),
            supervisors: Vec::new(),
        };
        let regs: Vec<ventanilla_store::tickets::Registration> = (0..n)
            .map(|_| {
                let new = ventanilla_domain::ticket::NewTicket {
                    group_id: Some(self.group),
                    ..fixtures::new_ticket(
                        self.requester.id,
                        TicketKind::Incident,
                        Priority::Medium,
                    )
                };
                let notices = ventanilla_domain::ticket::register_notices(
                    &new,
                    Some(self.requester.id),
                    &who,
                );
                ventanilla_store::tickets::Registration {
                    new,
                    actor: Some(self.requester.id),
                    idempotency_key: None,
                    extra: Vec::new(),
                    notices,
                }
            })
            .collect();
        let made = self.store.tickets().create_many(&regs, t0()).await.unwrap();
        made.into_iter().map(|(t, _)| t).collect()
    }

    /// (ticket id, kind, the `number` parameter) of every notification of `user`.
    async fn told(&self, user: UserId) -> Vec<(i64, String, String)> {
        let (notes, _) = self
            .store
            .notifications()
            .list(user, false, None, 100)
            .await
            .unwrap();
        let mut told: Vec<_> = notes
            .into_iter()
            .map(|n| {
                let number = n.params.get("number").cloned().unwrap_or_default();
                (n.ticket_id.unwrap().get(), n.kind, number)
            })
            .collect();
        told.sort();
        told
    }
}

#[tokio::test]
async fn a_routed_batch_tells_each_agent_of_their_own_tickets_through_their_preferences() {
    let s = setup(3, RoutingMode::RoundRobin, None).await;
    // The second agent reads routed tickets in the console but wants no mail of them.
    s.store
        .notifications()
        .set_preferences(
            s.agent(1),
            &[ventanilla_store::notifications::Preference {
                kind: "ticket.routed".into(),
                in_app: true,
                email: false,
            }],
        )
        .await
        .unwrap();
    let tickets = s.create_batch(6).await;
    assert!(tickets.iter().all(|t| t.assignee_id.is_some()));
    for (i, agent) in s.agents.iter().enumerate() {
        let mine: Vec<(i64, String, String)> = tickets
            .iter()
            .filter(|t| t.assignee_id == Some(agent.id))
            .map(|t| (t.id.get(), "ticket.routed".to_owned(), t.number.clone()))
            .collect();
        assert_eq!(mine.len(), 2, "round-robin gives each of 3 agents 2 of 6");
        // Their own tickets, each with its number; no group call for the others' tickets.
        assert_eq!(s.told(agent.id).await, mine, "agent {i}");
    }
    let mut receipts: Vec<(i64, String, String)> = tickets
        .iter()
        .map(|t| (t.id.get(), "ticket.registered".to_owned(), t.number.clone()))
        .collect();
    receipts.sort();
    assert_eq!(s.told(s.requester.id).await, receipts);
    // The mail channel: one row per notice, the second agent's kept as skipped.
    let log = s.store.outbox().mail_log(None, None, 100).await.unwrap();
    let mut mails: Vec<(String, i64, String)> = log
        .iter()
        .map(|m| {
            (
                m.kind.clone(),
                m.recipient_id.unwrap().get(),
                m.state.clone(),
            )
        })
        .collect();
    mails.sort();
    let mut want: Vec<(String, i64, String)> = tickets
        .iter()
        .flat_map(|t| {
            let agent = t.assignee_id.unwrap();
            let state = if agent == s.agent(1) {
                "skipped"
            } else {
                "pending"
            };
            [
                (
                    "notification.ticket.registered".to_owned(),
                    s.requester.id.get(),
                    "pending".to_owned(),
                ),
                (
                    "notification.ticket.routed".to_owned(),
                    agent.get(),
                    state.to_owned(),
                ),
            ]
        })
        .collect();
    want.sort();
    assert_eq!(mails, want);
}

#[tokio::test]
async fn an_unrouted_batch_calls_the_whole_group_about_each_ticket() {
    let s = setup(2, RoutingMode::Off, None).await;
    let tickets = s.create_batch(3).await;
    let mut calls: Vec<(i64, String, String)> = tickets
        .iter()
        .map(|t| (t.id.get(), "ticket.created".to_owned(), t.number.clone()))
        .collect();
    calls.sort();
    for i in 0..2 {
        assert_eq!(s.told(s.agent(i)).await, calls);
    }
}
