//! A stable-toolchain stand-in for the cargo-fuzz target (`fuzz/`): arbitrary bytes, and
//! corpus mails with random bytes changed, never make the parser panic.

use proptest::prelude::*;
use ventanilla_mail::{Limits, parse};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = parse(&raw, &Limits::default());
    }

    #[test]
    fn mutated_mails_never_panic(
        idx in 0usize..54,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
    ) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let mut raw = std::fs::read(&files[idx % files.len()]).unwrap();
        if !raw.is_empty() {
            for (at, byte) in edits {
                let i = at.index(raw.len());
                raw[i] = byte;
            }
        }
        let _ = parse(&raw, &Limits::default());
    }
}

/// Inputs the cargo-fuzz target found panicking inside mail-parser (kept in
/// `tests/regressions/`; a `debug_assert!` of mail-parser 0.11.9, so in builds with debug
/// assertions, as tests and the fuzzer are): each gives a result or a refusal, no panic.
#[test]
fn inputs_that_panicked_the_mime_parser_do_not_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let raw = std::fs::read(entry.unwrap().path()).unwrap();
        let _ = parse(&raw, &Limits::default());
        let _ = ventanilla_mail::message_id(&raw);
        n += 1;
    }
    assert!(n > 0, "the regressions folder holds the fuzzer's finds");
}
