//! The bulk import (`Store::import`, JSON Lines): a round trip of every record type, ticket
//! numbers and counters, and bad lines refused with their line numbers and nothing of their
//! batch kept — on SQLite, and on PostgreSQL when `VENTANILLA_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used)]

use ventanilla_domain::ticket::{EventKind, Priority, Status, TicketKind};
use ventanilla_domain::{Email, TicketId};
use ventanilla_store::Store;
use ventanilla_store::import::{ImportError, ImportFailed, ImportOptions, ImportReport};
use ventanilla_store::tickets::{TicketFilter, TicketScope, TicketSort};
use ventanilla_testdb::TestDb;

const DIRECTORY: &str = r#"{"type":"organisation","ref":"o1","name":"Hospital San Rafael","code":"HSR"}
{"type":"department","ref":"d1","organisation":"o1","name":"Urgencias"}
{"type":"user","ref":"ana","email":"ana.garcia@hsr.example","name":"Ana García","organisation":"o1","department":"d1","language":"es","time_zone":"Europe/Madrid"}
{"type":"user","ref":"tom","email":"tom.smith@it.example","name":"Tom Smith","language":"en","time_zone":"Europe/London","role":"agent"}
{"type":"group","ref":"g1","name":"Centro de servicio","tier":"L1","members":[{"user":"tom","supervisor":true}]}
"#;

