//! Changing a ticket's fields (PATCH): every change is written to the timeline with its old
//! and new value; `If-Match` makes concurrent edits safe.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{
    BODY_MAX, Priority, SUBJECT_MAX, Status, Ticket, TicketKind, TicketPatch, agent_may_modify,
};
use ventanilla_domain::{CategoryId, GroupId, Permission, Text, TicketId, UserId, ValidationError};
use ventanilla_store::tickets::{Effects, NewEvent};

use super::create::{FactsInput, facts_of};
use super::{TicketView, etag, if_match, view};
use crate::AppState;
use crate::api::types::double_option;
use crate::api::users::not_found_as;
use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::tickets::{access, ticket_closed, validation_locked};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicket {
    /// Reclassify: `incident` or `service_request` (a new number of that kind is issued).
    pub kind: Option<String>,
    pub subject: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub ci_ref: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    /// Override the matrix (with `priority_reason`), or `null` to follow the matrix again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub priority: Option<Option<String>>,
    pub priority_reason: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub group_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    pub facts: Option<FactsInput>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub resolution_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub resolution: Option<Option<String>>,
}

/// Changes a ticket. Staff only; refused while the requester validates (409
/// `validation_locked`) and once closed or cancelled (409 `ticket_closed`).
#[utoipa::path(patch, path = "/tickets/{id}", tag = "tickets", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The ETag of the version read (`\"7\"`, `W/\"7\"`) or `*`; any other value matches no version (412)")),
    request_body = UpdateTicket,
    responses((status = 200, body = TicketView), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(req): Json<UpdateTicket>,
) -> AppResult<(HeaderMap, Json<TicketView>)> {
    let ticket = patch_ticket(&state, &auth, TicketId(id), if_match(&headers)?, &req).await?;
    Ok((etag(&ticket), Json(view(&auth, ticket))))
}

/// Changes a ticket's fields for the API and the web alike (staff only).
pub async fn patch_ticket(
    state: &AppState,
    auth: &Auth,
    id: TicketId,
    expected: Option<i64>,
    req: &UpdateTicket,
) -> AppResult<Ticket> {
    let ticket = access::load(state, auth, id).await?;
    auth.require(Permission::TicketsWork)?;
    let patch = parse_patch(state, req).await?;
    // Moving to a group puts the ticket at that group's tier.
    let new_tier = match patch.group_id {
        Some(Some(g)) => Some(state.store.groups().get(g).await?.tier),
        _ => None,
    };
    let reclassify = req
        .kind
        .as_deref()
        .map(str::parse::<TicketKind>)
        .transpose()?
        .filter(|k| *k != ticket.kind);
    let new_number = match reclassify {
        Some(k) => Some(state.store.tickets().next_number(k).await?),
        None => None,
    };
    let m = state.refdata.matrix(&state.store).await?;
    crate::tickets::write(state, ticket.id, expected, Some(auth.user_id()), |t| {
        guard_agent_change(t.status)?;
        let mut effects = Effects::default();
        if let (Some(kind), Some(number)) = (reclassify, &new_number) {
            let old = format!("{} {}", t.kind.as_str(), t.number);
            t.kind = kind;
            t.number = number.clone();
            effects.events.push(NewEvent::change(
                "kind",
                Some(old),
                Some(format!("{} {}", kind.as_str(), number)),
                true,
            ));
        }
        apply_patch(t, &patch, &m, &mut effects);
        if let Some(tier) = new_tier
            && t.tier != Some(tier)
        {
            effects.events.push(NewEvent::change(
                "tier",
                t.tier.map(|x| x.code().into()),
                Some(tier.code().into()),
                false,
            ));
            t.tier = Some(tier);
        }
        Ok::<_, AppError>(effects)
    })
    .await
}

/// Staff may not change a ticket in validation, nor a closed or cancelled one.
pub fn guard_agent_change(status: Status) -> AppResult<()> {
    if status.is_terminal() {
        Err(ticket_closed())
    } else if !agent_may_modify(status) {
        Err(validation_locked())
    } else {
        Ok(())
    }
}

