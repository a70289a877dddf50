//! Configuration: built-in defaults < `ventanilla.toml` < `VENTANILLA__SECTION__KEY`
//! environment variables < command-line flags. Secrets can come from `*_file` keys.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use ventanilla_domain::{TimeZoneName, textfile};
use ventanilla_store::{StoreOptions, Synchronous};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub tickets: TicketsConfig,
    pub jobs: JobsConfig,
    pub log: LogConfig,
    pub defaults: DefaultsConfig,
    pub events: EventsConfig,
    pub webhooks: WebhooksConfig,
    /// E-mail: outbound (`[mail]`, `[mail.smtp]`) and inbound (`[mail.intake]`).
    pub mail: crate::mail::MailConfig,
    pub notifications: crate::mail::NotificationsConfig,
    /// `[routing]`: auto-assignment (issue 17).
    pub routing: crate::desk::routing::RoutingConfig,
    /// Identity: two-factor, LDAP, OpenID Connect (issue 19).
    pub identity: crate::identity::IdentityConfig,
}

/// What to do with mail from an address that is not a user yet.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UnknownSenders {
    /// Create them as requesters (the usual desk).
    Create,
    /// Create them only when their domain is in `allowed_domains`; keep the rest as rejected.
    AllowDomains,
    /// Never create: only existing users may write in; the rest are kept as rejected.
    Reject,
}

/// Inbound mail (issue #11).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeConfig {
    /// Larger messages are refused at the door (SMTP 552, exit 65), in bytes.
    pub max_message_bytes: usize,
    /// `create`, `allow_domains` or `reject`.
    pub unknown_senders: UnknownSenders,
    /// Domains whose unknown senders become requesters with `allow_domains`.
    pub allowed_domains: Vec<String>,
    /// How often each IMAP mailbox is polled when it offers no IDLE, in seconds.
    pub imap_poll_secs: u64,
    pub smtp: SmtpListenerConfig,
    /// The mailboxes mail arrives in: `[[mail.intake.mailboxes]]`.
    pub mailboxes: Vec<MailboxConfig>,
}

impl Default for IntakeConfig {
    fn default() -> Self {
        Self {
            max_message_bytes: 25 * 1024 * 1024,
            unknown_senders: UnknownSenders::Create,
            allowed_domains: Vec::new(),
            imap_poll_secs: 60,
            smtp: SmtpListenerConfig::default(),
            mailboxes: Vec::new(),
        }
    }
}

/// The built-in SMTP listener (off by default; put it behind the MTA or on loopback).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpListenerConfig {
    pub enabled: bool,
    pub listen: SocketAddr,
    /// The name the listener greets with.
    pub hostname: String,
    /// Connections served at once; more wait.
    pub max_connections: usize,
}

impl Default for SmtpListenerConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            listen: SocketAddr::from(([127, 0, 0, 1], 2525)),
            hostname: "ventanilla.localhost".into(),
            max_connections: 64,
        }
    }
}

/// One mailbox: its address (routing for the SMTP listener and the pipe), where its
/// tickets go, and optionally the IMAP account to poll.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailboxConfig {
    /// A short name shown in the mail log.
    pub name: String,
    pub address: String,
    /// `incident` or `service_request`.
    pub kind: String,
    pub impact: String,
    pub urgency: String,
    /// The group new tickets go to (default: the desk's default group).
    pub group_id: Option<i64>,
    pub category_id: Option<i64>,
    pub imap: Option<ImapConfig>,
}

impl Default for MailboxConfig {
    fn default() -> Self {
        Self {
            name: "default".into(),
            address: String::new(),
            kind: "incident".into(),
            impact: "low".into(),
            urgency: "medium".into(),
            group_id: None,
            category_id: None,
            imap: None,
        }
    }
}

/// How the IMAP connection is protected.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ImapSecurity {
    /// IMAPS (port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (port 143).
    Starttls,
    /// No encryption: only for a server on loopback.
    Plain,
}