/// A ticket for a file without the directory above: no group, the requester does the work.
fn lone_ticket(number: Option<&str>, requester: &str) -> String {
    ticket(number, requester)
        .replace(r#""group":"g1","assignee":"tom","#, "")
        .replace(r#""tom""#, &format!("{requester:?}"))
}

fn ticket(number: Option<&str>, requester: &str) -> String {
    let number = number.map_or(String::new(), |n| format!(r#""number":"{n}","#));
    format!(
        r#"{{"type":"ticket",{number}"kind":"incident","subject":"La impresora no imprime","description":"Desde esta mañana.","requester":"{requester}","channel":"email","category":"hardware.printer","impact":"high","urgency":"high","group":"g1","assignee":"tom","tier":"L1","status":"analysis","created_at":"2025-03-01T09:00:00Z","events":[{{"at":"2025-03-01T09:00:00Z","actor":"{requester}","kind":"created","body":"email"}},{{"at":"2025-03-01T09:05:00Z","actor":"tom","kind":"note","body":"Revisando el tóner","minutes":15}},{{"at":"2025-03-01T09:10:00Z","actor":"tom","kind":"transition","field":"status","old":"new","new":"analysis"}}]}}"#
    )
}

async fn import(store: &Store, text: String) -> Result<ImportReport, ImportFailed> {
    let options = ImportOptions {
        time_zone: ventanilla_domain::TimeZoneName::parse("Europe/Madrid").unwrap(),
        now: "2026-06-01T10:00:00Z".parse().unwrap(),
    };
    store
        .import(std::io::Cursor::new(text.into_bytes()), &options)
        .await
}

async fn all_tickets(store: &Store) -> Vec<ventanilla_domain::ticket::Ticket> {
    store
        .tickets()
        .list(
            &TicketScope::All,
            &TicketFilter::default(),
            TicketSort::Oldest,
            None,
            200,
        )
        .await
        .unwrap()
        .items
}

#[tokio::test]
async fn round_trip_of_every_record_type() {
    let db = TestDb::fresh().await;
    let store = db.store().await;
    let text = format!(
        "{DIRECTORY}{}\n\n{}\n",
        ticket(Some("INC-000123"), "ana"),
        ticket(None, "ana")
    );
    let report = import(&store, text).await.unwrap();
    assert_eq!(
        (
            report.organisations,
            report.departments,
            report.users,
            report.groups,
            report.members
        ),
        (1, 1, 2, 1, 1)
    );
    assert_eq!((report.tickets, report.events), (2, 6));

    let ana = store
        .users()
        .by_email(&Email::parse("ana.garcia@hsr.example").unwrap())
        .await
        .unwrap();
    let tom = store
        .users()
        .by_email(&Email::parse("tom.smith@it.example").unwrap())
        .await
        .unwrap();
    assert_eq!(tom.role, "agent");
    let t = store.tickets().by_number("INC-000123").await.unwrap();
    assert_eq!(t.kind, TicketKind::Incident);
    assert_eq!(t.status, Status::Analysis);
    assert_eq!(
        t.priority,
        Priority::Critical,
        "derived from the matrix: high × high"
    );
    assert_eq!(t.requester_id, ana.id);
    assert_eq!(
        t.organisation_id, ana.organisation_id,
        "taken from the requester"
    );
    assert_eq!(t.assignee_id, Some(tom.id));
    assert!(t.group_id.is_some() && t.category_id.is_some());
    assert_eq!(t.subject, "La impresora no imprime");
    assert_eq!(t.created_at.to_string(), "2025-03-01T09:00:00Z");
    assert_eq!(
        t.updated_at.to_string(),
        "2025-03-01T09:10:00Z",
        "the last event"
    );

    let events = store.tickets().events(t.id, false).await.unwrap();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [EventKind::Created, EventKind::Note, EventKind::Transition]
    );
    assert!(
        !events[1].public,
        "notes are internal unless told otherwise"
    );
    assert_eq!(events[1].minutes, Some(15));
    assert_eq!(store.tickets().events(t.id, true).await.unwrap().len(), 2);
    assert_eq!(store.tickets().minutes_spent(t.id).await.unwrap(), 15);

    // The second ticket got the next number after the imported one.
    let all = all_tickets(&store).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].number, "INC-000124");
}

#[tokio::test]
async fn numbers_are_never_reused_after_an_import() {
    let db = TestDb::fresh().await;
    let store = db.store().await;
    let first = store
        .tickets()
        .next_number(TicketKind::Incident)
        .await
        .unwrap();
    assert_eq!(first, "INC-000001");
    import(
        &store,
        format!("{DIRECTORY}{}\n", ticket(Some("INC-000050"), "ana")),
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .tickets()
            .next_number(TicketKind::Incident)
            .await
            .unwrap(),
        "INC-000051"
    );
    // An imported number below the counter does not move it back.
    let more = "{\"type\":\"user\",\"ref\":\"eve\",\"email\":\"eve@x.example\",\"name\":\"Eve\"}\n"
        .to_owned()
        + &lone_ticket(Some("INC-000007"), "eve")
        + "\n"
        + &lone_ticket(None, "eve");
    import(&store, more).await.unwrap();
    assert_eq!(
        store.tickets().by_number("INC-000007").await.unwrap().kind,
        TicketKind::Incident
    );
    assert!(
        store.tickets().by_number("INC-000052").await.is_ok(),
        "auto number after the counter"
    );
    assert_eq!(
        store
            .tickets()
            .next_number(TicketKind::Incident)
            .await
            .unwrap(),
        "INC-000053"
    );
    assert_eq!(
        store
            .tickets()
            .next_number(TicketKind::ServiceRequest)
            .await
            .unwrap(),
        "REQ-000001"
    );
    // Ids keep growing too: a ticket registered later does not collide with imported ids.
    let ids: Vec<TicketId> = all_tickets(&store).await.iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), 3);
}

