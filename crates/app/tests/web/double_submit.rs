//! Double submission (issue 15, case 4): every web form that creates or appends something is
//! rendered with a one-time key (`?once=…` in its action) and applied at most once. The table
//! below walks each such form: it reads the key from the page as a browser would, posts the
//! form twice at once (a double click), and checks that both posts land on the same page
//! and the effect happened exactly once. Runs on SQLite, and on PostgreSQL when
//! `VENTANILLA_TEST_POSTGRES_URL` is set.

use http::StatusCode;
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::{GroupId, TicketId};
use ventanilla_store::directory::OrganisationFilter;
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::tickets::TicketScope;
use ventanilla_testkit::{Caller, TestApp, TestResponse};

use crate::helpers::{Browser, assert_page, desk, location, report};

/// The key rendered in the form posting to `action` on a page.
fn form_key(html: &str, action: &str) -> String {
    form_key_at(html, action, false)
}

/// The key of the first form posting to `action`, or of the last (`last`: the "new …" form
/// after the forms editing existing records).
fn form_key_at(html: &str, action: &str, last: bool) -> String {
    let marker = format!("action=\"{action}?once=");
    let found = if last {
        html.rfind(&marker)
    } else {
        html.find(&marker)
    };
    let start = found.unwrap_or_else(|| panic!("no form with a one-time key posts to {action}"))
        + marker.len();
    let key = html[start..].split('"').next().unwrap_or_default();
    assert!(key.len() >= 16, "a real key for {action}: {key:?}");
    key.to_owned()
}

/// What a form makes, counted where it is stored.
enum Effect {
    Tickets,
    /// Timeline entries of one kind on a ticket.
    Events(i64, &'static str),
    Files(i64),
    Users,
    Organisations,
    Departments,
    Groups,
    Members(i64),
    Categories,
    Calendars,
    /// Every timeline entry of a ticket.
    AllEvents(i64),
}

async fn count(t: &TestApp, admin: &Browser, effect: &Effect) -> usize {
    let store = &t.app.store;
    let page = || PageRequest::new(None, Some(200)).unwrap();
    match effect {
        Effect::Tickets => store
            .tickets()
            .list(
                &TicketScope::All,
                &Default::default(),
                Default::default(),
                None,
                200,
            )
            .await
            .unwrap()
            .items
            .len(),
        Effect::Events(id, kind) => store
            .tickets()
            .events(TicketId(*id), false)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.kind.as_str() == *kind)
            .count(),
        Effect::Files(id) => store
            .tickets()
            .attachments(TicketId(*id), false)
            .await
            .unwrap()
            .len(),
        Effect::Users => {
            let caller = Caller::Session {
                cookie: admin.cookie.clone(),
                csrf: admin.csrf.clone(),
            };
            let res = t.get("/api/v1/users?limit=200", &caller).await;
            res.body["items"].as_array().unwrap().len()
        }
        Effect::Organisations => {
            let f = OrganisationFilter::default();
            store
                .organisations()
                .list(&f, page())
                .await
                .unwrap()
                .items
                .len()
        }
        Effect::Departments => store
            .departments()
            .list(None, page())
            .await
            .unwrap()
            .items
            .len(),
        Effect::Groups => {
            let f = GroupFilter::default();
            store.groups().list(&f, page()).await.unwrap().items.len()
        }
        Effect::Members(g) => store.groups().members(GroupId(*g)).await.unwrap().len(),
        Effect::Categories => store.categories().list().await.unwrap().len(),
        Effect::Calendars => store.sla().calendars().await.unwrap().len(),
        Effect::AllEvents(id) => store
            .tickets()
            .events(TicketId(*id), false)
            .await
            .unwrap()
            .len(),
    }
}

