//! Routing use cases (issue 17): an agent sets their availability, administrators give
//! agents skills and groups an auto-assignment mode, supervisors see who is available, and
//! the re-offer job hands a ticket nobody picked up to the next agent. The choice itself is
//! the domain's (`ventanilla_domain::routing::choose`), made by the store inside the
//! registration's transaction.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::routing::{Availability, CAP_MAX, REOFFER_MAX_MINUTES, SkillKind};
use ventanilla_domain::ticket::{Entry, Notice, Said, Status};
use ventanilla_domain::{Caller, GroupId, Permission, UserId, ValidationError};
use ventanilla_store::routing::{GroupRouting, TeamMember};
use ventanilla_store::tickets::Effects;

use crate::App;
use crate::desk::{DeskError, DeskResult, audit, require};

/// `[routing]`: how often the re-offer job looks for tickets nobody picked up. Each group's
/// own waiting time is part of its routing setting (administration or the API).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingConfig {
    /// How often tickets due for a re-offer are looked for, in seconds.
    pub reoffer_scan_secs: u64,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self {
            reoffer_scan_secs: 60,
        }
    }
}

/// The periodic job that re-offers tickets nobody picked up.
pub const REOFFER_JOB: &str = "routing.reoffer";
/// Tickets re-offered per pass of the job.
const REOFFER_BATCH: i64 = 200;

/// A group's routing as the API takes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingInput {
    /// `off`, `round_robin`, `least_loaded` or `skill_matched`.
    pub mode: String,
    /// Minutes (1 to 10080) before a routed ticket nobody picked up goes to the next agent.
    pub reoffer_after_minutes: Option<i64>,
    /// The most open tickets (1 to 10000) routing gives one agent.
    pub max_open: Option<i64>,
    /// A business calendar (its id) that is the group's shift: outside its open hours the
    /// members are off shift and nothing is auto-assigned. Absent: always on shift.
    #[serde(default)]
    pub shift_calendar_id: Option<i64>,
}

impl RoutingInput {
    pub fn command(&self) -> Result<GroupRouting, ValidationError> {
        if let Some(m) = self.reoffer_after_minutes
            && !(1..=REOFFER_MAX_MINUTES).contains(&m)
        {
            return Err(ValidationError::new(
                "reoffer_after_minutes",
                format!("must be between 1 and {REOFFER_MAX_MINUTES}"),
            ));
        }
        if let Some(m) = self.max_open
            && !(1..=CAP_MAX).contains(&m)
        {
            return Err(ValidationError::new(
                "max_open",
                format!("must be between 1 and {CAP_MAX}"),
            ));
        }
        Ok(GroupRouting {
            mode: self.mode.parse()?,
            reoffer_after_minutes: self.reoffer_after_minutes,
            max_open: self.max_open,
            shift_calendar_id: self.shift_calendar_id,
        })
    }
}

/// One skill as the API takes and shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillInput {
    /// `category` (code: the category's id), `language` (`es`, `en`) or `ci_type`.
    pub kind: String,
    pub code: String,
}

/// The most skills one agent has.
pub const SKILLS_MAX: usize = 200;

fn skills_command(
    app_langs: &[&str],
    input: &[SkillInput],
) -> DeskResult<Vec<(SkillKind, String)>> {
    if input.len() > SKILLS_MAX {
        return Err(ValidationError::new("skills", format!("at most {SKILLS_MAX}")).into());
    }
    input
        .iter()
        .map(|s| {
            let kind: SkillKind = s.kind.parse()?;
            let code = s.code.trim().to_owned();
            let ok = match kind {
                SkillKind::Category => code.parse::<i64>().is_ok_and(|c| c > 0),
                SkillKind::Language => app_langs.contains(&code.as_str()),
                SkillKind::CiType => !code.is_empty() && code.chars().count() <= 100,
            };
            if ok {
                Ok((kind, code))
            } else {
                Err(ValidationError::new("skills.code", "is not valid for its kind").into())
            }
        })
        .collect()
}

/// The caller sets their own availability (any agent).
pub async fn set_my_availability(
    app: &App,
    caller: &Caller,
    availability: Availability,
) -> DeskResult<Availability> {
    require(caller, Permission::TicketsWork)?;
    app.store
        .routing()
        .set_availability(caller.user_id(), availability, app.now())
        .await?;
    Ok(availability)
}

/// The caller's own availability.
pub async fn my_availability(app: &App, caller: &Caller) -> DeskResult<Availability> {
    require(caller, Permission::TicketsWork)?;
    Ok(app.store.routing().availability(caller.user_id()).await?)
}

/// Who is available: for supervisors and administrators every group's members; for an
/// agent who supervises a group, that group's. Each member says whether their group's shift
/// calendar is open now, since off it routing passes them over whatever they set.
pub async fn team(app: &App, caller: &Caller) -> DeskResult<Vec<TeamMember>> {
    require(caller, Permission::TicketsWork)?;
    let all = caller.can(Permission::ReportsRead) || caller.can(Permission::GroupsManage);
    let groups: Vec<GroupId> = if all {
        app.store.routing().all_groups().await?
    } else {
        app.store
            .routing()
            .supervised_groups(caller.user_id())
            .await?
    };
    if groups.is_empty() && !all {
        return Err(DeskError::Forbidden);
    }
    Ok(app.store.routing().team(&groups, app.now()).await?)
}

