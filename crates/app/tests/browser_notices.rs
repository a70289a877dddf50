//! Browser tests of notifications (issue 16, finding 2), in Spanish and in English, on a real
//! server and headless Chromium: a requester reports on the portal and gets the receipt; a
//! supervisor assigns the ticket and the agent sees the header's unread count and "assigned
//! to you" on the console's notifications page, follows it to the ticket, replies and puts it
//! on hold; the requester reads "new reply" on the portal's notifications page (one entry
//! for the ticket's burst, the receipt counted in it) and answers;
//! the agent is told the requester replied and the ticket resumed, and marks all as read.
//! Without `chromedriver` on PATH they print "skipped" and pass, unless `CI=true`. A failing
//! step saves a screenshot under `target/browser-screenshots/`.

#![allow(clippy::unwrap_used)]

mod browser_kit;

use std::time::Duration;

use browser_kit::{ONE_AT_A_TIME, Session, Step, at, browser, screenshot, serve};
use fantoccini::Locator;
use serde_json::json;
use ventanilla_testkit::TestApp;

async fn notices(lang: &str) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some((_driver, c, _profile)) = browser().await else {
        return;
    };
    let t = TestApp::with_config(|c| c.tickets.agents_see_all = true).await;
    let (_, admin) = t.token_for("root@example.com", "admin").await;
    let mut ids = Vec::new();
    for (email, role) in [
        ("ana@example.com", "requester"),
        ("agent@example.com", "agent"),
        ("sup@example.com", "supervisor"),
    ] {
        let u = t.user(email, role).await;
        let patch = ventanilla_domain::directory::UserPatch {
            language: Some(lang.parse().unwrap()),
            ..Default::default()
        };
        let entry = ventanilla_store::audit::NewAudit::new(t.app.now(), None, "user.update", None);
        t.app
            .store
            .users()
            .update(u.id, &patch, &entry)
            .await
            .unwrap();
        ids.push(u.id.get());
    }
    // The agent and the supervisor work in one L1 group (an assignee is always a member).
    let group = t
        .post(
            "/api/v1/groups",
            json!({ "name": "Mesa", "tier": "L1",
                "members": [{ "user_id": ids[1] }, { "user_id": ids[2], "supervisor": true }] }),
            &admin,
        )
        .await;
    let group = group.body["id"].as_i64().unwrap();
    let base = serve(&t).await;
    let s = Session { c: &c, base: &base };
    let name = format!("notices-{lang}");
    let walk = walk(&s, lang, group, ids[1]);
    match tokio::time::timeout(Duration::from_secs(240), walk).await {
        Ok(Ok(())) => {}
        Ok(Err(step)) => {
            screenshot(&c, &name).await;
            panic!("{name} failed at: {step}");
        }
        Err(_) => {
            screenshot(&c, &name).await;
            panic!("{name} timed out");
        }
    }
    let _ = c.close().await;
}

/// The header's unread count, or `None` without a badge.
async fn badge(s: &Session<'_>) -> Result<Option<String>, String> {
    match s.c.find(Locator::Css("#notif-link .badge")).await {
        Ok(b) => Ok(Some(b.text().await.map_err(at("badge text"))?)),
        Err(_) => Ok(None),
    }
}

/// The notifications list's text.
async fn listed(s: &Session<'_>) -> Result<String, String> {
    s.c.find(Locator::Css("ul.notifications"))
        .await
        .map_err(at("notifications list"))?
        .text()
        .await
        .map_err(at("notifications text"))
}

