//! Registering a ticket (SPEC C1): from the portal or API by a requester for themself, or by
//! staff for anyone (an existing user, or one created from name and email).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::directory::{NAME_MAX, NewUser};
use ventanilla_domain::ticket::{
    BODY_MAX, Channel, Impact, KeyFacts, NewTicket, SUBJECT_MAX, Ticket, TicketKind, Urgency,
};
use ventanilla_domain::{
    CategoryId, Email, GroupId, Language, OrganisationId, Permission, Text, TimeZoneName, UserId,
    ValidationError,
};
use ventanilla_store::StoreError;
use ventanilla_store::audit::NewAudit;
use ventanilla_store::tickets::Registration;

use super::{TicketView, etag, view};
use crate::AppState;
use crate::api::types::audit;
use crate::api::users::not_found_as;
use crate::auth::{Auth, AuthMethod};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::Json;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactsInput {
    /// When the interruption started (RFC 3339).
    pub started_at: Option<String>,
    pub impact_scope: Option<String>,
    pub error_codes: Option<String>,
    pub tried: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequesterInput {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
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
    pub organisation_id: Option<i64>,
    pub category_id: Option<i64>,
    /// The affected configuration item.
    pub ci_ref: Option<String>,
    pub group_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// Staff only: a priority other than the matrix's, with `priority_reason`.
    pub priority: Option<String>,
    pub priority_reason: Option<String>,
    #[serde(default)]
    pub facts: FactsInput,
}

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Registers an incident or a service request. With an `Idempotency-Key` header, a retry
/// returns the ticket the first request created instead of a duplicate.
#[utoipa::path(post, path = "/tickets", tag = "tickets", request_body = CreateTicket,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes retries safe: 1 to 200 characters")),
    responses((status = 201, body = TicketView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Json(req): Json<CreateTicket>,
) -> AppResult<(StatusCode, HeaderMap, Json<TicketView>)> {
    let key = idempotency_key(&headers)?;
    let (ticket, created) = register(&state, &auth, &req, key.as_deref()).await?;
    let mut headers = etag(&ticket);
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/tickets/{}", ticket.id)) {
        headers.insert(header::LOCATION, loc);
    }
    if !created {
        headers.insert("idempotency-replayed", HeaderValue::from_static("true"));
    }
    Ok((StatusCode::CREATED, headers, Json(view(&auth, ticket))))
}

/// Registers a ticket for the API and the web alike: checks who may set what, validates
/// every field, applies the matrix and the SLA, and stores it (idempotently with `key`).
/// Returns the ticket and whether this call created it.
pub async fn register(
    state: &AppState,
    auth: &Auth,
    req: &CreateTicket,
    key: Option<&str>,
) -> AppResult<(Ticket, bool)> {
    auth.require(Permission::TicketsCreate)?;
    let staff = auth.actor.can(Permission::TicketsWork);
    if !staff
        && (req.requester_id.is_some_and(|r| r != auth.user_id().get())
            || req.requester.is_some()
            || req.group_id.is_some()
            || req.assignee_id.is_some()
            || req.priority.is_some())
    {
        return Err(AppError::Forbidden);
    }
    let kind: TicketKind = req.kind.parse()?;
    let impact: Impact = req.impact.parse()?;
    let urgency: Urgency = req.urgency.parse()?;
    let channel: Channel = match req.channel.as_deref() {
        Some(c) => c.parse()?,
        None => match auth.method {
            AuthMethod::Session { .. } => Channel::Portal,
            AuthMethod::Token(_) => Channel::Api,
        },
    };
    if !staff && !matches!(channel, Channel::Portal | Channel::Api | Channel::Email) {
        return Err(ValidationError::new(
            "channel",
            "requesters register through the portal, email or the API",
        )
        .into());
    }
    let subject = Text::parse("subject", &req.subject, SUBJECT_MAX)?;
    let description = Text::parse("description", &req.description, BODY_MAX)?;
    let given_org = match req.organisation_id {
        Some(o) => Some(
            state
                .store
                .organisations()
                .get(OrganisationId(o))
                .await
                .map_err(|e| not_found_as(e, "organisation_id", "does not exist"))?
                .id,
        ),
        None => None,
    };
    let requester = resolve_requester(state, auth, req).await?;
    let organisation_id = given_org.or(requester.1);
    let category_id = match req.category_id {
        Some(c) => {
            let cat = state
                .store
                .categories()
                .get(CategoryId(c))
                .await
                .map_err(|e| not_found_as(e, "category_id", "does not exist"))?;
            if !cat.active {
                return Err(ValidationError::new("category_id", "is no longer in use").into());
            }
            Some(cat.id)
        }
        None => None,
    };
    let (group_id, tier) = match req.group_id {
        Some(g) => {
            let group = state
                .store
                .groups()
                .get(GroupId(g))
                .await
                .map_err(|e| not_found_as(e, "group_id", "does not exist"))?;
            (Some(group.id), Some(group.tier))
        }
        None => {
            state
                .refdata
                .default_group(&state.store, state.config.tickets.default_group_id)
                .await?
        }
    };
    let assignee_id = match req.assignee_id {
        Some(a) => Some(super::update::check_assignee(state, UserId(a)).await?),
        None => None,
    };
    let m = state.refdata.matrix(&state.store).await?;
    let (priority, priority_override_reason) = match req.priority.as_deref() {
        None => (m.get(impact, urgency), None),
        Some(p) => {
            let reason =
                Text::parse_optional("priority_reason", req.priority_reason.as_deref(), 2000)?
                    .ok_or_else(|| {
                        ValidationError::new(
                            "priority_reason",
                            "is required to override the priority matrix",
                        )
                    })?;
            (p.parse()?, Some(reason))
        }
    };
    let facts = facts_of(&req.facts)?;
    let new = NewTicket {
        kind,
        subject,
        description,
        requester_id: requester.0,
        organisation_id,
        channel,
        ci_ref: Text::parse_optional("ci_ref", req.ci_ref.as_deref(), 200)?,
        category_id,
        impact,
        urgency,
        priority,
        priority_override_reason,
        group_id,
        assignee_id,
        tier,
        facts,
        sla: Default::default(),
    };
    let mut new = new;
    let now = state.now();
    new.sla = crate::tickets::sla::initial(&new, &*state.refdata.sla(&state.store).await?, now);
    let reg = Registration {
        new,
        actor: Some(auth.user_id()),
        idempotency_key: key.map(str::to_owned),
        extra: Vec::new(),
    };
    let retry = key.is_some().then(|| reg.clone());
    let (ticket, created) = match (state.intake.register(reg, now).await, retry) {
        // Two retries racing with one key on two nodes: the loser finds the winner's ticket.
        (Err(StoreError::Conflict { .. }), Some(reg)) => state.intake.register(reg, now).await?,
        (other, _) => other?,
    };
    Ok((ticket, created))
}

fn idempotency_key(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(v) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let k = v
        .to_str()
        .map_err(|_| AppError::BadRequest("Idempotency-Key must be text".into()))?
        .trim();
    if k.is_empty() || k.len() > 200 {
        return Err(AppError::BadRequest(
            "Idempotency-Key must be 1 to 200 characters".into(),
        ));
    }
    Ok(Some(k.to_owned()))
}

pub fn facts_of(f: &FactsInput) -> AppResult<KeyFacts> {
    Ok(KeyFacts {
        started_at: f
            .started_at
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<jiff::Timestamp>())
            .transpose()
            .map_err(|_| ValidationError::new("facts.started_at", "must be an RFC 3339 instant"))?,
        impact_scope: Text::parse_optional("facts.impact_scope", f.impact_scope.as_deref(), 2000)?
            .map(Text::into_string),
        error_codes: Text::parse_optional("facts.error_codes", f.error_codes.as_deref(), 2000)?
            .map(Text::into_string),
        tried: Text::parse_optional("facts.tried", f.tried.as_deref(), 4000)?
            .map(Text::into_string),
    })
}

