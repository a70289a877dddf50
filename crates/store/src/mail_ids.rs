//! Message-IDs that belong to tickets (RFC 5322 §3.6.4): every mail received into a ticket
//! and every mail sent about one is remembered, so a reply that names any of them in
//! `In-Reply-To` or `References` joins its ticket. Outbound mail and intake share this one
//! table, which is how threading works without trusting the text of a subject.

use jiff::Timestamp;
use ventanilla_domain::TicketId;

use crate::time::to_db;
use crate::{Result, Store};

/// Which way a remembered mail went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Received by intake.
    In,
    /// Sent by Ventanilla.
    Out,
}

impl Direction {
    fn code(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

pub struct MailIds<'a>(&'a Store);

impl Store {
    pub fn mail_ids(&self) -> MailIds<'_> {
        MailIds(self)
    }
}

/// A msg-id as stored: without angle brackets or surrounding space, at most 998 bytes
/// (the RFC 5322 line limit). `None` when nothing is left.
pub fn normalise(message_id: &str) -> Option<String> {
    let id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty() && id.len() <= 998).then(|| id.to_owned())
}

impl MailIds<'_> {
    /// Remembers that `message_id` belongs to `ticket`. A Message-ID already known keeps
    /// its first ticket (a redelivered mail does not move).
    pub async fn remember(
        &self,
        message_id: &str,
        ticket: TicketId,
        direction: Direction,
        at: Timestamp,
    ) -> Result<()> {
        let Some(id) = normalise(message_id) else {
            return Ok(());
        };
        on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO mail_message_ids (message_id, ticket_id, direction, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING",
            )
            .bind(&id)
            .bind(ticket.get())
            .bind(direction.code())
            .bind(to_db(at))
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// The ticket of the first of `message_ids` that is known, in the order given (pass
    /// `In-Reply-To` first, then `References` newest first).
    pub async fn ticket_of(&self, message_ids: &[String]) -> Result<Option<TicketId>> {
        for raw in message_ids {
            let Some(id) = normalise(raw) else { continue };
            let found: Option<(i64,)> = on_reader!(self.0, |db| {
                sqlx::query_as("SELECT ticket_id FROM mail_message_ids WHERE message_id = $1")
                    .bind(&id)
                    .fetch_optional(db)
                    .await?
            });
            if let Some((ticket,)) = found {
                return Ok(Some(TicketId(ticket)));
            }
        }
        Ok(None)
    }

    /// The ticket's known Message-IDs, oldest first, at most `limit` of the newest: what a
    /// mail about the ticket names in `References` (and the last in `In-Reply-To`).
    pub async fn of_ticket(&self, ticket: TicketId, limit: i64) -> Result<Vec<String>> {
        let mut ids: Vec<(String, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT message_id, created_at FROM mail_message_ids WHERE ticket_id = $1
                 ORDER BY created_at DESC, message_id DESC LIMIT $2",
            )
            .bind(ticket.get())
            .bind(limit)
            .fetch_all(db)
            .await?
        });
        ids.reverse();
        Ok(ids.into_iter().map(|(id, _)| id).collect())
    }
}
