//! The event → notification mapping end to end through the API (every origin writes through
//! the same path), the grouping of a burst, and the preferences per kind and channel.

use http::StatusCode;
use jiff::SignedDuration;
use serde_json::json;
use ventanilla_testkit::desk;

use super::{act, inbox, incident, read_all, step};

#[tokio::test]
async fn registration_acknowledges_the_requester_and_tells_the_group() {
    let d = desk().build().await;
    let id = incident(&d, "No puedo imprimir").await;
    assert_eq!(
        inbox(&d, &d.requester).await,
        vec![("ticket.registered".into(), 1)]
    );
    assert_eq!(
        inbox(&d, &d.agent).await,
        vec![("ticket.created".into(), 1)]
    );
    assert!(
        inbox(&d, &d.supervisor).await.is_empty(),
        "supervisors hear of review, not of every ticket"
    );
    // The title is rendered in the reader's language from the stored code and parameters.
    let res = d.get("/api/v1/notifications", &d.requester).await;
    assert_eq!(
        res.body["items"][0]["title"],
        "Hemos registrado INC-000001: No puedo imprimir"
    );
    assert_eq!(res.body["items"][0]["ticket_id"], id);
    // Each notice is also a mail to send.
    let mails: Vec<String> = d
        .app
        .store
        .outbox()
        .pending(100)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.kind)
        .collect();
    assert!(
        mails.contains(&"notification.ticket.registered".to_owned()),
        "{mails:?}"
    );
    assert!(
        mails.contains(&"notification.ticket.created".to_owned()),
        "{mails:?}"
    );
}

#[tokio::test]
async fn the_steps_that_matter_reach_the_right_people() {
    let d = desk().build().await;
    let id = incident(&d, "No puedo imprimir").await;
    read_all(&d, &d.requester).await;
    read_all(&d, &d.agent).await;
    // Assigned by the supervisor: the agent is told; taking it yourself tells nobody.
    let res = d
        .patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "assignee_id": d.agent.id().get() }),
            &d.supervisor,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    assert_eq!(
        inbox(&d, &d.agent).await,
        vec![("ticket.assigned".into(), 1)]
    );
    read_all(&d, &d.agent).await;
    // A public reply reaches the requester; an internal note nobody.
    act(&d, id, &d.agent, "note", "Mirar el driver").await;
    assert!(inbox(&d, &d.requester).await.is_empty());
    act(&d, id, &d.agent, "reply", "¿Qué modelo es?").await;
    assert_eq!(
        inbox(&d, &d.requester).await,
        vec![("ticket.replied".into(), 1)]
    );
    read_all(&d, &d.requester).await;
    // On hold; the requester's reply resumes it and tells the assignee so.
    step(&d, id, &d.agent, json!({ "to": "analysis" })).await;
    step(
        &d,
        id,
        &d.agent,
        json!({ "to": "pending", "reason": "Esperando el modelo" }),
    )
    .await;
    act(&d, id, &d.requester, "reply", "Es una HP 4250").await;
    let res = d.get("/api/v1/notifications?unread=true", &d.agent).await;
    assert_eq!(res.body["items"][0]["kind"], "ticket.requester_replied");
    assert_eq!(res.body["items"][0]["params"]["resumed"], "true");
    assert_eq!(
        res.body["items"][0]["title"],
        "El solicitante ha respondido en INC-000001 y el ticket se reanuda: No puedo imprimir"
    );
    assert_eq!(res.body["items"][0]["body"], "Es una HP 4250");
    read_all(&d, &d.agent).await;
    // The solution proposed asks the requester; their "no" reaches the assignee.
    step(&d, id, &d.agent, json!({ "to": "solution" })).await;
    step(
        &d,
        id,
        &d.agent,
        json!({ "to": "validation", "resolution_code": "driver", "resolution": "Reinstalado el controlador" }),
    )
    .await;
    assert_eq!(
        inbox(&d, &d.requester).await,
        vec![("ticket.validation".into(), 1)]
    );
    read_all(&d, &d.requester).await;
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/confirmation"),
            json!({ "solved": false, "comment": "Sigue sin imprimir" }),
            &d.requester,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let res = d.get("/api/v1/notifications?unread=true", &d.agent).await;
    assert_eq!(res.body["items"][0]["kind"], "ticket.solution_rejected");
    assert_eq!(res.body["items"][0]["body"], "Sigue sin imprimir");
    read_all(&d, &d.agent).await;
    // Solved: survey invitation to the requester; the rating sends it to the supervisor's review.
    step(&d, id, &d.agent, json!({ "to": "solution" })).await;
    step(
        &d,
        id,
        &d.agent,
        json!({ "to": "validation", "resolution_code": "hardware_replaced", "resolution": "Cambiado el fusor" }),
    )
    .await;
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/confirmation"),
            json!({ "solved": true }),
            &d.requester,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    // Their own "yes" is not reported back to them; what they get is the survey's invitation
    // with its signed link (issue 14: by mail, so they can answer without signing in).
    assert_eq!(
        inbox(&d, &d.requester).await,
        vec![("survey.invite".into(), 1), ("ticket.validation".into(), 1)]
    );
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/survey"),
            json!({ "rating": 5 }),
            &d.requester,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    assert_eq!(
        inbox(&d, &d.supervisor).await,
        vec![("ticket.review".into(), 1)]
    );
    let cats = d.get("/api/v1/categories", &d.agent).await;
    let hardware = cats
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "hardware")
        .unwrap()["id"]
        .clone();
    let res = d
        .patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "category_id": hardware }),
            &d.supervisor,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    step(&d, id, &d.supervisor, json!({ "to": "closed" })).await;
    // The closing joins the latest unread entry of the same burst (the survey's invitation);
    // the earlier question about the solution stays as it was.
    assert_eq!(
        inbox(&d, &d.requester).await,
        vec![("ticket.closed".into(), 2), ("ticket.validation".into(), 1)]
    );
    let mails = d.app.store.outbox().pending(500).await.unwrap();
    assert!(mails.iter().any(|o| o.kind == "notification.ticket.closed"));
}

