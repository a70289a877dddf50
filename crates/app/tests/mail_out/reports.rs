//! Scheduled report mails (issue 14, item 4) through a real SMTP server: each recipient
//! reads the KPI table in their own language, with the CSV attached (UTF-8 with a BOM),
//! and the mail says it is automatic without inviting a reply to a ticket.

use mail_parser::{MessageParser, MimeHeaders as _};
use serde_json::json;

use super::delivery::{deliver, desk_sending_to, to};
use super::sink::{self, Sink};
use super::speaks;

#[tokio::test]
async fn each_recipient_reads_the_report_in_their_language_with_the_csv_attached() {
    if !sink::available() {
        return;
    }
    let sink = Sink::start();
    let d = desk_sending_to(sink.port, 5).await;
    d.ticket().by(&d.requester).create().await;
    deliver(&d).await;
    let before = sink.count();
    let boss = d.person("boss@x.test", "supervisor").await;
    speaks(&d, &boss, "en").await;
    let res = d
        .post(
            "/api/v1/reports/schedules",
            json!({ "name": "Mesa <semanal>", "cadence": "weekly",
                    "recipients": [d.supervisor.id().get(), boss.id().get()] }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, http::StatusCode::CREATED, "{}", res.text);
    d.clock.set("2026-03-09T05:01:00Z".parse().unwrap());
    d.run_pending_jobs().await;
    assert_eq!(deliver(&d).await, 2);
    let mails = sink.mails();
    assert_eq!(mails.len(), before + 2);
    let es = mails.iter().find(|m| to(m) == "sup@x.test").unwrap();
    let en = mails.iter().find(|m| to(m) == "boss@x.test").unwrap();
    let es = MessageParser::default().parse(es.as_bytes()).unwrap();
    let en = MessageParser::default().parse(en.as_bytes()).unwrap();
    assert_eq!(
        es.subject().unwrap(),
        "Informe semanal «Mesa <semanal>»: del 2026-03-02 al 2026-03-08"
    );
    assert_eq!(
        en.subject().unwrap(),
        "Weekly report “Mesa <semanal>”: 2026-03-02 to 2026-03-08"
    );
    let es_text = es.body_text(0).unwrap();
    let en_text = en.body_text(0).unwrap();
    assert!(es_text.contains("Tickets creados: 1"), "{es_text}");
    assert!(en_text.contains("Tickets created: 1"), "{en_text}");
    assert!(en_text.contains("http://desk.test/reports"), "{en_text}");
    assert!(
        !en_text.contains("add to ticket"),
        "no ticket to reply to: {en_text}"
    );
    let html = en.body_html(0).unwrap();
    assert!(html.contains("Mesa &lt;semanal&gt;"), "escaped: {html}");
    for m in [&es, &en] {
        assert_eq!(m.attachment_count(), 1);
        let a = m.attachment(0).unwrap();
        assert_eq!(a.attachment_name(), Some("kpis-2026-03-02-2026-03-08.csv"));
        assert_eq!(a.content_type().unwrap().ctype(), "text");
        assert_eq!(a.content_type().unwrap().subtype(), Some("csv"));
        let csv = std::str::from_utf8(a.contents()).unwrap();
        assert!(csv.starts_with("\u{feff}from,to,tickets_created,"), "{csv}");
    }
}
