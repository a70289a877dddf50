//! Agent work through the API (issue 17): canned responses (variables checked on save and
//! filled in per ticket, personal ones private), macros (a refused step stops the macro),
//! @mentions and watchers notified, CC'd people told of public replies only, merging a
//! duplicate (both histories, files and people move, requester told, the machine decides),
//! time totals per ticket and per agent per day, and resolution codes from the list.

use http::StatusCode;
use jiff::SignedDuration;
use serde_json::{Value, json};
use ventanilla_testkit::{Desk, Person};

async fn desk() -> Desk {
    ventanilla_testkit::desk().build().await
}

async fn ticket(d: &Desk) -> i64 {
    d.ticket()
        .by(&d.requester)
        .in_group(d.l1)
        .create()
        .await
        .id
        .get()
}

async fn notices(d: &Desk, who: &Person) -> Vec<Value> {
    let res = d.get("/api/v1/notifications", who).await;
    res.body["items"].as_array().cloned().unwrap_or_default()
}

fn kinds(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|n| n["kind"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn canned_responses_check_variables_and_stay_private() {
    let d = desk().await;
    let id = ticket(&d).await;
    let res = d
        .post(
            "/api/v1/canned-responses",
            json!({ "language": "es", "title": "Mal", "body": "Hola {{password}}" }),
            &d.agent,
        )
        .await;
    assert_eq!(
        (res.status, res.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("body"))
    );
    let res = d
        .post(
            "/api/v1/canned-responses",
            json!({ "language": "en", "title": "Hi", "body": "Hi {{ requester_name }}, {{ticket_number}} is with {{group_name}}." }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let mine = res.body["id"].as_i64().unwrap();
    // Shared snippets are for supervisors.
    let res = d
        .post(
            "/api/v1/canned-responses",
            json!({ "language": "es", "title": "Todos", "body": "Gracias", "shared": true }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = d
        .post(
            "/api/v1/canned-responses",
            json!({ "language": "es", "title": "Todos", "body": "Gracias", "shared": true }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let res = d
        .get(
            &format!("/api/v1/tickets/{id}/canned-responses/{mine}"),
            &d.agent,
        )
        .await;
    let number = d.get(&format!("/api/v1/tickets/{id}"), &d.agent).await.body["number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        res.body["text"].as_str(),
        Some(format!("Hi req, {number} is with Mesa.").as_str())
    );
    // Another agent's personal snippet is not found; the shared one is listed for all.
    let res = d
        .get(
            &format!("/api/v1/tickets/{id}/canned-responses/{mine}"),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = d.get("/api/v1/canned-responses", &d.supervisor).await;
    assert_eq!(res.body.as_array().map(Vec::len), Some(1), "{}", res.text);
    let res = d
        .delete(&format!("/api/v1/canned-responses/{mine}"), &d.supervisor)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_macro_stops_at_the_step_the_machine_refuses() {
    let d = desk().await;
    let id = ticket(&d).await;
    let res = d
        .post(
            "/api/v1/macros",
            json!({ "name": "Resolver sin código", "reply": "Hecho, {{requester_name}}", "to_status": "validation" }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let m = res.body["id"].as_i64().unwrap();
    let res = d
        .post("/api/v1/macros", json!({ "name": "x" }), &d.admin)
        .await;
    assert_eq!(
        res.body["error"]["field"].as_str(),
        Some("name"),
        "changes nothing"
    );
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/macros/{m}"),
            json!({}),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    // The reply before the refused move stays, and says the requester's name.
    let tl = d
        .get(&format!("/api/v1/tickets/{id}/actions"), &d.agent)
        .await;
    assert!(tl.text.contains("Hecho, req"), "{}", tl.text);
    let res = d
        .post(
            "/api/v1/macros",
            json!({ "name": "Mal", "note": "{{nope}}" }),
            &d.admin,
        )
        .await;
    assert_eq!(res.body["error"]["field"].as_str(), Some("note"));
    let res = d
        .post(
            "/api/v1/macros",
            json!({ "name": "Otra", "note": "x" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn mentions_watchers_and_cc_are_told_what_concerns_them() {
    let d = ventanilla_testkit::desk().with_l2("Redes").build().await;
    let id = ticket(&d).await;
    let l2 = d.l2_agent.clone().unwrap();
    let other = d.person("otro@x.test", "requester").await;
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/watchers"),
            json!({ "user_id": l2.id().get() }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.body[0]["email"].as_str(),
        Some("l2@x.test"),
        "{}",
        res.text
    );
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/watchers"),
            json!({ "email": "otro@x.test" }),
            &d.agent,
        )
        .await;
    assert_eq!(
        res.body["error"]["field"].as_str(),
        Some("user_id"),
        "watchers are agents: {}",
        res.text
    );
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/cc"),
            json!({ "email": "otro@x.test" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // An internal note mentioning the supervisor: mention + watcher notices, no CC.
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "note", "body": "@sup mira esto; correo de ejemplo bob@sup.test" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        kinds(&notices(&d, &d.supervisor).await),
        vec!["ticket.mentioned"]
    );
    assert_eq!(kinds(&notices(&d, &l2).await), vec!["ticket.watched"]);
    assert!(
        notices(&d, &other).await.is_empty(),
        "CC hears public replies only"
    );
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/actions"),
            json!({ "kind": "reply", "body": "Estamos en ello" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let cc = notices(&d, &other).await;
    assert_eq!(kinds(&cc), vec!["ticket.cc"]);
    assert_eq!(cc[0]["body"].as_str(), Some("Estamos en ello"));
    // The author is never told of their own words (other notices, e.g. a new ticket in
    // their group, are the notification mapping's).
    let own = kinds(&notices(&d, &d.agent).await);
    assert!(
        !own.iter()
            .any(|k| ["ticket.mentioned", "ticket.watched", "ticket.cc"].contains(&k.as_str())),
        "{own:?}"
    );
}

#[tokio::test]
async fn merging_moves_the_work_and_both_histories_say_so() {
    let d = desk().await;
    let dup = ticket(&d).await;
    let main = ticket(&d).await;
    let other = d.person("otra@x.test", "requester").await;
    let third = d.ticket().by(&other).in_group(d.l1).create().await.id.get();
    for (t, body) in [(dup, "Nota del duplicado"), (third, "Nota del tercero")] {
        let res = d
            .post(
                &format!("/api/v1/tickets/{t}/actions"),
                json!({ "kind": "note", "body": body }),
                &d.agent,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED);
    }
    let res = d
        .post(
            &format!("/api/v1/tickets/{dup}/merge"),
            json!({ "into_id": dup }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["error"]["field"].as_str(), Some("into"));
    let res = d
        .post(
            &format!("/api/v1/tickets/{dup}/merge"),
            json!({ "into_number": "INC-999999" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["error"]["field"].as_str(), Some("into_number"));
    let res = d
        .post(
            &format!("/api/v1/tickets/{dup}/merge"),
            json!({ "into_id": main }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["id"].as_i64(), Some(main));
    let main_tl = d
        .get(&format!("/api/v1/tickets/{main}/actions"), &d.agent)
        .await;
    assert!(
        main_tl.text.contains("Nota del duplicado"),
        "{}",
        main_tl.text
    );
    assert!(main_tl.text.contains("merged_from"));
    let dup_tl = d
        .get(&format!("/api/v1/tickets/{dup}/actions"), &d.agent)
        .await;
    assert!(dup_tl.text.contains("Nota del duplicado"), "kept in both");
    assert!(dup_tl.text.contains("merged_into"));
    let t = d.get(&format!("/api/v1/tickets/{dup}"), &d.agent).await;
    assert_eq!(t.body["status"].as_str(), Some("cancelled"));
    assert!(
        kinds(&notices(&d, &d.requester).await).contains(&"ticket.merged".to_owned()),
        "the duplicate's requester is told"
    );
    // Merged again: refused. Into a merged (cancelled) one: refused.
    let res = d
        .post(
            &format!("/api/v1/tickets/{dup}/merge"),
            json!({ "into_id": main }),
            &d.agent,
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.text);
    let res = d
        .post(
            &format!("/api/v1/tickets/{third}/merge"),
            json!({ "into_id": dup }),
            &d.agent,
        )
        .await;
    assert_eq!(res.body["error"]["field"].as_str(), Some("into"));
    // Another requester's duplicate: that requester is CC'd on the main ticket.
    let res = d
        .post(
            &format!("/api/v1/tickets/{third}/merge"),
            json!({ "into_id": main }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let cc = d.get(&format!("/api/v1/tickets/{main}/cc"), &d.agent).await;
    assert_eq!(
        cc.body[0]["email"].as_str(),
        Some("otra@x.test"),
        "{}",
        cc.text
    );
}

#[tokio::test]
async fn time_totals_per_ticket_and_per_agent_per_day() {
    let d = desk().await;
    let id = ticket(&d).await;
    for (who, kind, minutes) in [
        (&d.agent, "note", 30),
        (&d.agent, "reply", 15),
        (&d.supervisor, "note", 10),
    ] {
        let res = d
            .post(
                &format!("/api/v1/tickets/{id}/actions"),
                json!({ "kind": kind, "body": "trabajo", "minutes": minutes }),
                who,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    for bad in [-5, 1441] {
        let res = d
            .post(
                &format!("/api/v1/tickets/{id}/actions"),
                json!({ "kind": "note", "body": "x", "minutes": bad }),
                &d.agent,
            )
            .await;
        assert_eq!(res.body["error"]["field"].as_str(), Some("minutes"));
    }
    let res = d.get(&format!("/api/v1/tickets/{id}/time"), &d.agent).await;
    assert_eq!(res.body["total"].as_i64(), Some(55), "{}", res.text);
    let agent = d.agent.id().get().to_string();
    assert!(
        res.body["by_agent"]
            .as_array()
            .unwrap()
            .contains(&json!({ "key": agent, "minutes": 45 }))
    );
    assert!(
        res.body["by_activity"]
            .as_array()
            .unwrap()
            .contains(&json!({ "key": "note", "minutes": 40 }))
    );
    // The next day another 20 minutes; per day per agent.
    d.clock.advance(SignedDuration::from_hours(24));
    d.post(
        &format!("/api/v1/tickets/{id}/actions"),
        json!({ "kind": "note", "body": "más", "minutes": 20 }),
        &d.agent,
    )
    .await;
    let path = format!(
        "/api/v1/time/days?from=2026-03-01&to=2026-03-05&user_id={}",
        d.agent.id().get()
    );
    let res = d.get(&path, &d.agent).await;
    let days: Vec<(String, i64)> = res
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["day"].as_str().unwrap().to_owned(),
                x["minutes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        vec![("2026-03-02".into(), 45), ("2026-03-03".into(), 20)],
        "{}",
        res.text
    );
    // An agent reads their own days only; a supervisor reads everyone's.
    let res = d
        .get("/api/v1/time/days?from=2026-03-01&to=2026-03-05", &d.agent)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = d
        .get(
            "/api/v1/time/days?from=2026-03-01&to=2026-03-05",
            &d.supervisor,
        )
        .await;
    assert_eq!(res.body.as_array().map(Vec::len), Some(3), "{}", res.text);
    let res = d
        .get(
            "/api/v1/time/days?from=2026-01-01&to=2026-05-01",
            &d.supervisor,
        )
        .await;
    assert_eq!(res.body["error"]["field"].as_str(), Some("to"));
}

#[tokio::test]
async fn resolution_codes_come_from_the_editable_list() {
    let d = desk().await;
    let id = ticket(&d).await;
    for to in ["analysis", "solution"] {
        let res = d
            .post(
                &format!("/api/v1/tickets/{id}/transitions"),
                json!({ "to": to }),
                &d.agent,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    let go = |code: &'static str| json!({ "to": "validation", "resolution_code": code, "resolution": "Hecho" });
    let path = format!("/api/v1/tickets/{id}/transitions");
    let res = d.post(&path, go("lo_que_sea"), &d.agent).await;
    assert_eq!(
        (res.status, res.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("resolution_code"))
    );
    let res = d
        .put(
            "/api/v1/resolution-codes/firmware",
            json!({ "name_es": "Firmware actualizado", "name_en": "Firmware updated" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = d
        .put(
            "/api/v1/resolution-codes/Firm%20ware",
            json!({ "name_es": "x", "name_en": "x" }),
            &d.admin,
        )
        .await;
    assert_eq!(res.body["error"]["field"].as_str(), Some("code"));
    let res = d
        .put(
            "/api/v1/resolution-codes/firmware",
            json!({ "name_es": "Firmware actualizado", "name_en": "Firmware updated", "active": false }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = d.post(&path, go("firmware"), &d.agent).await;
    assert_eq!(
        res.body["error"]["field"].as_str(),
        Some("resolution_code"),
        "retired"
    );
    d.put(
        "/api/v1/resolution-codes/firmware",
        json!({ "name_es": "Firmware actualizado", "name_en": "Firmware updated" }),
        &d.admin,
    )
    .await;
    let res = d.post(&path, go("firmware"), &d.agent).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let list = d.get("/api/v1/resolution-codes", &d.agent).await;
    assert!(list.text.contains("\"firmware\""));
}

#[tokio::test]
async fn a_macro_that_sets_the_category_sets_it() {
    let d = desk().await;
    let id = ticket(&d).await;
    let cats = d.get("/api/v1/categories", &d.agent).await;
    let hardware = cats
        .body
        .as_array()
        .and_then(|a| a.iter().find(|c| c["code"] == "hardware"))
        .and_then(|c| c["id"].as_i64())
        .expect("the seeded hardware category");
    let res = d
        .post(
            "/api/v1/macros",
            json!({ "name": "Es hardware", "category_id": hardware, "note": "Clasificado por macro" }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let m = res.body["id"].as_i64().unwrap();
    let before = d.get(&format!("/api/v1/tickets/{id}"), &d.agent).await;
    assert_ne!(before.body["category_id"].as_i64(), Some(hardware));
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/macros/{m}"),
            json!({}),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let after = d.get(&format!("/api/v1/tickets/{id}"), &d.agent).await;
    assert_eq!(
        after.body["category_id"].as_i64(),
        Some(hardware),
        "{}",
        after.text
    );
    // The category step is on the timeline like any change, before the note.
    let tl = d
        .get(&format!("/api/v1/tickets/{id}/actions"), &d.agent)
        .await;
    assert!(tl.text.contains("category_id"), "{}", tl.text);
    assert!(tl.text.contains("Clasificado por macro"), "{}", tl.text);
    // A macro naming a category that does not exist is refused on its field.
    let res = d
        .post(
            "/api/v1/macros",
            json!({ "name": "Fantasma", "category_id": 999_999 }),
            &d.admin,
        )
        .await;
    assert_eq!(res.body["error"]["field"].as_str(), Some("category_id"));
}

/// Uploads a small file to a ticket as `who` through the API; the attachment's id.
async fn attach(d: &Desk, id: i64, name: &str, who: &Person) -> i64 {
    use axum::body::Body;
    use http::{Method, Request, header};
    let ventanilla_testkit::Caller::Bearer(tok) = &who.caller else {
        unreachable!("desk people use tokens")
    };
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/tickets/{id}/attachments?filename={name}"))
        .header(header::AUTHORIZATION, format!("Bearer {tok}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(b"registro del error".to_vec()))
        .unwrap();
    let res = d.t.send(req).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn merging_moves_the_duplicates_attachments_and_watchers() {
    let d = desk().await;
    let dup = ticket(&d).await;
    let main = ticket(&d).await;
    let file = attach(&d, dup, "error.log", &d.agent).await;
    let res = d
        .post(
            &format!("/api/v1/tickets/{dup}/watchers"),
            json!({ "user_id": d.supervisor.id().get() }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let files_of = |t: i64| {
        let d = &d;
        async move {
            let res = d
                .get(&format!("/api/v1/tickets/{t}/attachments"), &d.agent)
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            res.body
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|a| a["id"].as_i64())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(files_of(main).await, Vec::<i64>::new());
    let res = d
        .post(
            &format!("/api/v1/tickets/{dup}/merge"),
            json!({ "into_id": main }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(files_of(main).await, vec![file], "the file moved");
    assert_eq!(
        files_of(dup).await,
        Vec::<i64>::new(),
        "and left the duplicate"
    );
    let res = d
        .get(&format!("/api/v1/attachments/{file}"), &d.agent)
        .await;
    assert_eq!(res.status, StatusCode::OK, "still downloadable");
    let w = d
        .get(&format!("/api/v1/tickets/{main}/watchers"), &d.agent)
        .await;
    assert_eq!(
        w.body[0]["email"].as_str(),
        Some("sup@x.test"),
        "{}",
        w.text
    );
    // The watcher now hears of the main ticket's notes.
    let res = d
        .post(
            &format!("/api/v1/tickets/{main}/actions"),
            json!({ "kind": "note", "body": "Sigue aquí" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert!(
        kinds(&notices(&d, &d.supervisor).await).contains(&"ticket.watched".to_owned()),
        "the moved watcher is told"
    );
}
