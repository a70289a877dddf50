//! Routing through the API (issue 17): availability set by the agent, a group's mode set by
//! the administrator, tickets registered through the group-commit queue assigned to
//! available members only, 64 concurrent creates into a round-robin group of 4 spread
//! evenly, a ticket nobody picked up offered to the next agent by the job, and who may do
//! what (with stable error codes).

use http::StatusCode;
use jiff::SignedDuration;
use serde_json::{Value, json};
use ventanilla_testkit::{Desk, Person};

/// A desk with a group "Turnos" of `n` agents in `mode`.
async fn desk_with_group(n: usize, mode: &str) -> (Desk, i64, Vec<Person>) {
    let d = ventanilla_testkit::desk().build().await;
    let mut agents = Vec::new();
    for i in 0..n {
        agents.push(d.person(&format!("turno{i}@x.test"), "agent").await);
    }
    let members: Vec<Value> = agents
        .iter()
        .map(|a| json!({ "user_id": a.id().get() }))
        .collect();
    let res = d
        .post(
            "/api/v1/groups",
            json!({ "name": "Turnos", "tier": "L1", "members": members }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let group = res.body["id"].as_i64().unwrap();
    let res = d
        .put(
            &format!("/api/v1/groups/{group}/routing"),
            json!({ "mode": mode, "reoffer_after_minutes": 15 }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    (d, group, agents)
}

fn new_ticket(group: i64, i: usize) -> Value {
    json!({
        "kind": "incident", "subject": format!("Sin correo {i}"), "description": "No llega",
        "impact": "medium", "urgency": "medium", "requester_id": 2, "group_id": group,
    })
}

async fn create(d: &Desk, group: i64, i: usize) -> Value {
    let mut body = new_ticket(group, i);
    body["requester_id"] = json!(d.requester.id().get());
    let res = d.post("/api/v1/tickets", body, &d.supervisor).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body
}

#[tokio::test]
async fn only_available_agents_are_routed_and_the_agent_switches_in_one_call() {
    let (d, group, agents) = desk_with_group(2, "round_robin").await;
    let res = d
        .put(
            "/api/v1/me/availability",
            json!({ "availability": "away" }),
            &agents[0],
        )
        .await;
    assert_eq!(
        (res.status, res.body["availability"].as_str()),
        (StatusCode::OK, Some("away"))
    );
    for i in 0..3 {
        let t = create(&d, group, i).await;
        assert_eq!(t["assignee_id"].as_i64(), Some(agents[1].id().get()));
    }
    let res = d
        .put(
            "/api/v1/me/availability",
            json!({ "availability": "available" }),
            &agents[0],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let t = create(&d, group, 9).await;
    assert_eq!(t["assignee_id"].as_i64(), Some(agents[0].id().get()));
    let res = d.get("/api/v1/me/availability", &agents[0]).await;
    assert_eq!(res.body["availability"].as_str(), Some("available"));
}

#[tokio::test]
async fn bad_input_and_the_wrong_people_are_refused_with_stable_codes() {
    let (d, group, agents) = desk_with_group(1, "off").await;
    let res = d
        .put(
            "/api/v1/me/availability",
            json!({ "availability": "asleep" }),
            &agents[0],
        )
        .await;
    assert_eq!(
        (res.status, res.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("availability"))
    );
    let res = d
        .put(
            "/api/v1/me/availability",
            json!({ "availability": "busy" }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "requesters have none");
    let path = format!("/api/v1/groups/{group}/routing");
    let res = d
        .put(&path, json!({ "mode": "round_robin" }), &agents[0])
        .await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "agents do not set routing"
    );
    let res = d
        .put(
            &path,
            json!({ "mode": "round_robin", "reoffer_after_minutes": 0 }),
            &d.admin,
        )
        .await;
    assert_eq!(
        (res.status, res.body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reoffer_after_minutes")
        )
    );
    let res = d.put(&path, json!({ "mode": "lottery" }), &d.admin).await;
    assert_eq!(res.body["error"]["field"].as_str(), Some("mode"));
    let res = d
        .put(
            "/api/v1/groups/999999/routing",
            json!({ "mode": "off" }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Reading a group that does not exist is "not found" too (not a refused field).
    let res = d.get("/api/v1/groups/999999/routing", &d.admin).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let skills = format!("/api/v1/users/{}/skills", agents[0].id().get());
    let res = d
        .put(
            &skills,
            json!([{ "kind": "language", "code": "fr" }]),
            &d.admin,
        )
        .await;
    assert_eq!(res.body["error"]["field"].as_str(), Some("skills.code"));
    let res = d
        .put(
            &skills,
            json!([{ "kind": "language", "code": "en" }]),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body, json!([{ "kind": "language", "code": "en" }]));
    let res = d.put(&skills, json!([]), &agents[0]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Who is available: the supervisor sees everyone; a plain agent supervises nothing.
    let res = d.get("/api/v1/team", &agents[0]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = d.get("/api/v1/team", &d.supervisor).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.body
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["user_id"].as_i64() == Some(agents[0].id().get())
                && m["availability"].as_str() == Some("available"))
    );
}

#[tokio::test]
async fn sixty_four_concurrent_creates_into_a_round_robin_group_of_four_spread_evenly() {
    let (d, group, agents) = desk_with_group(4, "round_robin").await;
    let requester = d.requester.id().get();
    let futs = (0..64).map(|i| {
        let mut body = new_ticket(group, i);
        body["requester_id"] = json!(requester);
        let d = &d;
        async move { d.post("/api/v1/tickets", body, &d.supervisor).await }
    });
    let answers = futures_join(futs).await;
    let mut per = vec![0usize; 4];
    for res in answers {
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let a = res.body["assignee_id"].as_i64().expect("assigned");
        let i = agents.iter().position(|p| p.id().get() == a).unwrap();
        per[i] += 1;
    }
    let (max, min) = (per.iter().max().unwrap(), per.iter().min().unwrap());
    assert!(max - min <= 1, "{per:?}");
}

/// Runs the futures concurrently on this task (the router is driven in-process).
async fn futures_join<F: std::future::Future>(futs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futs {
        set.push(Box::pin(f));
    }
    let mut out = Vec::with_capacity(set.len());
    // Poll all at once: a tiny join_all without an extra dependency.
    let mut slots: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in set.iter_mut().zip(slots.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(slots.into_iter().flatten());
    out
}

#[tokio::test]
async fn a_ticket_nobody_picked_up_goes_to_the_next_agent_with_the_reason_recorded() {
    let (d, group, agents) = desk_with_group(2, "least_loaded").await;
    let t = create(&d, group, 0).await;
    let id = t["id"].as_i64().unwrap();
    let first = t["assignee_id"].as_i64().unwrap();
    d.clock.advance(SignedDuration::from_mins(10));
    d.run_pending_jobs().await;
    let res = d.get(&format!("/api/v1/tickets/{id}"), &d.supervisor).await;
    assert_eq!(res.body["assignee_id"].as_i64(), Some(first), "not yet");
    d.clock.advance(SignedDuration::from_mins(6));
    d.run_pending_jobs().await;
    let res = d.get(&format!("/api/v1/tickets/{id}"), &d.supervisor).await;
    let second = res.body["assignee_id"].as_i64().unwrap();
    assert_ne!(second, first);
    assert!(agents.iter().any(|a| a.id().get() == second));
    let res = d
        .get(&format!("/api/v1/tickets/{id}/actions"), &d.supervisor)
        .await;
    assert!(
        res.text.contains("reoffered_fewest_open"),
        "the timeline says why: {}",
        res.text
    );
    // The second agent now has a notification.
    let who = agents.iter().find(|a| a.id().get() == second).unwrap();
    let res = d.get("/api/v1/notifications", who).await;
    // Told by routing (`ticket.routed`) or, once folded by the notification mapping, as an
    // assignment.
    assert!(
        res.text.contains("ticket.routed") || res.text.contains("ticket.assigned"),
        "{}",
        res.text
    );
}

#[tokio::test]
async fn off_shift_by_the_groups_calendar_nobody_is_routed_until_the_shift_starts() {
    let (d, group, agents) = desk_with_group(2, "round_robin").await;
    // The afternoon shift, 14:00-22:00 in Madrid on weekdays; the clock starts on a Monday
    // at 10:00 in Madrid, so everybody is off shift, whatever availability they set.
    let res = d
        .post(
            "/api/v1/calendars",
            json!({ "name": "Tarde", "calendar": { "time_zone": "Europe/Madrid", "weekly": {
                "mon": [["14:00", "22:00"]], "tue": [["14:00", "22:00"]], "wed": [["14:00", "22:00"]],
                "thu": [["14:00", "22:00"]], "fri": [["14:00", "22:00"]] } } }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let cal = res.body["id"].as_i64().unwrap();
    let res = d
        .put(
            &format!("/api/v1/groups/{group}/routing"),
            json!({ "mode": "round_robin", "reoffer_after_minutes": 15, "shift_calendar_id": 999_999 }),
            &d.admin,
        )
        .await;
    assert_eq!(
        (res.status, res.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("shift_calendar_id")),
        "{}",
        res.text
    );
    let res = d
        .put(
            &format!("/api/v1/groups/{group}/routing"),
            json!({ "mode": "round_robin", "reoffer_after_minutes": 15, "shift_calendar_id": cal }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = d
        .get(&format!("/api/v1/groups/{group}/routing"), &d.agent)
        .await;
    assert_eq!(
        res.body["shift_calendar_id"].as_i64(),
        Some(cal),
        "{}",
        res.text
    );
    let mut ids = Vec::new();
    for i in 0..3 {
        let t = create(&d, group, i).await;
        assert_eq!(t["assignee_id"], Value::Null, "off shift: not routed");
        ids.push(t["id"].as_i64().unwrap());
    }
    // Still off shift when the re-offer time passes: the job leaves them in the queue.
    d.clock.advance(SignedDuration::from_mins(20));
    d.run_pending_jobs().await;
    for id in &ids {
        let res = d.get(&format!("/api/v1/tickets/{id}"), &d.supervisor).await;
        assert_eq!(res.body["assignee_id"], Value::Null, "{}", res.text);
    }
    // 14:05 in Madrid: the shift has started, and the job hands every one out in turn.
    d.clock.advance(SignedDuration::from_mins(3 * 60 + 45));
    d.run_pending_jobs().await;
    let mut given = Vec::new();
    for id in &ids {
        let res = d.get(&format!("/api/v1/tickets/{id}"), &d.supervisor).await;
        let who = res.body["assignee_id"].as_i64();
        assert!(
            agents.iter().any(|a| Some(a.id().get()) == who),
            "{}",
            res.text
        );
        given.push(who);
    }
    assert!(given.windows(2).all(|w| w[0] != w[1]), "in turn: {given:?}");
    // And new tickets are routed at once while the shift lasts.
    let t = create(&d, group, 9).await;
    assert!(t["assignee_id"].as_i64().is_some(), "{t}");
}
