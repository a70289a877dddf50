//! Registering a ticket (SPEC C1): by a requester for themself (portal, API, mail), or by
//! staff for anyone (an existing user, or one created from name and email, e.g. a caller on
//! the phone form). `TicketInput` is the input as any surface receives it (API JSON, a page
//! form, a mail); `register_ticket` checks who may set what, validates every field, applies
//! the matrix and the SLA, and stores it through the group-commit queue.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::directory::{NAME_MAX, NewUser, User};
use ventanilla_domain::ticket::{
    BODY_MAX, Channel, Concerned, Impact, KeyFacts, NewTicket, SUBJECT_MAX, Ticket, TicketKind,
    Urgency, register_notices,
};
use ventanilla_domain::{
    Caller, CategoryId, Email, GroupId, Language, OrganisationId, Permission, Text, UserId,
    ValidationError,
};
use ventanilla_store::StoreError;
use ventanilla_store::audit::NewAudit;
use ventanilla_store::tickets::Registration;

use super::access::require;
pub use super::facts::{FactsInput, facts_of};
use crate::App;
use crate::desk::{DeskError, DeskResult, missing_as};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequesterInput {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

/// A new ticket as received (the API's `POST /tickets` body).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    /// `incident` or `service_request`.
    pub kind: String,
    pub subject: String,
    pub description: String,
    /// `high`, `medium` or `low`.
    pub impact: String,
    /// `high`, `medium` or `low`.
    pub urgency: String,
    /// `portal`, `email`, `phone`, `chat`, `api` or `event`; defaults to how the caller signed in.
    pub channel: Option<String>,
    /// Staff only: the requester, by id…
    pub requester_id: Option<i64>,
    /// …or by name and email (created as a requester if unknown).
    pub requester: Option<RequesterInput>,
    /// A requester may name only their own organisation.
    pub organisation_id: Option<i64>,
    pub category_id: Option<i64>,
    /// The affected configuration item.
    pub ci_ref: Option<String>,
    /// Staff only.
    pub group_id: Option<i64>,
    /// Staff only.
    pub assignee_id: Option<i64>,
    /// Staff only: a priority other than the matrix's, with `priority_reason`.
    pub priority: Option<String>,
    pub priority_reason: Option<String>,
    #[serde(default)]
    pub facts: FactsInput,
}

/// Who the ticket is for.
#[derive(Debug, Clone)]
pub enum RequesterRef {
    /// The caller themself.
    Caller,
    Id(UserId),
    /// Found by e-mail, or created as a requester.
    Person {
        name: Text,
        email: Email,
        phone: Option<Text>,
    },
}

/// The validated command.
#[derive(Debug, Clone)]
pub struct RegisterTicket {
    pub kind: TicketKind,
    pub subject: Text,
    pub description: Text,
    pub impact: Impact,
    pub urgency: Urgency,
    pub channel: Channel,
    pub requester: RequesterRef,
    pub organisation_id: Option<OrganisationId>,
    pub category_id: Option<CategoryId>,
    pub ci_ref: Option<Text>,
    pub group_id: Option<GroupId>,
    pub assignee_id: Option<UserId>,
    /// Staff only: a priority other than the matrix's, which needs `priority_reason`.
    pub priority: Option<ventanilla_domain::ticket::Priority>,
    pub priority_reason: Option<Text>,
    pub facts: KeyFacts,
}

impl CreateTicket {
    /// Validates the input; `channel` is used when the input names none.
    pub fn command(&self, channel: Channel) -> Result<RegisterTicket, ValidationError> {
        let requester = match (&self.requester_id, &self.requester) {
            (Some(id), _) => RequesterRef::Id(UserId(*id)),
            (None, Some(r)) => RequesterRef::Person {
                email: Email::parse(&r.email)
                    .map_err(|e| ValidationError::new("requester.email", e.message))?,
                name: Text::parse("requester.name", &r.name, NAME_MAX)?,
                phone: Text::parse_optional("requester.phone", r.phone.as_deref(), 50)?,
            },
            (None, None) => RequesterRef::Caller,
        };
        let priority = self.priority.as_deref().map(str::parse).transpose()?;
        let priority_reason =
            Text::parse_optional("priority_reason", self.priority_reason.as_deref(), 2000)?;
        Ok(RegisterTicket {
            kind: self.kind.parse()?,
            subject: Text::parse("subject", &self.subject, SUBJECT_MAX)?,
            description: Text::parse("description", &self.description, BODY_MAX)?,
            impact: self.impact.parse()?,
            urgency: self.urgency.parse()?,
            channel: match self.channel.as_deref() {
                Some(c) => c.parse()?,
                None => channel,
            },
            requester,
            organisation_id: self.organisation_id.map(OrganisationId),
            category_id: self.category_id.map(CategoryId),
            ci_ref: Text::parse_optional("ci_ref", self.ci_ref.as_deref(), 200)?,
            group_id: self.group_id.map(GroupId),
            assignee_id: self.assignee_id.map(UserId),
            priority,
            priority_reason,
            facts: facts_of(&self.facts)?,
        })
    }
}

