//! Escalation (SPEC C5) and major incidents (C9) as use cases: read who is concerned, then
//! apply the domain rule (`escalate_functional`, `escalate_hierarchical`, `flag_major`) in
//! one write. The SLA job escalates through the same domain rule (`jobs::sla`).

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::access::SUPERVISOR;
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::ticket::{
    Handover, Outcome, Receiving, Ticket, TicketKind, escalate_functional, escalate_hierarchical,
    flag_major,
};
use ventanilla_domain::{
    Caller, GroupId, Permission, Text, TicketId, Tier, UserId, ValidationError,
};
use ventanilla_store::groups::GroupFilter;
use ventanilla_store::tickets::Effects;

use super::access::require;
use super::patch::{group_facts, guard_agent_change};
use crate::App;
use crate::desk::{DeskError, DeskResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
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

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MajorBody {
    pub major: bool,
    pub reason: String,
}

/// The validated command.
#[derive(Debug, Clone)]
pub enum Escalation {
    Functional { to: Option<GroupId>, summary: Text },
    Hierarchical { summary: Text },
}

impl EscalationBody {
    pub fn command(&self) -> Result<Escalation, ValidationError> {
        let summary = Text::parse("summary", &self.summary, 100_000)?;
        match self.kind.as_str() {
            "functional" => Ok(Escalation::Functional {
                to: self.group_id.map(GroupId),
                summary,
            }),
            "hierarchical" => Ok(Escalation::Hierarchical { summary }),
            _ => Err(ValidationError::new(
                "type",
                "must be functional or hierarchical",
            )),
        }
    }
}

/// Flag or unflag, with the reason.
#[derive(Debug, Clone)]
pub struct MajorFlag {
    pub major: bool,
    pub reason: Text,
}

impl MajorBody {
    pub fn command(&self) -> Result<MajorFlag, ValidationError> {
        Ok(MajorFlag {
            major: self.major,
            reason: Text::parse("reason", &self.reason, 4000)?,
        })
    }
}

fn effects(o: Outcome) -> Effects {
    Effects {
        events: o.entries,
        notifications: o.notices,
        ..Effects::default()
    }
}

/// Escalates a ticket functionally (to a group of a higher tier) or hierarchically.
pub async fn escalate_ticket(
    app: &App,
    caller: &Caller,
    id: TicketId,
    expected: Option<i64>,
    cmd: &Escalation,
) -> DeskResult<Ticket> {
    let ticket = super::access::load_to_change(app, caller, id).await?;
    require(caller, Permission::TicketsWork)?;
    guard_agent_change(ticket.status)?;
    let by = Some(caller.user_id());
    match cmd {
        Escalation::Functional { to, summary } => {
            let current = ticket.tier.unwrap_or(Tier::L1);
            let receiving = match to {
                Some(g) => receiving(app, *g).await?,
                None => {
                    let next = current.next().ok_or_else(|| {
                        ValidationError::new(
                            "group_id",
                            "the ticket is already at the highest tier",
                        )
                    })?;
                    next_tier_group(app, next).await?.ok_or_else(|| {
                        ValidationError::new("group_id", "no active group at the next tier")
                    })?
                }
            };
            if receiving.group.tier <= current {
                return Err(
                    ValidationError::new("group_id", "must be a group of a higher tier").into(),
                );
            }
            let why = Handover::Summary(summary.clone());
            super::write(app, ticket.id, expected, by, |t| {
                guard_agent_change(t.status)?;
                Ok::<_, DeskError>(effects(escalate_functional(t, &receiving, &why)))
            })
            .await
        }
        Escalation::Hierarchical { summary } => {
            let supervisors = supervisors_of(app, ticket.group_id).await?;
            super::write(app, ticket.id, expected, by, |t| {
                guard_agent_change(t.status)?;
                Ok::<_, DeskError>(effects(escalate_hierarchical(t, summary, &supervisors)))
            })
            .await
        }
    }
}

/// A group as a receiving end of an escalation: tier, members and name.
pub async fn receiving(app: &App, id: GroupId) -> DeskResult<Receiving> {
    let group = app
        .store
        .groups()
        .get(id)
        .await
        .map_err(|e| crate::desk::missing_as(e, "group_id", "does not exist"))?;
    Ok(Receiving {
        group: group_facts(app, id).await?,
        name: group.name,
    })
}

/// The first active group of `tier`, if any.
pub async fn next_tier_group(app: &App, tier: Tier) -> DeskResult<Option<Receiving>> {
    let f = GroupFilter {
        tier: Some(tier),
        active: Some(true),
        ..GroupFilter::default()
    };
    let page = app
        .store
        .groups()
        .list(&f, PageRequest::new(None, Some(1))?)
        .await?;
    match page.items.into_iter().next() {
        Some((g, _)) => Ok(Some(receiving(app, g.id).await?)),
        None => Ok(None),
    }
}

/// The supervisors to notify: the group's, or every active supervisor when the group has
/// none (an escalation must reach somebody).
pub async fn supervisors_of(app: &App, group: Option<GroupId>) -> DeskResult<Vec<UserId>> {
    if let Some(g) = group {
        let ids: Vec<UserId> = app
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
    Ok(app.store.users().active_with_role(SUPERVISOR).await?)
}

/// Flags or unflags a major incident (incidents only).
pub async fn set_major(
    app: &App,
    caller: &Caller,
    id: TicketId,
    cmd: &MajorFlag,
) -> DeskResult<Ticket> {
    let ticket = super::access::load_to_change(app, caller, id).await?;
    require(caller, Permission::TicketsWork)?;
    if ticket.kind != TicketKind::Incident {
        return Err(ValidationError::new("major", "only incidents can be major incidents").into());
    }
    let supervisors = if cmd.major {
        app.store.users().active_with_role(SUPERVISOR).await?
    } else {
        Vec::new()
    };
    let m = app.refdata.matrix(&app.store).await?;
    super::write(app, ticket.id, None, Some(caller.user_id()), |t| {
        guard_agent_change(t.status)?;
        Ok::<_, DeskError>(effects(flag_major(
            t,
            cmd.major,
            &cmd.reason,
            &m,
            &supervisors,
        )))
    })
    .await
}
