//! Registration, classification, priorities, concurrency, idempotency, numbers and lists.

use http::{Method, StatusCode};
use serde_json::json;
use ventanilla_testkit::{Caller, TestApp};

fn incident(impact: &str, urgency: &str) -> serde_json::Value {
    json!({ "kind": "incident", "subject": format!("{impact}×{urgency}"), "description": "d", "impact": impact, "urgency": urgency })
}

#[tokio::test]
async fn the_default_matrix_maps_every_cell_and_an_edited_one_applies() {
    let t = TestApp::new().await;
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let expected = [
        ("high", "high", "critical"),
        ("high", "medium", "high"),
        ("medium", "high", "high"),
        ("high", "low", "medium"),
        ("medium", "medium", "medium"),
        ("low", "high", "medium"),
        ("medium", "low", "low"),
        ("low", "medium", "low"),
        ("low", "low", "informational"),
    ];
    for (i, u, p) in expected {
        let res = t.post("/api/v1/tickets", incident(i, u), &agent).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        assert_eq!(res.body["priority"], p, "{i}×{u}");
    }
    let mut m = t.get("/api/v1/settings/priority-matrix", &agent).await.body;
    assert_eq!(m["low"]["low"], "informational");
    m["low"]["low"] = json!("low");
    let res = t
        .request(
            Method::PUT,
            "/api/v1/settings/priority-matrix",
            Some(m.clone()),
            &agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = t
        .request(
            Method::PUT,
            "/api/v1/settings/priority-matrix",
            Some(m),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = t
        .post("/api/v1/tickets", incident("low", "low"), &agent)
        .await;
    assert_eq!(res.body["priority"], "low", "the edited cell applies");
    let res = t
        .request(
            Method::PUT,
            "/api/v1/settings/priority-matrix",
            Some(json!({ "low": {} })),
            &admin,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::BAD_REQUEST,
        "an incomplete matrix is refused"
    );
}

#[tokio::test]
async fn priority_overrides_need_a_reason_and_are_recorded() {
    let t = TestApp::new().await;
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    let (_, requester) = t.token_for("req@x.test", "requester").await;
    let mut body = incident("low", "low");
    body["priority"] = json!("critical");
    let res = t.post("/api/v1/tickets", body.clone(), &agent).await;
    assert_eq!(
        (res.status, res.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("priority_reason"))
    );
    let res = t.post("/api/v1/tickets", body.clone(), &requester).await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "requesters do not override"
    );
    body["priority_reason"] = json!("Afecta al cierre contable");
    let res = t.post("/api/v1/tickets", body, &agent).await;
    assert_eq!(
        (
            res.body["priority"].as_str(),
            res.body["priority_override_reason"].as_str()
        ),
        (Some("critical"), Some("Afecta al cierre contable"))
    );
    let id = res.body["id"].as_i64().unwrap();
    let res = t
        .patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "priority": "high", "priority_reason": "Rebajado tras el análisis" }),
            &agent,
        )
        .await;
    assert_eq!(res.body["priority"], "high");
    let timeline = t
        .get(&format!("/api/v1/tickets/{id}/actions"), &agent)
        .await;
    let change = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "priority")
        .unwrap()
        .clone();
    assert_eq!(
        (change["old_value"].as_str(), change["new_value"].as_str()),
        (Some("critical"), Some("high"))
    );
    assert!(
        change["body"]
            .as_str()
            .unwrap()
            .contains("Rebajado tras el análisis")
    );
    assert!(change["actor_id"].is_number());
    let res = t
        .patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "priority": null }),
            &agent,
        )
        .await;
    assert_eq!(
        (
            res.body["priority"].as_str(),
            res.body["priority_override_reason"].as_str()
        ),
        (Some("informational"), None),
        "back to the matrix"
    );
    let res = t
        .patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "urgency": "high" }),
            &agent,
        )
        .await;
    assert_eq!(
        res.body["priority"], "medium",
        "re-derived when impact or urgency change"
    );
}