/// One creating form: who sends it, the page that renders it, where it posts, what is typed.
struct Form {
    name: &'static str,
    by: Who,
    page: String,
    action: String,
    fields: Vec<(&'static str, String)>,
    /// Sent as multipart with one file (the upload forms).
    file: bool,
    /// The last form posting to `action` on the page (the "new …" one), not the first.
    last: bool,
    effect: Effect,
}

#[derive(Clone, Copy)]
enum Who {
    Requester,
    Agent,
    Admin,
}

fn f(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

const NEW_TICKET: [(&str, &str); 5] = [
    ("kind", "incident"),
    ("subject", "Printer prints blank pages"),
    ("description", "Floor 2, since this morning"),
    ("impact", "medium"),
    ("urgency", "high"),
];

const NIGHT_SHIFT: &str = r#"{
  "time_zone": "Europe/Madrid",
  "weekly": {"mon": [["22:00", "23:59"]]},
  "holidays": [],
  "exceptions": []
}"#;

async fn send(t: &TestApp, b: &Browser, url: &str, form: &Form) -> TestResponse {
    let fields: Vec<(&str, &str)> = form.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if form.file {
        b.post_files(t, url, &fields, &[("log.txt", b"paper jam at 09:12")])
            .await
    } else {
        b.post(t, url, &fields).await
    }
}

#[tokio::test]
async fn every_creating_form_posted_twice_at_once_is_applied_once() {
    let t = desk().await;
    t.user("ana@example.com", "requester").await;
    let agent_user = t.user("agent@example.com", "agent").await;
    t.user("admin@example.com", "admin").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let admin = Browser::sign_in(&t, "admin@example.com").await;

    // Tickets to reply to, escalate, link and confirm (created without keys: scripts may).
    let a = report(&t, &ana, "Mail is down").await;
    let child = report(&t, &ana, "I cannot send mail").await;
    let b = report(&t, &ana, "Toner empty").await;
    let tb = format!("/console/tickets/{b}");
    agent
        .post(&t, &format!("{tb}/update"), &[("op", "take")])
        .await;
    for (to, extra) in [
        ("analysis", vec![]),
        ("solution", vec![]),
        (
            "validation",
            vec![("resolution_code", "fixed"), ("resolution", "New toner")],
        ),
    ] {
        let mut fields = vec![("to", to)];
        fields.extend(extra);
        let res = agent.post(&t, &format!("{tb}/transitions"), &fields).await;
        assert!(location(&res).contains("flash=moved"), "{to}: {}", res.text);
    }
    agent
        .post(
            &t,
            &format!("/console/tickets/{a}/update"),
            &[("op", "take")],
        )
        .await;
    // And one waiting for its rating: solved, confirmed.
    let c = report(&t, &ana, "Scanner offline").await;
    let tc = format!("/console/tickets/{c}");
    agent
        .post(&t, &format!("{tc}/update"), &[("op", "take")])
        .await;
    for (to, extra) in [
        ("analysis", vec![]),
        ("solution", vec![]),
        (
            "validation",
            vec![
                ("resolution_code", "fixed"),
                ("resolution", "Cable replaced"),
            ],
        ),
    ] {
        let mut fields = vec![("to", to)];
        fields.extend(extra);
        agent.post(&t, &format!("{tc}/transitions"), &fields).await;
    }
    let res = ana
        .post(
            &t,
            &format!("/portal/tickets/{c}/confirmation"),
            &[("solved", "yes")],
        )
        .await;
    assert!(location(&res).contains("flash=confirmed"), "{}", res.text);
    let child_number = t
        .app
        .store
        .tickets()
        .get(TicketId(child))
        .await
        .unwrap()
        .number;
    let org = location(
        &admin
            .post(
                &t,
                "/admin/organisations",
                &[("name", "Base"), ("code", "BASE")],
            )
            .await,
    );
    let org_id: i64 = org.split(['/', '?']).nth(3).unwrap().parse().unwrap();
    let group = location(
        &admin
            .post(
                &t,
                "/admin/groups",
                &[("name", "Service desk"), ("tier", "L1")],
            )
            .await,
    );
    let group_id: i64 = group.split(['/', '?']).nth(3).unwrap().parse().unwrap();

    let ta = format!("/console/tickets/{a}");
    let pa = format!("/portal/tickets/{a}");
    let mut phone = f(&NEW_TICKET);
    phone.extend(f(&[
        ("caller_name", "Carmen Ruiz"),
        ("caller_email", "carmen@example.com"),
    ]));
    let forms = vec![
        Form {
            name: "portal: new ticket",
            by: Who::Requester,
            page: "/portal/new?kind=incident".into(),
            action: "/portal/new".into(),
            fields: f(&NEW_TICKET),
            file: false,
            last: false,
            effect: Effect::Tickets,
        },
        Form {
            name: "portal: reply",
            by: Who::Requester,
            page: pa.clone(),
            action: format!("{pa}/reply"),
            fields: f(&[("body", "It is still down")]),
            file: false,
            last: false,
            effect: Effect::Events(a, "reply"),
        },
        Form {
            name: "portal: files with the reply",
            by: Who::Requester,
            page: pa.clone(),
            action: format!("{pa}/reply"),
            fields: f(&[("body", "")]),
            file: true,
            last: false,
            effect: Effect::Files(a),
        },
        Form {
            name: "portal: validation answer",
            by: Who::Requester,
            page: format!("/portal/tickets/{b}"),
            action: format!("/portal/tickets/{b}/confirmation"),
            fields: f(&[("solved", "no"), ("comment", "Still blank")]),
            file: false,
            last: false,
            effect: Effect::Events(b, "confirmation"),
        },
        Form {
            name: "portal: rating",
            by: Who::Requester,
            page: format!("/portal/tickets/{c}"),
            action: format!("/portal/tickets/{c}/survey"),
            fields: f(&[("rating", "4"), ("comment", "Quick")]),
            file: false,
            last: false,
            effect: Effect::Events(c, "survey"),
        },
        Form {
            name: "console: phone ticket",
            by: Who::Agent,
            page: "/console/phone".into(),
            action: "/console/phone".into(),
            fields: phone,
            file: false,
            last: false,
            effect: Effect::Tickets,
        },
        Form {
            name: "console: reply",
            by: Who::Agent,
            page: ta.clone(),
            action: format!("{ta}/actions"),
            fields: f(&[("kind", "reply"), ("body", "Looking into it")]),
            file: false,
            last: false,
            effect: Effect::Events(a, "reply"),
        },
        Form {
            name: "console: internal note",
            by: Who::Agent,
            page: ta.clone(),
            action: format!("{ta}/actions"),
            fields: f(&[("kind", "note"), ("body", "Relay queue is full")]),
            file: false,
            last: false,
            effect: Effect::Events(a, "note"),
        },
        Form {
            name: "console: time worked",
            by: Who::Agent,
            page: ta.clone(),
            action: format!("{ta}/actions"),
            fields: f(&[
                ("kind", "note"),
                ("body", "Queue flushed"),
                ("minutes", "15"),
            ]),
            file: false,
            last: false,
            effect: Effect::Events(a, "note"),
        },
        Form {
            name: "console: transition",
            by: Who::Agent,
            page: ta.clone(),
            action: format!("{ta}/transitions"),
            fields: f(&[("to", "analysis")]),
            file: false,
            last: false,
            effect: Effect::Events(a, "transition"),
        },
        Form {
            name: "console: escalation",
            by: Who::Agent,
            page: ta.clone(),
            action: format!("{ta}/escalations"),
            fields: f(&[
                ("kind", "hierarchical"),
                ("group_id", ""),
                ("summary", "Mail down for the whole floor"),
            ]),
            file: false,
            last: false,
            effect: Effect::Events(a, "escalation"),
        },
        Form {
            name: "console: child incident",
            by: Who::Agent,
            page: ta.clone(),
            action: format!("{ta}/children"),
            fields: f(&[("number", &child_number)]),
            file: false,
            last: false,
            effect: Effect::Events(a, "link"),
        },
        Form {
            name: "console: major incident",
            by: Who::Agent,
            page: ta.clone(),
            action: format!("{ta}/major"),
            fields: f(&[("major", "true"), ("reason", "The whole floor has no mail")]),
            file: false,
            last: false,
            effect: Effect::AllEvents(a),
        },
        Form {
            name: "console: upload",
            by: Who::Agent,
            page: ta.clone(),
            action: format!("{ta}/attachments"),
            fields: f(&[("visibility", "public")]),
            file: true,
            last: false,
            effect: Effect::Files(a),
        },
        Form {
            name: "admin: new user",
            by: Who::Admin,
            page: "/admin/users/new".into(),
            action: "/admin/users".into(),
            fields: f(&[
                ("name", "Luis Gómez"),
                ("email", "luis@example.com"),
                ("role", "requester"),
                ("language", "es"),
                ("time_zone", "Europe/Madrid"),
                ("active", "on"),
            ]),
            file: false,
            last: false,
            effect: Effect::Users,
        },
        Form {
            name: "admin: new organisation",
            by: Who::Admin,
            page: "/admin/organisations/new".into(),
            action: "/admin/organisations".into(),
            fields: f(&[("name", "Acme"), ("code", "ACME")]),
            file: false,
            last: false,
            effect: Effect::Organisations,
        },
        Form {
            name: "admin: new department",
            by: Who::Admin,
            page: format!("/admin/organisations/{org_id}"),
            action: "/admin/departments".into(),
            fields: f(&[
                ("organisation_id", &org_id.to_string()),
                ("name", "Finance"),
            ]),
            file: false,
            last: false,
            effect: Effect::Departments,
        },
        Form {
            name: "admin: new group",
            by: Who::Admin,
            page: "/admin/groups/new".into(),
            action: "/admin/groups".into(),
            fields: f(&[("name", "Network"), ("tier", "L2"), ("active", "on")]),
            file: false,
            last: false,
            effect: Effect::Groups,
        },
        Form {
            name: "admin: new member",
            by: Who::Admin,
            page: format!("/admin/groups/{group_id}"),
            action: "/admin/members".into(),
            fields: f(&[
                ("group_id", &group_id.to_string()),
                ("user_id", &agent_user.id.to_string()),
                ("back", "group"),
            ]),
            file: false,
            last: false,
            effect: Effect::Members(group_id),
        },
        Form {
            name: "admin: new category",
            by: Who::Admin,
            page: "/admin/categories/new".into(),
            action: "/admin/categories".into(),
            fields: f(&[
                ("code", "remote_access"),
                ("parent_id", ""),
                ("name_es", "Acceso remoto"),
                ("name_en", "Remote access"),
                ("active", "on"),
            ]),
            file: false,
            last: false,
            effect: Effect::Categories,
        },
        Form {
            name: "admin: new calendar",
            by: Who::Admin,
            page: "/admin/sla".into(),
            action: "/admin/calendars".into(),
            fields: f(&[("name", "Night shift"), ("calendar", NIGHT_SHIFT)]),
            file: false,
            last: true,
            effect: Effect::Calendars,
        },
    ];

    for form in &forms {
        let b = match form.by {
            Who::Requester => &ana,
            Who::Agent => &agent,
            Who::Admin => &admin,
        };
        let page = b.get(&t, &form.page).await;
        assert_page(&page, StatusCode::OK);
        let key = form_key_at(&page.text, &form.action, form.last);
        let url = format!("{}?once={key}", form.action);
        let before = count(&t, &admin, &form.effect).await;
        let (first, second) = tokio::join!(send(&t, b, &url, form), send(&t, b, &url, form));
        let (first, second) = (location(&first), location(&second));
        assert_eq!(
            first, second,
            "{}: both posts land on the same page",
            form.name
        );
        assert_eq!(
            count(&t, &admin, &form.effect).await,
            before + 1,
            "{}: applied exactly once",
            form.name
        );
        // Sent again later (a reload that resends, the back button): the same page, no more.
        let again = send(&t, b, &url, form).await;
        assert_eq!(location(&again), first, "{}: a later resend", form.name);
        assert_eq!(
            count(&t, &admin, &form.effect).await,
            before + 1,
            "{}",
            form.name
        );
    }
}

/// A refused post gives its key back: the form shown again with its errors can be corrected
/// and sent with the same key, and is applied then (once).
#[tokio::test]
async fn a_refused_form_keeps_its_key_usable() {
    let t = desk().await;
    t.user("ana@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let page = ana.get(&t, "/portal/new?kind=incident").await;
    let url = format!("/portal/new?once={}", form_key(&page.text, "/portal/new"));
    let mut fields = NEW_TICKET.to_vec();
    fields[1] = ("subject", "");
    let refused = ana.post(&t, &url, &fields).await;
    assert_page(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    let before = count(&t, &ana, &Effect::Tickets).await;
    let (first, second) = tokio::join!(
        ana.post(&t, &url, &NEW_TICKET),
        ana.post(&t, &url, &NEW_TICKET)
    );
    assert_eq!(location(&first), location(&second));
    assert_eq!(count(&t, &ana, &Effect::Tickets).await, before + 1);
    // Each rendering of a form has its own key, so two tickets typed one after the other
    // are two tickets.
    let again = ana.get(&t, "/portal/new?kind=incident").await;
    let other = form_key(&again.text, "/portal/new");
    assert_ne!(url, format!("/portal/new?once={other}"));
    ana.post(&t, &format!("/portal/new?once={other}"), &NEW_TICKET)
        .await;
    assert_eq!(count(&t, &ana, &Effect::Tickets).await, before + 2);
}

/// The key table itself: the first claim is the post's, a repeat finds it pending and then
/// done with its page; a released key can be claimed again; a claim left pending by a post
/// that died is taken over once it is stale; keys are per user; old keys are purged.
#[tokio::test]
async fn form_keys_claim_finish_release_and_take_over_stale_claims() {
    use jiff::SignedDuration;
    use ventanilla_store::form_keys::Claim;

    let t = desk().await;
    let ana = t.user("ana@example.com", "requester").await.id;
    let bob = t.user("bob@example.com", "requester").await.id;
    let keys = t.app.store.form_keys();
    let now = t.app.now();
    let earlier = |mins: i64| now.checked_sub(SignedDuration::from_mins(mins)).unwrap();
    let stale = earlier(2);

    assert_eq!(
        keys.claim(ana, "k1", now, stale).await.unwrap(),
        Claim::Mine
    );
    assert_eq!(
        keys.claim(ana, "k1", now, stale).await.unwrap(),
        Claim::Pending { since: now }
    );
    assert_eq!(
        keys.claim(bob, "k1", now, stale).await.unwrap(),
        Claim::Mine,
        "keys are per user"
    );
    keys.finish(ana, "k1", "/portal/tickets/7?flash=created")
        .await
        .unwrap();
    assert_eq!(
        keys.claim(ana, "k1", now, stale).await.unwrap(),
        Claim::Done("/portal/tickets/7?flash=created".into())
    );
    keys.release(ana, "k1").await.unwrap();
    assert!(
        matches!(
            keys.claim(ana, "k1", now, stale).await.unwrap(),
            Claim::Done(_)
        ),
        "a finished key is never released"
    );

    assert_eq!(
        keys.claim(ana, "k2", now, stale).await.unwrap(),
        Claim::Mine
    );
    keys.release(ana, "k2").await.unwrap();
    assert_eq!(
        keys.claim(ana, "k2", now, stale).await.unwrap(),
        Claim::Mine
    );

    // Claimed ten minutes ago and never finished: taken over, once.
    assert_eq!(
        keys.claim(ana, "k3", earlier(10), earlier(12))
            .await
            .unwrap(),
        Claim::Mine
    );
    assert_eq!(
        keys.claim(ana, "k3", now, stale).await.unwrap(),
        Claim::Mine
    );
    assert!(matches!(
        keys.claim(ana, "k3", now, stale).await.unwrap(),
        Claim::Pending { .. }
    ));

    assert_eq!(keys.purge_before(earlier(1)).await.unwrap(), 0);
    assert_eq!(
        keys.purge_before(now.checked_add(SignedDuration::from_mins(1)).unwrap())
            .await
            .unwrap(),
        4
    );
}
