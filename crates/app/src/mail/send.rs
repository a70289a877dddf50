//! Sending mail from the outbox (issue #11): claim due rows with a lease (so one node sends
//! each), write each in the recipient's language from the templates, send, and record the
//! outcome — sent (with its Message-ID, remembered for threading), skipped (inactive user,
//! acknowledgement cap), retried with exponential backoff, or dead after the last attempt
//! (SMTP 5xx at once). Every mail says `Auto-Submitted: auto-generated` (RFC 3834) and
//! names the ticket's earlier mails in `In-Reply-To`/`References`, so mail clients thread
//! it and replies come back to the ticket.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use jiff::SignedDuration;
use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use ventanilla_domain::directory::User;
use ventanilla_domain::ticket::{Audience, NOTICE_KINDS, Params};
use ventanilla_domain::{TicketId, UserId};
use ventanilla_store::mail_ids::Direction;
use ventanilla_store::outbox::{OutboxEntry, SentMail};

use super::templates::MailContext;
use super::transport::SendError;
use crate::App;
use crate::web::kit::i18n::Lang;
use crate::web::kit::said;

/// Mails sent at once within a pass (the SMTP pool keeps connections open).
const PARALLEL: usize = 16;
/// How long a claimed mail is held before another node may try it.
const LEASE: SignedDuration = SignedDuration::from_secs(300);
/// Earlier Message-IDs of the ticket named in `References`.
const REFERENCES: i64 = 20;

/// `Auto-Submitted: auto-generated` (RFC 3834): auto-responders must not answer it.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// `X-Auto-Response-Suppress: All`: Exchange and Outlook send no out-of-office to it.
#[derive(Clone)]
struct SuppressAutoResponse;

impl Header for SuppressAutoResponse {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".into())
    }
}

/// What happened to one mail.
enum Outcome {
    Sent {
        message_id: String,
        address: String,
    },
    Skipped {
        why: &'static str,
        address: Option<String>,
    },
    Failed {
        error: SendError,
        address: Option<String>,
    },
}

/// The Message-ID of an outbox row: the same on every attempt, so a retry after a lost
/// answer is recognised as the same mail by the receiver and by our intake.
pub fn message_id(entry: &OutboxEntry, domain: &str) -> String {
    format!(
        "<ventanilla.{}.{}@{}>",
        entry.id,
        entry.created_at.as_microsecond(),
        domain
    )
}

/// The wait before attempt `attempts + 1`: `base`, twice that, … at most an hour.
pub fn retry_after(base_secs: u64, attempts: i64) -> SignedDuration {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(0);
    let secs = i64::try_from(base_secs.max(1))
        .unwrap_or(3600)
        .saturating_mul(2_i64.saturating_pow(exp))
        .min(3600);
    SignedDuration::from_secs(secs)
}

/// Sends every due mail; returns how many were handled (sent, skipped or failed). Tests
/// call this instead of waiting for the loop.
pub async fn deliver_pending(app: &App) -> anyhow::Result<usize> {
    if !app.mailer.sender.is_on() {
        return Ok(0);
    }
    let mut handled = 0;
    loop {
        let batch = app
            .store
            .outbox()
            .claim_mail(app.now(), LEASE, i64::from(app.config.mail.batch))
            .await?;
        if batch.is_empty() {
            return Ok(handled);
        }
        let mut users: HashMap<UserId, Option<User>> = HashMap::new();
        for id in batch.iter().filter_map(|e| e.recipient_id) {
            if let std::collections::hash_map::Entry::Vacant(v) = users.entry(id) {
                v.insert(app.store.users().get(id).await.ok());
            }
        }
        let users = &users;
        let results: Vec<anyhow::Result<(OutboxEntry, Outcome)>> =
            futures_util::stream::iter(batch)
                .map(|entry| async move {
                    let user = entry
                        .recipient_id
                        .and_then(|u| users.get(&u).cloned().flatten());
                    let outcome = deliver_one(app, &entry, user.as_ref()).await?;
                    Ok((entry, outcome))
                })
                .buffer_unordered(PARALLEL)
                .collect()
                .await;
        // Sent mails are recorded together (one transaction); the rest one by one.
        let mut sent = Vec::new();
        for r in results {
            let (entry, outcome) = r?;
            handled += 1;
            match outcome {
                Outcome::Sent {
                    message_id,
                    address,
                } => sent.push(SentMail {
                    id: entry.id,
                    ticket_id: entry.ticket_id,
                    message_id,
                    address,
                }),
                other => record(app, &entry, other).await?,
            }
        }
        app.store.outbox().sent_many(&sent, app.now()).await?;
        for _ in &sent {
            app.metrics.mail_sent();
        }
    }
}