/// An IMAP account polled by UID (UIDVALIDITY checked), with IDLE when offered.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub security: ImapSecurity,
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
    /// Read the password from this file instead.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default = "inbox")]
    pub folder: String,
    /// Extra PEM certificates to trust (a private CA).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Wait with IDLE between polls when the server offers it.
    #[serde(default = "yes")]
    pub idle: bool,
}

fn inbox() -> String {
    "INBOX".into()
}

fn yes() -> bool {
    true
}

/// Monitoring events (`POST /events`, `/events/alertmanager`): how alerts become incidents.
/// An integration's own `settings` override these per integration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventsConfig {
    /// One incident per alert `fingerprint`, or per Alertmanager `group_key`.
    pub group_by: String,
    /// The label naming the affected configuration item.
    pub ci_label: String,
    /// The label carrying the severity.
    pub severity_label: String,
    /// Impact and urgency per severity (`critical = ["high", "high"]`); others get `default_severity`.
    pub severities: std::collections::BTreeMap<String, [String; 2]>,
    /// The severity assumed when an alert has none or an unknown one.
    pub default_severity: String,
    /// What a resolved alert does to its incident beside a note: `none`, `validation`
    /// (moved to validation, awaiting confirmation) or `resolve` (validated as solved).
    pub on_resolved: String,
    /// The resolution code recorded when a resolved alert moves its incident on.
    pub resolution_code: String,
    /// How many registrations of one call run at once (they share group commits).
    pub concurrency: usize,
    /// How often the suggestion model is retrained from closed tickets, in hours.
    pub retrain_hours: u64,
}

impl Default for EventsConfig {
    fn default() -> Self {
        let pair = |i: &str, u: &str| [i.to_owned(), u.to_owned()];
        Self {
            group_by: "fingerprint".into(),
            ci_label: "instance".into(),
            severity_label: "severity".into(),
            severities: [
                ("critical".to_owned(), pair("high", "high")),
                ("error".to_owned(), pair("high", "medium")),
                ("warning".to_owned(), pair("medium", "medium")),
                ("info".to_owned(), pair("low", "low")),
            ]
            .into_iter()
            .collect(),
            default_severity: "warning".into(),
            on_resolved: "validation".into(),
            resolution_code: "monitoring_resolved".into(),
            concurrency: 64,
            retrain_hours: 24,
        }
    }
}

/// Outbound webhooks: where they may go and how deliveries are retried.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksConfig {
    /// Allow URLs that resolve to loopback addresses (tests and single-host setups).
    pub allow_loopback: bool,
    /// Allow private (RFC 1918, unique-local) addresses.
    pub allow_private: bool,
    /// Seconds a delivery may take.
    pub timeout_secs: u64,
    /// Attempts before a delivery is given up.
    pub max_attempts: i64,
    /// How often new ticket events are turned into deliveries, in seconds.
    pub dispatch_secs: u64,
    /// Extra PEM CA certificates trusted for `https://` webhooks, beside the system's roots
    /// (a private CA). Read at the first `https://` delivery after start.
    pub ca_file: Option<PathBuf>,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            allow_loopback: false,
            allow_private: false,
            timeout_secs: 10,
            max_attempts: 6,
            dispatch_secs: 5,
            ca_file: None,
        }
    }
}

/// What a record gets when its author gives nothing: the desk's own conventions rather than
/// constants in the code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DefaultsConfig {
    /// The IANA time zone of a user created without one (API, admin pages, a requester
    /// created with a ticket, `user add`, import lines, the demo desk and its calendar).
    pub time_zone: String,
}

impl Default for DefaultsConfig {
    fn default() -> Self {
        Self {
            time_zone: "Europe/Madrid".into(),
        }
    }
}

