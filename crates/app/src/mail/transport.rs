//! Where sent mail goes: the SMTP relay of `[mail.smtp]` (STARTTLS, TLS or plain, with or
//! without login; lettre's connection pool), `.eml` files in a folder, or nowhere yet.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::config::{MailConfig, Security, Transport};

/// A failed send: permanent ones (SMTP 5xx, a message we cannot build) are not retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

/// The configured transport.
pub enum Sender {
    Off,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
    /// The configuration could not be turned into a transport: every send fails with this.
    Broken(String),
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sender::Off => "Sender::Off",
            Sender::Smtp(_) => "Sender::Smtp",
            Sender::File(_) => "Sender::File",
            Sender::Broken(_) => "Sender::Broken",
        })
    }
}

impl Sender {
    pub fn from_config(cfg: &MailConfig) -> Self {
        match cfg.transport {
            Transport::Off => Sender::Off,
            Transport::File => match &cfg.file_dir {
                Some(dir) => match std::fs::create_dir_all(dir) {
                    Ok(()) => Sender::File(AsyncFileTransport::<Tokio1Executor>::new(dir)),
                    Err(e) => Sender::Broken(format!("mail.file_dir {}: {e}", dir.display())),
                },
                None => Sender::Broken("mail.file_dir is not set".into()),
            },
            Transport::Smtp => match smtp(cfg) {
                Ok(t) => Sender::Smtp(t),
                Err(e) => Sender::Broken(format!("mail.smtp: {e}")),
            },
        }
    }

    pub fn is_on(&self) -> bool {
        !matches!(self, Sender::Off)
    }

    pub async fn send(&self, msg: Message) -> Result<(), SendError> {
        match self {
            Sender::Off => Err(SendError {
                permanent: false,
                message: "mail.transport is off".into(),
            }),
            Sender::Broken(why) => Err(SendError {
                permanent: false,
                message: why.clone(),
            }),
            Sender::File(t) => t.send(msg).await.map(|_| ()).map_err(|e| SendError {
                permanent: false,
                message: format!("{e}"),
            }),
            Sender::Smtp(t) => t.send(msg).await.map(|_| ()).map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: smtp_error_text(&e),
            }),
        }
    }
}

/// The error with its causes (lettre's own text says only "transient error").
fn smtp_error_text(e: &lettre::transport::smtp::Error) -> String {
    let mut out = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

fn smtp(
    cfg: &MailConfig,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    let s = &cfg.smtp;
    let builder = match s.security {
        Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)?,
        Security::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)?,
        Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
    };
    let mut builder = builder
        .port(s.port)
        .timeout(Some(Duration::from_secs(s.timeout_secs.max(1))));
    if !s.username.is_empty() {
        builder = builder.credentials(Credentials::new(s.username.clone(), s.password.clone()));
    }
    Ok(builder.build())
}
