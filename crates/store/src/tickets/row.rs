//! The `tickets` row and its conversion to and from the domain's `Ticket`.

use ventanilla_domain::sla::{SlaState, Stopwatch, TicketSla};
use ventanilla_domain::ticket::{KeyFacts, Ticket, requester_status};
use ventanilla_domain::{CategoryId, GroupId, OrganisationId, TicketId, UserId};

use crate::time::{from_db, opt_from_db};
use crate::{Result, StoreError};

pub(crate) const COLUMNS: &str =
    "id, number, kind, subject, description, requester_id, organisation_id,
    channel, ci_ref, category_id, impact, urgency, priority, priority_override_reason, group_id,
    assignee_id, tier, escalated, status, resume_to, pending_reason, reopen_count, resolution_code,
    resolution, started_at, impact_scope, error_codes, tried, major, major_reason, parent_id,
    rating, rating_comment, version, created_at, updated_at, status_changed_at,
    first_response_at, resolved_at, closed_at, sla_policy_id, sla_response, sla_resolution,
    sla_response_due_at, sla_resolution_due_at, sla_due_at, sla_next_check_at, sla_state";

/// The same columns qualified with the `t.` alias, for joins.
pub(crate) fn qualified() -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(sqlx::FromRow, Clone)]
pub(crate) struct TicketRow {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub subject: String,
    pub description: String,
    pub requester_id: i64,
    pub organisation_id: Option<i64>,
    pub channel: String,
    pub ci_ref: Option<String>,
    pub category_id: Option<i64>,
    pub impact: String,
    pub urgency: String,
    pub priority: String,
    pub priority_override_reason: Option<String>,
    pub group_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub tier: Option<String>,
    pub escalated: bool,
    pub status: String,
    pub resume_to: Option<String>,
    pub pending_reason: Option<String>,
    pub reopen_count: i64,
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
    pub started_at: Option<i64>,
    pub impact_scope: Option<String>,
    pub error_codes: Option<String>,
    pub tried: Option<String>,
    pub major: bool,
    pub major_reason: Option<String>,
    pub parent_id: Option<i64>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub status_changed_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub sla_policy_id: Option<i64>,
    pub sla_response: Option<String>,
    pub sla_resolution: Option<String>,
    pub sla_response_due_at: Option<i64>,
    pub sla_resolution_due_at: Option<i64>,
    pub sla_due_at: Option<i64>,
    pub sla_next_check_at: Option<i64>,
    pub sla_state: Option<String>,
}

fn watch(json: Option<&str>) -> Result<Option<Stopwatch>> {
    json.map(|j| {
        serde_json::from_str(j).map_err(|e| StoreError::Corrupt(format!("stopwatch: {e}")))
    })
    .transpose()
}

/// The stopwatch JSON stored for a target.
pub(crate) fn watch_json(w: &Option<Stopwatch>) -> Option<String> {
    w.as_ref().and_then(|w| serde_json::to_string(w).ok())
}

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;
    fn try_from(r: TicketRow) -> Result<Self> {
        let status = r.status.parse()?;
        Ok(Ticket {
            id: TicketId(r.id),
            number: r.number,
            kind: r.kind.parse()?,
            subject: r.subject,
            description: r.description,
            requester_id: UserId(r.requester_id),
            organisation_id: r.organisation_id.map(OrganisationId),
            channel: r.channel.parse()?,
            ci_ref: r.ci_ref,
            category_id: r.category_id.map(CategoryId),
            impact: r.impact.parse()?,
            urgency: r.urgency.parse()?,
            priority: r.priority.parse()?,
            priority_override_reason: r.priority_override_reason,
            group_id: r.group_id.map(GroupId),
            assignee_id: r.assignee_id.map(UserId),
            tier: r.tier.as_deref().map(str::parse).transpose()?,
            escalated: r.escalated,
            requester_status: requester_status(status, r.escalated),
            status,
            resume_to: r.resume_to.as_deref().map(str::parse).transpose()?,
            pending_reason: r.pending_reason,
            reopen_count: u32::try_from(r.reopen_count)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            resolution_code: r.resolution_code,
            resolution: r.resolution,
            facts: KeyFacts {
                started_at: opt_from_db(r.started_at)?,
                impact_scope: r.impact_scope,
                error_codes: r.error_codes,
                tried: r.tried,
            },
            major: r.major,
            major_reason: r.major_reason,
            parent_id: r.parent_id.map(TicketId),
            rating: r
                .rating
                .map(|v| u8::try_from(v).map_err(|e| StoreError::Corrupt(e.to_string())))
                .transpose()?,
            rating_comment: r.rating_comment,
            version: r.version,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
            status_changed_at: from_db(r.status_changed_at)?,
            first_response_at: opt_from_db(r.first_response_at)?,
            resolved_at: opt_from_db(r.resolved_at)?,
            closed_at: opt_from_db(r.closed_at)?,
            sla: TicketSla {
                policy_id: r.sla_policy_id,
                response: watch(r.sla_response.as_deref())?,
                resolution: watch(r.sla_resolution.as_deref())?,
                response_due_at: opt_from_db(r.sla_response_due_at)?,
                resolution_due_at: opt_from_db(r.sla_resolution_due_at)?,
                due_at: opt_from_db(r.sla_due_at)?,
                next_check_at: opt_from_db(r.sla_next_check_at)?,
                state: r
                    .sla_state
                    .as_deref()
                    .map(|s| {
                        SlaState::parse(s)
                            .ok_or_else(|| StoreError::Corrupt(format!("sla_state {s}")))
                    })
                    .transpose()?,
            },
        })
    }
}

