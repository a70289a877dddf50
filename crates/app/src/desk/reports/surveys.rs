//! Satisfaction surveys (SPEC C11, seed 003's procedure): the signed single-use link that
//! needs no sign-in, answering through it, results per slice, the follow-ups a poor rating
//! opens, and reminders.
//!
//! The link is `/survey/{ticket}/{token}`, the token an HMAC-SHA256 (key shared through the
//! database) of the ticket id and its *survey round*: the instant it entered `survey`. It is
//! valid while the ticket waits in that round, so it works once: answering moves the
//! ticket on to review, and a later survey (after a reopening) has another round and token.
//! Nothing is stored per link and nothing secret is in it but the MAC.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use ventanilla_domain::ticket::{Status, Ticket};
use ventanilla_domain::{Caller, Origin, Permission, TicketId, UserId};
use ventanilla_store::surveys::{FollowUp, SurveyResult, survey_round};

use crate::App;
use crate::desk::tickets::moves::Rating;
use crate::desk::{DeskError, DeskResult, Refusal, require};

/// Ratings at or below this open a follow-up for the supervisors.
pub const POOR_RATING: u8 = 2;

/// The language a requester reads the survey in (their profile's; Spanish if unknown).
pub async fn language_of(app: &App, user: UserId) -> String {
    app.store
        .users()
        .get(user)
        .await
        .map(|u| u.language.code().to_owned())
        .unwrap_or_else(|_| "es".to_owned())
}

async fn key(app: &App) -> DeskResult<Vec<u8>> {
    let fresh = crate::auth::secret::random_token()
        .map_err(|e| DeskError::internal(anyhow::anyhow!("{e}")))?;
    let k = app.store.surveys().link_key(&fresh, app.now()).await?;
    Ok(k.into_bytes())
}

fn mac(key: &[u8], ticket: TicketId, round: i64) -> DeskResult<String> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).map_err(DeskError::internal)?;
    m.update(format!("survey|{}|{round}", ticket.get()).as_bytes());
    Ok(URL_SAFE_NO_PAD.encode(m.finalize().into_bytes()))
}

/// The path of the survey link of a ticket waiting in survey (`None` otherwise).
pub async fn link_path(app: &App, t: &Ticket) -> DeskResult<Option<String>> {
    if t.status != Status::Survey {
        return Ok(None);
    }
    let token = mac(&key(app).await?, t.id, survey_round(t))?;
    Ok(Some(format!("/survey/{}/{token}", t.id.get())))
}

/// The ticket a survey link is for, if the link is genuine and its survey still open. A
/// wrong, used or expired link gets the same refusal (`survey_closed`), so links cannot be
/// probed for ticket ids.
pub async fn ticket_for_link(app: &App, id: TicketId, token: &str) -> DeskResult<Ticket> {
    let t = app
        .store
        .tickets()
        .get(id)
        .await
        .map_err(|_| DeskError::NotFound)?;
    let key = key(app).await?;
    let expected = mac(&key, t.id, survey_round(&t))?;
    if crate::auth::secret::constant_time_eq(&expected, token) && t.status == Status::Survey {
        return Ok(t);
    }
    Err(DeskError::refused(
        Refusal::State,
        "survey_closed",
        "this survey link has been used or has expired",
    ))
}

/// Answers the survey of a genuine link as the ticket's requester (no sign-in needed: the
/// link is the credential, and it works once).
pub async fn answer_by_link(
    app: &App,
    id: TicketId,
    token: &str,
    cmd: &Rating,
) -> DeskResult<Ticket> {
    let t = ticket_for_link(app, id, token).await?;
    let actor = app
        .store
        .users()
        .actor(t.requester_id)
        .await?
        .ok_or(DeskError::NotFound)?;
    let caller = Caller::new(actor, Origin::Web);
    crate::desk::tickets::moves::rate(app, &caller, t.id, cmd, true).await
}

/// Survey results per `dim` (`all`, `group`, `organisation`, `category`, `agent`) in a
/// period (`reports.read`).
pub async fn results(
    app: &App,
    caller: &Caller,
    dim: &str,
    p: &super::Period,
) -> DeskResult<Vec<SurveyResult>> {
    require(caller, Permission::ReportsRead)?;
    let (from, to) = p.instants(app);
    Ok(app.store.surveys().results(dim, from, to).await?)
}

/// The follow-ups poor ratings opened (`reports.read`).
pub async fn follow_ups(app: &App, caller: &Caller, open_only: bool) -> DeskResult<Vec<FollowUp>> {
    require(caller, Permission::ReportsRead)?;
    Ok(app.store.surveys().follow_ups(open_only, 100).await?)
}

/// Closes a follow-up with a note (`tickets.close`: the supervisor's call).
pub async fn close_follow_up(
    app: &App,
    caller: &Caller,
    id: i64,
    note: Option<&str>,
) -> DeskResult<()> {
    require(caller, Permission::TicketsClose)?;
    if app
        .store
        .surveys()
        .close_follow_up(id, caller.user_id(), note, app.now())
        .await?
    {
        Ok(())
    } else {
        Err(DeskError::NotFound)
    }
}

/// Sends the survey mails that are due (the periodic survey job runs this before the
/// timeout): the invitation with the signed link to every ticket waiting in survey, and one
/// reminder once half the survey timeout has passed. Each is the requester's notification
/// (`survey.invite`, `survey.reminder`, with the link as a parameter) written with its
/// outbox row for the mail channel, once per survey round. Returns how many were sent.
pub async fn send_due_mails(app: &App) -> DeskResult<usize> {
    let now = app.now();
    let half =
        jiff::SignedDuration::from_mins(i64::from(app.config.tickets.survey_timeout_hours) * 30);
    let mut sent = 0;
    for (kind, before) in [
        (
            "invite",
            now.checked_add(jiff::SignedDuration::from_secs(1))
                .unwrap_or(now),
        ),
        ("reminder", now.checked_sub(half).unwrap_or(now)),
    ] {
        for id in app.store.surveys().mails_due(kind, before, 500).await? {
            let t = app.store.tickets().get(id).await?;
            if send(app, &t, kind).await? {
                sent += 1;
            }
        }
    }
    Ok(sent)
}

/// Sends the `kind` survey mail of a ticket waiting in survey, unless it was sent for this
/// round already; `false` when nothing was sent.
pub async fn send(app: &App, t: &Ticket, kind: &str) -> DeskResult<bool> {
    let Some(path) = link_path(app, t).await? else {
        return Ok(false);
    };
    let mut n =
        ventanilla_domain::ticket::Notice::about(t.requester_id, &format!("survey.{kind}"), t);
    let base = app.config.server.public_url.trim_end_matches('/');
    n.params.insert("link".into(), format!("{base}{path}"));
    Ok(app
        .store
        .surveys()
        .send_mail(t, kind, &n, app.now())
        .await?)
}