async fn record(app: &App, entry: &OutboxEntry, outcome: Outcome) -> anyhow::Result<()> {
    let now = app.now();
    let outbox = app.store.outbox();
    match outcome {
        Outcome::Sent {
            message_id,
            address,
        } => {
            if let Some(t) = entry.ticket_id {
                app.store
                    .mail_ids()
                    .remember(&message_id, t, Direction::Out, now)
                    .await?;
            }
            outbox.sent(entry.id, &message_id, &address, now).await?;
            app.metrics.mail_sent();
        }
        Outcome::Skipped { why, address } => {
            outbox
                .skipped(entry.id, why, address.as_deref(), now)
                .await?;
        }
        Outcome::Failed { error, address } => {
            let max = i64::from(app.config.mail.max_attempts);
            let dead = error.permanent || entry.attempts + 1 >= max;
            let retry_at = now
                .saturating_add(retry_after(app.config.mail.retry_base_secs, entry.attempts))
                .unwrap_or(now);
            tracing::warn!(outbox.id = entry.id, attempt = entry.attempts + 1, dead, error = %error.message, "mail not sent");
            outbox
                .failed(entry.id, &error.message, address.as_deref(), retry_at, dead)
                .await?;
            app.metrics.mail_failed();
        }
    }
    Ok(())
}

/// The template kind of an outbox row (`notification.ticket.replied` → `ticket.replied`).
fn template_kind(kind: &str) -> &str {
    kind.strip_prefix("notification.").unwrap_or(kind)
}

fn is_for_requester(kind: &str) -> bool {
    NOTICE_KINDS
        .iter()
        .any(|(k, a)| *k == kind && *a == Audience::Requester)
}

