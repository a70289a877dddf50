//! Changing registered tickets: every change goes through [`Tickets::modify`], an optimistic
//! read-modify-write that records the timeline and the outbox in the same transaction as the
//! change (registration is in `create.rs`).

use jiff::Timestamp;
use ventanilla_domain::ticket::{Ticket, TicketKind, format_number, requester_status};
use ventanilla_domain::{TicketId, UserId};

use super::Tickets;
use super::events::{NewEvent, insert_event};
use super::row::{COLUMNS, TicketRow, write_back};
use crate::sql::trusted;
use crate::time::to_db;
use crate::{Result, StoreError};

/// A side effect to deliver later (a notification, a mail, a webhook).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbox {
    pub kind: String,
    pub recipient_id: Option<UserId>,
    pub payload: serde_json::Value,
}

/// What a change records beside the new ticket state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effects {
    pub events: Vec<NewEvent>,
    pub outbox: Vec<NewOutbox>,
    pub notifications: Vec<crate::notifications::NewNotification>,
    pub jobs: Vec<crate::jobs::NewJob>,
    /// SLA breaches to keep for reports (see [`crate::sla_breaches`]).
    pub sla_breaches: Vec<crate::sla_breaches::NewSlaBreach>,
    /// A satisfaction survey answer (see [`crate::surveys`]).
    pub survey: Option<crate::surveys::NewSurveyAnswer>,
    /// Unread notifications of the same ticket changed this recently (seconds) take a new
    /// notice instead of a new row; 0 writes every notice as its own row.
    pub notice_window_secs: i64,
}

