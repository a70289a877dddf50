//! Satisfaction surveys (SPEC C11): answers written with the rating in the ticket's change
//! transaction ([`NewSurveyAnswer`] in `tickets::Effects`), results per slice, the
//! follow-ups a poor rating opens, the reminders sent, and the key that signs survey links.

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::ticket::Ticket;
use ventanilla_domain::{TicketId, UserId};

use crate::sql::trusted;
use crate::time::to_db;
use crate::{Result, Store, StoreError};

/// An answer to record (the ticket's slice is taken from the ticket as changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurveyAnswer {
    /// `portal`, `link`, `api` or `staff`.
    pub via: &'static str,
    pub answered_by: Option<UserId>,
    pub overall: u8,
    pub response_time: Option<u8>,
    pub ability: Option<u8>,
    pub communication: Option<u8>,
    pub comment: Option<String>,
    /// `es` or `en`: the language the survey was shown in.
    pub language: String,
    /// Opens a follow-up for the supervisors (a poor rating).
    pub follow_up: bool,
}

/// Inserts a survey answer for `$ticket` (the ticket after the change) inside `$tx`.
macro_rules! insert_survey_answer {
    ($tx:expr, $ticket:expr, $a:expr, $now:expr) => {{
        let a: &$crate::surveys::NewSurveyAnswer = $a;
        let t: &ventanilla_domain::ticket::Ticket = $ticket;
        sqlx::query(
            "INSERT INTO survey_responses (ticket_id, answered_at, answered_by, via, overall, \
             response_time, ability, communication, comment, language, group_id, organisation_id, \
             category_id, agent_id, follow_up) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(t.id.get())
        .bind($crate::time::to_db($now))
        .bind(a.answered_by.map(|u| u.get()))
        .bind(a.via)
        .bind(i64::from(a.overall))
        .bind(a.response_time.map(i64::from))
        .bind(a.ability.map(i64::from))
        .bind(a.communication.map(i64::from))
        .bind(a.comment.as_deref())
        .bind(a.language.as_str())
        .bind(t.group_id.map(|g| g.get()))
        .bind(t.organisation_id.map(|o| o.get()))
        .bind(t.category_id.map(|c| c.get()))
        .bind(t.assignee_id.map(|u| u.get()))
        .bind(if a.follow_up { "open" } else { "none" })
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use insert_survey_answer;

/// One recorded answer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyResponse {
    pub id: i64,
    pub ticket_id: i64,
    /// Microseconds since the epoch (UTC).
    pub answered_at: i64,
    pub via: String,
    pub overall: i64,
    pub response_time: Option<i64>,
    pub ability: Option<i64>,
    pub communication: Option<i64>,
    pub comment: Option<String>,
    pub language: String,
    pub follow_up: String,
}

/// Averages of the answers in one slice (a group, an agent…); `key` is the slice's id
/// (`-1` when not set).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyResult {
    pub key: i64,
    pub responses: i64,
    pub overall: Option<f64>,
    pub response_time: Option<f64>,
    pub ability: Option<f64>,
    pub communication: Option<f64>,
}

/// An open (or done) follow-up with what the supervisor needs to act.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub id: i64,
    pub ticket_id: i64,
    pub number: String,
    pub subject: String,
    pub overall: i64,
    pub comment: Option<String>,
    pub answered_at: i64,
    pub follow_up: String,
}

pub struct Surveys<'a>(&'a Store);

impl Store {
    pub fn surveys(&self) -> Surveys<'_> {
        Surveys(self)
    }
}

const RESPONSE_COLUMNS: &str = "id, ticket_id, answered_at, via, overall, response_time, ability, communication, comment, language, follow_up";