async fn walk(s: &Session<'_>, lang: &str, group: i64, agent: i64) -> Step {
    let es = lang == "es";
    let pick = |a: &'static str, b: &'static str| if es { a } else { b };
    // The requester reports on the portal: the receipt is her first notification.
    s.sign_in("ana@example.com").await?;
    s.submit("#choose-incident").await?;
    s.fill("subject", "Sin acceso al correo").await?;
    s.fill("description", "Outlook pide la contraseña sin parar")
        .await?;
    s.click("input[name=impact][value=medium]").await?;
    s.click("input[name=urgency][value=high]").await?;
    s.act("form button.primary", "ticket registered").await?;
    let url = s.c.current_url().await.map_err(at("url"))?;
    let id: i64 = url
        .path()
        .rsplit('/')
        .next()
        .and_then(|x| x.parse().ok())
        .ok_or("ticket id in the url")?;
    if badge(s).await?.as_deref() != Some("1") {
        return Err("the requester's header counts the receipt".into());
    }
    s.sign_out().await?;

    // The supervisor assigns it to the agent in the action panel.
    s.sign_in("sup@example.com").await?;
    s.go(&format!("/console/tickets/{id}")).await?;
    s.click("#assign summary").await?;
    s.click(&format!("#assign-group_id option[value='{group}']"))
        .await?;
    s.click(&format!("#assign-assignee_id option[value='{agent}']"))
        .await?;
    s.act("#assign-submit", "assigned").await?;
    s.sign_out().await?;

    // The agent: an unread count in the header, "assigned to you", a link to the ticket.
    s.sign_in("agent@example.com").await?;
    if badge(s).await?.is_none() {
        return Err("the agent's header shows unread notifications".into());
    }
    s.submit("#notif-link").await?;
    let text = listed(s).await?;
    if !text.contains(pick("Se le ha asignado INC-", "was assigned to you")) {
        return Err(format!("assigned to you, in {lang}: {text}"));
    }
    s.submit(&format!("ul.notifications a[href='/console/tickets/{id}']"))
        .await?;
    s.fill(
        "action-body",
        "RESPUESTA: restablezca la contraseña en el portal",
    )
    .await?;
    s.act("#action-submit", "reply sent").await?;
    s.move_with(
        "pending",
        Some(pick("Esperando al usuario", "Waiting for the user")),
        None,
    )
    .await?;
    s.sign_out().await?;

    // The requester reads "new reply" on the portal's notifications page and answers.
    s.sign_in("ana@example.com").await?;
    s.go("/portal").await?;
    if badge(s).await?.is_none() {
        return Err("the requester's header counts the reply".into());
    }
    s.submit("#notif-link").await?;
    let text = listed(s).await?;
    // One entry per ticket per burst: the reply, counting the receipt before it.
    if !text.contains(pick("Nueva respuesta en INC-", "New reply on INC-"))
        || !text.contains(pick("(y 1 más)", "(and 1 more)"))
        || !text.contains("RESPUESTA: restablezca")
    {
        return Err(format!("the requester's notifications in {lang}: {text}"));
    }
    if text.contains(pick("asignado", "assigned")) {
        return Err("the requester never reads staff notices".into());
    }
    s.submit(&format!("ul.notifications a[href='/portal/tickets/{id}']"))
        .await?;
    if !s.text().await?.contains("RESPUESTA: restablezca") {
        return Err("the reply on the portal's ticket page".into());
    }
    s.fill("reply-body", "Ya no me deja entrar tampoco en el portal")
        .await?;
    s.act("#reply-submit", "requester replied").await?;
    s.sign_out().await?;

    // The agent is told the requester replied and the ticket resumed; all read, no badge.
    s.sign_in("agent@example.com").await?;
    s.go("/console/notifications").await?;
    let text = listed(s).await?;
    if !text.contains(pick(
        "El solicitante ha respondido en INC-",
        "The requester replied on INC-",
    )) || !text.contains(pick("el ticket se reanuda", "the ticket resumes"))
    {
        return Err(format!("requester replied and resumed, in {lang}: {text}"));
    }
    s.act(
        "form[action='/console/notifications/read'] button",
        "all read",
    )
    .await?;
    if badge(s).await?.is_some() {
        return Err("no unread count once all are read".into());
    }
    if s.c
        .find(Locator::Css("ul.notifications li.unread"))
        .await
        .is_ok()
    {
        return Err("no entry left unread".into());
    }
    s.sign_out().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assigned_replied_and_resumed_notices_in_spanish() {
    notices("es").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assigned_replied_and_resumed_notices_in_english() {
    notices("en").await;
}

/// Finding 10 on a phone (390 px wide, Chromium's mobile emulation): the requester's own
/// tickets on the portal fit the screen as small cards, nothing scrolls sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_lists_a_requesters_tickets_within_a_phone_screen() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let phone = json!({ "mobileEmulation": { "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1.0 } } });
    let Some((_driver, c, _profile)) = browser_kit::browser_with(phone).await else {
        return;
    };
    let t = TestApp::new().await;
    let ana = t.user("ana@example.com", "requester").await;
    let new = ventanilla_domain::ticket::NewTicket {
        subject: ventanilla_domain::Text::parse(
            "subject",
            "No puedo imprimir en la 2ª planta",
            200,
        )
        .unwrap(),
        ..ventanilla_testkit::fixtures::new_ticket(
            ana.id,
            ventanilla_domain::ticket::TicketKind::Incident,
            ventanilla_domain::ticket::Priority::Medium,
        )
    };
    t.app
        .store
        .tickets()
        .create(&new, Some(ana.id), t.app.now(), None, &[])
        .await
        .unwrap();
    let base = serve(&t).await;
    let s = Session { c: &c, base: &base };
    let walk = async {
        s.sign_in("ana@example.com").await?;
        s.go("/portal").await?;
        let widths =
            s.c.execute(
                "var t = document.querySelector('table.mine'); \
                 return [window.innerWidth, t.scrollWidth, t.clientWidth, \
                         document.documentElement.scrollWidth];",
                vec![],
            )
            .await
            .map_err(at("widths"))?;
        let w: Vec<i64> = serde_json::from_value(widths.clone()).map_err(at("widths"))?;
        if w.len() != 4 || w[0] != 390 || w[1] > w[2] + 1 || w[3] > 391 {
            return Err(format!(
                "fits 390 px (viewport, table scroll/client, page): {widths}"
            ));
        }
        Ok::<(), String>(())
    };
    if let Err(step) = walk.await {
        screenshot(&c, "portal-phone").await;
        panic!("portal-phone failed at: {step}");
    }
    let _ = c.close().await;
}
