//! The administration pages of the monitoring integrations, the outbound webhooks and the
//! suggestion model (issue 13): a webhook made from its form shows its secret once, its
//! delivery log shows what a real local receiver got, stopping it stops new deliveries; an
//! integration made from its form shows a token that opens incidents through the event
//! intake; the model page shows the held-out accuracy and queues a retraining. Refusals come
//! back beside their fields with what was typed kept; other roles are refused.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::StatusCode;
use serde_json::json;

use crate::helpers::{Browser, assert_page, location};

/// A local receiver answering 200, counting what it got.
async fn receiver() -> (Arc<AtomicUsize>, SocketAddr) {
    let got = Arc::new(AtomicUsize::new(0));
    let counter = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (got, addr)
}

/// Runs the webhook dispatcher's next period and the deliveries it queues.
async fn dispatch(d: &ventanilla_testkit::Desk) {
    d.clock.advance(jiff::SignedDuration::from_secs(60));
    d.run_pending_jobs().await;
    d.run_pending_jobs().await;
}

/// The value of the read-only input `id` on a page.
fn input_value(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_webhook_is_made_watched_and_stopped_from_its_pages() {
    let d = ventanilla_testkit::desk()
        .config(|c| c.webhooks.allow_loopback = true)
        .build()
        .await;
    let (got, addr) = receiver().await;
    let url = format!("http://{addr}/hook");
    let admin = Browser::sign_in(&d.t, "admin@x.test").await;
    let res = admin.get(&d.t, "/admin").await;
    assert!(res.text.contains("href=\"/admin/webhooks\""));
    let res = admin.get(&d.t, "/admin/webhooks").await;
    assert_page(&res, StatusCode::OK);
    assert!(res.text.contains("id=\"no-webhooks\""), "{}", res.text);

    // No event ticked, then an address that is not http: each beside its field.
    let res = admin
        .post(&d.t, "/admin/webhooks", &[("name", "CRM"), ("url", &url)])
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-events-error\""), "{}", res.text);
    assert!(res.text.contains("value=\"CRM\""));
    let res = admin
        .post(
            &d.t,
            "/admin/webhooks",
            &[
                ("name", "CRM"),
                ("url", "ftp://crm.example.test/in"),
                ("ev_ticket.created", "on"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-url-error\""), "{}", res.text);
    assert!(
        res.text
            .contains("name=\"ev_ticket.created\" id=\"f-ev_ticket.created\" checked"),
        "the ticked event is kept"
    );
    assert!(d.app.store.webhooks().list().await.unwrap().is_empty());

    // Saved: the secret once, the row in the list.
    let res = admin
        .post(
            &d.t,
            "/admin/webhooks",
            &[("name", "CRM"), ("url", &url), ("ev_ticket.created", "on")],
        )
        .await;
    assert_page(&res, StatusCode::OK);
    let secret = input_value(&res.text, "secret");
    assert!(secret.len() >= 20, "{secret}");
    let hooks = d.app.store.webhooks().list().await.unwrap();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].events, vec!["ticket.created".to_owned()]);
    let id = hooks[0].id;
    let res = admin.get(&d.t, "/admin/webhooks").await;
    assert!(res.text.contains(&format!("data-webhook=\"{id}\"")));
    assert!(!res.text.contains(&secret), "the secret is shown once");

    // A ticket: dispatched, delivered, in the log.
    d.ticket().subject("Impresora").create().await;
    dispatch(&d).await;
    assert_eq!(got.load(Ordering::SeqCst), 1);
    let res = admin.get(&d.t, &format!("/admin/webhooks/{id}")).await;
    assert_page(&res, StatusCode::OK);
    assert!(
        res.text.contains("data-status=\"delivered\""),
        "{}",
        res.text
    );
    assert!(res.text.contains("Entregado"));
    assert!(!res.text.contains(&secret));

    // Stopped: the next ticket is not sent; resumed: the one after is.
    let res = admin
        .post(&d.t, &format!("/admin/webhooks/{id}/active"), &[])
        .await;
    assert!(location(&res).starts_with(&format!("/admin/webhooks/{id}?flash=saved")));
    let res = admin.get(&d.t, &format!("/admin/webhooks/{id}")).await;
    assert!(res.text.contains("id=\"resume-webhook\""), "{}", res.text);
    d.ticket().subject("Correo").create().await;
    dispatch(&d).await;
    assert_eq!(
        got.load(Ordering::SeqCst),
        1,
        "a stopped webhook gets nothing"
    );
    admin
        .post(
            &d.t,
            &format!("/admin/webhooks/{id}/active"),
            &[("active", "on")],
        )
        .await;
    d.ticket().subject("Red").create().await;
    dispatch(&d).await;
    assert_eq!(got.load(Ordering::SeqCst), 2);
    let filter = ventanilla_store::audit::AuditFilter {
        action: Some("webhook.update".into()),
        ..Default::default()
    };
    let audit = d
        .app
        .store
        .audit()
        .list(
            &filter,
            ventanilla_domain::directory::PageRequest::new(None, Some(50)).unwrap(),
        )
        .await
        .unwrap()
        .items
        .len();
    assert_eq!(audit, 2, "each switch is audited");

    // Not found for an id that is not there; other roles refused.
    let res = admin.get(&d.t, "/admin/webhooks/999999").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let sup = Browser::sign_in(&d.t, "sup@x.test").await;
    for path in ["/admin/webhooks", &format!("/admin/webhooks/{id}")] {
        assert_eq!(sup.get(&d.t, path).await.status, StatusCode::FORBIDDEN);
    }
    let res = sup
        .post(&d.t, &format!("/admin/webhooks/{id}/active"), &[])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(d.app.store.webhooks().get(id).await.unwrap().active);
}