impl Surveys<'_> {
    /// The answers given on a ticket, oldest first.
    pub async fn for_ticket(&self, id: TicketId) -> Result<Vec<SurveyResponse>> {
        let sql = format!(
            "SELECT {RESPONSE_COLUMNS} FROM survey_responses WHERE ticket_id = $1 ORDER BY id"
        );
        let rows = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(id.get())
                .fetch_all(db)
                .await?
        });
        Ok(rows)
    }

    /// Averages per `dim` (`group`, `organisation`, `category`, `agent`, or `all`) of the
    /// answers given in `[from, to)`.
    pub async fn results(
        &self,
        dim: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SurveyResult>> {
        let key = match dim {
            "group" => "COALESCE(group_id, -1)",
            "organisation" => "COALESCE(organisation_id, -1)",
            "category" => "COALESCE(category_id, -1)",
            "agent" => "COALESCE(agent_id, -1)",
            "all" => "0",
            _ => return Err(StoreError::Invalid(format!("unknown dimension {dim}"))),
        };
        let avg = |c: &str| {
            format!("CAST(AVG(CAST({c} AS DOUBLE PRECISION)) AS DOUBLE PRECISION) AS {c}")
        };
        // One line for "all": a constant is no GROUP BY term (SQL reads `GROUP BY 0` as a
        // column position), so the whole period is one group, kept only when answered.
        let grouping = if dim == "all" {
            "HAVING count(*) > 0".to_owned()
        } else {
            format!("GROUP BY {key} ORDER BY {key}")
        };
        let sql = format!(
            "SELECT CAST({key} AS BIGINT) AS key, count(*) AS responses, {}, {}, {}, {} \
             FROM survey_responses WHERE answered_at >= $1 AND answered_at < $2 {grouping}",
            avg("overall"),
            avg("response_time"),
            avg("ability"),
            avg("communication")
        );
        let rows = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(to_db(from))
                .bind(to_db(to))
                .fetch_all(db)
                .await?
        });
        Ok(rows)
    }

    /// Follow-ups, open first then newest: `open_only` lists only those still to do.
    pub async fn follow_ups(&self, open_only: bool, limit: i64) -> Result<Vec<FollowUp>> {
        let sql = format!(
            "SELECT s.id, s.ticket_id, t.number, t.subject, s.overall, s.comment, s.answered_at, s.follow_up \
             FROM survey_responses s JOIN tickets t ON t.id = s.ticket_id \
             WHERE {} ORDER BY s.follow_up DESC, s.id DESC LIMIT $1",
            if open_only {
                "s.follow_up = 'open'"
            } else {
                "s.follow_up <> 'none'"
            }
        );
        let rows = on_reader!(self.0, |db| {
            sqlx::query_as(trusted(&sql))
                .bind(limit)
                .fetch_all(db)
                .await?
        });
        Ok(rows)
    }

    /// Marks a follow-up done with a note; `false` when there is no open follow-up `id`.
    pub async fn close_follow_up(
        &self,
        id: i64,
        by: UserId,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<bool> {
        let n = on_writer!(self.0, |db| {
            sqlx::query(
                "UPDATE survey_responses SET follow_up = 'done', follow_up_by = $2, follow_up_at = $3, \
                 follow_up_note = $4 WHERE id = $1 AND follow_up = 'open'",
            )
            .bind(id)
            .bind(by.get())
            .bind(to_db(now))
            .bind(note)
            .execute(db)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Tickets waiting in survey since before `before` whose current round (the instant
    /// they entered survey) has no `kind` mail (`invite` or `reminder`), oldest first.
    pub async fn mails_due(
        &self,
        kind: &str,
        before: Timestamp,
        limit: i64,
    ) -> Result<Vec<TicketId>> {
        let rows: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT t.id FROM tickets t WHERE t.status = 'survey' \
                 AND t.status_changed_at < $1 AND NOT EXISTS (SELECT 1 FROM survey_mails m \
                 WHERE m.ticket_id = t.id AND m.round = t.status_changed_at AND m.kind = $2) \
                 ORDER BY t.status_changed_at LIMIT $3",
            )
            .bind(to_db(before))
            .bind(kind)
            .bind(limit)
            .fetch_all(db)
            .await?
        });
        Ok(rows.into_iter().map(TicketId).collect())
    }

    /// Records the `kind` mail of a ticket's survey round and, in the same transaction, the
    /// requester's notification and its outbox row for the mail channel (as every
    /// notification is). `false` when that mail was already sent (another node, a retry).
    pub async fn send_mail(
        &self,
        t: &Ticket,
        kind: &str,
        notice: &crate::notifications::NewNotification,
        now: Timestamp,
    ) -> Result<bool> {
        let sent = in_transaction!(self.0, |tx| {
            let n = sqlx::query(
                "INSERT INTO survey_mails (ticket_id, round, kind, sent_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (ticket_id, round, kind) DO NOTHING",
            )
            .bind(t.id.get())
            .bind(survey_round(t))
            .bind(kind)
            .bind(to_db(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                // The requester's notification and its outbox row for mail, as every
                // notification of a ticket change is written.
                crate::tickets::insert_notices!(
                    tx,
                    t.id.get(),
                    std::slice::from_ref(notice),
                    now,
                    0,
                    crate::dialect::bulk_placeholders_numbered(self.0.kind())
                );
            }
            n == 1
        });
        Ok(sent)
    }

    /// The secret that signs survey links: created once (the first node to ask wins) and
    /// shared by every node through the database.
    pub async fn link_key(&self, fresh: &str, now: Timestamp) -> Result<String> {
        on_writer!(self.0, |db| {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ('survey_link_key', $1, $2) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(serde_json::to_string(fresh).unwrap_or_default())
            .bind(to_db(now))
            .execute(db)
            .await?;
        });
        let key: Option<String> = self.0.settings().get("survey_link_key").await?;
        key.ok_or(StoreError::NotFound)
    }
}

/// The instant a ticket entered its current survey round, as stored.
pub fn survey_round(t: &Ticket) -> i64 {
    to_db(t.status_changed_at)
}
