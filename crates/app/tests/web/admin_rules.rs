//! The rules pages (issue 13): an administrator makes a rule from the form (keywords,
//! priorities, people by e-mail address, actions), tries its conditions on the last tickets
//! without saving, sees a refusal beside its field with what was typed kept, sees a rule
//! whose group is gone marked broken, and deletes it; the saved rule classifies the next
//! ticket. Other roles are refused every page.

use http::StatusCode;
use serde_json::json;
use ventanilla_testkit::Desk;

use crate::helpers::{Browser, assert_page, location};

fn saved_id(loc: &str) -> i64 {
    assert!(loc.contains("flash=saved"), "not saved: {loc}");
    loc.split('?')
        .next()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {loc}"))
}

async fn category(d: &Desk, code: &str) -> i64 {
    let res = d
        .post(
            "/api/v1/categories",
            json!({"code": code, "name_es": "Impresoras", "name_en": "Printers"}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn an_administrator_makes_tries_and_deletes_a_rule_from_the_pages() {
    let d = ventanilla_testkit::desk().build().await;
    let printers = category(&d, "web.rules.printers").await;
    let printers_s = printers.to_string();
    // Two earlier tickets, one about printing: the preview finds that one.
    let old = d
        .ticket()
        .subject("La impresora no imprime")
        .description("sale en blanco")
        .create()
        .await;
    d.ticket()
        .subject("Sin correo")
        .description("Outlook no abre")
        .create()
        .await;

    let admin = Browser::sign_in(&d.t, "admin@x.test").await;
    let res = admin.get(&d.t, "/admin").await;
    assert!(res.text.contains("href=\"/admin/rules\""));
    let res = admin.get(&d.t, "/admin/rules").await;
    assert_page(&res, StatusCode::OK);
    assert!(res.text.contains("Reglas de clasificación"), "{}", res.text);
    assert!(res.text.contains("id=\"no-rules\""));
    let res = admin.get(&d.t, "/admin/rules/new").await;
    assert_page(&res, StatusCode::OK);
    assert!(res.text.contains("Impresoras"), "the category offered");

    let mut fields = vec![
        ("name", "Impresoras"),
        ("position", "10"),
        ("active", "on"),
        ("on_create", "on"),
        ("keywords", "impresion\nimpresora"),
        ("p_medium", "on"),
        ("p_low", "on"),
        ("a_category", printers_s.as_str()),
        ("a_impact", "high"),
        ("a_tag", "printing"),
        ("a_notify", "sup@x.test"),
    ];

    // The preview: the typed conditions against the last tickets, nothing saved.
    let mut preview = fields.clone();
    preview.push(("intent", "preview"));
    let res = admin.post(&d.t, "/admin/rules", &preview).await;
    assert_page(&res, StatusCode::OK);
    assert!(res.text.contains("id=\"rule-preview\""), "{}", res.text);
    assert!(
        res.text.contains("1 de los últimos 2 tickets"),
        "{}",
        res.text
    );
    assert!(res.text.contains(&old.number), "the match is listed");
    assert!(
        res.text.contains("value=\"Impresoras\""),
        "the form is kept"
    );
    assert!(d.app.store.rules().list().await.unwrap().is_empty());

    // Refusals beside their fields, what was typed kept: an unknown person, one time of two.
    let mut bad = fields.clone();
    bad.push(("a_assignee", "nadie@x.test"));
    bad.push(("hours_from", "22:00"));
    let res = admin.post(&d.t, "/admin/rules", &bad).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("id=\"f-a_assignee-error\""),
        "{}",
        res.text
    );
    assert!(res.text.contains("Ningún usuario tiene este correo"));
    assert!(res.text.contains("id=\"f-hours-error\""), "{}", res.text);
    assert!(res.text.contains("value=\"nadie@x.test\""));
    assert!(res.text.contains("impresion\nimpresora"), "keywords kept");
    // A bad time is the use case's refusal, placed beside the hours.
    let mut bad = fields.clone();
    bad.push(("hours_from", "25:00"));
    bad.push(("hours_to", "06:00"));
    let res = admin.post(&d.t, "/admin/rules", &bad).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-hours-error\""), "{}", res.text);
    // No action at all: said above the form.
    let res = admin
        .post(
            &d.t,
            "/admin/rules",
            &[("name", "Vacía"), ("keywords", "x"), ("on_create", "on")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("al menos una acción"), "{}", res.text);
    assert!(d.app.store.rules().list().await.unwrap().is_empty());

    // Saved; the page shows it again as stored (people by e-mail address).
    let res = admin.post(&d.t, "/admin/rules", &fields).await;
    let id = saved_id(&location(&res));
    let res = admin.get(&d.t, &format!("/admin/rules/{id}")).await;
    assert_page(&res, StatusCode::OK);
    assert!(res.text.contains("value=\"sup@x.test\""), "{}", res.text);
    assert!(res.text.contains("name=\"p_low\" id=\"f-p_low\" checked"));
    assert!(!res.text.contains("name=\"p_high\" id=\"f-p_high\" checked"));
    let stored = d.app.store.rules().get(id).await.unwrap();
    assert_eq!(stored.position, 10);
    assert_eq!(
        stored.conditions["priority"],
        json!(["medium", "low"]),
        "{}",
        stored.conditions
    );

    // It classifies the next ticket about printing (registered at medium priority).
    let t = d
        .ticket()
        .subject("Error de IMPRESIÓN en planta 2")
        .description("desde esta mañana")
        .create()
        .await;
    assert_eq!(t.category_id.map(|c| c.get()), Some(printers));
    assert_eq!(
        d.app.store.rules().tags(t.id).await.unwrap(),
        vec!["printing".to_owned()]
    );

    // Edited: the notified person changed; the rule keeps its id.
    fields.retain(|(k, _)| *k != "a_notify");
    fields.push(("a_notify", "agent@x.test"));
    let res = admin
        .post(&d.t, &format!("/admin/rules/{id}"), &fields)
        .await;
    assert_eq!(saved_id(&location(&res)), id);
    let stored = d.app.store.rules().get(id).await.unwrap();
    assert!(
        stored
            .actions
            .to_string()
            .contains(&d.agent.id().get().to_string()),
        "{}",
        stored.actions
    );

    // A rule whose group is gone is shown broken on the list and on its page.
    let gone = d
        .post(
            "/api/v1/rules",
            json!({"name": "Redes", "actions": [{"type": "set_group", "value": 999_999}]}),
            &d.admin,
        )
        .await;
    assert_eq!(gone.status, StatusCode::CREATED, "{}", gone.text);
    let gone = gone.body["id"].as_i64().unwrap();
    let res = admin.get(&d.t, "/admin/rules").await;
    assert!(
        res.text.contains("Rota, se omite: grupo 999999"),
        "{}",
        res.text
    );
    let res = admin.get(&d.t, &format!("/admin/rules/{gone}")).await;
    assert!(res.text.contains("id=\"rule-broken\""), "{}", res.text);

    // Deleted.
    let res = admin
        .post(&d.t, &format!("/admin/rules/{gone}/delete"), &[])
        .await;
    assert!(location(&res).starts_with("/admin/rules?flash=rule-deleted"));
    let left: Vec<i64> = d
        .app
        .store
        .rules()
        .list()
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(left, vec![id]);
    let res = admin.get(&d.t, &format!("/admin/rules/{gone}")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_administrators_reach_the_rules_pages() {
    let d = ventanilla_testkit::desk().build().await;
    for who in ["sup@x.test", "agent@x.test", "req@x.test"] {
        let b = Browser::sign_in(&d.t, who).await;
        for path in ["/admin/rules", "/admin/rules/new"] {
            let res = b.get(&d.t, path).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{who} {path}");
        }
        let res = b
            .post(
                &d.t,
                "/admin/rules",
                &[("name", "x"), ("a_tag", "x"), ("on_create", "on")],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert!(d.app.store.rules().list().await.unwrap().is_empty());
}
