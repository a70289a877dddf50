//! Processing one stored mail: parse, recognise automatic mail, find the sender, thread
//! into a ticket (our Message-IDs first, then a subject tag from a participant) and call
//! the use case — a public reply, or a new ticket routed by the mailbox. Every ending is
//! recorded on the stored row; only a database outage leaves it `received` (try later).

use ventanilla_domain::ticket::{
    BODY_MAX, Channel, EventKind, KeyFacts, SUBJECT_MAX, Ticket, parse_number,
};
use ventanilla_domain::{Caller, Permission, Text, TicketId};
use ventanilla_mail::{Limits, ParsedMail, ticket_tags};
use ventanilla_store::StoreError;
use ventanilla_store::mail_ids::Direction;
use ventanilla_store::mail_in::{InboundState, Outcome};

use crate::App;
use crate::config::MailboxConfig;
use crate::desk::DeskError;
use crate::desk::mail::{MailSender, mail_sender};
use crate::desk::tickets::register::RequesterRef;
use crate::desk::tickets::{AddAction, RegisterTicket, add_action, attach_file, register_ticket};

/// How a step ended when it did not succeed.
enum Stop {
    /// Recorded on the row with this state and reason.
    Record(InboundState, String, Option<TicketId>),
    /// The database is unavailable: leave the row `received`.
    Down(StoreError),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Down(e)
    }
}

/// Maps a use-case refusal to a recorded ending (or an outage).
fn refused(e: DeskError, ticket: Option<TicketId>) -> Stop {
    let code = match &e {
        DeskError::NotFound | DeskError::Forbidden => {
            return Stop::Record(InboundState::Rejected, "not_participant".into(), ticket);
        }
        DeskError::Internal(_) | DeskError::Unavailable(_) => {
            return Stop::Down(StoreError::Invalid(format!("{e:#}")));
        }
        DeskError::Refused { code, .. } => (*code).to_owned(),
        DeskError::Invalid(v) => format!("invalid:{}", v.field),
        DeskError::Stale { .. } => "stale".to_owned(),
        DeskError::Conflict(_) => "conflict".to_owned(),
        DeskError::TooLarge => "too_large".to_owned(),
        DeskError::BadInput(_) => "bad_input".to_owned(),
    };
    Stop::Record(InboundState::Failed, code, ticket)
}

/// Processes stored mail `id`; returns its final state.
///
/// # Errors
/// A [`StoreError`] when the database is unavailable (the row stays `received`).
pub(super) async fn process(
    app: &App,
    id: i64,
    raw: &[u8],
    mailbox: &MailboxConfig,
) -> Result<InboundState, StoreError> {
    let limits = Limits {
        max_bytes: app.config.mail.intake.max_message_bytes,
        ..Limits::default()
    };
    let parsed = match ventanilla_mail::parse(raw, &limits) {
        Ok(p) => p,
        Err(u) => {
            return record(
                app,
                id,
                InboundState::Failed,
                Some(u.code()),
                None,
                None,
                None,
            )
            .await;
        }
    };
    let sender = parsed
        .from
        .as_ref()
        .map(|f| f.email.trim().to_lowercase())
        .unwrap_or_default();
    let outcome = handle(app, &parsed, &sender, id, mailbox).await;
    let (state, reason, ticket) = match outcome {
        Ok((state, ticket)) => (state, None, Some(ticket)),
        Err(Stop::Record(state, reason, ticket)) => (state, Some(reason), ticket),
        Err(Stop::Down(e)) => return Err(e),
    };
    let recorded = record(
        app,
        id,
        state,
        reason.as_deref(),
        Some(&sender),
        Some(&parsed.subject),
        ticket,
    )
    .await?;
    if let (InboundState::Rejected, Some(reason)) = (state, reason.as_deref()) {
        // The mail is kept whatever happens to the answer: a failure here is only logged.
        if let Err(e) = super::answer_refused(
            app,
            &sender,
            reason,
            &parsed.subject,
            parsed.message_id.as_deref(),
        )
        .await
        {
            tracing::warn!(mail = id, error = %e, "cannot queue the answer to a refused sender");
        }
    }
    Ok(recorded)
}

async fn record(
    app: &App,
    id: i64,
    state: InboundState,
    reason: Option<&str>,
    sender: Option<&str>,
    subject: Option<&str>,
    ticket_id: Option<TicketId>,
) -> Result<InboundState, StoreError> {
    app.store
        .mail_in()
        .finish(
            id,
            &Outcome {
                state,
                reason,
                sender,
                subject,
                ticket_id,
                at: app.now(),
            },
        )
        .await?;
    Ok(state)
}