impl DefaultsConfig {
    /// The default time zone, checked (`Config` validates it when loaded).
    ///
    /// # Errors
    /// When the configured name is not an IANA time zone.
    pub fn time_zone(&self) -> Result<TimeZoneName, ventanilla_domain::ValidationError> {
        TimeZoneName::parse(&self.time_zone)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsConfig {
    /// Run background jobs in `serve` (turn off on web-only nodes and run `worker` apart).
    pub enabled: bool,
    /// How often an idle worker looks for work, in milliseconds.
    pub poll_interval_ms: u64,
    /// How long a claimed job is held before another node may take it over, in seconds.
    pub lease_secs: u64,
    /// How often SLA warnings and breaches are looked for, in seconds.
    pub sla_scan_secs: u64,
    /// How often sessions, throttling counters and finished jobs are cleaned up, in seconds.
    pub housekeeping_secs: u64,
    /// How often ticket changes appended for the reports are folded into the rollup, in
    /// seconds (a report read folds first anyway; this keeps the pending rows few).
    pub report_fold_secs: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            poll_interval_ms: 1000,
            lease_secs: 300,
            sla_scan_secs: 30,
            housekeeping_secs: 600,
            report_fold_secs: 10,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TicketsConfig {
    /// Largest attachment accepted, in bytes.
    pub attachment_max_bytes: usize,
    /// Agents see every ticket, not only their groups' and their own.
    pub agents_see_all: bool,
    /// The group a ticket registered without one goes to; by default the first active L1
    /// group (the service desk).
    pub default_group_id: Option<i64>,
    /// A ticket waiting for its satisfaction survey moves on to review after this many hours.
    pub survey_timeout_hours: u32,
    /// What closing from review requires.
    pub close_requirements: ventanilla_domain::ticket::CloseRequirements,
    /// How long a node keeps the priority matrix, SLA policies and calendars and the
    /// default group in memory, in milliseconds. A change made on this node applies at
    /// once; one made on another node applies here within this time. 0 reads them per write.
    pub reference_cache_ms: u64,
}

impl Default for TicketsConfig {
    fn default() -> Self {
        Self {
            attachment_max_bytes: 10 * 1024 * 1024,
            agents_see_all: false,
            default_group_id: None,
            survey_timeout_hours: 72,
            close_requirements: Default::default(),
            reference_cache_ms: 2_000,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on. Keep it on loopback behind a reverse proxy in production.
    pub listen: SocketAddr,
    /// The URL users reach Ventanilla at; `https://` marks session cookies `Secure`.
    pub public_url: String,
    /// Largest request body accepted by the API, in bytes.
    pub body_limit_bytes: usize,
    /// Requests running longer than this are answered 503, in seconds.
    pub request_timeout_secs: u64,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (created if missing) or `postgres://USER@HOST/DB`.
    pub url: String,
    /// Read the URL from this file instead (for secrets mounted as files).
    pub url_file: Option<PathBuf>,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
    /// SQLite durability: `normal` or `full` (see docs/OPERATIONS.md).
    pub synchronous: Synchronous,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// A session lasts this long after its last use, in hours.
    pub session_idle_hours: u32,
    /// Consecutive failed logins on one account before it is locked for `lockout_minutes`.
    pub max_failures_per_account: u32,
    /// Failed logins from one address within `lockout_minutes` before it is locked.
    pub max_failures_per_ip: u32,
    pub lockout_minutes: u32,
    /// Argon2id cost: memory in KiB, iterations and lanes (OWASP minimum: 19 MiB, 2, 1).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter, e.g. `info` or `info,ventanilla_app=debug`.
    pub filter: String,
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080".into(),
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            trust_forwarded_for: false,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        let store = StoreOptions::default();
        Self {
            url: "sqlite://ventanilla-data/ventanilla.db".into(),
            url_file: None,
            max_connections: store.max_connections,
            busy_timeout_ms: store.busy_timeout_ms,
            synchronous: store.synchronous,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_idle_hours: 12,
            max_failures_per_account: 10,
            max_failures_per_ip: 50,
            lockout_minutes: 15,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            filter: "info".into(),
            format: LogFormat::Text,
        }
    }
}

/// A configuration error that names the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    /// An error whose message starts with the key at fault (`section.key: what is wrong`).
    pub fn new(message: impl Into<String>) -> Self {
        ConfigError(message.into())
    }
}

/// A configuration file's text as editors save it (`domain::textfile`: byte-order mark and
/// CRLF accepted); errors name the file.
fn read_config_file(path: &Path) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
    Ok(textfile::normalised(&text, "\n"))
}

impl Config {
    /// Loads defaults, then `file` (if it exists, or fails if it was named explicitly and is
    /// missing), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "config file {} not found",
                    path.display()
                )));
            }
            Some(path) => fig = fig.merge(Toml::string(&read_config_file(path)?)),
            // Like figment's `Toml::file`: the nearest ventanilla.toml up from the directory.
            None => {
                let found = std::env::current_dir().ok().and_then(|dir| {
                    dir.ancestors()
                        .map(|d| d.join("ventanilla.toml"))
                        .find(|p| p.is_file())
                });
                if let Some(path) = found {
                    fig = fig.merge(Toml::string(&read_config_file(&path)?));
                }
            }
        }
        Self::from_figment(fig.merge(Env::prefixed("VENTANILLA__").split("__")))
    }

    /// Builds a config from defaults and a TOML text (for tests and `config check`).
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::from_figment(
            Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(text)),
        )
    }

    fn from_figment(fig: Figment) -> Result<Self, ConfigError> {
        let mut config: Config = fig.extract().map_err(|e| {
            // figment names the path of the failing key ("auth.lockout_minutes").
            let msgs: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
            ConfigError(msgs.join("; "))
        })?;
        if let Some(path) = config.database.url_file.take() {
            let url = std::fs::read_to_string(&path).map_err(|e| {
                ConfigError(format!(
                    "database.url_file: cannot read {}: {e}",
                    path.display()
                ))
            })?;
            config.database.url = textfile::without_bom(&url).trim().to_owned();
        }
        if let Some(path) = config.mail.smtp.password_file.take() {
            let pw = std::fs::read_to_string(&path).map_err(|e| {
                ConfigError(format!(
                    "mail.smtp.password_file: cannot read {}: {e}",
                    path.display()
                ))
            })?;
            config.mail.smtp.password = textfile::without_bom(&pw).trim().to_owned();
        }
        if let Some(path) = config.identity.sealing_key_file.take() {
            let key = std::fs::read_to_string(&path).map_err(|e| {
                ConfigError(format!(
                    "identity.sealing_key_file: cannot read {}: {e}",
                    path.display()
                ))
            })?;
            config.identity.sealing_key = Some(textfile::without_bom(&key).trim().to_owned());
        }
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let err = |k: &str, m: &str| Err(ConfigError(format!("{k}: {m}")));
        if let Some(key) = &self.identity.sealing_key
            && let Err(m) = crate::identity::sealing::Sealer::from_base64(key)
        {
            return err("identity.sealing_key", &m);
        }
        if !(self.database.url.starts_with("sqlite:")
            || self.database.url.starts_with("postgres://")
            || self.database.url.starts_with("postgresql://"))
        {
            return err("database.url", "must start with sqlite:// or postgres://");
        }
        if !(self.server.public_url.starts_with("http://")
            || self.server.public_url.starts_with("https://"))
        {
            return err("server.public_url", "must start with http:// or https://");
        }
        if self.server.body_limit_bytes < 1024 {
            return err("server.body_limit_bytes", "must be at least 1024");
        }
        if self.auth.max_failures_per_account == 0 || self.auth.max_failures_per_ip == 0 {
            return err("auth.max_failures_per_account", "limits must be at least 1");
        }
        if self.jobs.poll_interval_ms == 0
            || self.jobs.sla_scan_secs == 0
            || self.jobs.housekeeping_secs == 0
            || self.jobs.report_fold_secs == 0
            || self.jobs.lease_secs == 0
        {
            return err("jobs", "intervals must be at least 1");
        }
        if self.tickets.survey_timeout_hours == 0 {
            return err("tickets.survey_timeout_hours", "must be at least 1");
        }
        if self.auth.lockout_minutes == 0 || self.auth.session_idle_hours == 0 {
            return err("auth.lockout_minutes", "durations must be at least 1");
        }
        if self.mail.intake.max_message_bytes < 1024 || self.mail.intake.imap_poll_secs == 0 {
            return err(
                "mail.intake.max_message_bytes",
                "must be at least 1024 (and imap_poll_secs at least 1)",
            );
        }
        for (i, m) in self.mail.intake.mailboxes.iter().enumerate() {
            if m.kind
                .parse::<ventanilla_domain::ticket::TicketKind>()
                .is_err()
                || m.impact
                    .parse::<ventanilla_domain::ticket::Impact>()
                    .is_err()
                || m.urgency
                    .parse::<ventanilla_domain::ticket::Urgency>()
                    .is_err()
            {
                return err(
                    &format!("mail.intake.mailboxes[{i}]"),
                    "kind, impact or urgency is not a known value",
                );
            }
        }
        self.mail.check().map_err(ConfigError)?;
        if let Some(path) = &self.webhooks.ca_file
            && let Err(e) = crate::http::tls::read_ca_file(path)
        {
            return err("webhooks.ca_file", &e.to_string());
        }
        if self.defaults.time_zone().is_err() {
            return err("defaults.time_zone", "must be an IANA time zone name");
        }
        if argon2::Params::new(
            self.auth.argon2_memory_kib,
            self.auth.argon2_iterations,
            self.auth.argon2_parallelism,
            None,
        )
        .is_err()
        {
            return err(
                "auth.argon2_memory_kib",
                "argon2 parameters are out of range",
            );
        }
        Ok(())
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            max_connections: self.database.max_connections,
            busy_timeout_ms: self.database.busy_timeout_ms,
            synchronous: self.database.synchronous,
            ..StoreOptions::default()
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }
}

