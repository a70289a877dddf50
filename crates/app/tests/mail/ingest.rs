//! The ingest step on a real database: tickets, dedupe, threading, loops, policies, and the
//! field reports of issue #11.

use ventanilla_app::config::UnknownSenders;
use ventanilla_app::mail::intake::{Delivered, retry};
use ventanilla_domain::ticket::Channel;
use ventanilla_store::mail_ids::Direction;
use ventanilla_store::mail_in::InboundState;
use ventanilla_testkit::desk;

use super::support::{corpus, deliver, mail, replies, state, ticket};

#[tokio::test]
async fn a_new_mail_opens_an_email_ticket_for_its_sender_and_redelivery_gives_one_entry() {
    let d = desk().build().await;
    let raw = mail(
        "Nuevo Cliente <nuevo@cliente.example>",
        "No arranca el portátil",
        "n1@cliente.example",
        "",
        "Desde esta mañana no arranca.",
    );
    let (out, row) = deliver(&d, &raw).await;
    assert!(matches!(
        out,
        Delivered::Stored {
            state: InboundState::Ticket,
            ..
        }
    ));
    let t = ticket(&d, row.ticket_id.unwrap()).await;
    assert_eq!(t.channel, Channel::Email);
    assert_eq!(t.subject, "No arranca el portátil");
    assert_eq!(t.description, "Desde esta mañana no arranca.");
    let requester = d.t.app.store.users().get(t.requester_id).await.unwrap();
    assert_eq!(requester.email.as_str(), "nuevo@cliente.example");
    assert_eq!(requester.name, "Nuevo Cliente");
    assert_eq!(t.group_id, Some(d.l1), "the desk's default group");
    for _ in 0..9 {
        let (again, _) = deliver(&d, &raw).await;
        assert_eq!(again, Delivered::Duplicate { id: row.id });
    }
    let all = d.t.app.store.mail_in().list(None, None, 50).await.unwrap();
    assert_eq!(all.len(), 1, "ten deliveries, one entry");
    // The mail's Message-ID now threads replies into the ticket.
    let known =
        d.t.app
            .store
            .mail_ids()
            .ticket_of(&["n1@cliente.example".into()])
            .await
            .unwrap();
    assert_eq!(known, Some(t.id));
}

#[tokio::test]
async fn field_report_spanish_accents_in_latin1_and_qp_utf8_keep_every_character() {
    let d = desk().build().await;
    let (_, row) = deliver(&d, &corpus("02-latin1-accents")).await;
    let t = ticket(&d, row.ticket_id.unwrap()).await;
    assert_eq!(t.subject, "No funciona la impresión en España");
    assert!(t.description.contains("Buenos días: la impresora del almacén no imprime. ¿Pueden revisarlo? Gracias, José Muñoz — €5"));
    let (_, row) = deliver(&d, &corpus("03-qp-utf8-accents")).await;
    let t = ticket(&d, row.ticket_id.unwrap()).await;
    assert_eq!(t.subject, "Contraseña caducada ¿ayuda?");
    assert!(
        t.description
            .contains("¿Podéis ayudarme? Atención: es urgente.")
    );
    let requester = d.t.app.store.users().get(t.requester_id).await.unwrap();
    assert_eq!(requester.name, "María López");
}

#[tokio::test]
async fn field_report_an_unlabeled_non_ascii_body_is_decoded_by_detection() {
    let d = desk().build().await;
    let (_, row) = deliver(&d, &corpus("04-unlabeled-latin1")).await;
    let t = ticket(&d, row.ticket_id.unwrap()).await;
    assert!(
        t.description
            .contains("La pantalla del portátil se queda negra después de la actualización"),
        "{}",
        t.description
    );
    assert!(!t.description.contains('\u{FFFD}') && !t.description.contains("\\x"));
}

#[tokio::test]
async fn field_report_a_reply_with_only_in_reply_to_joins_its_ticket() {
    let d = desk().build().await;
    let t = d
        .ticket()
        .by(&d.requester)
        .subject("Impresora")
        .create()
        .await;
    // The outbound side records the Message-ID of the mail it sent about the ticket.
    let app = &d.t.app;
    app.store
        .mail_ids()
        .remember("out-77@desk.example", t.id, Direction::Out, app.now())
        .await
        .unwrap();
    let raw = mail(
        "Req <req@x.test>",
        "Re: Impresora",
        "r1@x.test",
        "In-Reply-To: <out-77@desk.example>\r\n",
        "Ya imprime, gracias.\r\n\r\nEl lun, 30 nov 2026, Soporte escribió:\r\n> ¿Imprime?",
    );
    let (out, row) = deliver(&d, &raw).await;
    assert!(matches!(
        out,
        Delivered::Stored {
            state: InboundState::Reply,
            ..
        }
    ));
    assert_eq!(row.ticket_id, Some(t.id));
    let bodies = replies(&d, t.id).await;
    assert_eq!(
        bodies.last().map(String::as_str),
        Some("Ya imprime, gracias."),
        "quoted history trimmed"
    );
}

