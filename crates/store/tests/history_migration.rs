//! Upgrading to version 5 (`0005_history_codes.sql`): timeline entries and notifications
//! that earlier versions stored as English sentences become codes and parameters, keeping
//! only what a person wrote in `body`. Rows are written as version 4 wrote them, then the
//! store is migrated, on SQLite and PostgreSQL alike.

use sqlx::Connection as _;
use ventanilla_domain::{TicketId, UserId};
use ventanilla_store::{Store, StoreOptions};
use ventanilla_testdb::TestDb;

const OLD_ROWS: &str = r#"
INSERT INTO users (id, email, name, language, time_zone, role_id, created_at, updated_at)
  SELECT 1, 'ana@example.com', 'Ana', 'es', 'Europe/Madrid', id, 0, 0 FROM roles WHERE name = 'requester';
INSERT INTO tickets (id, number, kind, subject, description, requester_id, channel, impact, urgency,
    priority, priority_rank, status, created_at, updated_at, status_changed_at)
  VALUES (1, 'INC-000001', 'incident', 'Impresora', 'No imprime', 1, 'portal', 'low', 'low',
    'low', 4, 'analysis', 0, 0, 0);
INSERT INTO ticket_events (id, ticket_id, at, kind, public, body, field, old_value, new_value) VALUES
  (1, 1, 1, 'created', TRUE, 'portal', NULL, NULL, NULL),
  (2, 1, 2, 'escalation', TRUE, 'escalated to L2', NULL, NULL, NULL),
  (3, 1, 3, 'escalation', FALSE, 'handover to Redes: sospecha de placa', NULL, NULL, NULL),
  (4, 1, 4, 'escalation', FALSE, 'hierarchical escalation: cliente VIP', NULL, NULL, NULL),
  (5, 1, 5, 'escalation', FALSE, 'automatic escalation to Redes: SLA breach of the resolution target', NULL, NULL, NULL),
  (6, 1, 6, 'sla', FALSE, 'SLA warning: first_response target (2026-03-02T10:00:00Z)', 'sla.first_response', NULL, 'warning'),
  (7, 1, 7, 'transition', TRUE, '[3]→[4]→[1] no solution: reopened (2)
sigue sin imprimir', 'status', 'validation', 'analysis'),
  (8, 1, 8, 'transition', TRUE, '[1]→[2] probando el driver', 'status', 'analysis', 'solution'),
  (9, 1, 9, 'transition', TRUE, 'Resolved with parent INC-000009: placa cambiada', 'status', 'solution', 'validation'),
  (10, 1, 10, 'link', FALSE, 'linked under INC-000009', 'parent_id', NULL, '9'),
  (11, 1, 11, 'link', FALSE, 'INC-000003 linked as a child', NULL, NULL, NULL),
  (12, 1, 12, 'link', FALSE, 'unlinked from INC-000009', 'parent_id', '9', NULL),
  (13, 1, 13, 'change', FALSE, 'override: cierre contable', 'priority', 'low', 'high'),
  (14, 1, 14, 'reply', TRUE, 'Hola, ¿funciona ya?', NULL, NULL, NULL),
  (15, 1, 15, 'transition', TRUE, '[5]→[6]', 'status', 'survey', 'review');
INSERT INTO notifications (id, user_id, ticket_id, kind, title, body, created_at) VALUES
  (1, 1, 1, 'ticket.escalated', 'INC-000001 escalated to Redes', 'sospecha de placa', 1),
  (2, 1, 1, 'sla.warning', 'SLA warning on INC-000001: Impresora', 'resolution target', 2);
"#;

async fn write_old_rows(url: &str) {
    let sql = sqlx::AssertSqlSafe(OLD_ROWS);
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sql).execute(&mut c).await.expect("old rows");
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sql).execute(&mut c).await.expect("old rows");
    }
}

fn p(pairs: &[(&str, &str)]) -> ventanilla_domain::ticket::Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn old_sentences_become_codes_and_parameters() {
    let db = TestDb::fresh().await;
    let store = Store::connect(&db.url, &StoreOptions::default())
        .await
        .expect("connect");
    store.migrate_to(4).await.expect("migrate to 4");
    write_old_rows(&db.url).await;
    store.migrate().await.expect("migrate the rest");

    let events = store
        .tickets()
        .events(TicketId(1), false)
        .await
        .expect("events");
    let got: Vec<(
        Option<&str>,
        ventanilla_domain::ticket::Params,
        Option<&str>,
    )> = events
        .iter()
        .map(|e| (e.code.as_deref(), e.params.clone(), e.body.as_deref()))
        .collect();
    let want = vec![
        (Some("created"), p(&[("channel", "portal")]), None),
        (Some("escalated_to_tier"), p(&[("tier", "L2")]), None),
        (
            Some("handover"),
            p(&[("group", "Redes")]),
            Some("sospecha de placa"),
        ),
        (Some("hierarchical_escalation"), p(&[]), Some("cliente VIP")),
        (
            Some("sla_escalation"),
            p(&[
                ("group", "Redes"),
                ("crossing", "breach"),
                ("target", "resolution"),
            ]),
            None,
        ),
        (
            Some("sla_warning"),
            p(&[("target", "first_response"), ("at", "2026-03-02T10:00:00Z")]),
            None,
        ),
        (
            Some("no_solution"),
            p(&[("count", "2")]),
            Some("sigue sin imprimir"),
        ),
        (
            Some("steps"),
            p(&[("steps", "1,2")]),
            Some("probando el driver"),
        ),
        (
            Some("resolved_with_parent"),
            p(&[("parent", "INC-000009")]),
            Some("placa cambiada"),
        ),
        (Some("linked_under"), p(&[("parent", "INC-000009")]), None),
        (Some("child_linked"), p(&[("child", "INC-000003")]), None),
        (Some("unlinked_from"), p(&[("parent", "INC-000009")]), None),
        (Some("priority_override"), p(&[]), Some("cierre contable")),
        (None, p(&[]), Some("Hola, ¿funciona ya?")),
        (Some("steps"), p(&[("steps", "5,6")]), None),
    ];
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "entry {}", i + 1);
    }
    assert_eq!(got.len(), want.len());

    let (notes, _) = store
        .notifications()
        .list(UserId(1), false, None, 10)
        .await
        .expect("notifications");
    let mut notes: Vec<_> = notes
        .into_iter()
        .map(|n| (n.kind, n.params, n.body))
        .collect();
    notes.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        notes,
        vec![
            (
                "sla.warning".to_owned(),
                p(&[
                    ("number", "INC-000001"),
                    ("subject", "Impresora"),
                    ("target", "resolution")
                ]),
                None
            ),
            (
                "ticket.escalated".to_owned(),
                p(&[
                    ("number", "INC-000001"),
                    ("subject", "Impresora"),
                    ("group", "Redes")
                ]),
                Some("sospecha de placa".to_owned())
            ),
        ]
    );
}