async fn parse_patch(state: &AppState, req: &UpdateTicket) -> AppResult<TicketPatch> {
    let category_id = match req.category_id {
        Some(Some(c)) => {
            let cat = state
                .store
                .categories()
                .get(CategoryId(c))
                .await
                .map_err(|e| not_found_as(e, "category_id", "does not exist"))?;
            Some(Some(cat.id))
        }
        Some(None) => Some(None),
        None => None,
    };
    let group_id = match req.group_id {
        Some(Some(g)) => Some(Some(
            state
                .store
                .groups()
                .get(GroupId(g))
                .await
                .map_err(|e| not_found_as(e, "group_id", "does not exist"))?
                .id,
        )),
        Some(None) => Some(None),
        None => None,
    };
    let assignee_id = match req.assignee_id {
        Some(Some(a)) => Some(Some(check_assignee(state, UserId(a)).await?)),
        Some(None) => Some(None),
        None => None,
    };
    let priority_override = match &req.priority {
        Some(Some(p)) => {
            let reason =
                Text::parse_optional("priority_reason", req.priority_reason.as_deref(), 2000)?
                    .ok_or_else(|| {
                        ValidationError::new(
                            "priority_reason",
                            "is required to override the priority matrix",
                        )
                    })?;
            Some(Some((p.parse::<Priority>()?, reason)))
        }
        Some(None) => Some(None),
        None => None,
    };
    let opt = |field: &str, v: &Option<Option<String>>, max| -> AppResult<Option<Option<Text>>> {
        Ok(v.as_ref()
            .map(|x| Text::parse_optional(field, x.as_deref(), max))
            .transpose()?)
    };
    let facts = req.facts.as_ref().map(facts_of).transpose()?;
    Ok(TicketPatch {
        subject: req
            .subject
            .as_deref()
            .map(|s| Text::parse("subject", s, SUBJECT_MAX))
            .transpose()?,
        description: req
            .description
            .as_deref()
            .map(|s| Text::parse("description", s, BODY_MAX))
            .transpose()?,
        ci_ref: opt("ci_ref", &req.ci_ref, 200)?,
        category_id,
        impact: req.impact.as_deref().map(str::parse).transpose()?,
        urgency: req.urgency.as_deref().map(str::parse).transpose()?,
        priority_override,
        group_id,
        assignee_id,
        facts_started_at: facts.as_ref().map(|f| f.started_at),
        facts_impact_scope: facts
            .as_ref()
            .map(|f| {
                f.impact_scope
                    .as_deref()
                    .map(|s| Text::parse("facts.impact_scope", s, 4000))
                    .transpose()
            })
            .transpose()?,
        facts_error_codes: facts
            .as_ref()
            .map(|f| {
                f.error_codes
                    .as_deref()
                    .map(|s| Text::parse("facts.error_codes", s, 4000))
                    .transpose()
            })
            .transpose()?,
        facts_tried: facts
            .as_ref()
            .map(|f| {
                f.tried
                    .as_deref()
                    .map(|s| Text::parse("facts.tried", s, 4000))
                    .transpose()
            })
            .transpose()?,
        resolution_code: opt("resolution_code", &req.resolution_code, 100)?,
        resolution: opt("resolution", &req.resolution, BODY_MAX)?,
    })
}

/// Only people who work tickets can be assigned one.
pub async fn check_assignee(state: &AppState, user: UserId) -> AppResult<UserId> {
    let actor = state
        .store
        .users()
        .actor(user)
        .await
        .map_err(|e| not_found_as(e, "assignee_id", "does not exist"))?
        .ok_or_else(|| ValidationError::new("assignee_id", "is not an active user"))?;
    if !actor.can(Permission::TicketsWork) {
        return Err(ValidationError::new("assignee_id", "must be an agent").into());
    }
    Ok(user)
}

fn text(v: &Option<String>) -> Option<String> {
    v.clone()
}

