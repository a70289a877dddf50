//! Escalation (SPEC C5) and major incidents (C9): functional escalation to a higher tier
//! with a handover summary, hierarchical escalation to the group's supervisors, and the
//! major-incident flag. Notifications are written to the outbox with the change.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::access::SUPERVISOR;
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::ticket::{EventKind, Ticket, TicketKind, Urgency};
use ventanilla_domain::{GroupId, Permission, Text, TicketId, Tier, UserId, ValidationError};
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::notifications::NewNotification;
use ventanilla_store::tickets::{Effects, NewEvent};

use super::update::guard_agent_change;
use super::{TicketView, etag, if_match, view};
use crate::AppState;
use crate::api::users::not_found_as;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::tickets::access;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationBody {
    /// `functional` (to a higher tier) or `hierarchical` (notify supervisors).
    #[serde(rename = "type")]
    pub kind: String,
    /// The handover summary: what is known, what was tried.
    pub summary: String,
    /// Functional only: the group to hand over to (default: the first active group of the
    /// next tier).
    pub group_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MajorBody {
    pub major: bool,
    pub reason: String,
}

/// Escalates a ticket functionally or hierarchically.
#[utoipa::path(post, path = "/tickets/{id}/escalations", tag = "tickets", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The ETag of the version read (`\"7\"`, `W/\"7\"`) or `*`; any other value matches no version (412)")),
    request_body = EscalationBody,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn escalate(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(req): Json<EscalationBody>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let ticket = escalate_ticket(&state, &auth, TicketId(id), if_match(&headers)?, &req).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// The service behind `escalate`, for the API and the web alike.
pub async fn escalate_ticket(
    state: &AppState,
    auth: &Auth,
    id: TicketId,
    expected: Option<i64>,
    req: &EscalationBody,
) -> AppResult<Ticket> {
    let ticket = access::load(state, auth, id).await?;
    auth.require(Permission::TicketsWork)?;
    guard_agent_change(ticket.status)?;
    let summary = Text::parse("summary", &req.summary, 100_000)?;
    let (fx_builder, target): (Effects, Option<(GroupId, Tier)>) = match req.kind.as_str() {
        "functional" => {
            let current = ticket.tier.unwrap_or(Tier::L1);
            let group = match req.group_id {
                Some(g) => state
                    .store
                    .groups()
                    .get(GroupId(g))
                    .await
                    .map_err(|e| not_found_as(e, "group_id", "does not exist"))?,
                None => {
                    let next = current.next().ok_or_else(|| {
                        ValidationError::new(
                            "group_id",
                            "the ticket is already at the highest tier",
                        )
                    })?;
                    let f = GroupFilter {
                        tier: Some(next),
                        active: Some(true),
                        ..GroupFilter::default()
                    };
                    let page = state
                        .store
                        .groups()
                        .list(&f, PageRequest::new(None, Some(1))?)
                        .await?;
                    page.items
                        .into_iter()
                        .next()
                        .map(|(g, _)| g)
                        .ok_or_else(|| {
                            ValidationError::new("group_id", "no active group at the next tier")
                        })?
                }
            };
            if group.tier <= current {
                return Err(
                    ValidationError::new("group_id", "must be a group of a higher tier").into(),
                );
            }
            let members = state.store.groups().members(group.id).await?;
            let fx = Effects {
                events: vec![
                    NewEvent::new(EventKind::Escalation, true)
                        .body(format!("escalated to {}", group.tier.code())),
                    NewEvent::new(EventKind::Escalation, false)
                        .body(format!("handover to {}: {summary}", group.name)),
                ],
                notifications: members
                    .iter()
                    .map(|m| NewNotification {
                        user_id: m.user_id,
                        kind: "ticket.escalated".into(),
                        title: format!("{} escalated to {}", ticket.number, group.name),
                        body: Some(summary.to_string()),
                    })
                    .collect(),
                ..Effects::default()
            };
            (fx, Some((group.id, group.tier)))
        }
        "hierarchical" => {
            let supervisors = supervisors_of(state, ticket.group_id).await?;
            let fx = Effects {
                events: vec![
                    NewEvent::new(EventKind::Escalation, false)
                        .body(format!("hierarchical escalation: {summary}")),
                ],
                notifications: supervisors
                    .into_iter()
                    .map(|u| NewNotification {
                        user_id: u,
                        kind: "ticket.hierarchical_escalation".into(),
                        title: format!("{}: {}", ticket.number, ticket.subject),
                        body: Some(summary.to_string()),
                    })
                    .collect(),
                ..Effects::default()
            };
            (fx, None)
        }
        _ => return Err(ValidationError::new("type", "must be functional or hierarchical").into()),
    };
    let ticket = crate::tickets::write(state, ticket.id, expected, Some(auth.user_id()), |t| {
        guard_agent_change(t.status)?;
        if let Some((group, tier)) = target {
            t.group_id = Some(group);
            t.tier = Some(tier);
            t.assignee_id = None;
            t.escalated = true;
        }
        Ok::<_, AppError>(fx_builder.clone())
    })
    .await?;
    Ok(ticket)
}

/// The supervisors to notify: the group's, or every active supervisor when the group has
/// none (an escalation must reach somebody).
async fn supervisors_of(state: &AppState, group: Option<GroupId>) -> AppResult<Vec<UserId>> {
    if let Some(g) = group {
        let ids: Vec<UserId> = state
            .store
            .groups()
            .members(g)
            .await?
            .into_iter()
            .filter(|m| m.supervisor)
            .map(|m| m.user_id)
            .collect();
        if !ids.is_empty() {
            return Ok(ids);
        }
    }
    all_supervisors(state).await
}

async fn all_supervisors(state: &AppState) -> AppResult<Vec<UserId>> {
    Ok(state.store.users().active_with_role(SUPERVISOR).await?)
}

/// Flags or unflags a major incident. Flagging raises the urgency to high (the priority
/// follows unless overridden) and notifies the supervisors.
#[utoipa::path(post, path = "/tickets/{id}/major", tag = "tickets", params(("id" = i64, Path)), request_body = MajorBody,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn major(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(req): Json<MajorBody>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let ticket = set_major(&state, &auth, TicketId(id), &req).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// The service behind `major`, for the API and the web alike.
pub async fn set_major(
    state: &AppState,
    auth: &Auth,
    id: TicketId,
    req: &MajorBody,
) -> AppResult<Ticket> {
    let ticket = access::load(state, auth, id).await?;
    auth.require(Permission::TicketsWork)?;
    if ticket.kind != TicketKind::Incident {
        return Err(ValidationError::new("major", "only incidents can be major incidents").into());
    }
    let reason = Text::parse("reason", &req.reason, 4000)?;
    let supervisors = if req.major {
        all_supervisors(state).await?
    } else {
        Vec::new()
    };
    let m = state.refdata.matrix(&state.store).await?;
    let ticket = crate::tickets::write(state, ticket.id, None, Some(auth.user_id()), |t| {
        guard_agent_change(t.status)?;
        if t.major == req.major {
            return Ok(Effects::default());
        }
        let mut fx = Effects::default();
        let mut e = NewEvent::change(
            "major",
            Some(t.major.to_string()),
            Some(req.major.to_string()),
            false,
        );
        e.body = Some(reason.to_string());
        fx.events.push(e);
        t.major = req.major;
        t.major_reason = req.major.then(|| reason.to_string());
        if req.major {
            if t.urgency != Urgency::High {
                fx.events.push(NewEvent::change(
                    "urgency",
                    Some(t.urgency.as_str().into()),
                    Some("high".into()),
                    false,
                ));
                t.urgency = Urgency::High;
            }
            if t.priority_override_reason.is_none() {
                let p = m.get(t.impact, t.urgency);
                if p != t.priority {
                    fx.events.push(NewEvent::change(
                        "priority",
                        Some(t.priority.as_str().into()),
                        Some(p.as_str().into()),
                        false,
                    ));
                    t.priority = p;
                }
            }
            fx.notifications = supervisors
                .iter()
                .map(|u| NewNotification {
                    user_id: *u,
                    kind: "ticket.major_incident".into(),
                    title: format!("Major incident {}: {}", t.number, t.subject),
                    body: Some(reason.to_string()),
                })
                .collect();
        }
        Ok::<_, AppError>(fx)
    })
    .await?;
    Ok(ticket)
}
