//! Fuzz target: any bytes handed to the ingest parser must give a result or an
//! `Unparseable`, never a panic, a hang or an allocation blow-up.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ventanilla_mail::Limits {
        max_bytes: 1 << 20,
        ..ventanilla_mail::Limits::default()
    };
    if let Ok(mail) = ventanilla_mail::parse(data, &limits) {
        let _ = ventanilla_mail::trim_reply(&mail.text);
        let _ = ventanilla_mail::ticket_tags(&mail.subject);
    }
});