impl Effects {
    pub fn event(mut self, e: NewEvent) -> Self {
        self.events.push(e);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.outbox.is_empty()
            && self.notifications.is_empty()
            && self.jobs.is_empty()
            && self.sla_breaches.is_empty()
            && self.survey.is_none()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ModifyError<E> {
    /// The caller's `If-Match` version is not the current one.
    #[error("the ticket has changed since it was read")]
    VersionMismatch { current: i64 },
    /// The change function refused.
    #[error("refused")]
    Refused(E),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl<E> From<sqlx::Error> for ModifyError<E> {
    fn from(e: sqlx::Error) -> Self {
        ModifyError::Store(e.into())
    }
}

/// Writes an outbox row; `$state` is `pending`, or `skipped` for a mail the recipient
/// turned off (kept so the mail log can say why nothing was sent).
macro_rules! insert_outbox {
    ($exec:expr, $ticket:expr, $at:expr, $o:expr) => {
        insert_outbox!($exec, $ticket, $at, $o, "pending")
    };
    ($exec:expr, $ticket:expr, $at:expr, $o:expr, $state:expr) => {{
        let o: &$crate::tickets::NewOutbox = $o;
        let state: &str = $state;
        sqlx::query(
            "INSERT INTO outbox (created_at, kind, ticket_id, recipient_id, payload, state, last_error, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $1)",
        )
        .bind($crate::time::to_db($at))
        .bind(o.kind.as_str())
        .bind($ticket)
        .bind(o.recipient_id.map(ventanilla_domain::UserId::get))
        .bind(o.payload.to_string())
        .bind(state)
        .bind((state == "skipped").then_some("preference"))
        .execute($exec)
        .await?;
    }};
}

pub(crate) use crate::notifications::insert_notices;

/// Whether a change touches what the search index holds of a ticket: its words (subject,
/// description, resolution, anything a timeline entry says) or its requester (whose address
/// is indexed).
fn text_changed(before: &Ticket, after: &Ticket, effects: &Effects) -> bool {
    before.subject != after.subject
        || before.description != after.description
        || before.resolution != after.resolution
        || before.requester_id != after.requester_id
        || effects.events.iter().any(|e| e.body.is_some())
}

/// Under concurrent writers without `If-Match`, a change is re-read and re-applied; beyond
/// this many lost races the caller gets a conflict rather than a silent overwrite.
const MAX_ATTEMPTS: usize = 5;

/// The group a change escalates the ticket away from: its group before, when the tier
/// rises and the group changes.
fn escalated_from(before: &Ticket, after: &Ticket) -> Option<i64> {
    let from = before.group_id?;
    (after.tier > before.tier && after.group_id != Some(from)).then_some(from.get())
}

impl Tickets<'_> {
    /// Reads the ticket, lets `f` change it and say what to record, and writes it back if
    /// nobody changed it meanwhile. With `expected_version`, a different current version is
    /// a [`ModifyError::VersionMismatch`]; without, a lost race is retried.
    pub async fn modify<E, F>(
        &self,
        id: TicketId,
        expected_version: Option<i64>,
        actor: Option<UserId>,
        now: Timestamp,
        mut f: F,
    ) -> std::result::Result<(Ticket, Effects), ModifyError<E>>
    where
        F: FnMut(&mut Ticket) -> std::result::Result<Effects, E>,
    {
        let select = format!("SELECT {COLUMNS} FROM tickets WHERE id = $1");
        let kind = self.0.kind();
        let numbered = crate::dialect::bulk_placeholders_numbered(kind);
        let zone = self.0.report_zone().clone();
        for _ in 0..MAX_ATTEMPTS {
            let attempt: Option<(Ticket, Effects)> = in_transaction!(self.0, |tx| {
                let row: TicketRow = sqlx::query_as(trusted(&select))
                    .bind(id.get())
                    .fetch_one(&mut *tx)
                    .await?;
                let before: Ticket = row.try_into()?;
                if let Some(v) = expected_version
                    && v != before.version
                {
                    return Err(ModifyError::VersionMismatch {
                        current: before.version,
                    });
                }
                let mut after = before.clone();
                let effects = f(&mut after).map_err(ModifyError::Refused)?;
                if after == before && effects.is_empty() {
                    Some((before, effects))
                } else {
                    after.updated_at = now;
                    if after.status != before.status {
                        after.status_changed_at = now;
                    }
                    let changed = write_back!(&mut *tx, &after, before.version);
                    if changed == 0 {
                        None
                    } else {
                        // Routing's count of each agent's open work (routing.rs).
                        let work = |t: &Ticket| {
                            crate::routing::is_open_work(t.status).then_some(t.assignee_id)
                        };
                        if work(&before) != work(&after) {
                            let deltas = crate::routing::load_deltas([
                                (work(&before).flatten(), -1),
                                (work(&after).flatten(), 1),
                            ]);
                            crate::routing::add_load!(tx, &deltas, numbered);
                        }
                        for e in &effects.events {
                            insert_event!(&mut *tx, id.get(), now, actor.map(UserId::get), e);
                        }
                        for o in &effects.outbox {
                            insert_outbox!(&mut *tx, id.get(), now, o);
                        }
                        insert_notices!(
                            tx,
                            id.get(),
                            &effects.notifications,
                            now,
                            effects.notice_window_secs,
                            numbered
                        );
                        for j in &effects.jobs {
                            crate::jobs::insert_job!(&mut *tx, j, now);
                        }
                        for b in &effects.sla_breaches {
                            crate::sla_breaches::insert_sla_breach!(&mut *tx, id.get(), b, now);
                        }
                        // The search row, in the same transaction, when its words changed.
                        if text_changed(&before, &after, &effects) {
                            crate::search::reindex_tickets!(tx, kind, &[id.get()], false);
                        }
                        // A ticket escalated to a higher tier stays visible to the group
                        // it leaves (SPEC C5), whoever escalated it: an agent or the SLA job.
                        if let Some(from) = escalated_from(&before, &after) {
                            sqlx::query(
                                "INSERT INTO ticket_followers (group_id, ticket_id, since) \
                                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            )
                            .bind(from)
                            .bind(id.get())
                            .bind(to_db(now))
                            .execute(&mut *tx)
                            .await?;
                        }
                        if after.status.is_terminal() && !before.status.is_terminal() {
                            sqlx::query(
                                "UPDATE ticket_followers SET open = FALSE WHERE ticket_id = $1",
                            )
                            .bind(id.get())
                            .execute(&mut *tx)
                            .await?;
                        }
                        if let Some(a) = &effects.survey {
                            crate::surveys::insert_survey_answer!(tx, &after, a, now);
                        }
                        // The reports rollup moves by what this change adds (reports.rs).
                        let logged: i64 = effects.events.iter().filter_map(|e| e.minutes).sum();
                        let minutes_count =
                            before.resolved_at.is_some() || after.resolved_at.is_some();
                        let before_minutes = if minutes_count {
                            crate::reports::logged_minutes!(tx, id.get())
                        } else {
                            0
                        };
                        if logged != 0 {
                            crate::reports::add_logged_minutes!(tx, id.get(), logged);
                        }
                        if let Some(added) = crate::reports::change_delta(
                            Some((&before, before_minutes)),
                            (&after, before_minutes + logged),
                            &zone,
                        ) {
                            crate::reports::append_pending!(tx, numbered, &added);
                        }
                        after.version = before.version + 1;
                        // Derived from status and escalation: recomputed here, once, rather
                        // than by every change function.
                        after.requester_status = requester_status(after.status, after.escalated);
                        Some((after, effects))
                    }
                }
            });
            match attempt {
                Some(done) => return Ok(done),
                None if expected_version.is_some() => {
                    let current = self.get(id).await?.version;
                    return Err(ModifyError::VersionMismatch { current });
                }
                None => continue,
            }
        }
        Err(ModifyError::Store(StoreError::Conflict {
            constraint: "tickets.version".into(),
        }))
    }

    /// Tickets that have waited in `survey` since before `before` (the survey timeout).
    pub async fn survey_expired(&self, before: Timestamp, limit: i64) -> Result<Vec<TicketId>> {
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT id FROM tickets WHERE status = 'survey' AND status_changed_at < $1 ORDER BY status_changed_at LIMIT $2")
                .bind(to_db(before))
                .bind(limit)
                .fetch_all(db)
                .await?
        });
        Ok(ids.into_iter().map(TicketId).collect())
    }

    /// Open tickets (neither closed nor cancelled) with an id above `after`, by id: the
    /// pages of a pass over every open ticket (the SLA re-application after a policy edit).
    pub async fn open_ids_after(&self, after: i64, limit: i64) -> Result<Vec<TicketId>> {
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT id FROM tickets WHERE id > $1 AND status NOT IN ('closed', 'cancelled') ORDER BY id LIMIT $2")
                .bind(after)
                .bind(limit)
                .fetch_all(db)
                .await?
        });
        Ok(ids.into_iter().map(TicketId).collect())
    }

    /// Tickets whose next SLA warning or breach is due by `now` (index on the instant: the
    /// scan reads only due rows).
    pub async fn sla_due(&self, now: Timestamp, limit: i64) -> Result<Vec<TicketId>> {
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT id FROM tickets WHERE sla_next_check_at <= $1 ORDER BY sla_next_check_at LIMIT $2")
                .bind(to_db(now))
                .bind(limit)
                .fetch_all(db)
                .await?
        });
        Ok(ids.into_iter().map(TicketId).collect())
    }

    /// Reclassification needs a number of the new kind: takes the next one (never reused).
    pub async fn next_number(&self, kind: TicketKind) -> Result<String> {
        let seq: i64 = on_writer!(self.0, |db| {
            sqlx::query_scalar("UPDATE ticket_counters SET last_value = last_value + 1 WHERE kind = $1 RETURNING last_value")
                .bind(kind.as_str())
                .fetch_one(db)
                .await?
        });
        Ok(format_number(kind, seq))
    }
}
