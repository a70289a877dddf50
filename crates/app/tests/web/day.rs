//! The agent's working day (issue #16) in the pages: the escalating group follows its
//! tickets (queue tab, ticket page, phone form), every console form keeps what was typed
//! when refused, closed tickets offer no forms, and requesters never read minutes spent,
//! internal status codes or internal notes (portal and API).

use http::StatusCode;
use serde_json::json;
use ventanilla_testkit::{Caller, TestApp};

use crate::helpers::{Browser, assert_page, location, report};

/// A ticket reported by ana and taken by the agent, on a desk whose agents see every ticket.
async fn taken() -> (TestApp, Browser, Browser, i64) {
    let t = crate::helpers::desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    taken_on(t).await
}

async fn taken_on(t: TestApp) -> (TestApp, Browser, Browser, i64) {
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    let res = agent
        .post(
            &t,
            &format!("/console/tickets/{id}/update"),
            &[("op", "take")],
        )
        .await;
    assert!(location(&res).contains("flash=saved"));
    (t, ana, agent, id)
}

async fn ticket_requester(t: &TestApp, id: i64) -> ventanilla_domain::UserId {
    t.app
        .store
        .tickets()
        .get(ventanilla_domain::TicketId(id))
        .await
        .unwrap()
        .requester_id
}

async fn moved(t: &TestApp, agent: &Browser, id: i64, fields: &[(&str, &str)]) {
    let res = agent
        .post(t, &format!("/console/tickets/{id}/transitions"), fields)
        .await;
    assert!(
        location(&res).contains("flash=moved"),
        "{fields:?}: {}",
        res.text
    );
}

