//! The routing pages (issue 17): the header's availability switch, one click from any staff
//! page, whose pressed button is the agent's current availability on every page and in both
//! languages; the team page, where supervisors see who is available and agents who
//! supervise nothing are refused on the server; and a group's routing in the
//! administration (mode, re-offer time, cap, shift calendar).

use http::StatusCode;
use ventanilla_testkit::Desk;

use crate::helpers::{Browser, assert_page, location};

/// The availability codes whose header button says `aria-pressed="true"`.
fn pressed(html: &str) -> Vec<String> {
    html.split("<button")
        .skip(1)
        .filter_map(|tag| {
            let tag = tag.split('>').next()?;
            let value = tag
                .split("name=\"availability\" value=\"")
                .nth(1)?
                .split('"')
                .next()?;
            tag.contains("aria-pressed=\"true\"")
                .then(|| value.to_owned())
        })
        .collect()
}

/// Sets the browser's availability from `back`; checks it lands back there.
async fn switch(d: &Desk, b: &Browser, to: &str, back: &str) {
    let res = b
        .post(
            &d.t,
            "/console/availability",
            &[("availability", to), ("back", back)],
        )
        .await;
    assert_eq!(location(&res), back, "back to the same page");
}

#[tokio::test]
async fn the_switch_marks_the_current_availability_on_every_staff_page_in_both_languages() {
    let d = ventanilla_testkit::desk().build().await;
    let id = d
        .ticket()
        .by(&d.requester)
        .in_group(d.l1)
        .create()
        .await
        .id
        .get();
    let b = Browser::sign_in(&d.t, "agent@x.test").await;
    let pages = [
        "/console".to_owned(),
        format!("/console/tickets/{id}"),
        "/console/notifications".to_owned(),
        "/console/articles".to_owned(),
        "/console/phone".to_owned(),
    ];
    // Never set: available.
    for p in &pages {
        let res = b.get(&d.t, p).await;
        assert_page(&res, StatusCode::OK);
        assert_eq!(pressed(&res.text), vec!["available"], "{p}");
    }
    switch(&d, &b, "busy", "/console/notifications").await;
    for p in &pages {
        let res = b.get(&d.t, p).await;
        assert_eq!(pressed(&res.text), vec!["busy"], "{p}");
        assert!(res.text.contains(">Ocupado</button>"), "{p}");
    }
    // The same in English, after another switch from the ticket page.
    let res = b
        .post(
            &d.t,
            "/language",
            &[("language", "en"), ("back", "/console")],
        )
        .await;
    assert!(res.status.is_redirection());
    switch(&d, &b, "off_shift", &format!("/console/tickets/{id}")).await;
    for p in &pages {
        let res = b.get(&d.t, p).await;
        assert_eq!(pressed(&res.text), vec!["off_shift"], "{p}");
        assert!(res.text.contains(">Off shift</button>"), "{p}");
    }
    // The API reads what the page set.
    let res = d.get("/api/v1/me/availability", &d.agent).await;
    assert_eq!(res.body["availability"].as_str(), Some("off_shift"));
    // A code that is not one is refused; a "back" that leaves the desk is not followed.
    let res = b
        .post(
            &d.t,
            "/console/availability",
            &[("availability", "asleep"), ("back", "/console")],
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
    let res = b
        .post(
            &d.t,
            "/console/availability",
            &[("availability", "away"), ("back", "https://evil.test/")],
        )
        .await;
    assert!(location(&res).starts_with('/'), "{}", location(&res));
    // Without the CSRF token nothing changes.
    let res = b
        .post_raw(
            &d.t,
            "/console/availability",
            &[("availability", "available"), ("back", "/console")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = d.get("/api/v1/me/availability", &d.agent).await;
    assert_eq!(res.body["availability"].as_str(), Some("away"));
    // Requesters have no switch.
    let r = Browser::sign_in(&d.t, "req@x.test").await;
    let res = r.get(&d.t, "/portal").await;
    assert!(!res.text.contains("name=\"availability\""));
}

#[tokio::test]
async fn supervisors_see_who_is_available_and_agents_are_refused() {
    let d = ventanilla_testkit::desk().build().await;
    d.ticket()
        .by(&d.requester)
        .in_group(d.l1)
        .assigned_to(&d.agent)
        .create()
        .await;
    let agent = Browser::sign_in(&d.t, "agent@x.test").await;
    switch(&d, &agent, "away", "/console").await;
    // An agent who supervises no group: refused on the server, and no link in the header.
    let res = agent.get(&d.t, "/console/team").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    assert!(
        !agent
            .get(&d.t, "/console")
            .await
            .text
            .contains("href=\"/console/team\"")
    );
    let sup = Browser::sign_in(&d.t, "sup@x.test").await;
    assert!(
        sup.get(&d.t, "/console")
            .await
            .text
            .contains("href=\"/console/team\"")
    );
    let res = sup.get(&d.t, "/console/team").await;
    assert_page(&res, StatusCode::OK);
    let row = |html: &str, user: i64| -> String {
        html.split(&format!("data-user=\"{user}\""))
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row for {user}"))
            .to_owned()
    };
    let a = row(&res.text, d.agent.id().get());
    assert!(a.contains("Ausente"), "{a}");
    assert!(a.contains("<td>1</td>"), "one open ticket: {a}");
    assert!(res.text.contains("Quién está disponible"));
    // The supervisor's own switch on this page says "available".
    assert_eq!(pressed(&res.text), vec!["available"]);
    let res = sup
        .post(
            &d.t,
            "/language",
            &[("language", "en"), ("back", "/console/team")],
        )
        .await;
    assert!(res.status.is_redirection());
    switch(&d, &agent, "busy", "/console").await;
    let res = sup.get(&d.t, "/console/team").await;
    let a = row(&res.text, d.agent.id().get());
    assert!(a.contains("Busy"), "{a}");
    assert!(res.text.contains("Who is available"));
    // Requesters are refused too.
    let r = Browser::sign_in(&d.t, "req@x.test").await;
    let res = r.get(&d.t, "/console/team").await;
    assert!(res.status.is_client_error(), "{}", res.status);
}

#[tokio::test]
async fn administrators_set_a_groups_routing_with_its_shift_calendar() {
    let d = ventanilla_testkit::desk()
        .with_calendar(
            "Mañanas",
            serde_json::json!({ "time_zone": "Europe/Madrid", "weekly": { "mon": [["08:00", "15:00"]] } }),
        )
        .build()
        .await;
    let cal = d.calendar.unwrap().to_string();
    let group = d.l1.get();
    let path = format!("/admin/groups/{group}/routing");
    let admin = Browser::sign_in(&d.t, "admin@x.test").await;
    let res = admin.get(&d.t, &format!("/admin/groups/{group}")).await;
    assert!(
        res.text.contains(&format!("href=\"{path}\"")),
        "linked from the group"
    );
    let res = admin.get(&d.t, &path).await;
    assert_page(&res, StatusCode::OK);
    assert!(res.text.contains("Asignación automática"));
    assert!(
        res.text.contains("<option value=\"off\" selected>"),
        "off until set"
    );
    assert!(res.text.contains("Mañanas"), "the calendars to choose from");
    // Each refusal beside its field, what was typed kept.
    for (field, fields) in [
        (
            "reoffer_after_minutes",
            [
                ("mode", "round_robin"),
                ("reoffer_after_minutes", "quince"),
                ("max_open", "5"),
                ("shift_calendar_id", ""),
            ],
        ),
        (
            "max_open",
            [
                ("mode", "round_robin"),
                ("reoffer_after_minutes", "15"),
                ("max_open", "0"),
                ("shift_calendar_id", ""),
            ],
        ),
        (
            "shift_calendar_id",
            [
                ("mode", "round_robin"),
                ("reoffer_after_minutes", "15"),
                ("max_open", "5"),
                ("shift_calendar_id", "999999"),
            ],
        ),
        (
            "mode",
            [
                ("mode", "sideways"),
                ("reoffer_after_minutes", "15"),
                ("max_open", "5"),
                ("shift_calendar_id", ""),
            ],
        ),
    ] {
        let res = admin.post(&d.t, &path, &fields).await;
        assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.text.contains(&format!("id=\"f-{field}-error\"")),
            "{field}: {}",
            res.text
        );
        for (k, v) in fields {
            if k != "mode" && k != "shift_calendar_id" {
                assert!(
                    res.text.contains(&format!("value=\"{v}\"")),
                    "{field}: {k} kept"
                );
            }
        }
    }
    let res = admin
        .post(
            &d.t,
            &path,
            &[
                ("mode", "round_robin"),
                ("reoffer_after_minutes", "15"),
                ("max_open", "5"),
                ("shift_calendar_id", &cal),
            ],
        )
        .await;
    assert!(location(&res).starts_with(&format!("{path}?flash=saved")));
    let res = d
        .get(&format!("/api/v1/groups/{group}/routing"), &d.agent)
        .await;
    assert_eq!(
        res.body["mode"].as_str(),
        Some("round_robin"),
        "{}",
        res.text
    );
    assert_eq!(res.body["reoffer_after_minutes"].as_i64(), Some(15));
    assert_eq!(res.body["max_open"].as_i64(), Some(5));
    assert_eq!(res.body["shift_calendar_id"].as_i64(), cal.parse().ok());
    // Read back in English.
    let res = admin
        .post(&d.t, "/language", &[("language", "en"), ("back", "/admin")])
        .await;
    assert!(res.status.is_redirection());
    let res = admin.get(&d.t, &path).await;
    assert!(res.text.contains("Automatic assignment"));
    assert!(
        res.text
            .contains("<option value=\"round_robin\" selected>Round-robin</option>")
    );
    assert!(
        res.text
            .contains(&format!("<option value=\"{cal}\" selected>"))
    );
    // Supervisors and agents: refused on the server.
    for who in ["sup@x.test", "agent@x.test"] {
        let b = Browser::sign_in(&d.t, who).await;
        assert_eq!(
            b.get(&d.t, &path).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        let res = b.post(&d.t, &path, &[("mode", "off")]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}");
    }
    let res = d
        .get(&format!("/api/v1/groups/{group}/routing"), &d.agent)
        .await;
    assert_eq!(res.body["mode"].as_str(), Some("round_robin"));
    // The team page gives the calendar's verdict: now (Monday 2 March, 10:00 in Madrid) the
    // agent is what they set; at 15:30 the shift is closed and they show as off shift.
    let sup = Browser::sign_in(&d.t, "sup@x.test").await;
    let agent_row = |html: &str| -> String {
        html.split(&format!("data-user=\"{}\"", d.agent.id().get()))
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row for the agent: {html}"))
            .to_owned()
    };
    let row = agent_row(&sup.get(&d.t, "/console/team").await.text);
    assert!(
        row.contains("Disponible") && !row.contains("data-shift"),
        "{row}"
    );
    d.t.clock.set("2026-03-02T14:30:00Z".parse().unwrap());
    let res = sup.get(&d.t, "/console/team").await;
    assert_page(&res, StatusCode::OK);
    let row = agent_row(&res.text);
    assert!(row.contains("data-shift=\"closed\""), "{row}");
    assert!(row.contains("Fuera de turno"), "{row}");
    assert!(
        row.contains("el calendario de turno del grupo está cerrado"),
        "{row}"
    );
    let res = d.get("/api/v1/team", &d.admin).await;
    let me = res.body.as_array().and_then(|a| {
        a.iter().find(|m| {
            m["user_id"].as_i64() == Some(d.agent.id().get())
                && m["group_id"].as_i64() == Some(group)
        })
    });
    assert_eq!(
        me.map(|m| m["on_shift"].clone()),
        Some(serde_json::json!(false)),
        "{}",
        res.text
    );
}

#[tokio::test]
async fn administrators_set_an_agents_skills_and_a_refusal_keeps_every_tick() {
    let d = ventanilla_testkit::desk().build().await;
    let agent = d.agent.id().get();
    let path = format!("/admin/users/{agent}/skills");
    let cats = d.get("/api/v1/categories", &d.admin).await;
    let hardware = cats
        .body
        .as_array()
        .and_then(|a| a.iter().find(|c| c["code"] == "hardware"))
        .and_then(|c| c["id"].as_i64())
        .expect("the seeded hardware category")
        .to_string();
    let admin = Browser::sign_in(&d.t, "admin@x.test").await;
    let res = admin.get(&d.t, &format!("/admin/users/{agent}")).await;
    assert!(
        res.text.contains(&format!("href=\"{path}\"")),
        "linked from the user"
    );
    let res = admin.get(&d.t, &path).await;
    assert_page(&res, StatusCode::OK);
    assert!(res.text.contains("Habilidades"));
    let tick = |cat: &str| format!("name=\"category\" value=\"{cat}\" checked");
    assert!(!res.text.contains(&tick(&hardware)), "nothing ticked yet");

    let saved = |body: &serde_json::Value| {
        let mut v: Vec<String> = body
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{}:{}",
                    s["kind"].as_str().unwrap(),
                    s["code"].as_str().unwrap()
                )
            })
            .collect();
        v.sort();
        v
    };
    let res = admin
        .post(
            &d.t,
            &path,
            &[
                ("category", hardware.as_str()),
                ("language", "es"),
                ("ci_types", "servidor\n  router \n\nservidor"),
            ],
        )
        .await;
    assert!(location(&res).starts_with(&format!("{path}?flash=saved")));
    let api = format!("/api/v1/users/{agent}/skills");
    let expected = vec![
        format!("category:{hardware}"),
        "ci_type:router".to_owned(),
        "ci_type:servidor".to_owned(),
        "language:es".to_owned(),
    ];
    assert_eq!(saved(&d.get(&api, &d.admin).await.body), expected);
    let res = admin.get(&d.t, &path).await;
    assert!(res.text.contains(&tick(&hardware)));
    assert!(
        res.text
            .contains("name=\"language\" value=\"es\" lang=\"es\" checked")
    );

    // Refusals (a category that does not exist, a language the desk does not speak) come
    // back beside the skills with every tick and line kept, and store nothing.
    for (kind, code) in [("category", "999999"), ("language", "fr")] {
        let res = admin
            .post(
                &d.t,
                &path,
                &[(kind, code), ("language", "en"), ("ci_types", "impresora")],
            )
            .await;
        assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.text.contains("id=\"f-skills.code-error\""),
            "{kind}: {}",
            res.text
        );
        assert!(
            res.text
                .contains("name=\"language\" value=\"en\" lang=\"en\" checked")
        );
        assert!(
            res.text.contains(">impresora</textarea>"),
            "{kind}: lines kept"
        );
        assert_eq!(saved(&d.get(&api, &d.admin).await.body), expected, "{kind}");
    }

    // In English.
    let res = admin
        .post(&d.t, "/language", &[("language", "en"), ("back", "/admin")])
        .await;
    assert!(res.status.is_redirection());
    let res = admin.get(&d.t, &path).await;
    assert!(res.text.contains("Categories they take"));

    // Supervisors and agents: refused on the server, nothing changed.
    for who in ["sup@x.test", "agent@x.test"] {
        let b = Browser::sign_in(&d.t, who).await;
        assert_eq!(
            b.get(&d.t, &path).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        let res = b.post(&d.t, &path, &[("language", "en")]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(saved(&d.get(&api, &d.admin).await.body), expected);
}