/// The commented example printed by `ventanilla config example`.
pub const EXAMPLE: &str = include_str!("../ventanilla.example.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_to_the_defaults() {
        let c = Config::from_toml(EXAMPLE).unwrap();
        let d = Config::default();
        assert_eq!(c.server.listen, d.server.listen);
        assert_eq!(
            c.auth.max_failures_per_account,
            d.auth.max_failures_per_account
        );
        assert_eq!(c.database.url, d.database.url);
        assert_eq!(c.defaults.time_zone, d.defaults.time_zone);
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::from_toml("[auth]\nlockout_minutes = \"soon\"").unwrap_err();
        assert!(e.to_string().contains("lockout_minutes"), "{e}");
        let e = Config::from_toml("[server]\nlisten = \"nowhere\"").unwrap_err();
        assert!(e.to_string().contains("listen"), "{e}");
        let e = Config::from_toml("[database]\nurl = \"mysql://x\"").unwrap_err();
        assert!(e.to_string().contains("database.url"), "{e}");
        let e = Config::from_toml("[server]\nlisen = \"127.0.0.1:1\"").unwrap_err();
        assert!(e.to_string().contains("lisen"), "{e}");
        let e = Config::from_toml("[defaults]\ntime_zone = \"Mars/Olympus\"").unwrap_err();
        assert!(e.to_string().contains("defaults.time_zone"), "{e}");
        let e = Config::from_toml("[webhooks]\nca_file = \"/nonexistent/ca.pem\"").unwrap_err();
        assert!(e.to_string().contains("webhooks.ca_file"), "{e}");
    }
}