#[tokio::test]
async fn an_integration_made_from_its_page_opens_incidents_with_its_token() {
    let d = ventanilla_testkit::desk().build().await;
    let admin = Browser::sign_in(&d.t, "admin@x.test").await;
    let res = admin.get(&d.t, "/admin/integrations").await;
    assert_page(&res, StatusCode::OK);
    assert!(res.text.contains("id=\"no-integrations\""));
    let group = d.l1.get().to_string();
    // A group id that is not a number: beside its field.
    let res = admin
        .post(
            &d.t,
            "/admin/integrations",
            &[
                ("kind", "generic"),
                ("name", "Zabbix"),
                ("group_id", "mesa"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-group_id-error\""), "{}", res.text);
    assert!(res.text.contains("value=\"Zabbix\""));
    // A kind that does not exist (a crafted post): beside the kind.
    let res = admin
        .post(
            &d.t,
            "/admin/integrations",
            &[("kind", "nagios"), ("name", "Zabbix")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-kind-error\""), "{}", res.text);

    let res = admin
        .post(
            &d.t,
            "/admin/integrations",
            &[
                ("kind", "generic"),
                ("name", "Zabbix"),
                ("on_resolved", "validation"),
                ("group_id", &group),
            ],
        )
        .await;
    assert_page(&res, StatusCode::OK);
    let token = input_value(&res.text, "token");
    assert!(res.text.contains("/api/v1/events"));
    let res = admin.get(&d.t, "/admin/integrations").await;
    assert!(res.text.contains("Zabbix"));
    assert!(
        res.text
            .contains("anotarlo y pasar el incidente a validación"),
        "{}",
        res.text
    );
    assert!(!res.text.contains(&token), "the token is shown once");

    // The token opens an incident through the generic intake.
    let res =
        d.t.post(
            "/api/v1/events",
            json!({"dedupe_key": "db-1", "status": "firing", "summary": "DB down"}),
            &ventanilla_testkit::Caller::Bearer(token.clone()),
        )
        .await;
    assert!(res.status.is_success(), "{} {}", res.status, res.text);
    let page = d
        .app
        .store
        .events()
        .linked(d.app.store.events().integrations().await.unwrap()[0].id)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);

    let agent = Browser::sign_in(&d.t, "agent@x.test").await;
    assert_eq!(
        agent.get(&d.t, "/admin/integrations").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_model_page_shows_its_accuracy_and_queues_a_retraining() {
    let d = ventanilla_testkit::desk().build().await;
    d.allow_pending_jobs();
    let admin = Browser::sign_in(&d.t, "admin@x.test").await;
    let res = admin.get(&d.t, "/admin/classifier").await;
    assert_page(&res, StatusCode::OK);
    let queued = |d: &ventanilla_testkit::Desk| {
        let store = d.app.store.clone();
        async move {
            store
                .jobs()
                .list(None, None, 1000)
                .await
                .unwrap()
                .iter()
                .filter(|j| j.kind == ventanilla_app::desk::classifier::TRAIN_JOB)
                .count()
        }
    };
    let before = queued(&d).await;
    let res = admin.post(&d.t, "/admin/classifier/training", &[]).await;
    assert!(
        location(&res).starts_with("/admin/classifier?flash=classifier-queued"),
        "{}",
        location(&res)
    );
    assert_eq!(queued(&d).await, before + 1);
    let res = admin
        .get(&d.t, "/admin/classifier?flash=classifier-queued")
        .await;
    assert!(res.text.contains("en cola"), "{}", res.text);
    // A model trained on too few tickets to measure: no percentage, a warning.
    let empty = ventanilla_store::classifier::ModelInfo {
        id: 0,
        trained_at: d.app.now(),
        samples: 3,
        held_out: 0,
        category_accuracy: 0,
        group_accuracy: 0,
        training_ms: 1,
    };
    d.app.store.classifier().save(&empty, "{}").await.unwrap();
    let res = admin.get(&d.t, "/admin/classifier").await;
    assert!(
        res.text.contains("id=\"classifier-unmeasured\""),
        "{}",
        res.text
    );
    assert!(!res.text.contains("0,0 %"));
    // A model on record: its figures in the viewer's notation.
    let info = ventanilla_store::classifier::ModelInfo {
        id: 0,
        trained_at: d.app.now(),
        samples: 1500,
        held_out: 300,
        category_accuracy: 8875,
        group_accuracy: 9012,
        training_ms: 42,
    };
    d.app.store.classifier().save(&info, "{}").await.unwrap();
    let res = admin.get(&d.t, "/admin/classifier").await;
    assert!(res.text.contains("88,8 %"), "{}", res.text);
    assert!(res.text.contains("90,1 %"));
    assert!(res.text.contains(">1500<"));
    let sup = Browser::sign_in(&d.t, "sup@x.test").await;
    assert_eq!(
        sup.get(&d.t, "/admin/classifier").await.status,
        StatusCode::FORBIDDEN
    );
    let res = sup.post(&d.t, "/admin/classifier/training", &[]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(queued(&d).await, before + 1);
}

#[tokio::test]
async fn a_category_is_automated_from_its_page_and_approved_from_the_ticket_page() {
    let d = ventanilla_testkit::desk()
        .config(|c| c.webhooks.allow_loopback = true)
        .build()
        .await;
    let (got, addr) = receiver().await;
    let res = d
        .post(
            "/api/v1/categories",
            json!({"code": "access.account", "name_es": "Alta de cuenta", "name_en": "New account"}),
            &d.admin,
        )
        .await;
    let category = res.body["id"].as_i64().unwrap().to_string();
    let admin = Browser::sign_in(&d.t, "admin@x.test").await;
    // No webhook yet: the page says to make one first.
    let res = admin.get(&d.t, "/admin/hooks").await;
    assert_page(&res, StatusCode::OK);
    assert!(
        res.text.contains("id=\"hook-needs-webhook\""),
        "{}",
        res.text
    );
    let res = d
        .post(
            "/api/v1/webhooks",
            json!({"name": "scripts", "url": format!("http://{addr}/hook"), "events": ["ticket.sla"]}),
            &d.admin,
        )
        .await;
    let webhook = res.body["id"].as_i64().unwrap().to_string();
    // No category chosen: beside its select, the webhook kept.
    let res = admin
        .post(
            &d.t,
            "/admin/hooks",
            &[("webhook_id", &webhook), ("trigger_on", "approval")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("id=\"f-category_id-error\""),
        "{}",
        res.text
    );
    assert!(res.text.contains(&format!("value=\"{webhook}\" selected")));
    let res = admin
        .post(
            &d.t,
            "/admin/hooks",
            &[
                ("category_id", &category),
                ("webhook_id", &webhook),
                ("trigger_on", "approval"),
                ("resolve_on_success", "on"),
            ],
        )
        .await;
    assert!(location(&res).starts_with("/admin/hooks?flash=saved"));
    let res = admin.get(&d.t, "/admin/hooks").await;
    assert!(res.text.contains("Alta de cuenta"), "{}", res.text);
    assert!(res.text.contains("cuando un supervisor aprueba"));

    // A request in the category waits; the supervisor sees the buttons, the agent does not.
    let t = d
        .ticket()
        .service_request()
        .subject("Alta para Ana")
        .category("access.account")
        .create()
        .await;
    let page = format!("/console/tickets/{}", t.id);
    let agent = Browser::sign_in(&d.t, "agent@x.test").await;
    let res = agent.get(&d.t, &page).await;
    assert!(res.text.contains("Pendiente de aprobación"), "{}", res.text);
    assert!(!res.text.contains("id=\"approval-form\""));
    let res = agent
        .post(
            &d.t,
            &format!("{page}/approval"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let sup = Browser::sign_in(&d.t, "sup@x.test").await;
    let res = sup.get(&d.t, &page).await;
    assert!(res.text.contains("id=\"approval-form\""), "{}", res.text);
    // Rejecting without a reason: beside the comment.
    let res = sup
        .post(&d.t, &format!("{page}/approval"), &[("decision", "reject")])
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("id=\"approval-comment-error\""),
        "{}",
        res.text
    );
    // Neither button (a crafted post): refused above the form, nothing decided.
    let res = sup
        .post(&d.t, &format!("{page}/approval"), &[("decision", "maybe")])
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("id=\"approval-form-error\""),
        "{}",
        res.text
    );
    assert_eq!(
        d.app.store.hooks().of_ticket(t.id).await.unwrap()[0].status,
        "awaiting_approval"
    );
    let res = sup
        .post(
            &d.t,
            &format!("{page}/approval"),
            &[
                ("decision", "approve"),
                ("comment", "Autorizado por RR. HH."),
            ],
        )
        .await;
    assert!(
        location(&res).ends_with("?flash=hook-decided"),
        "{}",
        location(&res)
    );
    d.run_pending_jobs().await;
    assert_eq!(got.load(Ordering::SeqCst), 1, "the automation was called");
    let res = sup.get(&d.t, &page).await;
    assert!(
        res.text.contains("Llamada, a la espera de su resultado"),
        "{}",
        res.text
    );
    assert!(
        res.text.contains("Automatización aprobada"),
        "the history line"
    );

    // Removed: the list is empty again.
    let res = admin
        .post(&d.t, &format!("/admin/hooks/{category}/delete"), &[])
        .await;
    assert!(location(&res).starts_with("/admin/hooks?flash=hook-deleted"));
    assert!(d.app.store.hooks().list().await.unwrap().is_empty());
}
