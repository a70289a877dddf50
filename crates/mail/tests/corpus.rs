//! The fixture corpus (`tests/corpus/*.eml`, written for the project: charsets, nested
//! multiparts, Outlook and Gmail replies, forwards, bounces, auto-replies, huge and malformed
//! mails), each parsed and compared with its snapshot, plus the field reports as assertions.

use std::path::Path;

use ventanilla_mail::{AutoReason, Limits, ParsedMail, Unparseable, parse};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_stem().expect("stem").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read"))
        })
        .collect()
}

fn one(name: &str) -> ParsedMail {
    let (_, raw) = corpus()
        .into_iter()
        .find(|(n, _)| n == name)
        .expect("fixture");
    parse(&raw, &Limits::default()).expect("parses")
}

#[test]
fn the_corpus_has_at_least_forty_mails_and_each_matches_its_snapshot() {
    let all = corpus();
    assert!(all.len() >= 40, "only {} fixtures", all.len());
    for (name, raw) in all {
        let result: Result<ParsedMail, Unparseable> = parse(&raw, &Limits::default());
        let value = match result {
            Ok(mut p) => {
                // Huge texts are summarised, not stored whole in the snapshot.
                if p.text.len() > 4000 {
                    p.text = format!("{}… ({} chars)", &p.text[..200], p.text.chars().count());
                    p.reply_text = String::from("(same as text)");
                }
                if p.attachments.len() > 5 {
                    let n = p.attachments.len();
                    p.attachments.truncate(5);
                    p.notes.push(format!("{n} attachments (5 shown)"));
                }
                serde_json::json!({ "parsed": p })
            }
            Err(e) => serde_json::json!({ "unparseable": e }),
        };
        insta::assert_json_snapshot!(name, value);
    }
}

#[test]
fn field_report_spanish_accents_survive_latin1_and_quoted_printable() {
    let p = one("02-latin1-accents");
    assert_eq!(p.subject, "No funciona la impresión en España");
    assert!(p.text.contains("Buenos días"), "{}", p.text);
    assert!(p.text.contains("almacén") && p.text.contains("José Muñoz — €5"));
    assert_eq!(
        p.from.as_ref().and_then(|f| f.name.as_deref()),
        Some("José Muñoz")
    );
    let p = one("03-qp-utf8-accents");
    assert_eq!(p.subject, "Contraseña caducada ¿ayuda?");
    assert!(p.text.contains("Mi contraseña ha caducado"));
    assert!(
        p.text.contains("¿Podéis ayudarme? Atención: es urgente."),
        "{}",
        p.text
    );
}

#[test]
fn field_report_unlabeled_non_ascii_is_detected_not_escaped() {
    let p = one("04-unlabeled-latin1");
    assert!(p.text.contains("portátil"), "{}", p.text);
    assert!(p.text.contains("después de la actualización"));
    assert!(!p.text.contains('\u{FFFD}') && !p.text.contains("\\x"));
    let p = one("08-broken-charset-label");
    assert!(
        p.text.contains("Información") && p.text.contains("miércoles"),
        "{}",
        p.text
    );
    let p = one("52-8bit-latin1-subject");
    assert_eq!(p.subject, "Petición de acceso al almacén");
}

#[test]
fn replies_are_trimmed_to_what_was_written() {
    assert_eq!(
        one("18-outlook-reply-es").reply_text,
        "Sigue sin funcionar, lo he reiniciado dos veces.\n\nAna García\nDepartamento de Compras"
    );
    assert_eq!(
        one("19-outlook-reply-en").reply_text,
        "The 14 inch model is fine."
    );
    assert_eq!(one("20-gmail-reply-es").reply_text, "Ya funciona, gracias.");
    assert_eq!(
        one("21-gmail-reply-en").reply_text,
        "Done, I can log in now."
    );
    assert_eq!(one("22-iphone-reply").reply_text, "Perfecto, gracias");
    assert_eq!(
        one("23-thunderbird-signature").reply_text,
        "No tengo acceso a la carpeta compartida."
    );
    assert_eq!(
        one("36-aw-sv-prefixes").reply_text,
        "Der Drucker geht wieder."
    );
}

#[test]
fn automatic_mail_is_recognised_and_human_mail_is_not() {
    for (name, reason) in [
        ("26-bounce-dsn", AutoReason::Report),
        ("27-bounce-null-return-path", AutoReason::NullSender),
        ("28-auto-submitted", AutoReason::AutoSubmitted),
        ("29-outlook-oof", AutoReason::Autoreply),
        ("30-precedence-bulk", AutoReason::Precedence),
        ("31-x-autoreply", AutoReason::Autoreply),
        ("32-precedence-list", AutoReason::Precedence),
    ] {
        assert_eq!(one(name).auto, Some(reason), "{name}");
    }
    for name in [
        "01-plain-ascii",
        "50-auto-submitted-no",
        "18-outlook-reply-es",
    ] {
        assert_eq!(one(name).auto, None, "{name}");
    }
}

#[test]
fn threading_headers_and_tags() {
    let p = one("33-in-reply-to-only");
    assert_eq!(p.thread_candidates(), vec!["out1@desk.example"]);
    let p = one("20-gmail-reply-es");
    assert_eq!(
        p.thread_candidates(),
        vec![
            "out3@desk.example",
            "out3@desk.example",
            "out0@desk.example"
        ]
    );
    let p = one("35-subject-tag-rv");
    assert_eq!(p.topic, "[INC-000123] Impresora");
    assert_eq!(ventanilla_mail::ticket_tags(&p.subject), vec!["INC-000123"]);
}

#[test]
fn html_is_sanitised_and_inline_images_become_attachments() {
    let p = one("11-html-dangerous");
    let html = p.html.expect("html");
    for bad in [
        "<script",
        "onclick",
        "javascript:",
        "<iframe",
        "<form",
        "tracker.example",
        "<style",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("https://ok.example/x"));
    let p = one("12-related-inline-image");
    assert_eq!(p.attachments.len(), 1);
    assert!(p.attachments[0].inline);
    assert_eq!(p.attachments[0].content_type, "image/png");
    assert_eq!(
        one("14-rfc2231-filename").attachments[0].filename,
        "informe año 2026.txt"
    );
    assert_eq!(
        one("15-rfc2231-continuation").attachments[0].filename,
        "registro de errores Ángel.log"
    );
    assert_eq!(
        one("16-encoded-word-filename").attachments[0].filename,
        "camión.png"
    );
    let fwd = one("25-forwarded-attachment");
    assert_eq!(fwd.attachments[0].content_type, "message/rfc822");
    assert_eq!(fwd.attachments[0].filename, "Verifique su cuenta.eml");
}

#[test]
fn limits_hold() {
    let p = one("41-huge-body");
    assert_eq!(p.text.chars().count(), Limits::default().max_text_chars);
    let p = one("43-many-parts");
    assert!(p.attachments.len() < 230);
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let (_, raw) = corpus()
        .into_iter()
        .find(|(n, _)| n == "01-plain-ascii")
        .expect("fixture");
    assert_eq!(parse(&raw, &small).unwrap_err(), Unparseable::TooLarge);
}
