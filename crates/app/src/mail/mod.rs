//! E-mail, both ways (issue #11). Out: configuration (`config`), templates per event and
//! language (`templates`), the transport (`transport`) and the sender that delivers the
//! outbox (`send`), with the scheduled reports' table and attachment (`report`). In: `intake` (the pipe, the SMTP listener, IMAP polling, one ingest
//! step); parsing itself is the pure `ventanilla-mail` crate.

pub mod config;
pub mod intake;
pub mod report;
pub mod send;
pub mod templates;
pub mod transport;

pub use config::{MailConfig, NotificationsConfig, Security, SmtpConfig, Transport};
pub use send::{deliver_pending, run};

/// The templates and the transport, built once from the configuration.
#[derive(Debug)]
pub struct Mailer {
    pub templates: templates::Templates,
    pub sender: transport::Sender,
}

impl Mailer {
    pub fn from_config(cfg: &MailConfig) -> Self {
        Self {
            templates: templates::Templates::new(cfg.templates_dir.clone()),
            sender: transport::Sender::from_config(cfg),
        }
    }
}
