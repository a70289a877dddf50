//! SLA breaches as records a report can count: one row per breach, with the policy whose
//! target was missed, written in the transaction of the ticket change that records it
//! (`Effects::sla_breaches`), so a ticket that later moves to another policy keeps its
//! earlier breach in the figures of the policy it breached.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::TicketId;

use crate::Result;
use crate::time::{from_db, to_db};

/// A breach to record with a ticket change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlaBreach {
    /// The policy whose target was missed.
    pub policy_id: i64,
    /// `first_response` or `resolution`.
    pub target: &'static str,
    /// When the target's business time ran out (not when it was noticed).
    pub breached_at: Timestamp,
}

/// A recorded breach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaBreach {
    pub ticket_id: TicketId,
    pub policy_id: i64,
    pub target: String,
    pub breached_at: Timestamp,
}

/// How many breaches of one policy's target a period had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreachCount {
    pub policy_id: i64,
    pub target: String,
    pub breaches: i64,
}

/// Writes one breach inside the caller's transaction.
macro_rules! insert_sla_breach {
    ($exec:expr, $ticket:expr, $b:expr, $now:expr) => {{
        let b: &$crate::sla_breaches::NewSlaBreach = $b;
        sqlx::query(
            "INSERT INTO sla_breaches (ticket_id, policy_id, target, breached_at, recorded_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($ticket)
        .bind(b.policy_id)
        .bind(b.target)
        .bind($crate::time::to_db(b.breached_at))
        .bind($crate::time::to_db($now))
        .execute($exec)
        .await?;
    }};
}
pub(crate) use insert_sla_breach;

impl crate::sla::Sla<'_> {
    /// A ticket's breaches, oldest first.
    pub async fn breaches(&self, ticket: TicketId) -> Result<Vec<SlaBreach>> {
        let rows: Vec<(i64, i64, String, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT ticket_id, policy_id, target, breached_at FROM sla_breaches WHERE ticket_id = $1 ORDER BY breached_at, id")
                .bind(ticket.get())
                .fetch_all(db)
                .await?
        });
        rows.into_iter()
            .map(|(t, policy_id, target, at)| {
                Ok(SlaBreach {
                    ticket_id: TicketId(t),
                    policy_id,
                    target,
                    breached_at: from_db(at)?,
                })
            })
            .collect()
    }

    /// Breaches per policy and target whose instant falls in `[from, to)`: what an SLA
    /// compliance report counts.
    pub async fn breach_counts(&self, from: Timestamp, to: Timestamp) -> Result<Vec<BreachCount>> {
        let rows: Vec<(i64, String, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as("SELECT policy_id, target, COUNT(*) FROM sla_breaches WHERE breached_at >= $1 AND breached_at < $2 GROUP BY policy_id, target ORDER BY policy_id, target")
                .bind(to_db(from))
                .bind(to_db(to))
                .fetch_all(db)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(policy_id, target, breaches)| BreachCount {
                policy_id,
                target,
                breaches,
            })
            .collect())
    }
}
