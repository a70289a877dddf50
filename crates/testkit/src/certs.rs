//! A throwaway certificate authority for the TLS tests (LDAPS, StartTLS, webhooks over
//! HTTPS): Debian's `openssl` makes a CA and one server certificate signed by it, in a
//! folder the test owns, valid for two days.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The PEM files [`throwaway_ca`] made.
pub struct Certificates {
    /// The CA's certificate: what a client is told to trust (`ca_file`).
    pub ca: PathBuf,
    /// The server's certificate and its key.
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Makes a CA and a server certificate for `host` (its subject's CN), whose subject
/// alternative name is `san` (`DNS:localhost`, `IP:127.0.0.1`), in `dir`.
///
/// # Panics
/// When `openssl` is missing or refuses (the test cannot go on without certificates).
pub fn throwaway_ca(dir: &Path, host: &str, san: &str) -> Certificates {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .expect("openssl is installed");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(
        dir.join("server.ext"),
        format!("subjectAltName={san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"),
    )
    .unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Ventanilla test CA",
    ]);
    let subject = format!("/CN={host}");
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        &subject,
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
    Certificates {
        ca: dir.join("ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
    }
}
