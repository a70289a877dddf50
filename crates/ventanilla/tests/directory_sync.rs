//! `ventanilla directory sync [--dry-run]` (issue 19) against a throwaway OpenLDAP `slapd`:
//! the dry run reports and changes nothing, the sync creates the directory's users, a second
//! run finds them unchanged, a person removed from the directory is deactivated; without a
//! directory configured, or with the directory down, the command fails with a clear message.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use serde_json::Value;
use ventanilla_testkit::TestDb;
use ventanilla_testkit::slapd::{ADMIN_DN, ADMIN_PW, SUFFIX, Slapd};

const BIN: &str = env!("CARGO_BIN_EXE_ventanilla");

fn config(dir: &std::path::Path, ldap_url: &str) -> std::path::PathBuf {
    let path = dir.join("ventanilla.toml");
    std::fs::write(
        &path,
        format!(
            r#"[identity.ldap]
url = "{ldap_url}"
security = "none"
bind_dn = "{ADMIN_DN}"
bind_password = "{ADMIN_PW}"
user_base = "ou=people,{SUFFIX}"
group_base = "ou=groups,{SUFFIX}"
timeout_secs = 3
[[identity.ldap.group_roles]]
group = "cn=agents,ou=groups,{SUFFIX}"
value = "agent"
"#
        ),
    )
    .unwrap();
    path
}

fn sync(config: &std::path::Path, db_url: &str, dry_run: bool) -> Output {
    let mut args = vec!["directory", "sync", "--database-url", db_url];
    if dry_run {
        args.push("--dry-run");
    }
    Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(&args)
        .env_remove("VENTANILLA_CONFIG")
        .output()
        .unwrap()
}

fn report(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sorted(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_syncs_the_directory_and_its_dry_run_changes_nothing() {
    let Some(slapd) = Slapd::start() else {
        return;
    };
    let db = TestDb::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &slapd.url());
    let everyone = [
        "carla@example.test",
        "dave@example.test",
        "erin@example.test",
    ];

    let dry = report(&sync(&cfg, &db.url, true));
    assert_eq!(dry["dry_run"], true);
    assert_eq!(sorted(&dry["created"]), everyone);
    // A dry run changed nothing: the next one reports the same.
    let out = sync(&cfg, &db.url, true);
    assert_eq!(sorted(&report(&out)["created"]), everyone);
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains("dry run: 3 created"),
        "the last line sums it up: {summary}"
    );

    let real = report(&sync(&cfg, &db.url, false));
    assert_eq!(real["dry_run"], false);
    assert_eq!(sorted(&real["created"]), everyone);
    let again = report(&sync(&cfg, &db.url, false));
    assert!(again["created"].as_array().unwrap().is_empty(), "{again}");
    assert_eq!(again["unchanged"], 3);

    // Erin leaves the organisation: the next sync deactivates her.
    slapd.ldif("ldapdelete", &format!("uid=erin,ou=people,{SUFFIX}\n"));
    let left = report(&sync(&cfg, &db.url, false));
    assert_eq!(sorted(&left["deactivated"]), ["erin@example.test"]);
    let store = db.store().await;
    let erin = store
        .users()
        .by_email(&ventanilla_domain::Email::parse("erin@example.test").unwrap())
        .await
        .unwrap();
    assert!(!erin.active);
    let carla = store
        .users()
        .by_email(&ventanilla_domain::Email::parse("carla@example.test").unwrap())
        .await
        .unwrap();
    assert_eq!(carla.role, "agent", "the agents group maps to the role");
    store.close().await;

    // The directory down: a clear failure, nothing deactivated.
    drop(slapd);
    let down = sync(&cfg, &db.url, false);
    assert!(!down.status.success());
    let err = String::from_utf8_lossy(&down.stderr);
    assert!(err.contains("directory"), "{err}");
    assert!(down.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_directory_the_command_says_what_to_configure() {
    let db = TestDb::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("ventanilla.toml");
    std::fs::write(&empty, "").unwrap();
    let out = sync(&empty, &db.url, true);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[identity.ldap]"), "{err}");
}