/// Writes every mutable column of `t` back, if the row still has `version`; bumps the
/// version. Returns how many rows changed (0: someone else changed it first).
macro_rules! write_back {
    ($exec:expr, $t:expr, $version:expr) => {{
        let t: &ventanilla_domain::ticket::Ticket = $t;
        sqlx::query(
            "UPDATE tickets SET number = $3, kind = $4, subject = $5, description = $6,
                organisation_id = $7, ci_ref = $8, category_id = $9, impact = $10, urgency = $11,
                priority = $12, priority_rank = $13, priority_override_reason = $14, group_id = $15,
                assignee_id = $16, tier = $17, escalated = $18, status = $19, resume_to = $20,
                pending_reason = $21, reopen_count = $22, resolution_code = $23, resolution = $24,
                started_at = $25, impact_scope = $26, error_codes = $27, tried = $28, major = $29,
                major_reason = $30, parent_id = $31, rating = $32, rating_comment = $33,
                updated_at = $34, status_changed_at = $35, first_response_at = $36,
                resolved_at = $37, closed_at = $38, sla_policy_id = $39, sla_response = $40,
                sla_resolution = $41, sla_due_at = $42, sla_next_check_at = $43, sla_state = $44,
                sla_response_due_at = $45, sla_resolution_due_at = $46,
                version = version + 1
             WHERE id = $1 AND version = $2",
        )
        .bind(t.id.get())
        .bind($version)
        .bind(&t.number)
        .bind(t.kind.as_str())
        .bind(&t.subject)
        .bind(&t.description)
        .bind(
            t.organisation_id
                .map(ventanilla_domain::OrganisationId::get),
        )
        .bind(t.ci_ref.as_deref())
        .bind(t.category_id.map(ventanilla_domain::CategoryId::get))
        .bind(t.impact.as_str())
        .bind(t.urgency.as_str())
        .bind(t.priority.as_str())
        .bind(i64::from(t.priority.rank()))
        .bind(t.priority_override_reason.as_deref())
        .bind(t.group_id.map(ventanilla_domain::GroupId::get))
        .bind(t.assignee_id.map(ventanilla_domain::UserId::get))
        .bind(t.tier.map(|x| x.code()))
        .bind(t.escalated)
        .bind(t.status.as_str())
        .bind(t.resume_to.map(|s| s.as_str()))
        .bind(t.pending_reason.as_deref())
        .bind(i64::from(t.reopen_count))
        .bind(t.resolution_code.as_deref())
        .bind(t.resolution.as_deref())
        .bind(t.facts.started_at.map($crate::time::to_db))
        .bind(t.facts.impact_scope.as_deref())
        .bind(t.facts.error_codes.as_deref())
        .bind(t.facts.tried.as_deref())
        .bind(t.major)
        .bind(t.major_reason.as_deref())
        .bind(t.parent_id.map(ventanilla_domain::TicketId::get))
        .bind(t.rating.map(i64::from))
        .bind(t.rating_comment.as_deref())
        .bind($crate::time::to_db(t.updated_at))
        .bind($crate::time::to_db(t.status_changed_at))
        .bind(t.first_response_at.map($crate::time::to_db))
        .bind(t.resolved_at.map($crate::time::to_db))
        .bind(t.closed_at.map($crate::time::to_db))
        .bind(t.sla.policy_id)
        .bind($crate::tickets::row::watch_json(&t.sla.response))
        .bind($crate::tickets::row::watch_json(&t.sla.resolution))
        .bind(t.sla.due_at.map($crate::time::to_db))
        .bind(t.sla.next_check_at.map($crate::time::to_db))
        .bind(t.sla.state.map(|s| s.as_str()))
        .bind(t.sla.response_due_at.map($crate::time::to_db))
        .bind(t.sla.resolution_due_at.map($crate::time::to_db))
        .execute($exec)
        .await?
        .rows_affected()
    }};
}
pub(crate) use write_back;
