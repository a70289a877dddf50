//! IMAP polling against a throwaway Dovecot (Debian's), started by the test on a loopback
//! port with its own configuration in a temporary folder: Maildir, plain login checked
//! against a passwd-file.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use ventanilla_app::config::{ImapConfig, ImapSecurity, MailboxConfig};
use ventanilla_app::mail::intake::imap;
use ventanilla_store::mail_in::InboundState;
use ventanilla_testkit::desk;

use super::support::{free_port, mail, tool};

struct Dovecot {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn id_of(flag: &str, user: &str) -> String {
    let out = Command::new("id").args([flag, user]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn start_dovecot() -> Dovecot {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let port = free_port();
    let (uid, gid) = (id_of("-u", "dovecot"), id_of("-g", "dovecot"));
    for sub in [
        "run",
        "state",
        "home",
        "Maildir/new",
        "Maildir/cur",
        "Maildir/tmp",
    ] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(root.join("passwd"), "desk:{PLAIN}secreto\n").unwrap();
    let d = root.display();
    let conf = format!(
        r#"protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/Maildir
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"#
    );
    std::fs::write(root.join("dovecot.conf"), conf).unwrap();
    Command::new("chown")
        .args([
            "-R",
            &format!("{uid}:{gid}"),
            &format!("{d}/Maildir"),
            &format!("{d}/home"),
        ])
        .status()
        .unwrap();
    let child = Command::new("dovecot")
        .args(["-F", "-c"])
        .arg(root.join("dovecot.conf"))
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "dovecot did not start: {}",
            std::fs::read_to_string(root.join("dovecot.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Dovecot { child, dir, port }
}

fn drop_in_maildir(dc: &Dovecot, n: usize, raw: &[u8]) {
    let path = dc
        .dir
        .path()
        .join(format!("Maildir/new/17000000{n:02}.M{n}P1.test"));
    std::fs::write(&path, raw).unwrap();
}

fn seen_files(dc: &Dovecot) -> usize {
    std::fs::read_dir(dc.dir.path().join("Maildir/cur"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().contains(":2,S"))
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poller_takes_mail_from_dovecot_and_marks_it_seen_only_once_stored() {
    if !tool("dovecot") {
        return;
    }
    let dc = start_dovecot();
    drop_in_maildir(
        &dc,
        1,
        &mail(
            "ana@cliente.example",
            "Por IMAP",
            "imap-1@cliente.example",
            "",
            "uno",
        ),
    );
    drop_in_maildir(
        &dc,
        2,
        &mail(
            "luis@cliente.example",
            "También por IMAP",
            "imap-2@cliente.example",
            "",
            "dos",
        ),
    );
    let port = dc.port;
    let d = desk()
        .config(move |c| {
            c.mail.intake.imap_poll_secs = 1;
            c.mail.intake.mailboxes = vec![MailboxConfig {
                name: "soporte".into(),
                address: "soporte@desk.example".into(),
                kind: "service_request".into(),
                imap: Some(ImapConfig {
                    host: "127.0.0.1".into(),
                    port,
                    security: ImapSecurity::Plain,
                    username: "desk".into(),
                    password: Some("secreto".into()),
                    password_file: None,
                    folder: "INBOX".into(),
                    ca_file: None,
                    idle: true,
                }),
                ..MailboxConfig::default()
            }];
        })
        .build()
        .await;
    let mailbox = d.t.app.config.mail.intake.mailboxes[0].clone();
    let poller = tokio::spawn(imap::run(d.t.app.clone(), mailbox));
    let started = Instant::now();
    loop {
        let rows = d.t.app.store.mail_in().list(None, None, 10).await.unwrap();
        if rows.len() == 2 && seen_files(&dc) == 2 {
            assert!(
                rows.iter()
                    .all(|r| r.source == "imap" && r.mailbox == "soporte")
            );
            assert!(rows.iter().all(|r| r.state == InboundState::Ticket));
            let t =
                d.t.app
                    .store
                    .tickets()
                    .get(rows[0].ticket_id.unwrap())
                    .await
                    .unwrap();
            assert_eq!(t.kind.as_str(), "service_request", "the mailbox's kind");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not polled: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A mail arriving later is picked up by the next round (IDLE or poll).
    drop_in_maildir(
        &dc,
        3,
        &mail(
            "eva@cliente.example",
            "Otra",
            "imap-3@cliente.example",
            "",
            "tres",
        ),
    );
    let started = Instant::now();
    while d
        .t
        .app
        .store
        .mail_in()
        .list(None, None, 10)
        .await
        .unwrap()
        .len()
        < 3
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "third mail not polled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    poller.abort();
}