/// The requester (id and organisation): the caller — already loaded with the request, so
/// self-service registration costs no look-up — a user by id, or one found or created from
/// name and email.
async fn resolve_requester(
    state: &AppState,
    auth: &Auth,
    req: &CreateTicket,
) -> AppResult<(UserId, Option<ventanilla_domain::OrganisationId>)> {
    let user = resolve_requester_user(state, auth, req).await?;
    Ok(match user {
        Some(u) => (u.id, u.organisation_id),
        None => (auth.user_id(), auth.actor.organisation_id),
    })
}

async fn resolve_requester_user(
    state: &AppState,
    auth: &Auth,
    req: &CreateTicket,
) -> AppResult<Option<ventanilla_domain::directory::User>> {
    if let Some(id) = req.requester_id {
        return state
            .store
            .users()
            .get(UserId(id))
            .await
            .map(Some)
            .map_err(|e| not_found_as(e, "requester_id", "does not exist"));
    }
    let Some(r) = &req.requester else {
        return Ok(None);
    };
    let email =
        Email::parse(&r.email).map_err(|e| ValidationError::new("requester.email", e.message))?;
    match state.store.users().by_email(&email).await {
        Ok(u) => return Ok(Some(u)),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let role = state
        .store
        .roles()
        .by_name(ventanilla_domain::access::REQUESTER)
        .await?;
    let new = NewUser {
        email,
        name: Text::parse("requester.name", &r.name, NAME_MAX)?,
        phone: Text::parse_optional("requester.phone", r.phone.as_deref(), 50)?,
        organisation_id: req.organisation_id.map(OrganisationId),
        department_id: None,
        language: Language::Es,
        time_zone: TimeZoneName::parse(crate::api::users::DEFAULT_TIME_ZONE)?,
        role_id: role.id,
        organisation_manager: false,
        password_hash: None,
    };
    let entry: NewAudit = audit(state, auth, "user.create")
        .target("user", None)
        .detail(serde_json::json!({
            "email": new.email, "name": new.name, "role": "requester", "via": "ticket",
        }));
    match state.store.users().create(&new, &entry).await {
        Ok(u) => Ok(Some(u)),
        // Created meanwhile by another request: use that one.
        Err(StoreError::Conflict { .. }) => {
            Ok(Some(state.store.users().by_email(&new.email).await?))
        }
        Err(e) => Err(e.into()),
    }
}
