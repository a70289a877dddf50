//! The queue and ticket pages (console and portal) run a fixed number of SQL statements
//! whatever the number of tickets: counted through sqlx's statement log at 10 and at 1,000
//! tickets; and a full 50-row queue weighs at most 15 KB on the wire, brotli or gzip. (Its
//! own test binary: the counting subscriber is process-wide.)

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use http::{Request, StatusCode, header};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};
use ventanilla_domain::Text;
use ventanilla_domain::ticket::{NewTicket, Priority, TicketKind};
use ventanilla_testkit::{Caller, TestApp, fixtures};

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct CountStatements;

/// The statement text sqlx logs (its `db.statement` and `summary` fields).
struct Statement(String);

impl tracing::field::Visit for Statement {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "db.statement" || field.name() == "summary" {
            self.0.push_str(&format!("{value:?} "));
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "db.statement" || field.name() == "summary" {
            self.0.push_str(value);
            self.0.push(' ');
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            let mut v = Statement(String::new());
            event.record(&mut v);
            // Connection set-up (PRAGMAs when a pool opens a connection) is not a page's work.
            if !v.0.to_ascii_uppercase().contains("PRAGMA") {
                STATEMENTS.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

async fn add_tickets(t: &TestApp, requester: ventanilla_domain::UserId, n: usize) -> i64 {
    let mut last = 0;
    for i in 0..n {
        let new = NewTicket {
            subject: Text::parse("subject", &format!("Load ticket {i}"), 200).unwrap(),
            description: Text::parse("description", "generated", 1000).unwrap(),
            ..fixtures::new_ticket(requester, TicketKind::Incident, Priority::Medium)
        };
        let (tk, _) = t
            .app
            .store
            .tickets()
            .create(&new, Some(requester), t.app.now(), None, &[])
            .await
            .unwrap();
        last = tk.id.get();
    }
    last
}

async fn count(t: &TestApp, cookie: &str, path: &str) -> usize {
    let req = Request::builder()
        .uri(path)
        .header(header::COOKIE, format!("ventanilla_session={cookie}"))
        .body(Body::empty())
        .unwrap();
    let before = STATEMENTS.load(Ordering::SeqCst);
    let res = t.send(req).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
    STATEMENTS.load(Ordering::SeqCst) - before
}

#[tokio::test]
async fn queue_and_ticket_pages_do_a_fixed_number_of_queries() {
    let subscriber = Registry::default().with(CountStatements);
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let t = TestApp::with_config(|c| c.tickets.agents_see_all = true).await;
    let requester = t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    let Caller::Session { cookie, .. } = t
        .login("agent@example.com", ventanilla_testkit::PASSWORD)
        .await
    else {
        panic!("session expected")
    };
    let id = add_tickets(&t, requester.id, 10).await;
    let pages = [
        "/console?view=open".to_owned(),
        "/console?view=open&sort=due&sla=at_risk".to_owned(),
        // Every column (requester and organisation names, group, age, SLA countdown).
        "/console?view=open&cols=subject,requester,organisation,group,kind,status,priority,sla,assignee,age,updated".to_owned(),
        "/console?view=open&part=rows&cols=subject,requester,organisation,group,age".to_owned(),
        "/console?view=following".to_owned(),
        format!("/console/tickets/{id}"),
        format!("/console/tickets/{id}?order=oldest"),
        "/portal".to_owned(),
        format!("/portal/tickets/{id}"),
    ];
    let mut at_10 = Vec::new();
    for p in &pages {
        // Once to warm caches that are loaded once per process, then measured.
        count(&t, &cookie, p).await;
        at_10.push(count(&t, &cookie, p).await);
    }
    // 1,001 tickets in all: the queue's counts pass their cap.
    add_tickets(&t, requester.id, 991).await;
    let mut at_1000 = Vec::new();
    for p in &pages {
        at_1000.push(count(&t, &cookie, p).await);
    }
    assert_eq!(
        at_10, at_1000,
        "queries per page must not grow with tickets"
    );
    let req = Request::builder()
        .uri("/console?view=open")
        .header(header::COOKIE, format!("ventanilla_session={cookie}"))
        .body(Body::empty())
        .unwrap();
    let page = t.send(req).await.text;
    assert!(
        page.contains("id=\"count-open\">1000+<"),
        "open tab is capped"
    );
    assert!(page.contains("id=\"count-mine\">0<"));
    for (p, n) in pages.iter().zip(&at_10) {
        println!("{p}: {n} statements at 10 and at 1,001 tickets");
        assert!(*n > 0, "{p}: the counter saw no statement");
        assert!(*n <= 20, "{p}: {n} statements");
    }
    // Page weight: a full 50-row queue, compressed as browsers ask for it. The page weighed
    // is a full one: 50 rows (1,001 open tickets, pages of 50), read uncompressed here.
    let full = "/console?view=open&cols=subject,requester,organisation,group,kind,status,priority,sla,assignee,age";
    let req = Request::builder()
        .uri(full)
        .header(header::COOKIE, format!("ventanilla_session={cookie}"))
        .body(Body::empty())
        .unwrap();
    let plain = t.send(req).await;
    assert_eq!(
        plain.text.matches("data-href=\"/console/tickets/").count(),
        50,
        "a 50-row page"
    );
    println!("50-row queue, uncompressed: {} bytes", plain.wire_len);
    for encoding in ["br", "gzip"] {
        let req = Request::builder()
            .uri(full)
            .header(header::COOKIE, format!("ventanilla_session={cookie}"))
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap();
        let res = t.send(req).await;
        assert_eq!(
            res.headers
                .get(header::CONTENT_ENCODING)
                .and_then(|v| v.to_str().ok()),
            Some(encoding)
        );
        println!(
            "50-row queue, {encoding}: {} bytes on the wire",
            res.wire_len
        );
        assert!(
            res.wire_len <= 15 * 1024,
            "{encoding}: {} bytes",
            res.wire_len
        );
    }
}
