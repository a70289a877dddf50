//! Fuzz target: any bytes handed to the ingest parser must give a result or an
//! `Unparseable`, never a panic, a hang or an allocation blow-up.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // libFuzzer's panic hook aborts at once, even for a panic the code under test catches
    // (`ventanilla_mail::parse` takes one inside mail-parser as "not a message"). This hook
    // only prints: a panic that escapes still reaches libFuzzer's own catch and is a crash.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("{info}"))));
    let limits = ventanilla_mail::Limits {
        max_bytes: 1 << 20,
        ..ventanilla_mail::Limits::default()
    };
    if let Ok(mail) = ventanilla_mail::parse(data, &limits) {
        let _ = ventanilla_mail::trim_reply(&mail.text);
        let _ = ventanilla_mail::ticket_tags(&mail.subject);
    }
});