async fn deliver_one(
    app: &App,
    entry: &OutboxEntry,
    user: Option<&User>,
) -> anyhow::Result<Outcome> {
    let cfg = &app.config.mail;
    let kind = template_kind(&entry.kind);
    // A test mail names its address and language; a notification, its user.
    let (address, name, lang, tz) = match (user, entry.payload.get("to").and_then(|v| v.as_str())) {
        (_, Some(to)) => {
            let lang = match entry.payload.get("lang").and_then(|v| v.as_str()) {
                Some("en") => ventanilla_domain::Language::En,
                _ => ventanilla_domain::Language::Es,
            };
            (to.to_owned(), String::new(), lang, jiff::tz::TimeZone::UTC)
        }
        (Some(u), None) => {
            if !u.active {
                return Ok(Outcome::Skipped {
                    why: "inactive",
                    address: Some(u.email.to_string()),
                });
            }
            (
                u.email.to_string(),
                u.name.clone(),
                u.language,
                u.time_zone.zone(),
            )
        }
        (None, None) => {
            return Ok(Outcome::Skipped {
                why: "no_recipient",
                address: None,
            });
        }
    };
    if kind == "ticket.registered"
        && let Some(r) = entry.recipient_id
    {
        let hour_ago = app
            .now()
            .saturating_sub(SignedDuration::from_hours(1))
            .unwrap_or(app.now());
        let sent = app
            .store
            .outbox()
            .sent_since(r, &entry.kind, hour_ago)
            .await?;
        if sent >= i64::from(cfg.ack_cap_per_hour) {
            return Ok(Outcome::Skipped {
                why: "ack_cap",
                address: Some(address),
            });
        }
    }
    let params: Params = entry
        .payload
        .get("params")
        .and_then(|p| serde_json::from_value(p.clone()).ok())
        .unwrap_or_default();
    let body = entry
        .payload
        .get("body")
        .and_then(|b| b.as_str())
        .map(str::to_owned);
    let l = Lang(lang);
    let title = said::notice(l, &tz, kind, &params);
    let number = params.get("number").cloned().unwrap_or_default();
    let public = public_url(app);
    let ticket_url = |t: TicketId| {
        if is_for_requester(kind) {
            format!("{public}/portal/tickets/{t}")
        } else {
            format!("{public}/console/tickets/{t}")
        }
    };
    let url = match entry.ticket_id {
        Some(t) => ticket_url(t),
        // A scheduled report links to the dashboard, where each KPI is defined.
        None if kind == crate::desk::reports::schedules::MAIL_KIND => format!("{public}/reports"),
        None => public.clone(),
    };
    let from: Mailbox = match cfg.from.parse() {
        Ok(m) => m,
        Err(e) => return Ok(failed(format!("mail.from: {e}"), true, Some(address))),
    };
    let ctx = MailContext {
        title: title.clone(),
        number: number.clone(),
        subject: params.get("subject").cloned().unwrap_or_default(),
        body,
        // Links land on the portal's question (its buttons' ids); answering is a click there:
        // a link in a mail never changes a ticket by itself (mail scanners follow links).
        yes_url: format!("{url}#confirm-yes"),
        no_url: format!("{url}#confirm-no"),
        survey_url: format!("{url}#rate"),
        url,
        name: name.clone(),
        desk: from.name.clone().unwrap_or_else(|| from.email.to_string()),
        params: params.clone(),
        rows: entry
            .payload
            .get("kpis")
            .map(|k| super::report::rows(l, k))
            .unwrap_or_default(),
    };
    let rendered = match app.mailer.templates.render(l.code(), kind, &ctx) {
        Ok(r) => r,
        Err(e) => {
            return Ok(failed(
                format!("template {kind}: {e:#}"),
                true,
                Some(address),
            ));
        }
    };
    let to: Mailbox = match address.parse::<lettre::Address>() {
        Ok(a) => Mailbox::new((!name.is_empty()).then(|| name.clone()), a),
        Err(e) => {
            return Ok(failed(
                format!("address {address}: {e}"),
                true,
                Some(address),
            ));
        }
    };
    let id = message_id(entry, &cfg.message_id_domain);
    let subject = if number.is_empty() || title.contains(&format!("[{number}]")) {
        title
    } else {
        format!("[{number}] {title}")
    };
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(id.clone()))
        .date(std::time::SystemTime::from(entry.created_at))
        .header(AutoSubmitted)
        .header(SuppressAutoResponse);
    if let Some(refused) = entry.payload.get("in_reply_to").and_then(|v| v.as_str()) {
        // The answer to a refused mail threads under it.
        builder = builder
            .in_reply_to(format!("<{refused}>"))
            .references(format!("<{refused}>"));
    } else if let Some(t) = entry.ticket_id {
        let earlier = app.store.mail_ids().of_ticket(t, REFERENCES).await?;
        if let Some(last) = earlier.last() {
            builder = builder.in_reply_to(format!("<{last}>")).references(
                earlier
                    .iter()
                    .map(|m| format!("<{m}>"))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(rendered.text),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(rendered.html),
        );
    let msg = match super::report::attachment(&entry.payload) {
        Some(file) => builder.multipart(MultiPart::mixed().multipart(body).singlepart(file)),
        None => builder.multipart(body),
    };
    let msg = match msg {
        Ok(m) => m,
        Err(e) => {
            return Ok(failed(
                format!("building the mail: {e}"),
                true,
                Some(address),
            ));
        }
    };
    Ok(match app.mailer.sender.send(msg).await {
        Ok(()) => Outcome::Sent {
            message_id: id,
            address,
        },
        Err(error) => Outcome::Failed {
            error,
            address: Some(address),
        },
    })
}

fn failed(message: String, permanent: bool, address: Option<String>) -> Outcome {
    Outcome::Failed {
        error: SendError { permanent, message },
        address,
    }
}

/// Where links point: `mail.public_url`, else `server.public_url`, without a final slash.
pub fn public_url(app: &App) -> String {
    let u = if app.config.mail.public_url.is_empty() {
        &app.config.server.public_url
    } else {
        &app.config.mail.public_url
    };
    u.trim_end_matches('/').to_owned()
}

/// The sender loop: sends due mail, then waits `mail.poll_interval_ms`. Runs beside the job
/// runner in `serve` and `worker` when a transport is configured.
pub async fn run(app: Arc<App>) {
    if !app.mailer.sender.is_on() {
        tracing::info!("mail.transport is off: notifications wait in the outbox");
        return;
    }
    let poll = Duration::from_millis(app.config.mail.poll_interval_ms);
    tracing::info!(transport = ?app.config.mail.transport, "mail sender started");
    loop {
        if let Err(e) = deliver_pending(&app).await {
            tracing::warn!(error = format!("{e:#}"), "mail pass failed");
        }
        tokio::time::sleep(poll).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_and_cap_at_an_hour() {
        assert_eq!(retry_after(30, 0), SignedDuration::from_secs(30));
        assert_eq!(retry_after(30, 1), SignedDuration::from_secs(60));
        assert_eq!(retry_after(30, 3), SignedDuration::from_secs(240));
        assert_eq!(retry_after(30, 12), SignedDuration::from_secs(3600));
    }
}
