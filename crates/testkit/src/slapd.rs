//! A throwaway OpenLDAP `slapd` (Debian) for the directory tests: its own configuration and
//! database in a temporary folder, a free loopback port, a small directory (people, groups)
//! loaded with `ldapadd`, and optionally LDAPS/StartTLS with a certificate from a throwaway
//! CA made by Debian's `openssl`. Without `slapd` installed, `start` returns `None` (the test
//! prints "skipped" and passes) unless `CI=true`, where it fails.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const SUFFIX: &str = "dc=example,dc=test";
pub const ADMIN_DN: &str = "cn=admin,dc=example,dc=test";
pub const ADMIN_PW: &str = "directory-secret";

pub struct Slapd {
    child: Child,
    pub port: u16,
    /// With TLS: the `ldaps://` port and the CA (PEM) that signed the server's certificate.
    pub tls: Option<(u16, std::path::PathBuf)>,
    _dir: tempfile::TempDir,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The directory every test starts with: carla (agents, l1, Sistemas), dave, erin (Compras).
pub const BASE_LDIF: &str = "dn: dc=example,dc=test
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,dc=example,dc=test
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=example,dc=test
objectClass: organizationalUnit
ou: groups

dn: uid=carla,ou=people,dc=example,dc=test
objectClass: inetOrgPerson
uid: carla
cn: Carla Ruiz
sn: Ruiz
mail: carla@example.test
telephoneNumber: +34 911 000 001
departmentNumber: Sistemas
userPassword: carla-password

dn: uid=dave,ou=people,dc=example,dc=test
objectClass: inetOrgPerson
uid: dave
cn: Dave Soto
sn: Soto
mail: dave@example.test
userPassword: dave-password

dn: uid=erin,ou=people,dc=example,dc=test
objectClass: inetOrgPerson
uid: erin
cn: Erin Gil
sn: Gil
mail: erin@example.test
departmentNumber: Compras
userPassword: erin-password

dn: cn=agents,ou=groups,dc=example,dc=test
objectClass: groupOfNames
cn: agents
member: uid=carla,ou=people,dc=example,dc=test

dn: cn=l1,ou=groups,dc=example,dc=test
objectClass: groupOfNames
cn: l1
member: uid=carla,ou=people,dc=example,dc=test
";

impl Slapd {
    /// Starts a throwaway slapd, or `None` to skip.
    pub fn start() -> Option<Slapd> {
        Self::start_with(false)
    }

    /// [`Slapd::start`]; with `tls`, it also answers `ldaps://` on a second port and
    /// StartTLS on the first, with a certificate from a throwaway CA.
    pub fn start_with(tls: bool) -> Option<Slapd> {
        if !Path::new("/usr/sbin/slapd").exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "slapd is not installed but CI=true: the LDAP tests must run"
            );
            println!("skipped: slapd not installed");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let conf = dir.path().join("slapd.conf");
        let (tls_conf, tls_files) = if tls {
            let crate::certs::Certificates { ca, cert, key } =
                crate::certs::throwaway_ca(dir.path(), "127.0.0.1", "IP:127.0.0.1");
            (
                format!(
                    "TLSCACertificateFile {}\nTLSCertificateFile {}\nTLSCertificateKeyFile {}\n",
                    ca.display(),
                    cert.display(),
                    key.display()
                ),
                Some((free_port(), ca)),
            )
        } else {
            (String::new(), None)
        };
        std::fs::write(
            &conf,
            format!(
                "{tls_conf}include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
database mdb
suffix \"{SUFFIX}\"
rootdn \"{ADMIN_DN}\"
rootpw {ADMIN_PW}
directory {data}
maxsize 10485760
",
                dir = dir.path().display(),
                data = data.display()
            ),
        )
        .unwrap();
        let port = free_port();
        let mut listen = format!("ldap://127.0.0.1:{port}/");
        if let Some((tls_port, _)) = &tls_files {
            listen.push_str(&format!(" ldaps://127.0.0.1:{tls_port}/"));
        }
        let child = Command::new("/usr/sbin/slapd")
            .arg("-f")
            .arg(&conf)
            .arg("-h")
            .arg(listen)
            .arg("-d")
            .arg("0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let s = Slapd {
            child,
            port,
            tls: tls_files,
            _dir: dir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                s.ldif("ldapadd", BASE_LDIF);
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("slapd did not start");
    }

    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    /// Runs `ldapadd`, `ldapmodify` or `ldapdelete` as the directory's administrator.
    pub fn ldif(&self, tool: &str, input: &str) {
        use std::io::Write as _;
        let mut child = Command::new(tool)
            .args(["-x", "-H", &self.url(), "-D", ADMIN_DN, "-w", ADMIN_PW])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "{tool} failed");
    }
}
