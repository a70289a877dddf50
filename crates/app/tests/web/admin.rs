//! Administration pages: calendars and SLA policies saved through the API's validation, and
//! what the page shows round-trips unchanged.

use http::StatusCode;

use crate::helpers::{Browser, assert_page, desk, location};

#[tokio::test]
async fn calendars_and_policies_are_edited_as_validated_json() {
    let t = desk().await;
    t.user("admin@example.com", "admin").await;
    t.user("agent@example.com", "agent").await;
    let admin = Browser::sign_in(&t, "admin@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    assert_page(&agent.get(&t, "/admin/sla").await, StatusCode::FORBIDDEN);
    let cal = ventanilla_app::web::admin::sla::NEW_CALENDAR;
    let res = agent
        .post(
            &t,
            "/admin/calendars",
            &[("name", "Madrid"), ("calendar", cal)],
        )
        .await;
    assert_page(&res, StatusCode::FORBIDDEN);
    let res = admin
        .post(
            &t,
            "/admin/calendars",
            &[("name", "Madrid"), ("calendar", cal)],
        )
        .await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    let bad = admin
        .post(
            &t,
            "/admin/calendars",
            &[("name", "Broken"), ("calendar", "{not json")],
        )
        .await;
    assert_page(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    let calendars = t.app.store.sla().calendars().await.unwrap();
    let id = calendars.iter().find(|c| c.name == "Madrid").unwrap().id;
    let policy = format!(
        r#"{{"name":"Critical","priority":"critical","calendar_id":{id},"targets":{{"first_response":"PT1H","resolution":"PT8H"}}}}"#
    );
    let res = admin
        .post(
            &t,
            "/admin/policies",
            &[("policy", &policy), ("active", "on")],
        )
        .await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    // What the page shows can be saved back unchanged.
    let stored = t.app.store.sla().policies().await.unwrap();
    let p = stored.iter().find(|p| p.policy.name == "Critical").unwrap();
    let shown = serde_json::to_string_pretty(&p.policy).unwrap();
    let actions = serde_json::to_string_pretty(&p.actions).unwrap();
    let pid = p.id.to_string();
    let res = admin
        .post(
            &t,
            "/admin/policies",
            &[("id", &pid), ("policy", &shown), ("actions", &actions)],
        )
        .await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    let after = t.app.store.sla().policies().await.unwrap();
    assert!(
        !after.iter().find(|x| x.id == p.id).unwrap().active,
        "unchecked = inactive"
    );
    let c = calendars.iter().find(|c| c.id == id).unwrap();
    let shown = serde_json::to_string_pretty(&c.calendar).unwrap();
    let cid = id.to_string();
    let res = admin
        .post(
            &t,
            "/admin/calendars",
            &[("id", &cid), ("name", "Madrid 2"), ("calendar", &shown)],
        )
        .await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    let page = admin.get(&t, "/admin/sla").await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("Madrid 2") && page.text.contains("Critical"));
}

#[tokio::test]
async fn administrators_manage_the_directory_through_the_apis_rules() {
    let t = desk().await;
    t.user("admin@example.com", "admin").await;
    t.user("agent@example.com", "agent").await;
    let admin = Browser::sign_in(&t, "admin@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let user = [
        ("name", "Nina Nueva"),
        ("email", "nina@example.com"),
        ("role", "agent"),
        ("language", "en"),
    ];
    assert_page(
        &agent.post(&t, "/admin/users", &user).await,
        StatusCode::FORBIDDEN,
    );
    assert!(location(&admin.post(&t, "/admin/users", &user).await).contains("flash=saved"));
    // The same email twice is the API's conflict, shown as a page.
    assert_page(
        &admin.post(&t, "/admin/users", &user).await,
        StatusCode::CONFLICT,
    );
    let res = admin
        .post(
            &t,
            "/admin/organisations",
            &[("name", "Andina"), ("code", "AND")],
        )
        .await;
    assert!(location(&res).contains("flash=saved"));
    let res = admin
        .post(&t, "/admin/groups", &[("name", "Redes"), ("tier", "L2")])
        .await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    let nina = t
        .app
        .store
        .users()
        .by_email(&ventanilla_domain::Email::parse("nina@example.com").unwrap())
        .await
        .unwrap();
    let group = t
        .app
        .store
        .groups()
        .list(
            &Default::default(),
            ventanilla_domain::directory::PageRequest::new(None, None).unwrap(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|(g, _)| g.name == "Redes")
        .unwrap()
        .0;
    let (gid, uid) = (group.id.to_string(), nina.id.to_string());
    let res = admin
        .post(
            &t,
            "/admin/members",
            &[("group_id", &gid), ("user_id", &uid), ("supervisor", "on")],
        )
        .await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    let members = t.app.store.groups().members(group.id).await.unwrap();
    assert!(members.iter().any(|m| m.user_id == nina.id && m.supervisor));
    let res = admin
        .post(
            &t,
            &format!("/admin/users/{uid}/active"),
            &[("active", "false")],
        )
        .await;
    assert!(location(&res).contains("flash=saved"));
    assert!(!t.app.store.users().get(nina.id).await.unwrap().active);
    let page = admin.get(&t, "/admin").await;
    assert!(page.text.contains("Nina Nueva") && page.text.contains("Andina"));
}