#[tokio::test]
async fn field_report_a_subject_tag_joins_only_from_a_participant() {
    let d = desk().build().await;
    let t = d
        .ticket()
        .by(&d.requester)
        .subject("Impresora")
        .create()
        .await;
    let tag = format!("RV: RE: [{}] Impresora", t.number);
    let raw = mail(
        "Req <req@x.test>",
        &tag,
        "tag1@x.test",
        "",
        "Más datos: modelo HP 4250.",
    );
    let (_, row) = deliver(&d, &raw).await;
    assert_eq!(state(&row), InboundState::Reply);
    assert_eq!(row.ticket_id, Some(t.id));
    // An outsider naming the same number opens a ticket of their own and learns nothing.
    let raw = mail(
        "Otro <otro@fuera.example>",
        &tag,
        "tag2@fuera.example",
        "",
        "Hola",
    );
    let (_, row) = deliver(&d, &raw).await;
    assert_eq!(state(&row), InboundState::Ticket);
    assert_ne!(row.ticket_id, Some(t.id));
    // The agent of the ticket's group is a participant too: their reply is public.
    let raw = mail(
        "Agent <agent@x.test>",
        &format!("[{}]", t.number),
        "tag3@x.test",
        "",
        "Voy para allá.",
    );
    let (_, row) = deliver(&d, &raw).await;
    assert_eq!(
        (state(&row), row.ticket_id),
        (InboundState::Reply, Some(t.id))
    );
    assert!(
        replies(&d, t.id)
            .await
            .contains(&"Voy para allá.".to_owned())
    );
}

#[tokio::test]
async fn auto_replies_and_bounces_are_kept_but_never_open_tickets() {
    let d = desk().build().await;
    let before = d.t.app.store.users().count().await.unwrap();
    for (name, reason) in [
        ("26-bounce-dsn", "report"),
        ("27-bounce-null-return-path", "null_sender"),
        ("28-auto-submitted", "auto_submitted"),
        ("29-outlook-oof", "autoreply"),
        ("30-precedence-bulk", "precedence"),
        ("31-x-autoreply", "autoreply"),
    ] {
        let (_, row) = deliver(&d, &corpus(name)).await;
        assert_eq!(state(&row), InboundState::Auto, "{name}");
        assert_eq!(row.reason.as_deref(), Some(reason), "{name}");
        assert_eq!(row.ticket_id, None, "{name}");
    }
    assert_eq!(
        d.t.app.store.users().count().await.unwrap(),
        before,
        "nobody created"
    );
}

#[tokio::test]
async fn a_reply_in_validation_is_a_reply_not_a_yes() {
    let d = desk().build().await;
    let t = d.ticket().by(&d.requester).subject("Wifi").create().await;
    let path = format!("/api/v1/tickets/{}/transitions", t.id);
    for body in [
        serde_json::json!({ "to": "analysis" }),
        serde_json::json!({ "to": "solution" }),
        serde_json::json!({ "to": "validation", "resolution_code": "hardware_replaced", "resolution": "Router reiniciado" }),
    ] {
        let res = d.t.post(&path, body, &d.agent).await;
        assert!(res.status.is_success(), "{}", res.text);
    }
    assert_eq!(ticket(&d, t.id).await.status.as_str(), "validation");
    let raw = mail(
        "Req <req@x.test>",
        &format!("Re: [{}] Wifi", t.number),
        "v1@x.test",
        "",
        "Sí",
    );
    let (_, row) = deliver(&d, &raw).await;
    assert_eq!(state(&row), InboundState::Reply);
    assert_eq!(
        ticket(&d, t.id).await.status.as_str(),
        "validation",
        "a mail is no answer to the question"
    );
}

#[tokio::test]
async fn unknown_senders_follow_the_policy() {
    let d = desk()
        .config(|c| {
            c.mail.intake.unknown_senders = UnknownSenders::AllowDomains;
            c.mail.intake.allowed_domains = vec!["cliente.example".into()];
        })
        .build()
        .await;
    let (_, row) = deliver(
        &d,
        &mail("a@cliente.example", "Hola", "p1@cliente.example", "", "x"),
    )
    .await;
    assert_eq!(state(&row), InboundState::Ticket);
    let (_, row) = deliver(
        &d,
        &mail("b@spam.example", "Hola", "p2@spam.example", "", "x"),
    )
    .await;
    assert_eq!(
        (state(&row), row.reason.as_deref()),
        (InboundState::Rejected, Some("domain_not_allowed"))
    );
    // Existing users always may write.
    let (_, row) = deliver(&d, &mail("req@x.test", "Hola", "p3@x.test", "", "x")).await;
    assert_eq!(state(&row), InboundState::Ticket);
}

#[tokio::test]
async fn an_unparseable_mail_is_kept_for_admins_and_can_be_retried() {
    let d = desk().build().await;
    let (_, row) = deliver(&d, &corpus("38-malformed-no-from")).await;
    assert_eq!(
        (state(&row), row.reason.as_deref()),
        (InboundState::Failed, Some("no_sender"))
    );
    let raw = d.t.app.store.mail_in().raw(row.id).await.unwrap();
    assert_eq!(raw, corpus("38-malformed-no-from"), "kept byte for byte");
    assert_eq!(retry(&d.t.app, row.id).await.unwrap(), InboundState::Failed);
    assert_eq!(
        d.t.app.store.mail_in().get(row.id).await.unwrap().attempts,
        2
    );
}

#[tokio::test]
async fn attachments_and_inline_images_are_stored_on_the_ticket() {
    let d = desk().build().await;
    let (_, row) = deliver(&d, &corpus("17-nested-multiparts")).await;
    let id = row.ticket_id.unwrap();
    let files =
        d.t.app
            .store
            .tickets()
            .attachments(id, false)
            .await
            .unwrap();
    let mut names: Vec<String> = files.iter().map(|f| f.filename.clone()).collect();
    names.sort();
    assert_eq!(names, vec!["a.pdf", "inline-1.png"]);
}
