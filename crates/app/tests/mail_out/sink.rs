//! A real SMTP server for the tests: Debian's `python3-aiosmtpd` running `sink.py` on a
//! free loopback port, writing each mail it accepts to a folder (or answering 451 while
//! told to refuse). Killed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The interpreter with Debian's aiosmtpd (pyenv's `python3` on PATH lacks it).
const PYTHON: &str = "/usr/bin/python3";

pub struct Sink {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// A free loopback port (bound and released; the sink takes it right after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether aiosmtpd is here. Outside CI a machine without it skips the tests that need it,
/// saying so; in CI (`CI=true`) its absence fails them.
pub fn available() -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3-aiosmtpd is required in CI (apt-get install python3-aiosmtpd)"
        );
        eprintln!("skipping: /usr/bin/python3 has no aiosmtpd (apt-get install python3-aiosmtpd)");
    }
    ok
}

impl Sink {
    /// Starts a sink on `port` and waits until it accepts connections.
    pub fn start_on(port: u16) -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail_out/sink.py");
        let child = Command::new(PYTHON)
            .arg(script)
            .arg(dir.path())
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP sink");
        // Owned at once, so a sink that never starts is killed and reaped when dropped.
        let sink = Sink { child, port, dir };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return sink;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        drop(sink);
        panic!("the SMTP sink did not start on port {port}");
    }

    pub fn start() -> Sink {
        Self::start_on(free_port())
    }

    /// While refusing, every mail is answered `451 4.3.0`.
    pub fn refuse(&self, on: bool) {
        let flag = self.dir.path().join("refuse");
        if on {
            std::fs::write(flag, b"").unwrap();
        } else {
            let _ = std::fs::remove_file(flag);
        }
    }

    /// The mails received so far, oldest first, as raw text.
    pub fn mails(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    pub fn count(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml"))
            })
            .count()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A header's value (unfolded), first occurrence.
pub fn header(mail: &str, name: &str) -> Option<String> {
    let head = mail.split("\r\n\r\n").next().unwrap_or(mail);
    let mut out: Option<String> = None;
    for line in head.split("\r\n") {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(v) = out.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if out.is_some() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case(name)
        {
            out = Some(v.trim().to_owned());
        }
    }
    out
}
