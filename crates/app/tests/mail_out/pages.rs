//! The notifications pages of the portal and the console in Spanish and English, the
//! preferences form, and the admin's mail log and SMTP settings pages.

use http::{StatusCode, header};
use serde_json::json;
use ventanilla_testkit::{Caller, Desk, TestResponse, desk};

use super::{act, incident, speaks};

/// A signed-in browser session: (cookie, csrf).
async fn browser(d: &Desk, email: &str) -> (String, String) {
    match d.login(email, ventanilla_testkit::PASSWORD).await {
        Caller::Session { cookie, csrf } => (cookie, csrf),
        other => panic!("not a session: {other:?}"),
    }
}

async fn get(d: &Desk, who: &(String, String), path: &str) -> TestResponse {
    let req = http::Request::builder()
        .uri(path)
        .header(header::COOKIE, format!("ventanilla_session={}", who.0))
        .body(axum::body::Body::empty())
        .unwrap();
    d.send(req).await
}

async fn post(
    d: &Desk,
    who: &(String, String),
    path: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    let mut all = vec![("_csrf", who.1.as_str())];
    all.extend_from_slice(fields);
    let req = http::Request::builder()
        .method(http::Method::POST)
        .uri(path)
        .header(header::COOKIE, format!("ventanilla_session={}", who.0))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(
            serde_urlencoded::to_string(&all).unwrap(),
        ))
        .unwrap();
    d.send(req).await
}

fn location(res: &TestResponse) -> String {
    assert!(res.status.is_redirection(), "{}: {}", res.status, res.text);
    res.headers[header::LOCATION].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_requester_reads_notifications_on_the_portal_in_their_language() {
    let d = desk().build().await;
    let id = incident(&d, "No puedo imprimir").await;
    act(&d, id, &d.agent, "reply", "¿Qué modelo es?").await;
    let s = browser(&d, "req@x.test").await;
    // Spanish: the header badge, the entry standing for the burst, the link into the portal.
    let home = get(&d, &s, "/portal").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.text.contains("href=\"/portal/notifications\""),
        "the portal links its notifications"
    );
    assert!(home.text.contains("class=\"badge\""), "{}", home.text);
    let page = get(&d, &s, "/portal/notifications").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("<h1>Notificaciones</h1>"));
    assert!(
        page.text.contains(&format!(
            "href=\"/portal/tickets/{id}\">Nueva respuesta en INC-000001: No puedo imprimir</a>"
        )),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("y 1 más"),
        "the acknowledgement folded in"
    );
    assert!(page.text.contains("Preferencias de notificación"));
    assert!(page.text.contains("El equipo de soporte responde"));
    assert!(
        !page.text.contains("Incumplimiento de SLA"),
        "staff kinds are not offered to requesters"
    );
    // English, after switching language.
    speaks(&d, &d.requester, "en").await;
    let page = get(&d, &s, "/portal/notifications").await;
    assert!(page.text.contains("<h1>Notifications</h1>"));
    assert!(
        page.text
            .contains("New reply on INC-000001: No puedo imprimir")
    );
    assert!(page.text.contains("and 1 more"));
    assert!(page.text.contains("The support team replies"));
    // Mark all read.
    let res = post(&d, &s, "/portal/notifications/read", &[]).await;
    assert_eq!(location(&res), "/portal/notifications?flash=saved");
    let page = get(&d, &s, "/portal/notifications").await;
    assert!(!page.text.contains("class=\"unread\""));
    // Without the CSRF token nothing changes.
    let res = post(
        &d,
        &(s.0.clone(), "wrong".into()),
        "/portal/notifications/preferences",
        &[],
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_preferences_form_keeps_what_was_ticked() {
    let d = desk().build().await;
    let s = browser(&d, "req@x.test").await;
    let res = post(
        &d,
        &s,
        "/portal/notifications/preferences",
        &[
            ("in_app.ticket.replied", "on"),
            ("email.ticket.closed", "on"),
        ],
    )
    .await;
    assert_eq!(
        location(&res),
        "/portal/notifications?flash=preferences-saved#preferences"
    );
    let api = d
        .get("/api/v1/notifications/preferences", &d.requester)
        .await;
    let items = api.body["items"].as_array().unwrap();
    let of = |k: &str| items.iter().find(|p| p["kind"] == k).unwrap().clone();
    assert_eq!(
        of("ticket.replied"),
        json!({ "kind": "ticket.replied", "in_app": true, "email": false })
    );
    assert_eq!(
        of("ticket.closed"),
        json!({ "kind": "ticket.closed", "in_app": false, "email": true })
    );
    assert_eq!(
        of("ticket.registered")["email"],
        false,
        "a box left unticked is off"
    );
    let page = get(&d, &s, "/portal/notifications?flash=preferences-saved").await;
    assert!(
        page.text
            .contains("Preferencias de notificación guardadas.")
    );
    assert!(page.text.contains(
        "name=\"in_app.ticket.replied\" id=\"in_app.ticket.replied\" value=\"on\" checked"
    ));
    assert!(page.text.contains(
        "name=\"email.ticket.replied\" id=\"email.ticket.replied\" value=\"on\" aria-label"
    ));
}

#[tokio::test]
async fn the_console_lists_the_agents_notifications_and_offers_every_kind() {
    let d = desk().build().await;
    let id = incident(&d, "No puedo imprimir").await;
    let s = browser(&d, "agent@x.test").await;
    let page = get(&d, &s, "/console/notifications").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains(&format!("href=\"/console/tickets/{id}\">Nuevo ticket INC-000001 en su grupo: No puedo imprimir</a>")), "{}", page.text);
    assert!(page.text.contains("Incumplimiento de SLA"));
    let res = post(
        &d,
        &s,
        "/console/notifications/preferences",
        &[("email.sla.breach", "on")],
    )
    .await;
    assert_eq!(
        location(&res),
        "/console/notifications?flash=preferences-saved#preferences"
    );
}

#[tokio::test]
async fn admins_see_the_mail_log_and_the_smtp_settings() {
    let d = desk()
        .config(|c| {
            c.mail.smtp.host = "relay.example.org".into();
            c.mail.smtp.username = "desk".into();
            c.mail.smtp.password = "s3cret-pass".into();
        })
        .build()
        .await;
    incident(&d, "No puedo imprimir").await;
    let s = browser(&d, "admin@x.test").await;
    let page = get(&d, &s, "/admin/mail").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Registro de correo enviado"));
    assert!(page.text.contains("Pendiente"));
    assert!(
        page.text
            .contains("Hemos registrado mi solicitud (acuse de recibo)")
    );
    let page = get(&d, &s, "/admin/mail?state=bogus").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let smtp = get(&d, &s, "/admin/mail/smtp").await;
    assert_eq!(smtp.status, StatusCode::OK);
    assert!(smtp.text.contains("relay.example.org:25"));
    assert!(smtp.text.contains("desk"));
    assert!(
        !smtp.text.contains("s3cret-pass"),
        "the password is never shown"
    );
    // A test mail to a bad address: the form again, the address kept, the error beside it.
    let res = post(&d, &s, "/admin/mail/test", &[("to", "no es correo")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("value=\"no es correo\""));
    assert!(res.text.contains("Escriba una dirección de correo válida."));
    let res = post(&d, &s, "/admin/mail/test", &[("to", "ops@desk.test")]).await;
    assert_eq!(location(&res), "/admin/mail?flash=smtp-test-queued");
    let agent = browser(&d, "agent@x.test").await;
    let res = get(&d, &agent, "/admin/mail").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