/// A requester may choose only what concerns their own request: no other requester, no
/// other organisation, no group, assignee or priority (those are the desk's decisions).
fn check_requester_choices(caller: &Caller, cmd: &RegisterTicket) -> DeskResult<()> {
    let me = caller.user_id();
    let foreign_requester = match &cmd.requester {
        RequesterRef::Caller => false,
        RequesterRef::Id(id) => *id != me,
        RequesterRef::Person { .. } => true,
    };
    let foreign_org = cmd
        .organisation_id
        .is_some_and(|o| Some(o) != caller.actor.organisation_id);
    // A mail's group comes from the mailbox it arrived in (the administrator's routing in
    // `[[mail.intake.mailboxes]]`), not from the sender.
    let routed_by_mailbox = caller.origin == ventanilla_domain::Origin::Mail;
    if foreign_requester
        || foreign_org
        || (cmd.group_id.is_some() && !routed_by_mailbox)
        || cmd.assignee_id.is_some()
        || cmd.priority.is_some()
    {
        return Err(DeskError::Forbidden);
    }
    if !matches!(cmd.channel, Channel::Portal | Channel::Api | Channel::Email) {
        return Err(ValidationError::new(
            "channel",
            "requesters register through the portal, email or the API",
        )
        .into());
    }
    Ok(())
}

/// Registers a ticket (idempotently with `key`). Returns the ticket and whether this call
/// created it.
pub async fn register_ticket(
    app: &App,
    caller: &Caller,
    cmd: &RegisterTicket,
    key: Option<&str>,
) -> DeskResult<(Ticket, bool)> {
    register_ticket_with(app, caller, cmd, key, Vec::new()).await
}

