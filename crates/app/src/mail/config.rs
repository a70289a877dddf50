//! The `[mail]` and `[mail.smtp]` configuration of outbound mail (issue #11) and the
//! `[notifications]` grouping window (issue #16).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How sent mail leaves the process.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// Nothing is sent: mail waits in the outbox (state `pending`) until a transport is set.
    Off,
    /// To the relay of `[mail.smtp]`.
    Smtp,
    /// Each mail as an `.eml` file in `file_dir` (the demo; a way to look at mails).
    File,
}

/// Transport security towards the SMTP relay.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (a relay on the same host or network).
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// `off`, `smtp` or `file`.
    pub transport: Transport,
    /// The sender of every mail, `Name <address>`; replies come back to it.
    pub from: String,
    /// The right-hand side of the Message-IDs we generate (`<…@domain>`).
    pub message_id_domain: String,
    /// The address links in mails point at; empty = `server.public_url`.
    pub public_url: String,
    /// A folder whose `es/ticket.replied.html`-style files replace the built-in templates.
    pub templates_dir: Option<PathBuf>,
    /// The folder of the `file` transport.
    pub file_dir: Option<PathBuf>,
    /// Attempts before a mail becomes a dead letter.
    pub max_attempts: u32,
    /// The first retry waits this long, in seconds; each next one twice as long (≤ 1 h).
    pub retry_base_secs: u64,
    /// Acknowledgements one recipient gets per hour at most (a loop or a flood of mails
    /// from one sender does not make us flood back).
    pub ack_cap_per_hour: u32,
    /// How often the sender looks for mail to send, in milliseconds.
    pub poll_interval_ms: u64,
    /// Mails claimed per pass.
    pub batch: u32,
    pub smtp: SmtpConfig,
    /// Inbound mail: `[mail.intake]` (mailboxes, the SMTP listener, who may open tickets).
    pub intake: crate::config::IntakeConfig,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            transport: Transport::Off,
            from: "Ventanilla <ventanilla@localhost>".into(),
            message_id_domain: "localhost".into(),
            public_url: String::new(),
            templates_dir: None,
            file_dir: None,
            max_attempts: 8,
            retry_base_secs: 30,
            ack_cap_per_hour: 5,
            poll_interval_ms: 1000,
            batch: 50,
            smtp: SmtpConfig::default(),
            intake: crate::config::IntakeConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: Security,
    /// Login name; empty = no authentication.
    pub username: String,
    pub password: String,
    /// Read the password from this file instead (for secrets mounted as files).
    pub password_file: Option<PathBuf>,
    /// How long one SMTP conversation may take, in seconds.
    pub timeout_secs: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: "localhost".into(),
            port: 25,
            security: Security::None,
            username: String::new(),
            password: String::new(),
            password_file: None,
            timeout_secs: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationsConfig {
    /// Changes to one ticket within this many minutes of the last one are one unread
    /// notification (a burst), not one each; 0 keeps every notice apart.
    pub group_minutes: u32,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self { group_minutes: 10 }
    }
}

impl MailConfig {
    /// Checks what serde cannot: a readable sender, a folder for the file transport.
    pub fn check(&self) -> Result<(), String> {
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err("mail.from: must be an address, e.g. Desk <desk@example.org>".into());
        }
        if self.transport == Transport::File && self.file_dir.is_none() {
            return Err("mail.file_dir: is required with transport = \"file\"".into());
        }
        if self.max_attempts == 0 || self.batch == 0 || self.poll_interval_ms == 0 {
            return Err("mail: max_attempts, batch and poll_interval_ms must be at least 1".into());
        }
        Ok(())
    }
}
