//! The polite answer to a sender the desk does not take mail from (issue #11: unknown
//! senders "rejected with a polite answer"): one mail saying why and what to do, at most
//! once an hour per address, so a robot or a forged sender cannot make the desk flood anyone.

use jiff::SignedDuration;
use ventanilla_store::mail_in::InboundState;
use ventanilla_store::outbox::NewMail;

use crate::App;

/// The refusal reasons that get an answer: who the sender is, not what the mail is (an
/// automatic or unusable mail never gets one).
const ANSWERED: [&str; 2] = ["unknown_sender", "domain_not_allowed"];

/// Queues the answer to a refused mail from `sender` when `reason` deserves one and none was
/// sent to that address in the last hour (this mail, already recorded, is the one counted).
/// `message_id` threads the answer under the refused mail.
///
/// # Errors
/// When the database cannot be read or written.
pub async fn answer_refused(
    app: &App,
    sender: &str,
    reason: &str,
    subject: &str,
    message_id: Option<&str>,
) -> ventanilla_store::Result<bool> {
    if !ANSWERED.contains(&reason) || sender.is_empty() {
        return Ok(false);
    }
    let since = app.now() - SignedDuration::from_hours(1);
    let refused = app
        .store
        .mail_in()
        .from_since(sender, InboundState::Rejected, since)
        .await?;
    if refused > 1 {
        return Ok(false);
    }
    // Nothing tells the language of someone unknown: the desk's default; both templates
    // say it in both languages.
    let lang = ventanilla_domain::Language::default();
    let mail = NewMail {
        kind: "mail.rejected".into(),
        ticket_id: None,
        recipient_id: None,
        payload: serde_json::json!({
            "to": sender,
            "lang": lang.code(),
            "in_reply_to": message_id,
            "params": { "subject": subject, "reason": reason },
        }),
    };
    app.store.outbox().queue(&mail, app.now()).await?;
    Ok(true)
}
