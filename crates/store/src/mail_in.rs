//! Inbound mail as received (issue #11): the raw message is stored before anything else,
//! once per Message-ID (or per hash of the bytes when there is none), then marked with how
//! it was processed. The mail log pages read it newest first with a keyset cursor.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::TicketId;

use crate::time::{from_db, opt_from_db, to_db};
use crate::{Result, Store, StoreError};

/// How far an inbound mail got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboundState {
    /// Stored, not (yet) processed: a crash or a database outage mid-way; redelivery or a
    /// retry processes it.
    Received,
    /// Opened a ticket.
    Ticket,
    /// Added a reply to a ticket.
    Reply,
    /// An auto-reply or bounce: kept, never answered.
    Auto,
    /// Refused by policy (an unknown sender's domain, a non-participant).
    Rejected,
    /// Could not be used (unparseable, refused by a use case); admins may retry.
    Failed,
}

impl InboundState {
    pub const ALL: [InboundState; 6] = [
        InboundState::Received,
        InboundState::Ticket,
        InboundState::Reply,
        InboundState::Auto,
        InboundState::Rejected,
        InboundState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InboundState::Received => "received",
            InboundState::Ticket => "ticket",
            InboundState::Reply => "reply",
            InboundState::Auto => "auto",
            InboundState::Rejected => "rejected",
            InboundState::Failed => "failed",
        }
    }

    /// Parses a stored or requested state name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether processing is over (a redelivery is then a duplicate).
    pub fn is_final(self) -> bool {
        self != InboundState::Received
    }
}

/// A message about to be stored.
#[derive(Debug, Clone)]
pub struct NewInbound<'a> {
    /// The normalised Message-ID, or `sha256:<hex>` of the raw bytes.
    pub dedupe_key: &'a str,
    pub message_id: Option<&'a str>,
    pub mailbox: &'a str,
    /// `pipe`, `smtp` or `imap`.
    pub source: &'a str,
    pub raw: &'a [u8],
    pub at: Timestamp,
}

/// The row a store call found or made.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    pub id: i64,
    /// False when the same mail was stored before (a redelivery).
    pub fresh: bool,
    pub state: InboundState,
}

/// How processing ended.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub state: InboundState,
    /// A stable code: the automatic-mail reason or the error code.
    pub reason: Option<&'a str>,
    pub sender: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub ticket_id: Option<TicketId>,
    pub at: Timestamp,
}

/// One line of the mail log.
#[derive(Debug, Clone, Serialize)]
pub struct InboundMail {
    pub id: i64,
    pub message_id: Option<String>,
    pub mailbox: String,
    pub source: String,
    pub received_at: Timestamp,
    pub size_bytes: i64,
    pub state: InboundState,
    pub reason: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub ticket_id: Option<TicketId>,
    pub attempts: i64,
    pub processed_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    message_id: Option<String>,
    mailbox: String,
    source: String,
    received_at: i64,
    size_bytes: i64,
    state: String,
    reason: Option<String>,
    sender: Option<String>,
    subject: Option<String>,
    ticket_id: Option<i64>,
    attempts: i64,
    processed_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, message_id, mailbox, source, received_at, size_bytes, state, reason, \
         sender, subject, ticket_id, attempts, processed_at"
    };
}

fn state_of(s: &str) -> Result<InboundState> {
    InboundState::parse(s).ok_or_else(|| StoreError::Corrupt(format!("mail state {s}")))
}

impl TryFrom<Row> for InboundMail {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(InboundMail {
            id: r.id,
            message_id: r.message_id,
            mailbox: r.mailbox,
            source: r.source,
            received_at: from_db(r.received_at)?,
            size_bytes: r.size_bytes,
            state: state_of(&r.state)?,
            reason: r.reason,
            sender: r.sender,
            subject: r.subject,
            ticket_id: r.ticket_id.map(TicketId),
            attempts: r.attempts,
            processed_at: opt_from_db(r.processed_at)?,
        })
    }
}

pub struct MailIn<'a>(&'a Store);

impl Store {
    pub fn mail_in(&self) -> MailIn<'_> {
        MailIn(self)
    }
}

impl MailIn<'_> {
    /// Stores the raw message unless the same one is stored already; either way returns
    /// its row. One statement, so a redelivery racing the first delivery finds one row.
    pub async fn store_raw(&self, new: &NewInbound<'_>) -> Result<Stored> {
        let inserted: Option<(i64,)> = on_writer!(self.0, |db| {
            sqlx::query_as(
                "INSERT INTO mail_inbound (dedupe_key, message_id, mailbox, source, received_at,
                                           size_bytes, raw)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            )
            .bind(new.dedupe_key)
            .bind(new.message_id)
            .bind(new.mailbox)
            .bind(new.source)
            .bind(to_db(new.at))
            .bind(i64::try_from(new.raw.len()).unwrap_or(i64::MAX))
            .bind(new.raw)
            .fetch_optional(db)
            .await?
        });
        if let Some((id,)) = inserted {
            return Ok(Stored {
                id,
                fresh: true,
                state: InboundState::Received,
            });
        }
        let (id, state): (i64, String) = on_writer!(self.0, |db| {
            sqlx::query_as("SELECT id, state FROM mail_inbound WHERE dedupe_key = $1")
                .bind(new.dedupe_key)
                .fetch_one(db)
                .await?
        });
        Ok(Stored {
            id,
            fresh: false,
            state: state_of(&state)?,
        })
    }

    /// Records how processing ended (and counts the attempt).
    pub async fn finish(&self, id: i64, o: &Outcome<'_>) -> Result<()> {
        let n = on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE mail_inbound SET state = $2, reason = $3, sender = COALESCE($4, sender),
                        subject = COALESCE($5, subject), ticket_id = COALESCE($6, ticket_id),
                        attempts = attempts + 1, processed_at = $7
                 WHERE id = $1",
            )
            .bind(id)
            .bind(o.state.as_str())
            .bind(o.reason)
            .bind(o.sender)
            .bind(o.subject)
            .bind(o.ticket_id.map(TicketId::get))
            .bind(to_db(o.at))
            .execute(db)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// One mail's log line.
    pub async fn get(&self, id: i64) -> Result<InboundMail> {
        let row: Option<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM mail_inbound WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(db)
            .await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// The raw message as received.
    pub async fn raw(&self, id: i64) -> Result<Vec<u8>> {
        let row: Option<(Vec<u8>,)> = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT raw FROM mail_inbound WHERE id = $1")
                .bind(id)
                .fetch_optional(db)
                .await?
        });
        Ok(row.ok_or(StoreError::NotFound)?.0)
    }

    /// Newest first, `limit` rows with ids below `before`, optionally in one state.
    pub async fn list(
        &self,
        state: Option<InboundState>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<InboundMail>> {
        let rows: Vec<Row> = on_reader!(self.0, |db| {
            sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM mail_inbound WHERE (CAST($1 AS TEXT) IS NULL OR state = $1) AND id < $2
                  ORDER BY id DESC LIMIT $3"
            ))
            .bind(state.map(InboundState::as_str))
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(db)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// How many mails from `sender` received since `since` ended in `state` (the cap on
    /// answers to refused senders counts `rejected` ones).
    pub async fn from_since(
        &self,
        sender: &str,
        state: InboundState,
        since: Timestamp,
    ) -> Result<i64> {
        let (n,): (i64,) = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT COUNT(*) FROM mail_inbound
                 WHERE sender = $1 AND received_at >= $2 AND state = $3",
            )
            .bind(sender)
            .bind(to_db(since))
            .bind(state.as_str())
            .fetch_one(db)
            .await?
        });
        Ok(n)
    }
}
