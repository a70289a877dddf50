//! The whole mail loop of issue #11 against a real SMTP server (Debian's python3-aiosmtpd):
//! a person mails the desk → a ticket opens and they get its acknowledgement → an agent
//! replies → their mail client gets the reply → their answer to it (In-Reply-To naming our
//! Message-ID, quoted history below) joins the same ticket as a public reply, trimmed.

use ventanilla_app::mail::intake::{Delivered, Source, ingest};
use ventanilla_domain::TicketId;
use ventanilla_store::mail_in::InboundState;

use super::act;
use super::delivery::{deliver, desk_sending_to, text, to};
use super::sink::{self, Sink, header};

async fn ingest_one(d: &ventanilla_testkit::Desk, raw: &str) -> (InboundState, Option<TicketId>) {
    let id = match ingest(&d.app, raw.as_bytes(), Source::Pipe, None, &[])
        .await
        .unwrap()
    {
        Delivered::Stored { id, .. } | Delivered::Duplicate { id } => id,
    };
    let row = d.app.store.mail_in().get(id).await.unwrap();
    (row.state, row.ticket_id)
}

#[tokio::test]
async fn a_mail_becomes_a_ticket_and_the_reply_to_our_reply_joins_it() {
    if !sink::available() {
        return;
    }
    let sink = Sink::start();
    let d = desk_sending_to(sink.port, 5).await;
    let first = "From: Lucía Pérez <lucia@cliente.test>\r\nTo: mesa@desk.test\r\n\
        Subject: La VPN no conecta\r\nMessage-ID: <m1@cliente.test>\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\r\nDesde esta mañana la VPN no conecta.\r\n";
    let (state, ticket) = ingest_one(&d, first).await;
    assert_eq!(state, InboundState::Ticket);
    let ticket = ticket.unwrap();
    let t = d.app.store.tickets().get(ticket).await.unwrap();
    assert_eq!(t.subject, "La VPN no conecta");
    assert_eq!(t.channel.as_str(), "email");

    // The acknowledgement reaches her, threaded under her own mail.
    deliver(&d).await;
    let mails = sink.mails();
    let ack = mails
        .iter()
        .find(|m| to(m) == "lucia@cliente.test")
        .expect("an acknowledgement to the sender");
    assert!(
        header(ack, "Subject")
            .unwrap()
            .contains("La VPN no conecta")
    );

    // An agent replies; her mail client gets it.
    act(
        &d,
        ticket.get(),
        &d.agent,
        "reply",
        "Reinstale el cliente VPN y pruebe de nuevo.",
    )
    .await;
    deliver(&d).await;
    let mails = sink.mails();
    let reply = mails.last().unwrap();
    assert_eq!(to(reply), "lucia@cliente.test");
    assert!(text(reply).contains("Reinstale el cliente VPN"));
    let ours = header(reply, "Message-ID").unwrap();
    let subject = header(reply, "Subject").unwrap();

    // Her client answers with only In-Reply-To (no References) and the history quoted.
    let answer = format!(
        "From: Lucía Pérez <lucia@cliente.test>\r\nTo: mesa@desk.test\r\n\
         Subject: RE: {subject}\r\nMessage-ID: <m2@cliente.test>\r\nIn-Reply-To: {ours}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Ya funciona, gracias.\r\n\r\nEl lun, 30 nov 2026, Mesa de ayuda escribió:\r\n\
         > Reinstale el cliente VPN y pruebe de nuevo.\r\n"
    );
    let (state, joined) = ingest_one(&d, &answer).await;
    assert_eq!(state, InboundState::Reply);
    assert_eq!(joined, Some(ticket), "the answer joins the same ticket");
    let bodies: Vec<String> = d
        .app
        .store
        .tickets()
        .events(ticket, true)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| e.body)
        .collect();
    let last = bodies.last().unwrap();
    assert_eq!(
        last.trim(),
        "Ya funciona, gracias.",
        "quoted history trimmed"
    );
}

#[tokio::test]
async fn a_refused_sender_gets_one_polite_answer_an_hour_and_robots_none() {
    if !sink::available() {
        return;
    }
    let sink = Sink::start();
    let d = super::delivery::desk_sending_to_with(sink.port, |c| {
        c.mail.intake.unknown_senders = ventanilla_app::config::UnknownSenders::Reject;
    })
    .await;
    let stranger = |n: u32, extra: &str| {
        format!(
            "From: Desconocido <extrano@fuera.test>\r\nTo: mesa@desk.test\r\n\
             Subject: Necesito acceso {n}\r\nMessage-ID: <s{n}@fuera.test>\r\n{extra}\
             Content-Type: text/plain; charset=utf-8\r\n\r\nHola, ¿me dan acceso?\r\n"
        )
    };
    for n in 1..=3 {
        let (state, ticket) = ingest_one(&d, &stranger(n, "")).await;
        assert_eq!(state, InboundState::Rejected);
        assert_eq!(ticket, None);
    }
    // A robot at another address that is refused too, but says it is automatic.
    let robot = "From: robot@fuera.test\r\nTo: mesa@desk.test\r\nSubject: Fuera de la oficina\r\n\
        Message-ID: <r1@fuera.test>\r\nAuto-Submitted: auto-replied\r\n\
        Content-Type: text/plain\r\n\r\nEstoy de vacaciones.\r\n";
    let (state, _) = ingest_one(&d, robot).await;
    assert_eq!(state, InboundState::Auto);

    deliver(&d).await;
    let mails = sink.mails();
    assert_eq!(mails.len(), 1, "one answer in an hour, none to the robot");
    let answer = &mails[0];
    assert_eq!(to(answer), "extrano@fuera.test");
    assert_eq!(
        header(answer, "In-Reply-To").as_deref(),
        Some("<s1@fuera.test>")
    );
    assert_eq!(
        header(answer, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let body = text(answer);
    assert!(
        body.contains("solo atiende a usuarios registrados"),
        "{body}"
    );
    assert!(body.contains("only serves registered users"), "{body}");
    assert!(body.contains("Necesito acceso 1"), "{body}");

    // An hour later the same address gets an answer again.
    d.clock.advance(jiff::SignedDuration::from_mins(61));
    ingest_one(&d, &stranger(4, "")).await;
    deliver(&d).await;
    assert_eq!(sink.mails().len(), 2);
}
