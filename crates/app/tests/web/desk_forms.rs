//! The agent's phone form and the SLA policy and calendar forms (issue 16, findings 8 and 9):
//! a call resolved during the call is one registration that counts as first-contact
//! resolution; policies are created and edited with targets in hours and minutes; calendars
//! with windows per weekday, holidays and exceptions; refused input comes back as typed
//! with the error beside its field (the JSON import too).

use http::StatusCode;
use serde_json::Value;
use ventanilla_domain::TicketId;
use ventanilla_domain::sla::SlaAction;

use crate::helpers::{Browser, assert_page, desk, location, ticket_id};

fn call<'a>(subject: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("caller_name", "Carla Caller"),
        ("caller_email", "carla@example.com"),
        ("kind", "incident"),
        ("subject", subject),
        ("description", "Cannot sign in to the payroll app"),
        ("impact", "low"),
        ("urgency", "medium"),
    ];
    f.extend_from_slice(extra);
    f
}

#[tokio::test]
async fn a_call_resolved_during_the_call_is_registered_resolved_and_counts_as_first_contact() {
    let t = desk().await;
    t.user("agent@example.com", "agent").await;
    t.user("sup@example.com", "supervisor").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    // Requesters and the anonymous never reach the form.
    t.user("ana@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let refused = ana
        .post(&t, "/console/phone", &call("Sneaky", &[("resolved", "on")]))
        .await;
    assert_page(&refused, StatusCode::FORBIDDEN);

    let page = agent.get(&t, "/console/phone").await;
    assert_page(&page, StatusCode::OK);
    for field in [
        "name=\"resolved\"",
        "name=\"group_id\"",
        "name=\"priority\"",
        "name=\"assign_to_me\"",
    ] {
        assert!(page.text.contains(field), "the form has {field}");
    }
    assert!(
        !page.text.contains("Solo a mí"),
        "not the requester's questions"
    );

    let res = agent
        .post(
            &t,
            "/console/phone",
            &call(
                "Password reset",
                &[
                    ("assign_to_me", "on"),
                    ("resolved", "on"),
                    ("resolution_code", "fixed"),
                    ("resolution", "Reset the password with the caller"),
                ],
            ),
        )
        .await;
    let to = location(&res);
    assert!(to.contains("flash=resolved"), "{to}");
    let id = ticket_id(&to);
    let stored = t.app.store.tickets().get(TicketId(id)).await.unwrap();
    assert_eq!(stored.status.as_str(), "validation");
    assert_eq!(stored.channel.as_str(), "phone");
    assert_eq!(stored.resolution_code.as_deref(), Some("fixed"));
    let agent_id = t
        .app
        .store
        .users()
        .by_email(&ventanilla_domain::Email::parse("agent@example.com").unwrap())
        .await
        .unwrap()
        .id;
    assert_eq!(stored.assignee_id, Some(agent_id));
    assert!(stored.resolved_at.is_some());

    // A second call, not resolved, stays new and unassigned when "assign to me" is unticked.
    let res = agent
        .post(&t, "/console/phone", &call("Printer jam", &[]))
        .await;
    let open = ticket_id(&location(&res));
    let open = t.app.store.tickets().get(TicketId(open)).await.unwrap();
    assert_eq!(open.status.as_str(), "new");
    assert_eq!(open.assignee_id, None);

    // The KPIs: one resolved, and it counts as first-contact resolution.
    let sup = t
        .login("sup@example.com", ventanilla_testkit::PASSWORD)
        .await;
    let res = t.get("/api/v1/reports/kpis", &sup).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let k: &Value = &res.body;
    assert_eq!(k["tickets_resolved"], 1, "{k}");
    assert_eq!(k["tickets_created"], 2, "{k}");
    assert_eq!(
        k["first_contact_resolution_rate"].as_f64(),
        Some(1.0),
        "{k}"
    );
}

#[tokio::test]
async fn a_refused_call_comes_back_as_typed_with_errors_beside_the_fields() {
    let t = desk().await;
    t.user("agent@example.com", "agent").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let res = agent
        .post(
            &t,
            "/console/phone",
            &call(
                "Keep what I typed",
                &[
                    ("priority", "critical"),
                    ("resolved", "on"),
                    ("resolution", "Typed resolution text"),
                    ("ci_ref", "payroll-app"),
                ],
            ),
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &res.text;
    assert!(html.contains("id=\"error-summary\""));
    assert!(
        html.contains("id=\"priority_reason-error\""),
        "reason beside its field"
    );
    assert!(
        html.contains("id=\"resolution_code-error\""),
        "code beside its field"
    );
    for kept in [
        "value=\"Keep what I typed\"",
        "Typed resolution text",
        "value=\"carla@example.com\"",
        "value=\"payroll-app\"",
        "<option value=\"critical\" selected>",
        "name=\"resolved\" checked",
    ] {
        assert!(html.contains(kept), "kept {kept}");
    }
    // A refusal by the use case (an unknown resolution code) is placed the same way.
    let res = agent
        .post(
            &t,
            "/console/phone",
            &call(
                "Still typed",
                &[
                    ("resolved", "on"),
                    ("resolution_code", "no_such_code"),
                    ("resolution", "Done"),
                ],
            ),
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"resolution_code-error\""));
    assert!(res.text.contains("value=\"Still typed\""));
    // "Assign to me" in a group the agent is not in: the use case's refusal, beside the box.
    let (_, root) = t.token_for("root@example.com", "admin").await;
    let group = t
        .post(
            "/api/v1/groups",
            serde_json::json!({ "name": "Redes", "tier": "L2" }),
            &root,
        )
        .await;
    let group = group.body["id"].as_i64().unwrap().to_string();
    let res = agent
        .post(
            &t,
            "/console/phone",
            &call(
                "Other group",
                &[("group_id", group.as_str()), ("assign_to_me", "on")],
            ),
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("id=\"assign_to_me-error\""),
        "{}",
        res.text
    );
    assert!(
        res.text
            .contains(&format!("<option value=\"{group}\" selected>"))
    );
    let none = t
        .app
        .store
        .tickets()
        .list(
            &ventanilla_store::tickets::TicketScope::All,
            &ventanilla_store::tickets::TicketFilter::default(),
            ventanilla_store::tickets::TicketSort::Newest,
            None,
            10,
        )
        .await
        .unwrap();
    assert!(none.items.is_empty(), "nothing registered");
}

async fn admin_desk() -> (ventanilla_testkit::TestApp, Browser, Browser) {
    let t = desk().await;
    t.user("admin@example.com", "admin").await;
    t.user("agent@example.com", "agent").await;
    let admin = Browser::sign_in(&t, "admin@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    (t, admin, agent)
}

const WEEK: &[(&str, &str)] = &[
    ("name", "Madrid"),
    ("time_zone", "Europe/Madrid"),
    ("mon", "09:00-14:00, 15:00-18:00"),
    ("tue", "09:00-18:00"),
    ("wed", "09:00-18:00"),
    ("thu", "09:00-18:00"),
    ("fri", "09:00-15:00"),
    ("holidays", "2026-12-25 *\n2026-01-06"),
    ("exceptions", "2026-12-24 09:00-14:00\n2026-12-31"),
];

#[tokio::test]
async fn policies_and_calendars_are_created_and_edited_as_forms() {
    let (t, admin, agent) = admin_desk().await;
    for path in ["/admin/sla/policies/new", "/admin/sla/calendars/new"] {
        assert_page(&agent.get(&t, path).await, StatusCode::FORBIDDEN);
        assert_page(&agent.post(&t, path, WEEK).await, StatusCode::FORBIDDEN);
    }
    assert_page(
        &admin.get(&t, "/admin/sla/calendars/new").await,
        StatusCode::OK,
    );
    let res = admin.post(&t, "/admin/sla/calendars/new", WEEK).await;
    let to = location(&res);
    assert!(to.contains("flash=saved"), "{to}");
    let cal = t.app.store.sla().calendars().await.unwrap();
    let cal = cal.iter().find(|c| c.name == "Madrid").unwrap();
    let spec = serde_json::to_value(&cal.calendar).unwrap();
    assert_eq!(
        spec["weekly"]["mon"],
        serde_json::json!([["09:00", "14:00"], ["15:00", "18:00"]])
    );
    assert!(spec["weekly"].get("sat").is_none(), "{spec}");
    assert_eq!(
        spec["holidays"][1],
        serde_json::json!({"date": "2026-12-25", "yearly": true})
    );
    assert_eq!(
        spec["exceptions"][1],
        serde_json::json!({"date": "2026-12-31", "windows": []})
    );
    // The form shows the calendar as it was typed.
    let page = admin
        .get(&t, &format!("/admin/sla/calendars/{}", cal.id))
        .await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("value=\"09:00-14:00, 15:00-18:00\""));
    assert!(page.text.contains("2026-12-25 *"));

    let cal_id = cal.id.to_string();
    let policy = [
        ("name", "Alta Madrid"),
        ("priority", "high"),
        ("calendar_id", cal_id.as_str()),
        ("response_h", "0"),
        ("response_m", "15"),
        ("resolution_h", "4"),
        ("resolution_m", "30"),
        ("warn_percent", "80"),
        ("warning_notify_assignee", "on"),
        ("breach_notify_supervisors", "on"),
        ("breach_escalate", "on"),
        ("active", "on"),
    ];
    assert_page(
        &admin.get(&t, "/admin/sla/policies/new").await,
        StatusCode::OK,
    );
    let res = admin.post(&t, "/admin/sla/policies/new", &policy).await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    let stored = t.app.store.sla().policies().await.unwrap();
    let p = stored
        .iter()
        .find(|p| p.policy.name == "Alta Madrid")
        .unwrap();
    assert_eq!(p.policy.targets.first_response.as_secs(), 15 * 60);
    assert_eq!(p.policy.targets.resolution.as_secs(), 270 * 60);
    assert_eq!(p.policy.calendar_id, cal.id);
    assert_eq!(p.policy.warn_percent, 80);
    assert_eq!(p.actions.warning, vec![SlaAction::NotifyAssignee]);
    assert_eq!(
        p.actions.breach,
        vec![
            SlaAction::NotifySupervisors,
            SlaAction::Escalate { group_id: None }
        ]
    );
    // The list reads the targets in words, with the decimal comma's language.
    let list = admin.get(&t, "/admin/sla").await;
    assert_page(&list, StatusCode::OK);
    assert!(list.text.contains(">15 min<"), "{}", list.text);
    assert!(list.text.contains(">4 h 30 min<"));
    assert!(
        !list.text.contains("PT15M") || list.text.contains("<textarea"),
        "ISO only in the JSON export"
    );

    // Editing: the form shows hours and minutes; a new target is saved.
    let edit = format!("/admin/sla/policies/{}", p.id);
    let page = admin.get(&t, &edit).await;
    assert!(page.text.contains("name=\"response_m\" type=\"number\" min=\"0\" max=\"59\" inputmode=\"numeric\" size=\"3\" value=\"15\""));
    let mut changed = policy.to_vec();
    changed.retain(|(k, _)| *k != "response_m" && *k != "active");
    changed.push(("response_m", "20"));
    let res = admin.post(&t, &edit, &changed).await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    let after = t.app.store.sla().policies().await.unwrap();
    let q = after.iter().find(|x| x.id == p.id).unwrap();
    assert_eq!(q.policy.targets.first_response.as_secs(), 20 * 60);
    assert!(!q.active, "unticked = inactive");
}

#[tokio::test]
async fn refused_policies_calendars_and_json_come_back_as_typed() {
    let (t, admin, _) = admin_desk().await;
    // A bad window and a bad date: each beside its field, everything kept.
    let mut week = WEEK.to_vec();
    week.retain(|(k, _)| !matches!(*k, "tue" | "holidays"));
    week.push(("tue", "9-18"));
    week.push(("holidays", "2026-12-25 *\nChristmas"));
    let res = admin.post(&t, "/admin/sla/calendars/new", &week).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-tue-error\""));
    assert!(res.text.contains("id=\"f-holidays-error\""));
    assert!(res.text.contains("value=\"9-18\""));
    assert!(res.text.contains("Christmas"));
    assert!(t.app.store.sla().calendars().await.unwrap().is_empty());
    let res = admin.post(&t, "/admin/sla/calendars/new", WEEK).await;
    location(&res);
    let cal = t.app.store.sla().calendars().await.unwrap()[0]
        .id
        .to_string();

    // Targets that are not numbers, and a first response after the resolution.
    let bad = [
        ("name", "Typed policy"),
        ("priority", "medium"),
        ("calendar_id", cal.as_str()),
        ("response_h", "abc"),
        ("response_m", "0"),
        ("resolution_h", "2"),
        ("resolution_m", "75"),
        ("warn_percent", "120"),
    ];
    let res = admin.post(&t, "/admin/sla/policies/new", &bad).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-response-error\""));
    assert!(res.text.contains("id=\"f-resolution-error\""));
    assert!(res.text.contains("id=\"f-warn_percent-error\""));
    assert!(res.text.contains("value=\"120\""));
    assert!(res.text.contains("value=\"Typed policy\""));
    assert!(res.text.contains("value=\"abc\""));
    assert!(res.text.contains("<option value=\"medium\" selected>"));
    let late = [
        ("name", "Late"),
        ("priority", "medium"),
        ("calendar_id", cal.as_str()),
        ("response_h", "9"),
        ("resolution_h", "2"),
    ];
    let res = admin.post(&t, "/admin/sla/policies/new", &late).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("id=\"f-response-error\""),
        "the domain's refusal beside the target"
    );
    assert!(t.app.store.sla().policies().await.unwrap().is_empty());

    // The JSON import: bad JSON is shown again, as typed, with its error.
    let res = admin
        .post(
            &t,
            "/admin/calendars",
            &[("name", "Broken"), ("calendar", "{not json at all")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("{not json at all"),
        "the typed JSON is kept"
    );
    assert!(res.text.contains("id=\"cal-new-calendar-error\""));
    assert!(res.text.contains("value=\"Broken\""));
    let res = admin
        .post(&t, "/admin/policies", &[("policy", "{\"name\": 1")])
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("{&quot;name&quot;: 1") || res.text.contains("{&#34;name&#34;: 1"),
        "kept"
    );
    assert!(res.text.contains("id=\"pol-new-policy-error\""));
}
