//! The per-sender cap on acknowledgements: a mail loop with another system's auto-responder
//! that slipped past the header checks still stops after a few tickets an hour.

use jiff::SignedDuration;

use crate::App;

/// Whether the outbound side may acknowledge a new ticket to `sender` now: fewer than
/// `mail.intake.acknowledgements_per_hour` tickets opened by mail from them in the last
/// hour (the one being acknowledged included, so the cap is the number sent).
///
/// # Errors
/// When the database cannot be read.
pub async fn may_acknowledge(app: &App, sender: &str) -> ventanilla_store::Result<bool> {
    let since = app.now() - SignedDuration::from_hours(1);
    let n = app
        .store
        .mail_in()
        .tickets_from_since(&sender.trim().to_lowercase(), since)
        .await?;
    Ok(n <= i64::from(app.config.mail.intake.acknowledgements_per_hour))
}