#[tokio::test]
async fn a_burst_on_one_ticket_is_one_entry_until_the_window_passes() {
    let d = desk()
        .config(|c| c.notifications.group_minutes = 10)
        .build()
        .await;
    let id = incident(&d, "No puedo imprimir").await;
    let other = incident(&d, "Sin correo").await;
    act(&d, id, &d.agent, "reply", "Primera").await;
    d.clock.advance(SignedDuration::from_mins(4));
    act(&d, id, &d.agent, "reply", "Segunda").await;
    d.clock.advance(SignedDuration::from_mins(4));
    act(&d, id, &d.agent, "reply", "Tercera").await;
    // Three replies within ten minutes of each other: one entry, standing for three changes
    // plus the acknowledgement it joined; the other ticket keeps its own.
    let res = d
        .get("/api/v1/notifications?unread=true", &d.requester)
        .await;
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", res.text);
    let first = items.iter().find(|n| n["ticket_id"] == id).unwrap();
    assert_eq!(first["kind"], "ticket.replied");
    assert_eq!(first["repeats"], 4);
    assert_eq!(first["body"], "Tercera", "the newest words");
    assert!(
        items
            .iter()
            .any(|n| n["ticket_id"] == other && n["repeats"] == 1)
    );
    // A read entry is not reopened, and a quiet spell starts a new one.
    d.post("/api/v1/notifications/read-all", json!({}), &d.requester)
        .await;
    act(&d, id, &d.agent, "reply", "Cuarta").await;
    d.clock.advance(SignedDuration::from_mins(11));
    act(&d, id, &d.agent, "reply", "Quinta").await;
    assert_eq!(
        inbox(&d, &d.requester).await,
        vec![("ticket.replied".into(), 1), ("ticket.replied".into(), 1)]
    );
    // Grouping is for the list: every reply is still its own mail.
    let replies = d
        .app
        .store
        .outbox()
        .pending(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.kind == "notification.ticket.replied")
        .count();
    assert_eq!(replies, 5);
}

#[tokio::test]
async fn preferences_turn_a_kind_off_per_channel() {
    let d = desk().build().await;
    let res = d
        .get("/api/v1/notifications/preferences", &d.requester)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let kinds: Vec<&str> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "ticket.registered",
            "ticket.replied",
            "ticket.validation",
            "ticket.survey",
            "ticket.closed",
            "ticket.cc",
            "ticket.merged"
        ],
        "a requester is offered the kinds about their own tickets (and those in copy)"
    );
    assert!(
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["in_app"] == true && p["email"] == true)
    );
    // In-app off for acknowledgements, e-mail off for replies.
    let res = d
        .put(
            "/api/v1/notifications/preferences",
            json!({ "items": [
                { "kind": "ticket.registered", "in_app": false, "email": true },
                { "kind": "ticket.replied", "in_app": true, "email": false },
            ] }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["items"][0]["in_app"], false);
    let id = incident(&d, "No puedo imprimir").await;
    act(&d, id, &d.agent, "reply", "¿Qué modelo es?").await;
    assert_eq!(
        inbox(&d, &d.requester).await,
        vec![("ticket.replied".into(), 1)]
    );
    let mine: Vec<(String, String)> = d
        .app
        .store
        .outbox()
        .mail_log(None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.recipient_id == Some(d.requester.id()))
        .map(|o| (o.kind, o.state))
        .collect();
    assert_eq!(
        mine,
        vec![
            ("notification.ticket.replied".into(), "skipped".into()),
            ("notification.ticket.registered".into(), "pending".into()),
        ],
        "the mail turned off is kept as skipped, so the log says why nothing was sent"
    );
    // A kind that does not exist, or is not the caller's, is refused with the field named.
    for kind in ["ticket.nope", "sla.breach"] {
        let res = d
            .put(
                "/api/v1/notifications/preferences",
                json!({ "items": [{ "kind": kind, "in_app": false, "email": false }] }),
                &d.requester,
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert_eq!(res.body["error"]["field"], "items[0].kind");
    }
    // Staff are offered every kind (issue 17's routing and collaboration kinds, issue 13's
    // automation kinds among them).
    let res = d.get("/api/v1/notifications/preferences", &d.agent).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 23);
}