async fn handle(
    app: &App,
    parsed: &ParsedMail,
    sender: &str,
    id: i64,
    mailbox: &MailboxConfig,
) -> Result<(InboundState, TicketId), Stop> {
    let by_headers = app
        .store
        .mail_ids()
        .ticket_of(&parsed.thread_candidates())
        .await?;
    if let Some(reason) = parsed.auto {
        // Kept (linked to its ticket when it threads), never answered, never a ticket.
        return Err(Stop::Record(
            InboundState::Auto,
            reason.code().into(),
            by_headers,
        ));
    }
    let name = parsed.from.as_ref().and_then(|f| f.name.as_deref());
    // A reply by headers comes from someone already known; only new mail creates people.
    let caller = match mail_sender(app, sender, name, by_headers.is_none())
        .await
        .map_err(|e| refused(e, by_headers))?
    {
        MailSender::Known(c) => c,
        MailSender::Refused(code) => {
            return Err(Stop::Record(
                InboundState::Rejected,
                code.into(),
                by_headers,
            ));
        }
    };
    let target = match by_headers {
        Some(t) => Some(t),
        None => by_tag(app, &caller, &parsed.subject).await?,
    };
    if let Some(ticket_id) = target {
        match reply(app, &caller, ticket_id, parsed).await {
            Ok(ticket) => {
                attach_all(app, &caller, &ticket, parsed).await;
                remember(app, parsed, ticket.id).await?;
                return Ok((InboundState::Reply, ticket.id));
            }
            // A reply to a finished ticket is new business: it opens a ticket of its own.
            Err(DeskError::Refused {
                code: "ticket_closed",
                ..
            }) => {}
            Err(e) => return Err(refused(e, Some(ticket_id))),
        }
    }
    let ticket = open_ticket(app, &caller, parsed, id, mailbox)
        .await
        .map_err(|e| refused(e, None))?;
    attach_all(app, &caller, &ticket, parsed).await;
    remember(app, parsed, ticket.id).await?;
    Ok((InboundState::Ticket, ticket.id))
}

/// The ticket named by a `[INC-000123]` tag, only when the sender takes part in it: its
/// requester, its assignee, or staff who may see it. Anyone else's tag is ignored (the mail
/// opens a ticket of its own), so a guessed number leaks nothing.
async fn by_tag(app: &App, caller: &Caller, subject: &str) -> Result<Option<TicketId>, Stop> {
    for tag in ticket_tags(subject) {
        let Some((kind, n)) = parse_number(&tag) else {
            continue;
        };
        let number = ventanilla_domain::ticket::format_number(kind, n);
        let ticket = match app.store.tickets().by_number(&number).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        let me = caller.user_id();
        let participant = ticket.requester_id == me
            || ticket.assignee_id == Some(me)
            || (caller.can(Permission::TicketsWork)
                && crate::desk::tickets::access::load(app, caller, ticket.id)
                    .await
                    .is_ok());
        if participant {
            return Ok(Some(ticket.id));
        }
    }
    Ok(None)
}

/// Text a mail may put in the desk: no bidirectional controls (mail clients add them;
/// the desk refuses them), cut to `max` characters.
fn clean(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| {
            !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        })
        .take(max)
        .collect()
}

/// What the mail carried when it has no text: its file names, else a dash.
fn placeholder(parsed: &ParsedMail) -> String {
    let names: Vec<&str> = parsed
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    if names.is_empty() {
        "—".into()
    } else {
        names.join(", ")
    }
}

async fn reply(
    app: &App,
    caller: &Caller,
    ticket: TicketId,
    parsed: &ParsedMail,
) -> Result<Ticket, DeskError> {
    let mut body = clean(&parsed.reply_text, BODY_MAX);
    if body.trim().is_empty() {
        body = placeholder(parsed);
    }
    let cmd = AddAction {
        kind: EventKind::Reply,
        body: Text::parse("body", &body, BODY_MAX)?,
        minutes: None,
    };
    add_action(app, caller, ticket, &cmd).await
}

async fn open_ticket(
    app: &App,
    caller: &Caller,
    parsed: &ParsedMail,
    id: i64,
    mailbox: &MailboxConfig,
) -> Result<Ticket, DeskError> {
    let mut subject = clean(&parsed.subject, SUBJECT_MAX);
    if subject.trim().is_empty() {
        subject = clean(parsed.text.lines().next().unwrap_or_default(), 80);
    }
    if subject.trim().is_empty() {
        subject = "—".into();
    }
    let mut description = clean(&parsed.text, BODY_MAX);
    if description.trim().is_empty() {
        description = placeholder(parsed);
    }
    let cmd = RegisterTicket {
        kind: mailbox.kind.parse()?,
        subject: Text::parse("subject", &subject, SUBJECT_MAX)?,
        description: Text::parse("description", &description, BODY_MAX)?,
        impact: mailbox.impact.parse()?,
        urgency: mailbox.urgency.parse()?,
        channel: Channel::Email,
        requester: RequesterRef::Caller,
        organisation_id: None,
        category_id: mailbox.category_id.map(ventanilla_domain::CategoryId),
        ci_ref: None,
        group_id: mailbox.group_id.map(ventanilla_domain::GroupId),
        assignee_id: None,
        priority: None,
        priority_reason: None,
        facts: KeyFacts::default(),
    };
    // The stored row's id keys the registration: a crash after the ticket was written and
    // before the row was marked gives the same ticket on the next attempt, not a second.
    let key = format!("mail:{id}");
    let (ticket, _) = register_ticket(app, caller, &cmd, Some(key.as_str())).await?;
    Ok(ticket)
}

/// Stores the mail's files on the ticket; one that is refused (too large, empty) is
/// skipped and logged, the mail itself is not lost over it.
async fn attach_all(app: &App, caller: &Caller, ticket: &Ticket, parsed: &ParsedMail) {
    for a in &parsed.attachments {
        if let Err(e) = attach_file(app, caller, ticket, &a.filename, None, &a.data).await {
            tracing::warn!(ticket.id = ticket.id.get(), file = %a.filename, error = %e, "mail attachment skipped");
        }
    }
}

async fn remember(app: &App, parsed: &ParsedMail, ticket: TicketId) -> Result<(), StoreError> {
    if let Some(mid) = &parsed.message_id {
        app.store
            .mail_ids()
            .remember(mid, ticket, Direction::In, app.now())
            .await?;
    }
    Ok(())
}
