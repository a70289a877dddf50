//! Satisfaction surveys (SPEC C11, issue 14): the signed single-use link answered without
//! signing in, seed 003's questions recorded, a poor rating opening a follow-up for the
//! supervisors, and results per slice.

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use serde_json::json;
use ventanilla_domain::TicketId;
use ventanilla_testkit::{Caller, Desk, desk};

async fn in_survey(d: &Desk) -> i64 {
    let res = d
        .post("/api/v1/tickets", json!({ "kind": "incident", "subject": "Sin impresora", "description": "No imprime",
            "impact": "low", "urgency": "low", "group_id": d.l1, "assignee_id": d.agent.id(), "requester_id": d.requester.id() }), &d.agent)
        .await;
    let id = res.body["id"].as_i64().unwrap();
    for body in [
        json!({ "to": "analysis" }),
        json!({ "to": "solution" }),
        json!({ "to": "validation", "resolution_code": "fixed", "resolution": "Cambiado el tóner" }),
    ] {
        let res = d
            .post(&format!("/api/v1/tickets/{id}/transitions"), body, &d.agent)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/confirmation"),
            json!({ "solved": true }),
            &d.requester,
        )
        .await;
    assert_eq!(res.body["status"], "survey", "{}", res.text);
    id
}

async fn link(d: &Desk, id: i64) -> Option<String> {
    let app = d.state();
    let t = app.store.tickets().get(TicketId(id)).await.unwrap();
    ventanilla_app::desk::reports::surveys::link_path(&app, &t)
        .await
        .unwrap()
}

async fn post_form(d: &Desk, path: &str, form: &str) -> ventanilla_testkit::TestResponse {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    d.send(req).await
}

