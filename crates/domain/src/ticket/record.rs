//! A ticket as stored and shown, the validated input to register one, a partial update, the
//! timeline entry, and the category record.

use jiff::Timestamp;
use serde::Serialize;

use super::kind::{Channel, TicketKind};
use super::priority::{Impact, Priority, Urgency};
use super::status::Status;
use crate::ids::{CategoryId, EventId, GroupId, OrganisationId, TicketId, UserId};
use crate::people::Tier;
use crate::text::Text;

/// Parameters of a coded timeline entry or notice: names to plain values (numbers, codes,
/// names), rendered into the reader's sentence at read time (see `history`).
pub type Params = std::collections::BTreeMap<String, String>;

pub const SUBJECT_MAX: usize = 250;
pub const BODY_MAX: usize = 100_000;

/// The key facts of seed 003's preprocessing: what an agent asks before diagnosing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyFacts {
    /// When the interruption started.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub started_at: Option<Timestamp>,
    /// Who or what is affected: one user, a team, a site, everyone.
    pub impact_scope: Option<String>,
    /// Error codes or messages seen.
    pub error_codes: Option<String>,
    /// What the user already tried.
    pub tried: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: TicketId,
    /// `INC-000123` or `REQ-000045`.
    pub number: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "incident"))]
    pub kind: TicketKind,
    pub subject: String,
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub requester_id: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub organisation_id: Option<OrganisationId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "portal"))]
    pub channel: Channel,
    /// The affected configuration item (a free reference until the CMDB lands).
    pub ci_ref: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub category_id: Option<CategoryId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "medium"))]
    pub impact: Impact,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "medium"))]
    pub urgency: Urgency,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "medium"))]
    pub priority: Priority,
    /// Set when an agent overrode the matrix; the reason is recorded.
    pub priority_override_reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub group_id: Option<GroupId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub assignee_id: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "L1"))]
    pub tier: Option<Tier>,
    /// Functionally escalated and not yet back at first line.
    pub escalated: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "analysis"))]
    pub status: Status,
    /// The status in plain words for the requester (e.g. `escalated`).
    pub requester_status: &'static str,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub resume_to: Option<Status>,
    pub pending_reason: Option<String>,
    pub reopen_count: u32,
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
    pub facts: KeyFacts,
    pub major: bool,
    pub major_reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub parent_id: Option<TicketId>,
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
    /// Service levels: the policy in force and the stopwatch of each target.
    pub sla: crate::sla::TicketSla,
    /// Bumped by every change; the `ETag` is derived from it.
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub status_changed_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub first_response_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolved_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
}

pub const REQUESTER_STATUS_ESCALATED: &str = "escalated";

/// The status a requester reads (SPEC C5: "escalated / waiting for upper support").
pub fn requester_status(status: Status, escalated: bool) -> &'static str {
    match status {
        Status::New | Status::Analysis | Status::Solution if escalated => {
            REQUESTER_STATUS_ESCALATED
        }
        Status::New => "registered",
        Status::Analysis | Status::Solution => "in_progress",
        Status::Validation => "awaiting_your_confirmation",
        Status::Survey => "awaiting_your_rating",
        Status::Review | Status::Closed => "solved",
        Status::Pending => "on_hold",
        Status::Cancelled => "cancelled",
    }
}

/// Validated input to register a ticket; the store assigns the number and the priority.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub kind: TicketKind,
    pub subject: Text,
    pub description: Text,
    pub requester_id: UserId,
    pub organisation_id: Option<OrganisationId>,
    pub channel: Channel,
    pub ci_ref: Option<Text>,
    pub category_id: Option<CategoryId>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub priority_override_reason: Option<Text>,
    pub group_id: Option<GroupId>,
    pub assignee_id: Option<UserId>,
    pub tier: Option<Tier>,
    pub facts: KeyFacts,
    /// The service-level record computed at registration.
    pub sla: crate::sla::TicketSla,
}

/// A partial update of the editable fields; `None` keeps, `Some(None)` clears.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketPatch {
    pub subject: Option<Text>,
    pub description: Option<Text>,
    pub ci_ref: Option<Option<Text>>,
    pub category_id: Option<Option<CategoryId>>,
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
    /// A priority set by hand, with its reason; `Some(None)` returns to the matrix.
    pub priority_override: Option<Option<(Priority, Text)>>,
    pub group_id: Option<Option<GroupId>>,
    pub assignee_id: Option<Option<UserId>>,
    pub facts_started_at: Option<Option<Timestamp>>,
    pub facts_impact_scope: Option<Option<Text>>,
    pub facts_error_codes: Option<Option<Text>>,
    pub facts_tried: Option<Option<Text>>,
    pub resolution_code: Option<Option<Text>>,
    pub resolution: Option<Option<Text>>,
}

/// What a timeline entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventKind {
    Created,
    Reply,
    Note,
    Change,
    Transition,
    Escalation,
    Link,
    Attachment,
    Confirmation,
    Survey,
    /// A service-level warning or breach.
    Sla,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Reply => "reply",
            EventKind::Note => "note",
            EventKind::Change => "change",
            EventKind::Transition => "transition",
            EventKind::Escalation => "escalation",
            EventKind::Link => "link",
            EventKind::Attachment => "attachment",
            EventKind::Confirmation => "confirmation",
            EventKind::Survey => "survey",
            EventKind::Sla => "sla",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "created" => EventKind::Created,
            "reply" => EventKind::Reply,
            "note" => EventKind::Note,
            "change" => EventKind::Change,
            "transition" => EventKind::Transition,
            "escalation" => EventKind::Escalation,
            "link" => EventKind::Link,
            "attachment" => EventKind::Attachment,
            "confirmation" => EventKind::Confirmation,
            "survey" => EventKind::Survey,
            "sla" => EventKind::Sla,
            _ => return None,
        })
    }
}

/// One entry of a ticket's timeline. Entries with `public = false` (internal notes, internal
/// changes) are never shown to requesters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketEvent {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: EventId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub ticket_id: TicketId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub actor_id: Option<UserId>,
    pub kind: EventKind,
    pub public: bool,
    /// What the system says, as a code rendered in the reader's language (`history-<code>`),
    /// with its parameters; `None` for entries that are only a person's words or a change.
    pub code: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: Params,
    /// What a person wrote; never a system sentence.
    pub body: Option<String>,
    /// For changes: the field, and its old and new values as text.
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// Time spent, in minutes.
    pub minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: CategoryId,
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub parent_id: Option<CategoryId>,
    pub name_es: String,
    pub name_en: String,
    pub active: bool,
}