#[tokio::test]
async fn requesters_never_read_minutes_internal_statuses_or_notes() {
    let (t, ana, agent, id) = taken().await;
    let tk = format!("/console/tickets/{id}");
    agent
        .post(
            &t,
            &format!("{tk}/actions"),
            &[
                ("kind", "reply"),
                ("body", "RESPUESTA vamos"),
                ("minutes", "25"),
            ],
        )
        .await;
    agent
        .post(
            &t,
            &format!("{tk}/actions"),
            &[
                ("kind", "note"),
                ("body", "NOTA-INTERNA lote 7"),
                ("minutes", "5"),
            ],
        )
        .await;
    moved(&t, &agent, id, &[("to", "analysis")]).await;
    moved(&t, &agent, id, &[("to", "solution")]).await;
    moved(
        &t,
        &agent,
        id,
        &[
            ("to", "validation"),
            ("resolution_code", "fixed"),
            ("resolution", "New toner"),
        ],
    )
    .await;
    // The agent reads everything.
    let page = agent.get(&t, &tk).await;
    assert!(page.text.contains("NOTA-INTERNA"));
    assert!(page.text.contains("[2] Solución"), "staff read the steps");
    assert!(page.text.contains("25"));
    // The portal: the reply and the requester's words for the status, nothing internal.
    let page = ana.get(&t, &format!("/portal/tickets/{id}")).await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("RESPUESTA vamos"));
    assert!(page.text.contains("Esperando su confirmación"));
    for internal in [
        "NOTA-INTERNA",
        "[1]",
        "[2]",
        "[3]",
        "Análisis",
        "minuto",
        "25 min",
    ] {
        assert!(
            !page.text.contains(internal),
            "the portal shows {internal:?}"
        );
    }
    // The API, as the requester (a token of their own).
    let ana_user = ticket_requester(&t, id).await;
    let token = ventanilla_app::api::issue_token(&t.state(), ana_user, "t", None)
        .await
        .unwrap();
    let ana_api = Caller::Bearer(token.token);
    let res = t
        .get(&format!("/api/v1/tickets/{id}/actions"), &ana_api)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.text.contains("NOTA-INTERNA"));
    let internal_codes = [
        "new",
        "analysis",
        "solution",
        "validation",
        "survey",
        "review",
    ];
    let mut told = Vec::new();
    for e in res.body.as_array().unwrap() {
        assert!(e["minutes"].is_null(), "minutes shown: {e}");
        assert_ne!(e["field"], "status", "internal status change shown: {e}");
        assert_ne!(e["code"], "steps", "internal steps shown: {e}");
        for v in [&e["old_value"], &e["new_value"]] {
            if let Some(v) = v.as_str() {
                assert!(!internal_codes.contains(&v), "internal code {v} in {e}");
            }
        }
        if e["field"] == "requester_status" {
            told.push(e["new_value"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        told,
        ["in_progress", "awaiting_your_confirmation"],
        "each change of the requester's status, once"
    );
    // Staff still read the whole timeline through the API.
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    let res = t
        .get(&format!("/api/v1/tickets/{id}/actions"), &admin)
        .await;
    assert!(res.text.contains("NOTA-INTERNA"));
    assert!(res.text.contains("\"minutes\":25"));
}

#[tokio::test]
async fn every_console_form_keeps_what_was_typed_when_refused() {
    let (t, _ana, agent, id) = taken().await;
    let tk = format!("/console/tickets/{id}");
    let version = || async {
        t.app
            .store
            .tickets()
            .get(ventanilla_domain::TicketId(id))
            .await
            .unwrap()
            .version
            .to_string()
    };
    // An empty note: the kind stays "note", the minutes stay, the error is beside the body.
    let res = agent
        .post(
            &t,
            &format!("{tk}/actions"),
            &[("kind", "note"), ("body", "  "), ("minutes", "12")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("id=\"action-body-error\""),
        "{}",
        res.text
    );
    assert!(res.text.contains("id=\"error-summary\""));
    assert!(res.text.contains("value=\"note\" id=\"kind-note\" checked"));
    assert!(res.text.contains("value=\"12\""));
    // Minutes that are no number: refused beside the field, the text kept.
    let res = agent
        .post(
            &t,
            &format!("{tk}/actions"),
            &[
                ("kind", "reply"),
                ("body", "Texto largo escrito"),
                ("minutes", "diez"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"action-minutes-error\""));
    assert!(res.text.contains(">Texto largo escrito</textarea>"));
    // A move to pending without a reason: the action panel's move section is open, "pending"
    // still chosen, the error beside the reason and linked from the summary.
    moved(&t, &agent, id, &[("to", "analysis")]).await;
    let res = agent
        .post(
            &t,
            &format!("{tk}/transitions"),
            &[
                ("to", "pending"),
                ("reason", ""),
                ("version", &version().await),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"move\" open"), "{}", res.text);
    assert!(res.text.contains("id=\"go-pending\" checked"));
    assert!(res.text.contains("id=\"move-reason-error\""));
    assert!(res.text.contains("href=\"#move-reason\""));
    assert!(res.text.contains("Indique un motivo para este cambio"));
    // Validation without a resolution: the reason typed is kept.
    moved(&t, &agent, id, &[("to", "solution")]).await;
    let res = agent
        .post(
            &t,
            &format!("{tk}/transitions"),
            &[
                ("to", "validation"),
                ("reason", "Probado con el usuario"),
                ("version", &version().await),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"go-validation\" checked"));
    assert!(res.text.contains(">Probado con el usuario</textarea>"));
    assert!(res.text.contains("field-error"));
    // A stale version: 409, the page as it is now, the text kept.
    let res = agent
        .post(
            &t,
            &format!("{tk}/transitions"),
            &[
                ("to", "validation"),
                ("resolution_code", "fixed"),
                ("resolution", "Tóner nuevo"),
                ("version", "1"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::CONFLICT);
    assert!(res.text.contains("Alguien cambió este ticket"));
    assert!(res.text.contains(">Tóner nuevo</textarea>"));
    assert!(
        res.text
            .contains(&format!("name=\"version\" value=\"{}\"", version().await))
    );
    // An escalation without a summary: the chosen kind is kept.
    let res = agent
        .post(
            &t,
            &format!("{tk}/escalations"),
            &[("kind", "hierarchical"), ("summary", ""), ("group_id", "")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"escalate\" open"));
    assert!(res.text.contains("id=\"escalate-summary-error\""));
    assert!(res.text.contains("value=\"hierarchical\" selected"));
    // A major-incident flag without a reason and a child that does not exist.
    let res = agent
        .post(
            &t,
            &format!("{tk}/major"),
            &[("major", "true"), ("reason", "")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"major\" open"));
    let res = agent
        .post(&t, &format!("{tk}/children"), &[("number", "INC-999999")])
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("value=\"INC-999999\""));
    // In English too.
    let en = ventanilla_domain::directory::UserPatch {
        language: Some("en".parse().unwrap()),
        ..Default::default()
    };
    let me = t
        .app
        .store
        .tickets()
        .get(ventanilla_domain::TicketId(id))
        .await
        .unwrap()
        .assignee_id
        .unwrap();
    let entry = ventanilla_store::audit::NewAudit::new(t.app.now(), None, "user.update", None);
    t.app.store.users().update(me, &en, &entry).await.unwrap();
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let res = agent
        .post(
            &t,
            &format!("{tk}/actions"),
            &[("kind", "note"), ("body", "")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("This field is required."));
}

#[tokio::test]
async fn closed_and_cancelled_tickets_offer_no_forms_and_validation_says_why() {
    let (t, _ana, agent, id) = taken().await;
    let tk = format!("/console/tickets/{id}");
    let forms = |html: &str| {
        [
            "/actions?",
            "/transitions?",
            "/update?",
            "/escalations?",
            "/major?",
            "/attachments?",
        ]
        .iter()
        .filter(|p| html.contains(&format!("{tk}{p}")))
        .count()
    };
    let page = agent.get(&t, &tk).await;
    assert_eq!(forms(&page.text), 6, "an open ticket offers every form");
    moved(&t, &agent, id, &[("to", "analysis")]).await;
    moved(&t, &agent, id, &[("to", "solution")]).await;
    moved(
        &t,
        &agent,
        id,
        &[
            ("to", "validation"),
            ("resolution_code", "fixed"),
            ("resolution", "Ok"),
        ],
    )
    .await;
    let page = agent.get(&t, &tk).await;
    assert!(page.text.contains("id=\"locked-note\""));
    assert!(
        page.text
            .contains("El solicitante está confirmando la solución")
    );
    assert!(!page.text.contains(&format!("{tk}/actions?")));
    // A cancelled ticket: a note saying so, no form at all.
    let other = report(&t, &Browser::sign_in(&t, "ana@example.com").await, "Otro").await;
    let tk2 = format!("/console/tickets/{other}");
    moved(
        &t,
        &agent,
        other,
        &[("to", "cancelled"), ("reason", "Duplicado")],
    )
    .await;
    let page = agent.get(&t, &tk2).await;
    assert!(page.text.contains("id=\"terminal-note\""));
    let forms2 = [
        "/actions?",
        "/transitions?",
        "/update?",
        "/escalations?",
        "/major?",
        "/attachments?",
    ]
    .iter()
    .filter(|p| page.text.contains(&format!("{tk2}{p}")))
    .count();
    assert_eq!(forms2, 0, "a cancelled ticket offers no form");
}

#[tokio::test]
async fn the_escalating_group_follows_its_tickets_in_the_console() {
    let t = TestApp::new().await;
    let (_, admin) = t.token_for("admin@x.test", "admin").await;
    t.user("ana@example.com", "requester").await;
    let l1 = t.user("l1@example.com", "agent").await;
    let l2 = t.user("l2@example.com", "agent").await;
    let group = |name: &str, tier: &str, member: i64| {
        let body = json!({ "name": name, "tier": tier, "members": [{ "user_id": member }] });
        let t = &t;
        let admin = admin.clone();
        async move {
            t.post("/api/v1/groups", body, &admin).await.body["id"]
                .as_i64()
                .unwrap()
        }
    };
    let desk = group("Mesa", "L1", l1.id.get()).await;
    let net = group("Redes", "L2", l2.id.get()).await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let id = report(&t, &ana, "Sin red en la sala").await;
    t.patch(
        &format!("/api/v1/tickets/{id}"),
        json!({ "group_id": desk, "assignee_id": l1.id.get() }),
        &admin,
    )
    .await;
    let agent = Browser::sign_in(&t, "l1@example.com").await;
    let res = agent
        .post(
            &t,
            &format!("/console/tickets/{id}/escalations"),
            &[
                ("kind", "functional"),
                ("summary", "Switch caído"),
                ("group_id", &net.to_string()),
            ],
        )
        .await;
    // Back on the ticket, now followed.
    assert_eq!(
        location(&res),
        format!("/console/tickets/{id}?flash=escalated")
    );
    let page = agent.get(&t, &format!("/console/tickets/{id}")).await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("id=\"following-note\""));
    assert!(page.text.contains("Redes"));
    assert!(
        !page.text.contains("/transitions?"),
        "followers do not move it"
    );
    assert!(
        page.text.contains("/actions?"),
        "followers may reply and note"
    );
    // The queue's tab, with its count.
    let page = agent.get(&t, "/console?view=following").await;
    assert!(page.text.contains("Sin red en la sala"));
    assert!(page.text.contains("id=\"count-following\">1<"));
    let page = agent.get(&t, "/console?view=groups").await;
    assert!(
        !page.text.contains("Sin red en la sala"),
        "it left my group"
    );
    // The phone form's open tickets of this caller.
    let page = agent
        .get(&t, "/console/phone?caller=ana%40example.com")
        .await;
    assert!(page.text.contains("Sin red en la sala"));
    // The receiving group works it.
    let l2b = Browser::sign_in(&t, "l2@example.com").await;
    let page = l2b.get(&t, &format!("/console/tickets/{id}")).await;
    assert!(!page.text.contains("id=\"following-note\""));
    assert!(page.text.contains("/transitions?"));
}

#[tokio::test]
async fn the_queue_marks_changes_keeps_views_and_answers_unchanged_rows_with_304() {
    let (t, ana, agent, id) = taken().await;
    let other = report(&t, &ana, "Segundo problema").await;
    // Opened: no marker; never opened: "new".
    agent.get(&t, &format!("/console/tickets/{id}")).await;
    let page = agent.get(&t, "/console?view=open").await;
    assert_page(&page, StatusCode::OK);
    let row = |html: &str, tid: i64| -> String {
        let start = html
            .find(&format!("data-href=\"/console/tickets/{tid}\""))
            .unwrap();
        html[start..start + 300].to_owned()
    };
    assert!(!row(&page.text, id).contains(" new") && !row(&page.text, id).contains("changed"));
    assert!(row(&page.text, other).contains(" new"));
    // The requester replies: the ticket changed since the agent looked.
    ana.post(
        &t,
        &format!("/portal/tickets/{id}/reply"),
        &[("body", "Sigue sin imprimir")],
    )
    .await;
    let page = agent.get(&t, "/console?view=open").await;
    assert!(
        row(&page.text, id).contains("changed"),
        "{}",
        row(&page.text, id)
    );
    // The refresh: a validator, and 304 while nothing changed.
    let rows = agent.get(&t, "/console?view=open&part=rows").await;
    let tag = rows
        .headers
        .get(http::header::ETAG)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let req = http::Request::builder()
        .uri("/console?view=open&part=rows")
        .header(
            http::header::COOKIE,
            format!("ventanilla_session={}", agent.cookie),
        )
        .header(http::header::IF_NONE_MATCH, &tag)
        .body(axum::body::Body::empty())
        .unwrap();
    let res = t.send(req).await;
    assert_eq!(res.status, StatusCode::NOT_MODIFIED);
    assert!(res.text.is_empty());
    agent.get(&t, &format!("/console/tickets/{id}")).await;
    let req = http::Request::builder()
        .uri("/console?view=open&part=rows")
        .header(
            http::header::COOKIE,
            format!("ventanilla_session={}", agent.cookie),
        )
        .header(http::header::IF_NONE_MATCH, &tag)
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(
        t.send(req).await.status,
        StatusCode::OK,
        "the marker went away"
    );
    // Columns: chosen ones only; the organisation picker refuses an unknown name.
    let page = agent.get(&t, "/console?view=open&col=group&col=age").await;
    assert!(page.text.contains("class=\"col-group\""));
    assert!(!page.text.contains("class=\"col-requester\""));
    let page = agent.get(&t, "/console?view=open&org=Nadie%20SA").await;
    assert!(page.text.contains("id=\"f-org-error\""));
    let page = agent
        .get(&t, "/console?view=open&requester=ana%40example.com")
        .await;
    assert!(page.text.contains("Printer down") && page.text.contains("Segundo problema"));
    // A saved view comes back in the list and opens the same queue.
    let res = agent
        .post(
            &t,
            "/console/views",
            &[
                ("name", "Solo de Ana"),
                (
                    "query",
                    "view=open&requester=ana%40example.com&cols=subject,group",
                ),
            ],
        )
        .await;
    assert!(location(&res).contains("flash=view-saved"));
    let page = agent.get(&t, "/console").await;
    assert!(page.text.contains(">Solo de Ana</a>"));
    assert!(
        page.text.contains(
            "href=\"/console?view=open&#38;requester=ana%40example.com&#38;cols=subject%2Cgroup\""
        ),
        "the view opens the same queue"
    );
}

/// A person's language, set as their profile says it.
async fn speaks(t: &TestApp, who: ventanilla_domain::UserId, lang: &str) {
    let patch = ventanilla_domain::directory::UserPatch {
        language: Some(lang.parse().unwrap()),
        ..Default::default()
    };
    let entry = ventanilla_store::audit::NewAudit::new(t.app.now(), None, "user.update", None);
    t.app
        .store
        .users()
        .update(who, &patch, &entry)
        .await
        .unwrap();
}

/// One queue row's HTML, from its opening tag to its end.
fn queue_row(html: &str, id: i64) -> String {
    let start = html
        .find(&format!("data-href=\"/console/tickets/{id}\""))
        .unwrap_or_else(|| panic!("ticket {id} is not in the queue"));
    let len = html[start..].find("</tr>").unwrap();
    html[start..start + len].to_owned()
}

/// Finding 6 in the agent's language: the SLA column counts down to the due instant, says
/// how late an overdue ticket is, and shows a pending ticket's clock as paused; rows are
/// marked new or changed since the agent looked; a saved view opens its queue and can be
/// deleted.
async fn queue_clock_marks_and_views(lang: &str) {
    let es = lang == "es";
    let pick = |a: &'static str, b: &'static str| if es { a } else { b };
    let t = crate::helpers::desk().await;
    t.user("ana@example.com", "requester").await;
    let me = t.user("agent@example.com", "agent").await;
    speaks(&t, me.id, lang).await;
    let (_, admin) = t.token_for("root@example.com", "admin").await;
    // Every day but the last minute: the clock always runs, so the countdown is the target.
    let day = json!([["00:00", "23:59"]]);
    let cal = t
        .post(
            "/api/v1/calendars",
            json!({ "name": "Siempre", "calendar": { "time_zone": "UTC", "weekly": {
                "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day } } }),
            &admin,
        )
        .await;
    let cal = cal.body["id"].as_i64().unwrap();
    for p in ["critical", "high", "medium", "low", "informational"] {
        let res = t
            .post(
                "/api/v1/sla-policies",
                json!({ "policy": { "name": format!("P {p}"), "priority": p, "calendar_id": cal,
                    "targets": { "first_response": "PT1H", "resolution": "PT8H" } } }),
                &admin,
            )
            .await;
        assert!(res.status.is_success(), "{}", res.text);
    }
    let (t, ana, agent, id) = taken_on(t).await;
    let other = report(&t, &ana, "Segundo problema").await;
    // Nobody holds it yet, and the facts say so rather than leave the line empty.
    let page = agent.get(&t, &format!("/console/tickets/{other}")).await;
    assert!(
        page.text.contains(&format!(
            "id=\"assignee\"><span class=\"muted\">{}</span>",
            pick("Sin asignar", "Unassigned")
        )),
        "{}",
        page.text
    );

    // A running clock counts down; a ticket the agent never opened is new to them.
    let page = agent.get(&t, "/console?view=open").await;
    assert_page(&page, StatusCode::OK);
    let row = queue_row(&page.text, id);
    assert!(row.contains(pick("vence en", "due in")), "{row}");
    assert!(
        row.contains(pick("Nuevo para usted", "New to you")),
        "{row}"
    );
    assert!(row.contains("class=\"muted countdown\""));
    // A row nobody holds says so in its holder column.
    let row = queue_row(&page.text, other);
    assert!(
        row.contains(&format!(
            "<span class=\"muted\">{}</span>",
            pick("Sin asignar", "Unassigned")
        )),
        "{row}"
    );

    // Opened, then answered by the requester: changed since the agent looked.
    agent.get(&t, &format!("/console/tickets/{id}")).await;
    let row = queue_row(&agent.get(&t, "/console?view=open").await.text, id);
    assert!(!row.contains(" new") && !row.contains("changed"), "{row}");
    ana.post(
        &t,
        &format!("/portal/tickets/{id}/reply"),
        &[("body", "Sigue sin imprimir")],
    )
    .await;
    let row = queue_row(&agent.get(&t, "/console?view=open").await.text, id);
    assert!(
        row.contains(pick("Cambió desde que lo miró", "Changed since you looked")),
        "{row}"
    );

    // The other ticket waits for the requester: its clock is paused, not counting down.
    moved(&t, &agent, other, &[("to", "analysis")]).await;
    moved(
        &t,
        &agent,
        other,
        &[("to", "pending"), ("reason", "Esperando al usuario")],
    )
    .await;
    let page = agent.get(&t, "/console?view=open").await;
    let row = queue_row(&page.text, other);
    assert!(
        row.contains(pick("Reloj en pausa", "Clock paused")),
        "{row}"
    );
    assert!(!row.contains(pick("vence en", "due in")), "{row}");
    // The ticket pages say the same in their status line.
    let page = agent.get(&t, &format!("/console/tickets/{other}")).await;
    assert!(page.text.contains(&format!(
        "id=\"countdown\">{}<",
        pick("Reloj en pausa", "Clock paused")
    )));
    let page = agent.get(&t, &format!("/console/tickets/{id}")).await;
    assert!(
        page.text
            .contains(&format!("id=\"countdown\">{} ", pick("vence en", "due in")))
    );

    // Nine hours on: the running ticket is overdue and says by how much; the paused one
    // still says paused.
    t.clock.advance(jiff::SignedDuration::from_hours(9));
    let page = agent.get(&t, "/console?view=open").await;
    let row = queue_row(&page.text, id);
    assert!(row.contains(pick("vencido hace", "overdue")), "{row}");
    assert!(!row.contains(pick("vence en", "due in")), "{row}");
    assert!(queue_row(&page.text, other).contains(pick("Reloj en pausa", "Clock paused")));

    // A saved view: listed, opens its queue (the paused ticket, the chosen columns), deleted.
    let name = pick("Esperando al usuario", "Waiting for the user");
    let res = agent
        .post(
            &t,
            "/console/views",
            &[("name", name), ("query", "view=pending&cols=subject,sla")],
        )
        .await;
    let to = location(&res);
    assert!(to.contains("flash=view-saved"), "{to}");
    let page = agent.get(&t, &to).await;
    assert!(page.text.contains(pick("Vista guardada.", "View saved.")));
    assert!(page.text.contains(&format!(">{name}</a>")));
    assert!(
        page.text
            .contains("href=\"/console?view=pending&#38;cols=subject%2Csla\"")
    );
    assert!(queue_row(&page.text, other).contains(pick("Reloj en pausa", "Clock paused")));
    assert!(
        !page
            .text
            .contains(&format!("data-href=\"/console/tickets/{id}\""))
    );
    assert!(!page.text.contains("class=\"col-requester\""));
    let view_id: i64 = page
        .text
        .split("action=\"/console/views/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    let res = agent
        .post(&t, &format!("/console/views/{view_id}/delete"), &[])
        .await;
    let to = location(&res);
    let page = agent.get(&t, &to).await;
    assert!(page.text.contains(pick("Vista borrada.", "View deleted.")));
    assert!(!page.text.contains(&format!(">{name}</a>")));
}

#[tokio::test]
async fn the_queue_counts_down_pauses_marks_and_keeps_views_in_spanish() {
    queue_clock_marks_and_views("es").await;
}

#[tokio::test]
async fn the_queue_counts_down_pauses_marks_and_keeps_views_in_english() {
    queue_clock_marks_and_views("en").await;
}

/// Finding 7 in the agent's language: the reply box sits beside the newest entry (above a
/// newest-first history by default, below it once the agent flips the order, which a cookie
/// keeps), every move is one form in the one action panel, and the requester's address
/// breaks after its @, not mid-word.
async fn ticket_page_is_dense(lang: &str) {
    let es = lang == "es";
    let pick = |a: &'static str, b: &'static str| if es { a } else { b };
    let t = crate::helpers::desk().await;
    t.user("ana@example.com", "requester").await;
    let me = t.user("agent@example.com", "agent").await;
    speaks(&t, me.id, lang).await;
    let (t, _ana, agent, id) = taken_on(t).await;
    let tk = format!("/console/tickets/{id}");
    for body in ["RESPUESTA-PRIMERA", "RESPUESTA-SEGUNDA"] {
        let res = agent
            .post(
                &t,
                &format!("{tk}/actions"),
                &[("kind", "reply"), ("body", body)],
            )
            .await;
        assert!(location(&res).contains("flash=reply-sent"));
    }
    let at = |html: &str, what: &str| {
        html.find(what)
            .unwrap_or_else(|| panic!("{what} is not on the page"))
    };
    // Newest first, the reply box above the newest entry.
    let page = agent.get(&t, &tk).await;
    assert_page(&page, StatusCode::OK);
    let html = &page.text;
    assert!(at(html, "id=\"action-form\"") < at(html, "RESPUESTA-SEGUNDA"));
    assert!(at(html, "RESPUESTA-SEGUNDA") < at(html, "RESPUESTA-PRIMERA"));
    assert!(html.contains(&format!(
        "href=\"{tk}?order=oldest\" id=\"order-oldest\">{}<",
        pick("Más antiguos primero", "Oldest first")
    )));
    // One form for every move, in the one action panel, open; the others closed.
    assert_eq!(html.matches("/transitions?").count(), 1, "one move form");
    assert!(html.contains("id=\"move\" open"));
    assert!(html.contains("id=\"go-analysis\"") && html.contains("id=\"go-pending\""));
    assert!(html.contains(pick("Cambiar estado", "Change status")));
    assert!(html.contains("name=\"ticket-action\" id=\"escalate\">"));
    assert!(html.contains("ana<wbr>@example.com"));
    // The side panel's secondary forms are closed sections; a refused one opens.
    for closed in ["merge", "cc-add-section", "kb-link", "upload"] {
        assert!(html.contains(&format!("id=\"{closed}\">")), "{closed}");
    }
    let res = agent
        .post(&t, &format!("{tk}/merge"), &[("into", "INC-999999")])
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"merge\" open"));
    assert!(res.text.contains("id=\"merge-into-error\""));
    // Oldest first: the reply box below the newest entry, and the choice is kept.
    let res = agent.get(&t, &format!("{tk}?order=oldest")).await;
    let cookie = res
        .headers
        .get(http::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("ventanilla_tl_order=oldest"), "{cookie}");
    let html = &res.text;
    assert!(at(html, "RESPUESTA-PRIMERA") < at(html, "RESPUESTA-SEGUNDA"));
    assert!(at(html, "RESPUESTA-SEGUNDA") < at(html, "id=\"action-form\""));
    let req = http::Request::builder()
        .uri(&tk)
        .header(
            http::header::COOKIE,
            format!(
                "ventanilla_session={}; ventanilla_tl_order=oldest",
                agent.cookie
            ),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let html = t.send(req).await.text;
    assert!(at(&html, "RESPUESTA-PRIMERA") < at(&html, "RESPUESTA-SEGUNDA"));
    assert!(html.contains(pick("Más recientes primero", "Newest first")));
}

#[tokio::test]
async fn the_ticket_page_is_one_panel_with_the_reply_beside_the_newest_entry_in_spanish() {
    ticket_page_is_dense("es").await;
}

#[tokio::test]
async fn the_ticket_page_is_one_panel_with_the_reply_beside_the_newest_entry_in_english() {
    ticket_page_is_dense("en").await;
}