/// [`register_ticket`] with timeline entries recorded after the `created` entry, in the
/// same transaction (what a monitoring event or a rule says about the new ticket).
pub async fn register_ticket_with(
    app: &App,
    caller: &Caller,
    cmd: &RegisterTicket,
    key: Option<&str>,
    extra: Vec<ventanilla_domain::ticket::Entry>,
) -> DeskResult<(Ticket, bool)> {
    require(caller, Permission::TicketsCreate)?;
    let staff = caller.can(Permission::TicketsWork);
    if !staff {
        check_requester_choices(caller, cmd)?;
    }
    let given_org = match cmd.organisation_id {
        Some(o) => Some(
            app.store
                .organisations()
                .get(o)
                .await
                .map_err(|e| missing_as(e, "organisation_id", "does not exist"))?
                .id,
        ),
        None => None,
    };
    let (requester_id, requester_org) = resolve_requester(app, caller, cmd).await?;
    let category_id = match cmd.category_id {
        Some(c) => {
            let cat = app
                .store
                .categories()
                .get(c)
                .await
                .map_err(|e| missing_as(e, "category_id", "does not exist"))?;
            if !cat.active {
                return Err(ValidationError::new("category_id", "is no longer in use").into());
            }
            Some(cat.id)
        }
        None => None,
    };
    let (group_id, tier) = match cmd.group_id {
        Some(g) => {
            let group = app
                .store
                .groups()
                .get(g)
                .await
                .map_err(|e| missing_as(e, "group_id", "does not exist"))?;
            (Some(group.id), Some(group.tier))
        }
        None => {
            app.refdata
                .default_group(&app.store, app.config.tickets.default_group_id)
                .await?
        }
    };
    let assignee_id = match cmd.assignee_id {
        Some(a) => Some(super::patch::check_assignee(app, a, group_id).await?),
        None => None,
    };
    let m = app.refdata.matrix(&app.store).await?;
    let (priority, priority_override_reason) = match (cmd.priority, &cmd.priority_reason) {
        (None, _) => (m.get(cmd.impact, cmd.urgency), None),
        (Some(p), Some(reason)) => (p, Some(reason.clone())),
        (Some(_), None) => {
            return Err(ValidationError::new(
                "priority_reason",
                "is required to override the priority matrix",
            )
            .into());
        }
    };
    let mut new = NewTicket {
        kind: cmd.kind,
        subject: cmd.subject.clone(),
        description: cmd.description.clone(),
        requester_id,
        organisation_id: given_org.or(requester_org),
        channel: cmd.channel,
        ci_ref: cmd.ci_ref.clone(),
        category_id,
        impact: cmd.impact,
        urgency: cmd.urgency,
        priority,
        priority_override_reason,
        group_id,
        assignee_id,
        tier,
        facts: cmd.facts.clone(),
        sla: Default::default(),
    };
    let now = app.now();
    new.sla = super::sla::initial(&new, &*app.refdata.sla(&app.store).await?, now);
    let who = match new.group_id {
        Some(g) => Concerned {
            members: app
                .store
                .groups()
                .members(g)
                .await?
                .into_iter()
                .filter(|m| !m.supervisor)
                .map(|m| m.user_id)
                .collect(),
            supervisors: Vec::new(),
        },
        None => Concerned::default(),
    };
    let notices = register_notices(&new, Some(caller.user_id()), &who);
    let reg = Registration {
        new,
        actor: Some(caller.user_id()),
        idempotency_key: key.map(str::to_owned),
        extra,
        notices,
    };
    let retry = key.is_some().then(|| reg.clone());
    let (ticket, created) = match (app.intake.register(reg, now).await, retry) {
        // Two retries racing with one key on two nodes: the loser finds the winner's ticket.
        (Err(StoreError::Conflict { .. }), Some(reg)) => app.intake.register(reg, now).await?,
        (other, _) => other?,
    };
    let ticket = if created {
        crate::desk::hooks::after_create(app, caller, ticket).await
    } else {
        ticket
    };
    Ok((ticket, created))
}

/// The requester (id and organisation): the caller — already loaded with the request, so
/// self-service registration costs no look-up — a user by id, or one found or created from
/// name and email.
async fn resolve_requester(
    app: &App,
    caller: &Caller,
    cmd: &RegisterTicket,
) -> DeskResult<(UserId, Option<OrganisationId>)> {
    let user: Option<User> = match &cmd.requester {
        RequesterRef::Caller => None,
        RequesterRef::Id(id) => Some(
            app.store
                .users()
                .get(*id)
                .await
                .map_err(|e| missing_as(e, "requester_id", "does not exist"))?,
        ),
        RequesterRef::Person { name, email, phone } => Some(
            find_or_create_requester(app, caller, name, email, phone, cmd.organisation_id).await?,
        ),
    };
    Ok(match user {
        Some(u) => (u.id, u.organisation_id),
        None => (caller.user_id(), caller.actor.organisation_id),
    })
}

async fn find_or_create_requester(
    app: &App,
    caller: &Caller,
    name: &Text,
    email: &Email,
    phone: &Option<Text>,
    organisation_id: Option<OrganisationId>,
) -> DeskResult<User> {
    match app.store.users().by_email(email).await {
        Ok(u) => return Ok(u),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let role = app
        .store
        .roles()
        .by_name(ventanilla_domain::access::REQUESTER)
        .await?;
    let new = NewUser {
        email: email.clone(),
        name: name.clone(),
        phone: phone.clone(),
        organisation_id,
        department_id: None,
        language: Language::Es,
        time_zone: app.config.defaults.time_zone()?,
        role_id: role.id,
        organisation_manager: false,
        password_hash: None,
    };
    let entry: NewAudit = crate::desk::audit(app, caller, "user.create")
        .target("user", None)
        .detail(serde_json::json!({
            "email": new.email, "name": new.name, "role": "requester", "via": "ticket",
        }));
    match app.store.users().create(&new, &entry).await {
        Ok(u) => Ok(u),
        // Created meanwhile by another request: use that one.
        Err(StoreError::Conflict { .. }) => Ok(app.store.users().by_email(&new.email).await?),
        Err(e) => Err(e.into()),
    }
}
