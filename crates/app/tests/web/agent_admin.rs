//! The pages where agent work is kept (issue 17): canned responses in the console (an
//! agent's own and the shared ones; another agent's are "not found"; shared ones are for
//! supervisors) and resolution codes in the administration (administrators only). Every
//! form shows a refusal beside its field with what was typed kept, in Spanish and English.

use http::StatusCode;
use ventanilla_testkit::Desk;

use crate::helpers::{Browser, assert_page, location};

/// The id at the end of a `/…/{id}?flash=saved` location.
fn saved_id(loc: &str) -> i64 {
    assert!(loc.contains("flash=saved"), "not saved: {loc}");
    loc.split('?')
        .next()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {loc}"))
}

async fn english(d: &Desk, b: &Browser) {
    let res = b
        .post(
            &d.t,
            "/language",
            &[("language", "en"), ("back", "/console")],
        )
        .await;
    assert!(res.status.is_redirection());
}

#[tokio::test]
async fn agents_keep_their_canned_responses_and_supervisors_the_shared_ones() {
    let d = ventanilla_testkit::desk().build().await;
    let agent = Browser::sign_in(&d.t, "agent@x.test").await;
    let res = agent.get(&d.t, "/console/canned").await;
    assert_page(&res, StatusCode::OK);
    assert!(
        res.text.contains("Aún no hay respuestas predefinidas"),
        "{}",
        res.text
    );
    assert!(
        res.text.contains("href=\"/console/canned\""),
        "in the console's menu"
    );
    let form = agent.get(&d.t, "/console/canned/new").await;
    assert_page(&form, StatusCode::OK);
    assert!(
        form.text.contains("{{requester_name}}"),
        "the variables are listed"
    );
    assert!(
        !form.text.contains("name=\"shared\""),
        "agents keep personal ones only"
    );
    // An unknown variable: refused beside the text, what was typed kept.
    let res = agent
        .post(
            &d.t,
            "/console/canned",
            &[
                ("language", "es"),
                ("title", "Saludo"),
                ("body", "Hola {{contraseña}}"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-body-error\""), "{}", res.text);
    assert!(res.text.contains("Hola {{contraseña}}"));
    assert!(res.text.contains("value=\"Saludo\""));
    let res = agent
        .post(
            &d.t,
            "/console/canned",
            &[
                ("language", "es"),
                ("title", "Saludo"),
                ("body", "Hola {{requester_name}}"),
            ],
        )
        .await;
    let id = saved_id(&location(&res));
    let res = agent
        .post(
            &d.t,
            &format!("/console/canned/{id}"),
            &[
                ("language", "en"),
                ("title", "Greeting"),
                ("body", "Hello {{requester_name}}"),
            ],
        )
        .await;
    assert_eq!(saved_id(&location(&res)), id);
    let res = d.get("/api/v1/canned-responses", &d.agent).await;
    assert_eq!(
        res.body[0]["title"].as_str(),
        Some("Greeting"),
        "{}",
        res.text
    );
    assert_eq!(res.body[0]["language"].as_str(), Some("en"));
    // Shared: refused for an agent (the server decides, whatever the form shows).
    let res = agent
        .post(
            &d.t,
            "/console/canned",
            &[
                ("language", "es"),
                ("title", "Todos"),
                ("body", "Gracias"),
                ("shared", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Another agent's snippet: not found, to read and to change.
    let sup = Browser::sign_in(&d.t, "sup@x.test").await;
    let res = sup.get(&d.t, &format!("/console/canned/{id}")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = sup
        .post(
            &d.t,
            &format!("/console/canned/{id}"),
            &[("language", "es"), ("title", "Mío"), ("body", "x")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // The supervisor keeps a shared one, in English; the agent lists it but cannot open it.
    english(&d, &sup).await;
    let form = sup.get(&d.t, "/console/canned/new").await;
    assert!(
        form.text.contains("Shared with every agent"),
        "{}",
        form.text
    );
    let res = sup
        .post(
            &d.t,
            "/console/canned",
            &[
                ("language", "en"),
                ("title", ""),
                ("body", "Thanks"),
                ("shared", "on"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-title-error\""), "{}", res.text);
    assert!(res.text.contains(">Thanks</textarea>"));
    let res = sup
        .post(
            &d.t,
            "/console/canned",
            &[
                ("language", "en"),
                ("title", "Thanks"),
                ("body", "Thanks"),
                ("shared", "on"),
            ],
        )
        .await;
    let shared = saved_id(&location(&res));
    let list = agent.get(&d.t, "/console/canned").await.text;
    assert!(list.contains(">Thanks<"), "{list}");
    assert!(!list.contains(&format!("href=\"/console/canned/{shared}\"")));
    assert!(list.contains(&format!("href=\"/console/canned/{id}\"")));
    let res = agent
        .post(&d.t, &format!("/console/canned/{shared}/delete"), &[])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // The agent deletes their own.
    let res = agent
        .post(&d.t, &format!("/console/canned/{id}/delete"), &[])
        .await;
    assert!(location(&res).starts_with("/console/canned?flash=deleted"));
    let res = d.get("/api/v1/canned-responses", &d.agent).await;
    assert_eq!(res.body.as_array().map(Vec::len), Some(1), "{}", res.text);
    // Requesters have none.
    let r = Browser::sign_in(&d.t, "req@x.test").await;
    assert_eq!(
        r.get(&d.t, "/console/canned").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        r.get(&d.t, "/console/canned/new").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn administrators_keep_the_resolution_codes() {
    let d = ventanilla_testkit::desk().build().await;
    let admin = Browser::sign_in(&d.t, "admin@x.test").await;
    let res = admin.get(&d.t, "/admin").await;
    assert!(res.text.contains("href=\"/admin/resolution-codes\""));
    let res = admin.get(&d.t, "/admin/resolution-codes").await;
    assert_page(&res, StatusCode::OK);
    assert!(res.text.contains("Códigos de resolución"));
    assert!(res.text.contains("data-code=\"driver\""), "the seeded list");
    // A bad code and a bad position: each beside its field, the names kept.
    let res = admin
        .post(
            &d.t,
            "/admin/resolution-codes",
            &[
                ("code", "Con Espacios"),
                ("name_es", "Reinicio"),
                ("name_en", "Restart"),
                ("active", "on"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-code-error\""), "{}", res.text);
    assert!(res.text.contains("value=\"Reinicio\""));
    let res = admin
        .post(
            &d.t,
            "/admin/resolution-codes",
            &[
                ("code", "restart"),
                ("name_es", "Reinicio"),
                ("name_en", "Restart"),
                ("position", "dos"),
                ("active", "on"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-position-error\""), "{}", res.text);
    // An existing code is not renamed by the "new" form.
    let res = admin
        .post(
            &d.t,
            "/admin/resolution-codes",
            &[
                ("code", "driver"),
                ("name_es", "Otro"),
                ("name_en", "Other"),
                ("active", "on"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-code-error\""), "{}", res.text);
    let res = admin
        .post(
            &d.t,
            "/admin/resolution-codes",
            &[
                ("code", "restart"),
                ("name_es", "Reinicio"),
                ("name_en", "Restart"),
                ("position", "5"),
                ("active", "on"),
            ],
        )
        .await;
    assert!(
        location(&res).starts_with("/admin/resolution-codes/restart?flash=saved"),
        "{}",
        location(&res)
    );
    // Retired (in English): no longer accepted for a resolution, kept in the list.
    english(&d, &admin).await;
    let res = admin.get(&d.t, "/admin/resolution-codes/restart").await;
    assert!(
        res.text.contains("In use (offered when resolving)"),
        "{}",
        res.text
    );
    let res = admin
        .post(
            &d.t,
            "/admin/resolution-codes/restart",
            &[("name_es", ""), ("name_en", "Restart"), ("position", "5")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-name_es-error\""), "{}", res.text);
    let res = admin
        .post(
            &d.t,
            "/admin/resolution-codes/restart",
            &[
                ("name_es", "Reinicio"),
                ("name_en", "Restart"),
                ("position", "5"),
            ],
        )
        .await;
    assert!(location(&res).contains("flash=saved"));
    let res = d.get("/api/v1/resolution-codes", &d.agent).await;
    let restart = res
        .body
        .as_array()
        .and_then(|a| a.iter().find(|c| c["code"] == "restart"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(restart["active"], false, "{}", res.text);
    assert!(
        admin
            .get(&d.t, "/admin/resolution-codes")
            .await
            .text
            .contains("Resolution codes")
    );
    assert_eq!(
        admin.get(&d.t, "/admin/resolution-codes/nope").await.status,
        StatusCode::NOT_FOUND
    );
    // Supervisors and agents: refused on the server, to read and to save.
    for who in ["sup@x.test", "agent@x.test"] {
        let b = Browser::sign_in(&d.t, who).await;
        assert_eq!(
            b.get(&d.t, "/admin/resolution-codes").await.status,
            StatusCode::FORBIDDEN
        );
        let res = b
            .post(
                &d.t,
                "/admin/resolution-codes",
                &[
                    ("code", "mine"),
                    ("name_es", "M"),
                    ("name_en", "M"),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}");
    }
}
