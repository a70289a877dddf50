//! The scheduled reports page (issue 14, item 4): a refused form comes back with what was
//! typed and the reason beside the field, in the reader's language; a saved one is listed
//! and can be deleted; people who do not read reports get no page.

use http::StatusCode;
use ventanilla_testkit::desk;

use crate::helpers::{Browser, assert_page, location};

#[tokio::test]
async fn a_supervisor_schedules_a_report_from_the_page() {
    let d = desk().build().await;
    let sup = Browser::sign_in(&d, "sup@x.test").await;
    let page = sup.get(&d, "/reports/schedules").await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("Informes programados"), "{}", page.text);
    assert!(page.text.contains("id=\"no-schedules\""));
    // The supervisor is offered as a recipient; the requester is not.
    let sup_id = d.supervisor.id().get().to_string();
    assert!(
        page.text
            .contains(&format!("name=\"recipients\" value=\"{sup_id}\""))
    );
    assert!(!page.text.contains("req@x.test"));

    // Nobody ticked: the form comes back with the name and the reason beside the field.
    let res = sup
        .post(
            &d,
            "/reports/schedules",
            &[
                ("name", "Resumen «semanal»"),
                ("cadence", "monthly"),
                ("sep", "semicolon"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("value=\"Resumen «semanal»\""),
        "{}",
        res.text
    );
    assert!(
        res.text.contains("id=\"f-recipients-error\""),
        "{}",
        res.text
    );
    assert!(
        res.text.contains("Elija entre 1 y 50 personas"),
        "{}",
        res.text
    );
    assert!(
        res.text.contains("<option value=\"monthly\" selected>"),
        "{}",
        res.text
    );
    assert!(
        res.text.contains("<option value=\"semicolon\" selected>"),
        "{}",
        res.text
    );
    // Every field's trouble is shown at once, in the form's order.
    let res = sup
        .post(
            &d,
            "/reports/schedules",
            &[
                ("name", " "),
                ("cadence", "weekly"),
                ("group_id", "mesa"),
                ("category_id", "-2"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    let at = |id: &str| {
        res.text
            .find(&format!("id=\"f-{id}-error\""))
            .unwrap_or_else(|| panic!("{id}: {}", res.text))
    };
    assert!(
        at("name") < at("group_id")
            && at("group_id") < at("category_id")
            && at("category_id") < at("recipients")
    );
    assert!(res.text.contains("Escriba el número (id)"), "{}", res.text);
    // A group that is not a number is refused beside its field too.
    let res = sup
        .post(
            &d,
            "/reports/schedules",
            &[
                ("name", "R"),
                ("cadence", "weekly"),
                ("group_id", "mesa"),
                ("recipients", &sup_id),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-group_id-error\""), "{}", res.text);
    assert!(res.text.contains("value=\"mesa\""), "{}", res.text);

    let res = sup
        .post(
            &d,
            "/reports/schedules",
            &[
                ("name", "Resumen semanal"),
                ("cadence", "weekly"),
                ("recipients", &sup_id),
            ],
        )
        .await;
    assert_eq!(location(&res), "/reports/schedules?flash=schedule-saved");
    let page = sup.get(&d, "/reports/schedules?flash=schedule-saved").await;
    assert!(
        page.text.contains("Informe programado guardado"),
        "{}",
        page.text
    );
    assert!(page.text.contains("Resumen semanal"));
    assert!(page.text.contains("Semanal"));
    assert!(
        page.text.contains("2026-03-09 06:00"),
        "next run, desk time: {}",
        page.text
    );
    let list = d.get("/api/v1/reports/schedules", &d.supervisor).await;
    let id = list.body[0]["id"].as_i64().unwrap();

    // The same page in English for an English reader.
    let admin = Browser::sign_in(&d, "admin@x.test").await;
    let res = d
        .patch(
            &format!("/api/v1/users/{}", d.admin.id().get()),
            serde_json::json!({ "language": "en" }),
            &d.admin,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let page = admin.get(&d, "/reports/schedules").await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("Scheduled reports"), "{}", page.text);
    assert!(page.text.contains("Weekly"));

    // Changed from its own page; then deleted.
    let edit = sup.get(&d, &format!("/reports/schedules/{id}")).await;
    assert_page(&edit, StatusCode::OK);
    assert!(edit.text.contains("value=\"Resumen semanal\""));
    let res = sup
        .post(
            &d,
            &format!("/reports/schedules/{id}"),
            &[
                ("name", "Resumen diario"),
                ("cadence", "daily"),
                ("recipients", &sup_id),
            ],
        )
        .await;
    assert_eq!(location(&res), "/reports/schedules?flash=schedule-saved");
    let one = d
        .get(&format!("/api/v1/reports/schedules/{id}"), &d.supervisor)
        .await;
    assert_eq!(one.body["cadence"], "daily");
    assert_eq!(one.body["next_run_at"], "2026-03-03T05:00:00Z");
    // Following the delete link asks first and deletes nothing.
    let ask = sup
        .get(&d, &format!("/reports/schedules/{id}/delete"))
        .await;
    assert_page(&ask, StatusCode::OK);
    assert!(ask.text.contains("id=\"confirm-delete\""), "{}", ask.text);
    let still = d
        .get(&format!("/api/v1/reports/schedules/{id}"), &d.supervisor)
        .await;
    assert_eq!(still.status, StatusCode::OK);
    let res = sup
        .post(&d, &format!("/reports/schedules/{id}/delete"), &[])
        .await;
    assert_eq!(location(&res), "/reports/schedules?flash=schedule-deleted");
    let list = d.get("/api/v1/reports/schedules", &d.supervisor).await;
    assert_eq!(list.body, serde_json::json!([]));

    // An address naming no schedule is the "not found" page, not an error in JSON; so is
    // any other page's (the kind of fault: path values that do not parse).
    for path in [
        "/reports/schedules/abc",
        "/reports/schedules/999",
        "/console/tickets/abc",
    ] {
        let res = sup.get(&d, path).await;
        assert_page(&res, StatusCode::NOT_FOUND);
    }

    // An agent does not read reports: no page, no form.
    let agent = Browser::sign_in(&d, "agent@x.test").await;
    assert_eq!(
        agent.get(&d, "/reports/schedules").await.status,
        StatusCode::FORBIDDEN
    );
    let res = agent
        .post(
            &d,
            "/reports/schedules",
            &[
                ("name", "x"),
                ("cadence", "weekly"),
                ("recipients", &sup_id),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_charging_page_shows_the_month_and_keeps_a_refused_rate() {
    let d = desk().build().await;
    let res = d
        .post("/api/v1/tickets", serde_json::json!({ "kind": "incident", "subject": "Portátil", "description": "No arranca",
            "impact": "low", "urgency": "low", "group_id": d.l1, "assignee_id": d.agent.id(), "requester_id": d.requester.id() }), &d.agent)
        .await;
    let id = res.body["id"].as_i64().unwrap();
    let res = d
        .post(
            &format!("/api/v1/tickets/{id}/actions"),
            serde_json::json!({ "kind": "note", "body": "trabajo", "minutes": 90 }),
            &d.agent,
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);

    // The administrator sets the rates; a rate that is not an amount comes back beside its
    // field with everything typed kept, and nothing is saved.
    let admin = Browser::sign_in(&d, "admin@x.test").await;
    let page = admin.get(&d, "/reports/charging").await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("value=\"2026-03\""), "the current month");
    let group = format!("group-{}", d.l1.get());
    let agent = format!("agent-{}", d.agent.id().get());
    let res = admin
        .post(
            &d,
            "/reports/charging/rates",
            &[
                ("month", "2026-03"),
                ("default", "30"),
                (&group, "40,5"),
                (&agent, "sesenta"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains(&format!("id=\"f-{agent}-error\"")),
        "{}",
        res.text
    );
    assert!(res.text.contains("value=\"sesenta\""));
    assert!(res.text.contains("value=\"40,5\""));
    let rates = d.get("/api/v1/reports/charging/rates", &d.admin).await;
    assert_eq!(rates.body["default_cents_per_hour"], 0, "nothing saved");
    let res = admin
        .post(
            &d,
            "/reports/charging/rates",
            &[
                ("month", "2026-03"),
                ("default", "30"),
                (&group, "40,5"),
                (&agent, "60"),
            ],
        )
        .await;
    assert_eq!(
        location(&res),
        "/reports/charging?month=2026-03&flash=charging-saved"
    );
    let rates = d.get("/api/v1/reports/charging/rates", &d.admin).await;
    assert_eq!(rates.body["groups"][d.l1.get().to_string()], 4050);
    assert_eq!(rates.body["agents"][d.agent.id().get().to_string()], 6000);

    // The supervisor reads the month (90 min × 60,00 = 90,00) and the rates, without a form.
    let sup = Browser::sign_in(&d, "sup@x.test").await;
    let page = sup.get(&d, "/reports/charging?month=2026-03").await;
    assert_page(&page, StatusCode::OK);
    assert!(
        page.text.contains("id=\"charging-totals\""),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("<td class=\"num\">1,50</td><td class=\"num\">90,00</td>"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("id=\"rates-form\""));
    assert!(page.text.contains("40,50"));
    let res = sup
        .post(&d, "/reports/charging/rates", &[("default", "1")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // A month that is not one is said beside the field, and only there.
    let page = admin.get(&d, "/reports/charging?month=marzo").await;
    assert_page(&page, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains("id=\"f-month-error\""), "{}", page.text);
    assert!(
        !page.text.contains("id=\"error-summary\""),
        "the rates form was not sent"
    );
    // A reload of the rates form's address shows the page, not "not found".
    assert_page(
        &sup.get(&d, "/reports/charging/rates").await,
        StatusCode::OK,
    );
    // An agent reads no charges.
    let agent_b = Browser::sign_in(&d, "agent@x.test").await;
    assert_eq!(
        agent_b.get(&d, "/reports/charging").await.status,
        StatusCode::FORBIDDEN
    );
}
