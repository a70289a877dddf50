//! The import file's records (one JSON object per line, `docs/IMPORT.md`) and their checks:
//! everything that can be refused without the database is refused here, with the field named.

use jiff::Timestamp;
use serde::Deserialize;
use ventanilla_domain::ticket::{
    Channel, EventKind, Impact, Priority, PriorityMatrix, Status, TicketKind, Urgency, parse_number,
};
use ventanilla_domain::{Email, Language, Text, Tier, TimeZoneName, ValidationError};

/// One line of the import file, told apart by its `type`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Organisation(OrganisationRecord),
    Department(DepartmentRecord),
    User(UserRecord),
    Group(GroupRecord),
    Ticket(Box<TicketRecord>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationRecord {
    /// The record's key in this file, used by later records to refer to it.
    #[serde(rename = "ref")]
    pub key: String,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentRecord {
    #[serde(rename = "ref")]
    pub key: String,
    pub organisation: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRecord {
    #[serde(rename = "ref")]
    pub key: String,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub organisation: Option<String>,
    pub department: Option<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    /// A role name: requester (default), agent, supervisor, admin or a custom role.
    pub role: Option<String>,
    #[serde(default)]
    pub organisation_manager: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRecord {
    #[serde(rename = "ref")]
    pub key: String,
    pub name: String,
    pub tier: String,
    pub description: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub members: Vec<MemberRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRecord {
    pub user: String,
    #[serde(default)]
    pub supervisor: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketRecord {
    /// The number in the desk it comes from (`INC-000123`); absent: the next free number.
    pub number: Option<String>,
    pub kind: String,
    pub subject: String,
    pub description: String,
    pub requester: String,
    pub organisation: Option<String>,
    pub channel: Option<String>,
    /// A category code, e.g. `network.connectivity`.
    pub category: Option<String>,
    pub ci_ref: Option<String>,
    pub impact: String,
    pub urgency: String,
    /// Absent: derived from the desk's impact × urgency matrix.
    pub priority: Option<String>,
    pub priority_reason: Option<String>,
    pub group: Option<String>,
    pub assignee: Option<String>,
    pub tier: Option<String>,
    #[serde(default)]
    pub escalated: bool,
    pub status: String,
    pub resume_to: Option<String>,
    pub pending_reason: Option<String>,
    #[serde(default)]
    pub reopen_count: i64,
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    #[serde(default)]
    pub major: bool,
    pub created_at: String,
    pub updated_at: Option<String>,
    pub status_changed_at: Option<String>,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    #[serde(default)]
    pub events: Vec<EventRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub at: String,
    pub actor: Option<String>,
    /// created, reply, note, change, transition, escalation, link, attachment, …
    pub kind: String,
    /// Absent: internal for notes, public for everything else.
    pub public: Option<bool>,
    pub body: Option<String>,
    pub field: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    pub minutes: Option<i64>,
}

/// A checked directory record, its references still keys of this file.
#[derive(Debug)]
pub enum Checked {
    Organisation {
        key: String,
        name: String,
        code: Option<String>,
    },
    Department {
        key: String,
        organisation: String,
        name: String,
    },
    User(Box<CheckedUser>),
    Group {
        key: String,
        name: String,
        tier: &'static str,
        description: Option<String>,
        email: Option<String>,
        members: Vec<(String, bool)>,
    },
    Ticket(Box<CheckedTicket>),
}

#[derive(Debug)]
pub struct CheckedUser {
    pub key: String,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub organisation: Option<String>,
    pub department: Option<String>,
    pub language: &'static str,
    pub time_zone: String,
    pub role: String,
    pub organisation_manager: bool,
}

#[derive(Debug)]
pub struct CheckedTicket {
    pub number: Option<(TicketKind, i64)>,
    pub kind: TicketKind,
    pub subject: String,
    pub description: String,
    pub requester: String,
    pub organisation: Option<String>,
    pub channel: &'static str,
    pub category: Option<String>,
    pub ci_ref: Option<String>,
    pub impact: &'static str,
    pub urgency: &'static str,
    pub priority: Priority,
    pub priority_reason: Option<String>,
    pub group: Option<String>,
    pub assignee: Option<String>,
    pub tier: Option<&'static str>,
    pub escalated: bool,
    pub status: &'static str,
    pub resume_to: Option<&'static str>,
    pub pending_reason: Option<String>,
    pub reopen_count: i64,
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub major: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub status_changed_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub events: Vec<CheckedEvent>,
}

#[derive(Debug)]
pub struct CheckedEvent {
    pub at: i64,
    pub actor: Option<String>,
    pub kind: &'static str,
    pub public: bool,
    pub body: Option<String>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub minutes: Option<i64>,
}

type Checking<T> = Result<T, ValidationError>;

fn text(field: &str, v: String, max: usize) -> Checking<String> {
    // The common case (already trimmed, short, clean) keeps its allocation.
    let parsed = Text::parse(field, &v, max)?;
    Ok(if parsed.as_str().len() == v.len() {
        v
    } else {
        parsed.as_str().to_owned()
    })
}

fn opt_text(field: &str, v: Option<String>, max: usize) -> Checking<Option<String>> {
    match v {
        Some(s) if !s.trim().is_empty() => text(field, s, max).map(Some),
        _ => Ok(None),
    }
}

fn key(field: &str, v: String) -> Checking<String> {
    text(field, v, 200)
}

fn instant(field: &str, v: &str) -> Checking<i64> {
    v.parse::<Timestamp>()
        .map(|t| t.as_microsecond())
        .map_err(|e| ValidationError::new(field, format!("must be an RFC 3339 instant: {e}")))
}

fn opt_instant(field: &str, v: Option<&str>) -> Checking<Option<i64>> {
    v.map(|s| instant(field, s)).transpose()
}

fn parse<T: std::str::FromStr<Err = ValidationError>>(v: &str) -> Checking<T> {
    v.parse::<T>()
}

impl Record {
    /// Checks every value; `matrix` derives a missing priority, `zone` is a user's time
    /// zone when the line gives none.
    pub fn check(self, matrix: &PriorityMatrix, zone: &TimeZoneName) -> Checking<Checked> {
        Ok(match self {
            Record::Organisation(o) => Checked::Organisation {
                key: key("ref", o.key)?,
                name: text("name", o.name, 200)?,
                code: opt_text("code", o.code, 50)?,
            },
            Record::Department(d) => Checked::Department {
                key: key("ref", d.key)?,
                organisation: key("organisation", d.organisation)?,
                name: text("name", d.name, 200)?,
            },
            Record::User(u) => {
                let email = Email::parse(&u.email)?;
                let language = match u.language.as_deref() {
                    None => Language::default(),
                    Some(l) => l.parse::<Language>()?,
                };
                let time_zone = match u.time_zone.as_deref() {
                    None => zone.as_str().to_owned(),
                    Some(z) => TimeZoneName::parse(z)?.as_str().to_owned(),
                };
                Checked::User(Box::new(CheckedUser {
                    key: key("ref", u.key)?,
                    email: email.as_str().to_owned(),
                    name: text("name", u.name, 200)?,
                    phone: opt_text("phone", u.phone, 50)?,
                    organisation: u.organisation.map(|o| key("organisation", o)).transpose()?,
                    department: u.department.map(|d| key("department", d)).transpose()?,
                    language: language.code(),
                    time_zone,
                    role: u.role.unwrap_or_else(|| "requester".to_owned()),
                    organisation_manager: u.organisation_manager,
                }))
            }
            Record::Group(g) => Checked::Group {
                key: key("ref", g.key)?,
                name: text("name", g.name, 200)?,
                tier: parse::<Tier>(&g.tier)?.code(),
                description: opt_text("description", g.description, 2000)?,
                email: g
                    .email
                    .map(|e| Email::parse(&e).map(|e| e.as_str().to_owned()))
                    .transpose()?,
                members: g
                    .members
                    .into_iter()
                    .map(|m| Ok((key("members.user", m.user)?, m.supervisor)))
                    .collect::<Checking<_>>()?,
            },
            Record::Ticket(t) => Checked::Ticket(Box::new(check_ticket(*t, matrix)?)),
        })
    }
}

fn check_ticket(t: TicketRecord, matrix: &PriorityMatrix) -> Checking<CheckedTicket> {
    let kind = parse::<TicketKind>(&t.kind)?;
    let number = match t.number.as_deref() {
        None => None,
        Some(n) => Some(parse_number(n).ok_or_else(|| {
            ValidationError::new("number", "must look like INC-000123 or REQ-000045")
        })?),
    };
    let impact = parse::<Impact>(&t.impact)?;
    let urgency = parse::<Urgency>(&t.urgency)?;
    let priority = match t.priority.as_deref() {
        Some(p) => parse::<Priority>(p)?,
        None => matrix.get(impact, urgency),
    };
    let status = parse::<Status>(&t.status)?;
    let resume_to = match (status, t.resume_to.as_deref()) {
        (_, Some(r)) => Some(parse::<Status>(r)?.as_str()),
        (Status::Pending, None) => Some(Status::Analysis.as_str()),
        _ => None,
    };
    if let Some(r) = t.rating
        && !(1..=5).contains(&r)
    {
        return Err(ValidationError::new("rating", "must be 1 to 5"));
    }
    if t.reopen_count < 0 {
        return Err(ValidationError::new("reopen_count", "must not be negative"));
    }
    let created_at = instant("created_at", &t.created_at)?;
    let events = t
        .events
        .into_iter()
        .map(check_event)
        .collect::<Checking<Vec<_>>>()?;
    let last_event = events.iter().map(|e| e.at).max().unwrap_or(created_at);
    let updated_at = opt_instant("updated_at", t.updated_at.as_deref())?
        .unwrap_or_else(|| last_event.max(created_at));
    Ok(CheckedTicket {
        number,
        kind,
        subject: text("subject", t.subject, 200)?,
        description: text("description", t.description, 20_000)?,
        requester: key("requester", t.requester)?,
        organisation: t.organisation.map(|o| key("organisation", o)).transpose()?,
        channel: match t.channel.as_deref() {
            None => Channel::Portal.as_str(),
            Some(c) => parse::<Channel>(c)?.as_str(),
        },
        category: opt_text("category", t.category, 100)?,
        ci_ref: opt_text("ci_ref", t.ci_ref, 200)?,
        impact: impact.as_str(),
        urgency: urgency.as_str(),
        priority,
        priority_reason: opt_text("priority_reason", t.priority_reason, 500)?,
        group: t.group.map(|g| key("group", g)).transpose()?,
        assignee: t.assignee.map(|a| key("assignee", a)).transpose()?,
        tier: t
            .tier
            .as_deref()
            .map(|s| parse::<Tier>(s).map(Tier::code))
            .transpose()?,
        escalated: t.escalated,
        status: status.as_str(),
        resume_to,
        pending_reason: opt_text("pending_reason", t.pending_reason, 500)?,
        reopen_count: t.reopen_count,
        resolution_code: opt_text("resolution_code", t.resolution_code, 100)?,
        resolution: opt_text("resolution", t.resolution, 20_000)?,
        rating: t.rating,
        rating_comment: opt_text("rating_comment", t.rating_comment, 2000)?,
        major: t.major,
        created_at,
        updated_at,
        status_changed_at: opt_instant("status_changed_at", t.status_changed_at.as_deref())?
            .unwrap_or(updated_at),
        first_response_at: opt_instant("first_response_at", t.first_response_at.as_deref())?,
        resolved_at: opt_instant("resolved_at", t.resolved_at.as_deref())?,
        closed_at: opt_instant("closed_at", t.closed_at.as_deref())?,
        events,
    })
}

fn check_event(e: EventRecord) -> Checking<CheckedEvent> {
    let kind = EventKind::parse(&e.kind).ok_or_else(|| {
        ValidationError::new(
            "events.kind",
            "must be created, reply, note, change, transition, escalation, link, attachment, confirmation or survey",
        )
    })?;
    if let Some(m) = e.minutes
        && !(0..=24 * 60).contains(&m)
    {
        return Err(ValidationError::new("events.minutes", "must be 0 to 1440"));
    }
    Ok(CheckedEvent {
        at: instant("events.at", &e.at)?,
        actor: e.actor.map(|a| key("events.actor", a)).transpose()?,
        kind: kind.as_str(),
        public: e.public.unwrap_or(kind != EventKind::Note),
        body: opt_text("events.body", e.body, 20_000)?,
        field: opt_text("events.field", e.field, 100)?,
        old_value: e.old,
        new_value: e.new,
        minutes: e.minutes,
    })
}