#[tokio::test]
async fn the_link_works_once_without_signing_in_and_a_poor_rating_opens_a_follow_up() {
    let d = desk().build().await;
    let id = in_survey(&d).await;
    let path = link(&d, id).await.expect("a link while in survey");
    // A forged token is "not found"; the genuine one shows the form, in Spanish (the
    // requester's language), with seed 003's questions.
    let forged = format!("/survey/{id}/AAAA{}", &path[path.len() - 10..]);
    assert_eq!(
        d.get(&forged, &Caller::Anonymous).await.status,
        StatusCode::GONE
    );
    let page = d.get(&path, &Caller::Anonymous).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Tiempo de respuesta"), "{}", page.text);
    assert!(page.text.contains("Calidad de la comunicación"));
    // A score out of range shows the form again with the comment kept.
    let res = post_form(&d, &path, "rating=9&comment=Muy+lento+%3Dcmd").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("Muy lento =cmd"), "{}", res.text);
    let res = post_form(
        &d,
        &path,
        "rating=2&response_time=1&ability=3&communication=2&comment=Tardaron+mucho",
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.text.contains("Hemos registrado su respuesta"),
        "{}",
        res.text
    );
    // Single use: the ticket moved on to review, the link is spent.
    let t = d.get(&format!("/api/v1/tickets/{id}"), &d.agent).await.body;
    assert_eq!(
        (t["status"].as_str(), t["rating"].as_i64()),
        (Some("review"), Some(2))
    );
    let again = post_form(&d, &path, "rating=5").await;
    assert_eq!(again.status, StatusCode::GONE, "{}", again.text);
    assert!(again.text.contains("ya se usó"));
    assert_eq!(link(&d, id).await, None);
    // The answers, the follow-up and the supervisor's notification.
    let rows = d
        .state()
        .store
        .surveys()
        .for_ticket(TicketId(id))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (
            r.via.as_str(),
            r.overall,
            r.response_time,
            r.ability,
            r.communication,
            r.follow_up.as_str()
        ),
        ("link", 2, Some(1), Some(3), Some(2), "open")
    );
    // The supervisors' notice goes out by mail (in the console it may be folded into the
    // ticket's latest notice of the same burst, here the review that follows the rating).
    let mail = d.state().store.outbox().pending(100).await.unwrap();
    assert!(
        mail.iter()
            .any(|o| o.kind == "notification.survey.poor_rating"
                && o.recipient_id == Some(d.supervisor.id())),
        "{mail:?}"
    );
    let res = d
        .get("/api/v1/reports/surveys?by=group", &d.supervisor)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body[0]["key"], d.l1.get());
    assert_eq!(res.body[0]["responses"], 1);
    assert_eq!(res.body[0]["response_time"], 1.0);
    let k = d.get("/api/v1/reports/kpis", &d.supervisor).await.body;
    assert_eq!(k["csat_average"], 2.0, "{k}");
    // The supervisor closes the follow-up.
    let app = d.state();
    let caller = ventanilla_domain::Caller::new(
        app.store
            .users()
            .actor(d.supervisor.id())
            .await
            .unwrap()
            .unwrap(),
        ventanilla_domain::Origin::Web,
    );
    ventanilla_app::desk::reports::surveys::close_follow_up(
        &app,
        &caller,
        r.id,
        Some("Llamé al usuario"),
    )
    .await
    .unwrap();
    assert!(
        app.store
            .surveys()
            .follow_ups(true, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_portal_and_api_answer_the_same_questions_and_a_good_rating_opens_nothing() {
    let d = desk().build().await;
    let id = in_survey(&d).await;
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/survey"),
            json!({ "rating": 5, "ability": 6 }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/survey"),
            json!({ "rating": 5, "ability": 5, "communication": 4 }),
            &d.requester,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let rows = d
        .state()
        .store
        .surveys()
        .for_ticket(TicketId(id))
        .await
        .unwrap();
    assert_eq!(
        (
            rows[0].via.as_str(),
            rows[0].ability,
            rows[0].follow_up.as_str()
        ),
        ("api", Some(5), "none")
    );
    assert!(
        d.state()
            .store
            .surveys()
            .follow_ups(false, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_invitation_carries_the_link_once_and_one_reminder_follows() {
    let d = desk().build().await;
    d.clock
        .set("2026-03-09T08:00:00Z".parse::<jiff::Timestamp>().unwrap());
    let id = in_survey(&d).await;
    let notices = |d: &Desk| {
        let app = d.state();
        let who = d.requester.id();
        async move {
            app.store
                .notifications()
                .list(who, false, None, 50)
                .await
                .unwrap()
                .0
        }
    };
    let got = notices(&d).await;
    let invites: Vec<_> = got.iter().filter(|n| n.kind == "survey.invite").collect();
    assert_eq!(invites.len(), 1, "{got:?}");
    let link = invites[0].params["link"].clone();
    assert_eq!(Some(link.clone()), link_absolute(&d, id).await);
    // The periodic job sends nothing twice; after half the 72-hour timeout, one reminder.
    d.run_pending_jobs().await;
    assert_eq!(notices(&d).await.len(), got.len());
    d.clock
        .set("2026-03-10T21:00:00Z".parse::<jiff::Timestamp>().unwrap());
    d.run_pending_jobs().await;
    d.run_pending_jobs().await;
    let got = notices(&d).await;
    assert_eq!(
        got.iter().filter(|n| n.kind == "survey.reminder").count(),
        1,
        "{got:?}"
    );
    assert_eq!(got.iter().filter(|n| n.kind == "survey.invite").count(), 1);
    // The link of the mail works (no sign-in) until the timeout moves the ticket on.
    let path = link
        .trim_start_matches(d.state().config.server.public_url.trim_end_matches('/'))
        .to_owned();
    assert_eq!(
        d.get(&path, &Caller::Anonymous).await.status,
        StatusCode::OK
    );
    d.clock
        .set("2026-03-12T09:00:00Z".parse::<jiff::Timestamp>().unwrap());
    d.run_pending_jobs().await;
    assert_eq!(
        d.get(&path, &Caller::Anonymous).await.status,
        StatusCode::GONE
    );
}

async fn link_absolute(d: &Desk, id: i64) -> Option<String> {
    let base = d
        .state()
        .config
        .server
        .public_url
        .trim_end_matches('/')
        .to_owned();
    link(d, id).await.map(|p| format!("{base}{p}"))
}

#[tokio::test]
async fn results_for_the_whole_desk_are_one_line_and_none_without_answers() {
    let d = desk().build().await;
    // No answer yet: no line (and no error: a constant is no GROUP BY term).
    let res = d.get("/api/v1/reports/surveys", &d.supervisor).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body, json!([]));
    let id = in_survey(&d).await;
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/survey"),
            json!({ "rating": 4 }),
            &d.requester,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let res = d
        .get("/api/v1/reports/surveys?by=all&to=", &d.supervisor)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body.as_array().unwrap().len(), 1, "{}", res.text);
    assert_eq!(res.body[0]["responses"], 1);
    assert_eq!(res.body[0]["overall"], 4.0);
}