#[tokio::test]
async fn concurrent_updates_with_one_etag_one_wins_one_gets_412() {
    let t = TestApp::new().await;
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    let res = t
        .post("/api/v1/tickets", incident("low", "low"), &agent)
        .await;
    let id = res.body["id"].as_i64().unwrap();
    let etag = t
        .get(&format!("/api/v1/tickets/{id}"), &agent)
        .await
        .headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let patch = |subject: &'static str| {
        let req = http::Request::builder()
            .method(Method::PATCH)
            .uri(format!("/api/v1/tickets/{id}"))
            .header("content-type", "application/json")
            .header("if-match", &etag)
            .header(
                "authorization",
                match &agent {
                    Caller::Bearer(b) => format!("Bearer {b}"),
                    _ => unreachable!(),
                },
            )
            .body(axum::body::Body::from(
                json!({ "subject": subject }).to_string(),
            ))
            .unwrap();
        t.send(req)
    };
    let (a, b) = tokio::join!(patch("Versión A"), patch("Versión B"));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::PRECONDITION_FAILED],
        "{} / {}",
        a.text,
        b.text
    );
    let loser = if a.status == StatusCode::OK { &b } else { &a };
    assert_eq!(loser.error_code(), "precondition_failed");
    let winner = if a.status == StatusCode::OK { &a } else { &b };
    let now = t.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    assert_eq!(
        now.body["subject"], winner.body["subject"],
        "the winner's change is kept"
    );
    assert_ne!(now.headers["etag"].to_str().unwrap(), etag);
    let changes = t
        .get(&format!("/api/v1/tickets/{id}/actions"), &agent)
        .await;
    assert_eq!(
        changes
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["field"] == "subject")
            .count(),
        1
    );
}

#[tokio::test]
async fn idempotent_create_and_numbers_that_are_never_reused() {
    let t = TestApp::new().await;
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    let Caller::Bearer(token) = agent.clone() else {
        unreachable!()
    };
    let create = |key: &'static str| {
        let req = http::Request::builder()
            .method(Method::POST)
            .uri("/api/v1/tickets")
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from(
                incident("low", "medium").to_string(),
            ))
            .unwrap();
        t.send(req)
    };
    let first = create("retry-1").await;
    let (again, raced) = tokio::join!(create("retry-1"), create("retry-1"));
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(raced.body["id"], first.body["id"]);
    assert_eq!(again.headers["idempotency-replayed"], "true");
    let other = create("retry-2").await;
    assert_ne!(other.body["id"], first.body["id"]);
    let list = t.get("/api/v1/tickets", &agent).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        2,
        "no duplicate was stored"
    );
    assert_eq!(
        (first.body["number"].as_str(), other.body["number"].as_str()),
        (Some("INC-000001"), Some("INC-000002"))
    );
    let id = other.body["id"].as_i64().unwrap();
    let res = t
        .patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "kind": "service_request" }),
            &agent,
        )
        .await;
    assert_eq!(
        (res.body["kind"].as_str(), res.body["number"].as_str()),
        (Some("service_request"), Some("REQ-000001"))
    );
    let next = t
        .post("/api/v1/tickets", incident("low", "low"), &agent)
        .await;
    assert_eq!(
        next.body["number"], "INC-000003",
        "INC-000002 is not handed out again"
    );
    let timeline = t
        .get(&format!("/api/v1/tickets/{id}/actions"), &agent)
        .await;
    assert!(
        timeline.text.contains("INC-000002"),
        "the old number stays in the history"
    );
}

#[tokio::test]
async fn registration_validates_and_staff_register_for_others() {
    let t = TestApp::new().await;
    let (_, agent) = t.token_for("agent@x.test", "agent").await;
    for (field, body) in [
        (
            "kind",
            json!({ "kind": "problem", "subject": "s", "description": "d", "impact": "low", "urgency": "low" }),
        ),
        (
            "impact",
            json!({ "kind": "incident", "subject": "s", "description": "d", "impact": "huge", "urgency": "low" }),
        ),
        (
            "subject",
            json!({ "kind": "incident", "subject": " ", "description": "d", "impact": "low", "urgency": "low" }),
        ),
        (
            "category_id",
            json!({ "kind": "incident", "subject": "s", "description": "d", "impact": "low", "urgency": "low", "category_id": 99999 }),
        ),
        (
            "facts.started_at",
            json!({ "kind": "incident", "subject": "s", "description": "d", "impact": "low", "urgency": "low", "facts": { "started_at": "ayer" } }),
        ),
        (
            "channel",
            json!({ "kind": "incident", "subject": "s", "description": "d", "impact": "low", "urgency": "low", "channel": "fax" }),
        ),
    ] {
        let res = t.post("/api/v1/tickets", body, &agent).await;
        assert_eq!(
            (res.status, res.body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{}",
            res.text
        );
    }
    let body = json!({ "kind": "incident", "subject": "Llamada: no arranca el PC", "description": "Pantalla negra", "impact": "low", "urgency": "medium",
        "channel": "phone", "requester": { "name": "Lucía Llamante", "email": "lucia@cliente.test", "phone": "+57 1 555 0100" },
        "ci_ref": "PC-0042", "facts": { "started_at": "2026-03-02T08:30:00Z", "impact_scope": "una persona", "error_codes": "0xC000021A", "tried": "Reiniciar" } });
    let res = t.post("/api/v1/tickets", body.clone(), &agent).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        (res.body["channel"].as_str(), res.body["ci_ref"].as_str()),
        (Some("phone"), Some("PC-0042"))
    );
    assert_eq!(res.body["facts"]["error_codes"], "0xC000021A");
    let requester_id = res.body["requester_id"].as_i64().unwrap();
    let user = t
        .get(&format!("/api/v1/users/{requester_id}"), &agent)
        .await;
    assert_eq!(
        (user.body["email"].as_str(), user.body["role"].as_str()),
        (Some("lucia@cliente.test"), Some("requester"))
    );
    let res = t.post("/api/v1/tickets", body, &agent).await;
    assert_eq!(
        res.body["requester_id"], requester_id,
        "the same person is found again by email"
    );
    let (_, requester) = t.token_for("req@x.test", "requester").await;
    let res = t.post("/api/v1/tickets", json!({ "kind": "incident", "subject": "s", "description": "d", "impact": "low", "urgency": "low", "requester_id": requester_id }), &requester).await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "requesters register only for themselves"
    );
}

