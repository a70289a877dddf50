//! Time spent (issue 17): the minutes logged on timeline entries, summed per ticket by agent
//! and kind of entry, and read per agent over a span for daily totals (bucketed into days
//! by the application, in the reader's time zone, so no date SQL differs per backend).

use jiff::Timestamp;
use ventanilla_domain::{TicketId, UserId};

use crate::time::{from_db, to_db};
use crate::{Result, Store};

/// Minutes logged on one ticket by one person (`None`: the system) on one kind of entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMinutes {
    pub actor_id: Option<UserId>,
    /// The entry kind (`reply`, `note`…).
    pub kind: String,
    pub minutes: i64,
}

/// The most time entries one daily-totals read returns.
pub const SPAN_ROWS_MAX: i64 = 100_000;

pub struct Worklog<'a>(&'a Store);

impl Store {
    pub fn worklog(&self) -> Worklog<'_> {
        Worklog(self)
    }
}

impl Worklog<'_> {
    /// A ticket's logged minutes, summed by person and kind of entry.
    pub async fn ticket(&self, ticket: TicketId) -> Result<Vec<TicketMinutes>> {
        let rows: Vec<(Option<i64>, String, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT actor_id, kind, CAST(SUM(minutes) AS BIGINT) FROM ticket_events
                 WHERE ticket_id = $1 AND minutes IS NOT NULL
                 GROUP BY actor_id, kind ORDER BY actor_id, kind",
            )
            .bind(ticket.get())
            .fetch_all(db)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(a, kind, minutes)| TicketMinutes {
                actor_id: a.map(UserId),
                kind,
                minutes,
            })
            .collect())
    }

    /// Time entries (person, instant, minutes) in `[from, to)`, of one person or of all,
    /// by instant (at most [`SPAN_ROWS_MAX`]).
    pub async fn span(
        &self,
        from: Timestamp,
        to: Timestamp,
        user: Option<UserId>,
    ) -> Result<Vec<(UserId, Timestamp, i64)>> {
        let rows: Vec<(i64, i64, i64)> = on_reader!(self.0, |db| {
            match user {
                Some(u) => {
                    sqlx::query_as(
                        "SELECT actor_id, at, minutes FROM ticket_events
                         WHERE actor_id = $1 AND at >= $2 AND at < $3 AND minutes IS NOT NULL
                         ORDER BY at LIMIT $4",
                    )
                    .bind(u.get())
                    .bind(to_db(from))
                    .bind(to_db(to))
                    .bind(SPAN_ROWS_MAX)
                    .fetch_all(db)
                    .await?
                }
                None => {
                    sqlx::query_as(
                        "SELECT actor_id, at, minutes FROM ticket_events
                         WHERE actor_id IS NOT NULL AND at >= $1 AND at < $2 AND minutes IS NOT NULL
                         ORDER BY at LIMIT $3",
                    )
                    .bind(to_db(from))
                    .bind(to_db(to))
                    .bind(SPAN_ROWS_MAX)
                    .fetch_all(db)
                    .await?
                }
            }
        });
        rows.into_iter()
            .map(|(u, at, m)| Ok((UserId(u), from_db(at)?, m)))
            .collect()
    }
}