#[tokio::test]
async fn an_unknown_reference_refuses_the_line_and_its_batch() {
    let db = TestDb::fresh().await;
    let store = db.store().await;
    let text = format!(
        "{DIRECTORY}{}\n{}\n",
        ticket(None, "ana"),
        ticket(None, "nobody")
    );
    let err = import(&store, text).await.unwrap_err();
    match &err.error {
        ImportError::Line { line, message } => {
            assert_eq!(*line, 7);
            assert!(
                message.contains("requester") && message.contains("nobody"),
                "{message}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err.resume_at, 1,
        "the batch was rolled back from its first line"
    );
    assert!(err.to_string().contains("line 7"), "{err}");
    // Nothing of the batch is kept: no users, no tickets, no number taken.
    assert!(
        store
            .users()
            .by_email(&Email::parse("ana.garcia@hsr.example").unwrap())
            .await
            .is_err()
    );
    assert!(all_tickets(&store).await.is_empty());
    assert_eq!(
        store
            .tickets()
            .next_number(TicketKind::Incident)
            .await
            .unwrap(),
        "INC-000001"
    );
}

#[tokio::test]
async fn malformed_and_invalid_lines_name_their_line_and_field() {
    let db = TestDb::fresh().await;
    let store = db.store().await;
    // Line 6 is not JSON: lines 1-5 are imported, nothing from 6 on.
    let text = format!(
        "{DIRECTORY}{{\"type\":\"ticket\",\n{}\n",
        ticket(None, "ana")
    );
    let err = import(&store, text).await.unwrap_err();
    assert!(
        matches!(
            err.error,
            ImportError::Input {
                line: 6,
                column: 17,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.resume_at, 6);
    assert_eq!(err.committed.users, 2);
    assert!(all_tickets(&store).await.is_empty());

    let db = TestDb::fresh().await;
    let store = db.store().await;
    let bad = ticket(None, "ana").replace(r#""impact":"high""#, r#""impact":"huge""#);
    let err = import(&store, format!("{DIRECTORY}{bad}\n"))
        .await
        .unwrap_err();
    match &err.error {
        ImportError::Input {
            line,
            column,
            message,
        } => {
            assert_eq!(*line, 6);
            // In characters, as editors count ("mañana" comes before it).
            let col = bad[..bad.find("\"impact\"").unwrap()].chars().count() + 1;
            assert_eq!(*column, col as u64, "the column of the bad field");
            assert!(message.contains("impact"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let unknown_field = r#"{"type":"organisation","ref":"o9","name":"X","colour":"red"}"#;
    let err = import(&store, format!("{unknown_field}\n"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("line 1") && err.to_string().contains("colour"),
        "{err}"
    );
}

#[tokio::test]
async fn a_duplicate_number_refuses_the_whole_batch() {
    let db = TestDb::fresh().await;
    let store = db.store().await;
    import(
        &store,
        format!("{DIRECTORY}{}\n", ticket(Some("INC-000010"), "ana")),
    )
    .await
    .unwrap();
    let again = format!(
        "{}\n{}\n",
        lone_ticket(None, "x"),
        lone_ticket(Some("INC-000010"), "x")
    );
    let again = "{\"type\":\"user\",\"ref\":\"x\",\"email\":\"x@x.example\",\"name\":\"X\"}\n"
        .to_owned()
        + &again;
    let err = import(&store, again).await.unwrap_err();
    assert!(
        matches!(
            err.error,
            ImportError::Batch {
                first: 1,
                last: 3,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        all_tickets(&store).await.len(),
        1,
        "nothing of the failed batch"
    );
    assert!(
        store
            .users()
            .by_email(&Email::parse("x@x.example").unwrap())
            .await
            .is_err()
    );
    assert_eq!(
        store
            .tickets()
            .next_number(TicketKind::Incident)
            .await
            .unwrap(),
        "INC-000011"
    );
}

#[tokio::test]
async fn a_user_without_a_zone_takes_the_callers_default_and_records_its_clock() {
    let db = TestDb::fresh().await;
    let store = db.store().await;
    let now: jiff::Timestamp = "2026-07-01T08:30:00Z".parse().unwrap();
    let options = ImportOptions {
        time_zone: ventanilla_domain::TimeZoneName::parse("America/Lima").unwrap(),
        now,
    };
    let line = r#"{"type":"user","ref":"eva","email":"eva@x.example","name":"Eva"}"#;
    store
        .import(std::io::Cursor::new(line.as_bytes().to_vec()), &options)
        .await
        .unwrap();
    let eva = store
        .users()
        .by_email(&Email::parse("eva@x.example").unwrap())
        .await
        .unwrap();
    assert_eq!(
        (eva.time_zone.as_str(), eva.created_at),
        ("America/Lima", now)
    );
}