#[tokio::test]
async fn queues_filter_sort_and_page_by_keyset() {
    let t = TestApp::new().await;
    let (agent_user, agent) = t.token_for("agent@x.test", "agent").await;
    let mut ids = Vec::new();
    for (i, (imp, urg)) in [
        ("low", "low"),
        ("high", "high"),
        ("medium", "medium"),
        ("high", "high"),
        ("low", "medium"),
        ("medium", "high"),
        ("low", "low"),
    ]
    .iter()
    .enumerate()
    {
        let mut body = incident(imp, urg);
        if i % 2 == 0 {
            body["assignee_id"] = json!(agent_user.id);
        }
        ids.push(
            t.post("/api/v1/tickets", body, &agent).await.body["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let mut seen = Vec::new();
    let mut ranks = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/tickets?sort=priority&limit=3&after={a}"),
            None => "/api/v1/tickets?sort=priority&limit=3".into(),
        };
        let res = t.get(&path, &agent).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        for item in res.body["items"].as_array().unwrap() {
            seen.push(item["id"].as_i64().unwrap());
            ranks.push(
                ["critical", "high", "medium", "low", "informational"]
                    .iter()
                    .position(|p| *p == item["priority"])
                    .unwrap(),
            );
        }
        match res.body["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 7, "no repeats");
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "most urgent first: {ranks:?}"
    );
    assert_eq!(seen[0], ids[1], "ties by age: the oldest critical first");
    let count = |q: &str| {
        let t = &t;
        let agent = agent.clone();
        let q = q.to_owned();
        async move {
            t.get(&format!("/api/v1/tickets?{q}"), &agent).await.body["items"]
                .as_array()
                .map_or(usize::MAX, Vec::len)
        }
    };
    assert_eq!(count("assignee=me").await, 4);
    assert_eq!(count("assignee=none").await, 3);
    assert_eq!(count("priority=critical").await, 2);
    assert_eq!(count("status=new,analysis").await, 7);
    assert_eq!(count("status=open").await, 7);
    assert_eq!(count("status=closed").await, 0);
    assert_eq!(count("kind=service_request").await, 0);
    assert_eq!(
        count("q=HIGH%C3%97").await,
        3,
        "words of the text through the search index, case-insensitive: every subject with high on either side"
    );
    let res = t.get("/api/v1/tickets?status=bogus", &agent).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = t
        .get("/api/v1/tickets?sort=priority&after=zzz", &agent)
        .await;
    // A cursor from another list is a refused value of the query, like `limit` (422).
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["error"]["field"], "after");
    let res = t.get("/api/v1/tickets?newest=1&after=5", &agent).await;
    assert_eq!(
        res.body["items"].as_array().unwrap().len(),
        4,
        "ids below 5, newest first"
    );
}

#[tokio::test]
async fn tickets_without_a_group_land_at_the_service_desk() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let (agent_user, agent) = t.token_for("agent@x.test", "agent").await;
    let (_, requester) = t.token_for("req@x.test", "requester").await;
    t.post(
        "/api/v1/groups",
        json!({ "name": "Sistemas", "tier": "L2", "members": [{ "user_id": agent_user.id }] }),
        &admin,
    )
    .await;
    let before = t
        .post("/api/v1/tickets", incident("low", "low"), &requester)
        .await;
    assert_eq!(
        before.body["group_id"],
        serde_json::Value::Null,
        "no L1 group yet: no queue"
    );
    let desk = t.post("/api/v1/groups", json!({ "name": "Mesa de Servicio", "tier": "L1", "members": [{ "user_id": agent_user.id }] }), &admin).await;
    let res = t
        .post("/api/v1/tickets", incident("low", "low"), &requester)
        .await;
    assert_eq!(
        (res.body["group_id"].clone(), res.body["tier"].as_str()),
        (desk.body["id"].clone(), Some("L1"))
    );
    let id = res.body["id"].as_i64().unwrap();
    assert_eq!(
        t.get(&format!("/api/v1/tickets/{id}"), &agent).await.status,
        StatusCode::OK,
        "the desk's agents see it"
    );
}