/// Applies a patch and records one change entry per field that really changed.
pub fn apply_patch(
    t: &mut Ticket,
    p: &TicketPatch,
    m: &ventanilla_domain::ticket::PriorityMatrix,
    fx: &mut Effects,
) {
    fn set<T: PartialEq + Clone>(
        fx: &mut Effects,
        field: &str,
        public: bool,
        slot: &mut T,
        new: T,
        show: impl Fn(&T) -> Option<String>,
    ) {
        if *slot != new {
            fx.events
                .push(NewEvent::change(field, show(slot), show(&new), public));
            *slot = new;
        }
    }
    let s = |x: &String| Some(x.clone());
    if let Some(v) = &p.subject {
        set(fx, "subject", true, &mut t.subject, v.to_string(), s);
    }
    if let Some(v) = &p.description {
        set(
            fx,
            "description",
            true,
            &mut t.description,
            v.to_string(),
            s,
        );
    }
    if let Some(v) = &p.ci_ref {
        set(
            fx,
            "ci_ref",
            false,
            &mut t.ci_ref,
            v.as_ref().map(|x| x.to_string()),
            text,
        );
    }
    if let Some(v) = p.category_id {
        set(fx, "category_id", true, &mut t.category_id, v, |c| {
            c.map(|c| c.to_string())
        });
    }
    if let Some(v) = p.impact {
        set(fx, "impact", false, &mut t.impact, v, |x| {
            Some(x.as_str().into())
        });
    }
    if let Some(v) = p.urgency {
        set(fx, "urgency", false, &mut t.urgency, v, |x| {
            Some(x.as_str().into())
        });
    }
    match &p.priority_override {
        Some(Some((prio, reason))) => {
            t.priority_override_reason = Some(reason.to_string());
            let mut e = NewEvent::change(
                "priority",
                Some(t.priority.as_str().into()),
                Some(prio.as_str().into()),
                false,
            );
            e.body = Some(format!("override: {reason}"));
            fx.events.push(e);
            t.priority = *prio;
        }
        Some(None) => {
            t.priority_override_reason = None;
            let derived = m.get(t.impact, t.urgency);
            set(fx, "priority", false, &mut t.priority, derived, |x| {
                Some(x.as_str().into())
            });
        }
        None if t.priority_override_reason.is_none() => {
            // Following the matrix: a new impact or urgency re-derives the priority.
            let derived = m.get(t.impact, t.urgency);
            set(fx, "priority", false, &mut t.priority, derived, |x| {
                Some(x.as_str().into())
            });
        }
        None => {}
    }
    if let Some(v) = p.group_id {
        set(fx, "group_id", false, &mut t.group_id, v, |g| {
            g.map(|g| g.to_string())
        });
    }
    if let Some(v) = p.assignee_id {
        set(fx, "assignee_id", false, &mut t.assignee_id, v, |a| {
            a.map(|a| a.to_string())
        });
    }
    if let Some(v) = p.facts_started_at {
        set(
            fx,
            "facts.started_at",
            false,
            &mut t.facts.started_at,
            v,
            |x| x.map(|x| x.to_string()),
        );
    }
    if let Some(v) = &p.facts_impact_scope {
        set(
            fx,
            "facts.impact_scope",
            false,
            &mut t.facts.impact_scope,
            v.as_ref().map(|x| x.to_string()),
            text,
        );
    }
    if let Some(v) = &p.facts_error_codes {
        set(
            fx,
            "facts.error_codes",
            false,
            &mut t.facts.error_codes,
            v.as_ref().map(|x| x.to_string()),
            text,
        );
    }
    if let Some(v) = &p.facts_tried {
        set(
            fx,
            "facts.tried",
            false,
            &mut t.facts.tried,
            v.as_ref().map(|x| x.to_string()),
            text,
        );
    }
    if let Some(v) = &p.resolution_code {
        set(
            fx,
            "resolution_code",
            false,
            &mut t.resolution_code,
            v.as_ref().map(|x| x.to_string()),
            text,
        );
    }
    if let Some(v) = &p.resolution {
        set(
            fx,
            "resolution",
            true,
            &mut t.resolution,
            v.as_ref().map(|x| x.to_string()),
            text,
        );
    }
}
