//! Changing a ticket's fields (SPEC C2, C4, C5): the input as received, its validation into
//! the domain's `TicketPatch`, and `patch_ticket`, which applies it through the domain rule
//! (`apply_patch`: one entry per changed field, priority re-derivation, override reasons,
//! the group's tier, the assignee kept a member of the group) in one optimistic write.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{
    BODY_MAX, Entry, GroupFacts, PatchContext, Priority, SUBJECT_MAX, Status, Ticket, TicketKind,
    TicketPatch, agent_may_modify, apply_patch,
};
use ventanilla_domain::{
    Caller, CategoryId, GroupId, Permission, Text, TicketId, UserId, ValidationError,
};
use ventanilla_store::tickets::Effects;

use super::access::require;
use super::facts::{FactsInput, facts_of};
use crate::App;
use crate::desk::{DeskError, DeskResult, missing_as};

/// Distinguishes an absent field (keep) from an explicit `null` (clear).
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A partial update as received (the API's `PATCH /tickets/{id}` body).
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
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
    /// Must be a member of the ticket's group (after this change).
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

/// The validated command: the domain patch and a reclassification.
#[derive(Debug, Clone, Default)]
pub struct PatchTicket {
    pub patch: TicketPatch,
    pub kind: Option<TicketKind>,
}

type Opt = Option<Option<Text>>;

fn opt_text(field: &str, v: &Option<Option<String>>, max: usize) -> Result<Opt, ValidationError> {
    v.as_ref()
        .map(|x| Text::parse_optional(field, x.as_deref(), max))
        .transpose()
}

fn fact(field: &str, v: &Option<String>, max: usize) -> Result<Option<Text>, ValidationError> {
    v.as_deref().map(|s| Text::parse(field, s, max)).transpose()
}

impl UpdateTicket {
    pub fn command(&self) -> Result<PatchTicket, ValidationError> {
        let priority_override = match &self.priority {
            Some(Some(p)) => {
                let reason =
                    Text::parse_optional("priority_reason", self.priority_reason.as_deref(), 2000)?
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
        let facts = self.facts.as_ref().map(facts_of).transpose()?;
        let raw = self.facts.as_ref();
        let patch = TicketPatch {
            subject: self
                .subject
                .as_deref()
                .map(|s| Text::parse("subject", s, SUBJECT_MAX))
                .transpose()?,
            description: self
                .description
                .as_deref()
                .map(|s| Text::parse("description", s, BODY_MAX))
                .transpose()?,
            ci_ref: opt_text("ci_ref", &self.ci_ref, 200)?,
            category_id: self.category_id.map(|c| c.map(CategoryId)),
            impact: self.impact.as_deref().map(str::parse).transpose()?,
            urgency: self.urgency.as_deref().map(str::parse).transpose()?,
            priority_override,
            group_id: self.group_id.map(|g| g.map(GroupId)),
            assignee_id: self.assignee_id.map(|a| a.map(UserId)),
            facts_started_at: facts.as_ref().map(|f| f.started_at),
            facts_impact_scope: raw
                .map(|f| fact("facts.impact_scope", &f.impact_scope, 4000))
                .transpose()?,
            facts_error_codes: raw
                .map(|f| fact("facts.error_codes", &f.error_codes, 4000))
                .transpose()?,
            facts_tried: raw
                .map(|f| fact("facts.tried", &f.tried, 4000))
                .transpose()?,
            resolution_code: opt_text("resolution_code", &self.resolution_code, 100)?,
            resolution: opt_text("resolution", &self.resolution, BODY_MAX)?,
        };
        Ok(PatchTicket {
            patch,
            kind: self.kind.as_deref().map(str::parse).transpose()?,
        })
    }
}

/// Staff may not change a ticket in validation, nor a closed or cancelled one.
pub fn guard_agent_change(status: Status) -> DeskResult<()> {
    if status.is_terminal() {
        Err(DeskError::ticket_closed())
    } else if !agent_may_modify(status) {
        Err(DeskError::validation_locked())
    } else {
        Ok(())
    }
}

/// Only active people who work tickets can be assigned one, and only members of the
/// ticket's group (when it has one).
pub async fn check_assignee(app: &App, user: UserId, group: Option<GroupId>) -> DeskResult<UserId> {
    let actor = app
        .store
        .users()
        .actor(user)
        .await
        .map_err(|e| missing_as(e, "assignee_id", "does not exist"))?
        .ok_or_else(|| ValidationError::new("assignee_id", "is not an active user"))?;
    if !actor.can(Permission::TicketsWork) {
        return Err(ValidationError::new("assignee_id", "must be an agent").into());
    }
    if let Some(g) = group {
        let facts = group_facts(app, g).await?;
        if !facts.has_member(user) {
            return Err(ValidationError::new(
                "assignee_id",
                "must be a member of the ticket's group",
            )
            .into());
        }
    }
    Ok(user)
}

/// A group's tier and members, as the domain rules need them.
pub async fn group_facts(app: &App, id: GroupId) -> DeskResult<GroupFacts> {
    let group = app
        .store
        .groups()
        .get(id)
        .await
        .map_err(|e| missing_as(e, "group_id", "does not exist"))?;
    let members = app.store.groups().members(id).await?;
    Ok(GroupFacts {
        id: group.id,
        tier: group.tier,
        members: members.into_iter().map(|m| m.user_id).collect(),
    })
}

/// Changes a ticket's fields (staff only).
pub async fn patch_ticket(
    app: &App,
    caller: &Caller,
    id: TicketId,
    expected: Option<i64>,
    cmd: &PatchTicket,
) -> DeskResult<Ticket> {
    let ticket = super::access::load_to_change(app, caller, id).await?;
    require(caller, Permission::TicketsWork)?;
    let p = &cmd.patch;
    // Resolution codes come from the editable list (issue 17).
    if let Some(Some(code)) = &p.resolution_code {
        crate::desk::resolution::check(app, Some(code.as_str())).await?;
    }
    if let Some(Some(c)) = p.category_id {
        app.store
            .categories()
            .get(c)
            .await
            .map_err(|e| missing_as(e, "category_id", "does not exist"))?;
    }
    // The group the ticket will be in, with its members: the assignee must be one of them.
    let group_after = match p.group_id {
        Some(g) => g,
        None => ticket.group_id,
    };
    // Read only when the patch moves the ticket or names an assignee: the rule needs them
    // for nothing else, and most patches (category, priority, texts) touch neither.
    let needs_group = p.group_id.is_some() || matches!(p.assignee_id, Some(Some(_)));
    let facts = match group_after.filter(|_| needs_group) {
        Some(g) => Some(group_facts(app, g).await?),
        None => None,
    };
    if let Some(Some(a)) = p.assignee_id {
        check_assignee(app, a, None).await?;
    }
    let reclassify = cmd.kind.filter(|k| *k != ticket.kind);
    let new_number = match reclassify {
        Some(k) => Some(app.store.tickets().next_number(k).await?),
        None => None,
    };
    let m = app.refdata.matrix(&app.store).await?;
    let after = super::write(app, ticket.id, expected, Some(caller.user_id()), |t| {
        guard_agent_change(t.status)?;
        let mut effects = Effects::default();
        if let (Some(kind), Some(number)) = (reclassify, &new_number) {
            let old = format!("{} {}", t.kind.as_str(), t.number);
            t.kind = kind;
            t.number = number.clone();
            effects.events.push(Entry::change(
                "kind",
                Some(old),
                Some(format!("{} {}", kind.as_str(), number)),
                true,
            ));
        }
        let cx = PatchContext {
            matrix: &m,
            group: facts.as_ref(),
        };
        effects.events.extend(apply_patch(t, p, cx)?);
        Ok::<_, DeskError>(effects)
    })
    .await?;
    Ok(crate::desk::hooks::after_update(app, caller, &ticket, after).await)
}