/// A group's routing setting (anyone who may read groups).
pub async fn group_routing(app: &App, caller: &Caller, group: GroupId) -> DeskResult<GroupRouting> {
    require(caller, Permission::GroupsRead)?;
    // The group is the address read: one that does not exist is "not found".
    app.store.groups().get(group).await?;
    Ok(app.store.routing().group(group).await?)
}

/// Sets a group's routing (administrators).
pub async fn set_group_routing(
    app: &App,
    caller: &Caller,
    group: GroupId,
    routing: GroupRouting,
) -> DeskResult<GroupRouting> {
    require(caller, Permission::GroupsManage)?;
    app.store.groups().get(group).await?;
    if let Some(cal) = routing.shift_calendar_id {
        app.store
            .sla()
            .calendar(cal)
            .await
            .map_err(|e| crate::desk::missing_as(e, "shift_calendar_id", "is not a calendar"))?;
    }
    let entry = audit(app, caller, "group.routing")
        .target("group", Some(group.get()))
        .detail(serde_json::json!({
            "mode": routing.mode.as_str(),
            "reoffer_after_minutes": routing.reoffer_after_minutes,
            "max_open": routing.max_open,
            "shift_calendar_id": routing.shift_calendar_id,
        }));
    app.store
        .routing()
        .set_group(group, &routing, &entry)
        .await?;
    Ok(routing)
}

/// An agent's skills (anyone who may read users).
pub async fn skills(app: &App, caller: &Caller, user: UserId) -> DeskResult<Vec<SkillInput>> {
    require(caller, Permission::UsersRead)?;
    app.store.users().get(user).await?;
    Ok(app
        .store
        .routing()
        .skills(user)
        .await?
        .into_iter()
        .map(|(k, code)| SkillInput {
            kind: k.as_str().to_owned(),
            code,
        })
        .collect())
}

/// Replaces an agent's skills (administrators).
pub async fn set_skills(
    app: &App,
    caller: &Caller,
    user: UserId,
    input: &[SkillInput],
) -> DeskResult<Vec<SkillInput>> {
    require(caller, Permission::UsersManage)?;
    app.store.users().get(user).await?;
    let skills = skills_command(&["es", "en"], input)?;
    // A category skill names a category that exists: routing would never match another.
    if skills.iter().any(|(k, _)| *k == SkillKind::Category) {
        let known: std::collections::HashSet<String> = app
            .store
            .categories()
            .list()
            .await?
            .into_iter()
            .map(|c| c.id.to_string())
            .collect();
        if skills
            .iter()
            .any(|(k, code)| *k == SkillKind::Category && !known.contains(code))
        {
            return Err(ValidationError::new("skills.code", "names no category").into());
        }
    }
    app.store.routing().set_skills(user, &skills).await?;
    self::skills(app, caller, user).await
}

/// One pass of the re-offer job: each ticket nobody picked up in its group's time goes to
/// the next available agent (never back to the one it sat with), through the ticket write.
/// Returns how many were re-offered.
pub async fn reoffer_due(app: &App) -> DeskResult<usize> {
    let due = app
        .store
        .routing()
        .reoffer_due(app.now(), REOFFER_BATCH)
        .await?;
    let mut moved = 0;
    // Groups where nobody could take an unassigned ticket in this pass (off shift, nobody
    // available, everyone at the cap): their other tickets wait for the next pass instead
    // of each paying a locking transaction that would choose nobody too.
    let mut nobody: Vec<GroupId> = Vec::new();
    for id in due {
        let t = app.store.tickets().get(id).await?;
        let Some(group) = t.group_id else { continue };
        if nobody.contains(&group) {
            continue;
        }
        let now = app.now();
        let Some((choice, after)) = app
            .store
            .routing()
            .next_for(
                id,
                (group, t.category_id.map(|c| c.get()), t.requester_id),
                t.assignee_id,
                now,
            )
            .await?
        else {
            if t.assignee_id.is_none() {
                nobody.push(group);
            }
            continue;
        };
        let before = t.assignee_id;
        let version = t.version;
        let done = super::tickets::write::write(app, id, Some(version), None, |t| {
            // Picked up or changed meanwhile: the version check refuses the write.
            if t.status != Status::New || t.assignee_id != before {
                return Ok(Effects::default());
            }
            let mut fx = Effects::default();
            fx.events.push(
                Entry::change(
                    "assignee_id",
                    before.map(|a| a.get().to_string()),
                    Some(choice.user_id.get().to_string()),
                    false,
                )
                .saying(&Said::AutoAssigned {
                    reason: choice.reason,
                    after_minutes: after,
                }),
            );
            fx.notifications
                .push(Notice::about(choice.user_id, "ticket.routed", t));
            t.assignee_id = Some(choice.user_id);
            Ok(fx)
        })
        .await;
        match done {
            Ok(_) => moved += 1,
            // Someone touched the ticket between the look-up and the write: it is theirs.
            Err(DeskError::Stale { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(moved)
}
