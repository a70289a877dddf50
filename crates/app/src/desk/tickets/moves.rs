//! The service model's steps (SPEC C3): moving a ticket to a status, the requester's answer
//! in validation, and the satisfaction rating in survey. The domain's machine decides
//! (`ventanilla_domain::ticket::transition_with`); who plays which role on the ticket is the
//! domain's `who` module.

use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_domain::ticket::{
    ActorKind, Entry, EventKind, Notice, Status, Ticket, TransitionFields, TransitionRequest,
    actor_kind_for, requester_or_supervisor,
};
use ventanilla_domain::{Caller, Origin, Text, TicketId, ValidationError};
use ventanilla_store::surveys::NewSurveyAnswer;
use ventanilla_store::tickets::Effects;

use super::access::load;
use super::lifecycle;
use crate::App;
use crate::desk::{DeskError, DeskResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// The status to move to, e.g. `analysis`, `solution`, `validation`, `pending`, `closed`.
    pub to: String,
    /// Why: needed to put on hold, cancel, reopen from review or act for the requester.
    pub reason: Option<String>,
    /// Needed to move to validation and to close.
    pub resolution_code: Option<String>,
    pub resolution: Option<String>,
    /// A note kept with the step (e.g. a handover).
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationBody {
    /// Is service back to normal?
    pub solved: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyBody {
    /// Overall satisfaction: 1 (poor) to 5 (excellent).
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    pub comment: Option<String>,
    /// Seed 003's questions, each 1 to 5 and optional: the response time,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub response_time: Option<i64>,
    /// the ability to solve the problem,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub ability: Option<i64>,
    /// and the quality of the communication.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub communication: Option<i64>,
}

fn opt(field: &str, v: &Option<String>, max: usize) -> Result<Option<Text>, ValidationError> {
    Text::parse_optional(field, v.as_deref(), max)
}

impl TransitionBody {
    /// The status asked for and its texts.
    pub fn command(&self) -> Result<(Status, TransitionFields), ValidationError> {
        let to: Status = self
            .to
            .parse()
            .map_err(|_| ValidationError::new("to", "is not a ticket status"))?;
        Ok((
            to,
            TransitionFields {
                reason: opt("reason", &self.reason, 4000)?,
                resolution_code: opt("resolution_code", &self.resolution_code, 100)?,
                resolution: opt("resolution", &self.resolution, 100_000)?,
                summary: opt("summary", &self.summary, 100_000)?,
            },
        ))
    }
}

/// The requester's answer: solved or not, and a comment.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub solved: bool,
    pub comment: Option<Text>,
}

impl ConfirmationBody {
    pub fn command(&self) -> Result<Confirmation, ValidationError> {
        Ok(Confirmation {
            solved: self.solved,
            comment: opt("comment", &self.comment, 4000)?,
        })
    }
}

/// A satisfaction rating, 1 to 5, and a comment, with seed 003's questions answered.
#[derive(Debug, Clone)]
pub struct Rating {
    pub rating: u8,
    pub comment: Option<Text>,
    pub response_time: Option<u8>,
    pub ability: Option<u8>,
    pub communication: Option<u8>,
}

fn score(field: &str, v: i64) -> Result<u8, ValidationError> {
    u8::try_from(v)
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| ValidationError::new(field, "must be from 1 to 5"))
}

impl SurveyBody {
    pub fn command(&self) -> Result<Rating, ValidationError> {
        let opt_score = |field: &str, v: Option<i64>| v.map(|v| score(field, v)).transpose();
        Ok(Rating {
            rating: score("rating", self.rating)?,
            comment: opt("comment", &self.comment, 4000)?,
            response_time: opt_score("response_time", self.response_time)?,
            ability: opt_score("ability", self.ability)?,
            communication: opt_score("communication", self.communication)?,
        })
    }
}

/// Moves a ticket to `to`, if the service model allows it for the caller.
pub async fn move_ticket(
    app: &App,
    caller: &Caller,
    id: TicketId,
    expected: Option<i64>,
    to: Status,
    fields: TransitionFields,
) -> DeskResult<Ticket> {
    let ticket = super::access::load_to_change(app, caller, id).await?;
    let by = actor_kind_for(&caller.actor, &ticket, to).ok_or(DeskError::Forbidden)?;
    let request = TransitionRequest::MoveTo { to, fields };
    let after = lifecycle::apply(
        app,
        ticket.id,
        expected,
        Some(caller.user_id()),
        by,
        &request,
        |_| Vec::new(),
    )
    .await?;
    Ok(crate::desk::hooks::after_update(app, caller, &ticket, after).await)
}

/// Records the requester's answer in validation: yes moves it to the survey, no sends it
/// back to analysis as a reopening (seed 002 [4]).
pub async fn confirm_solution(
    app: &App,
    caller: &Caller,
    id: TicketId,
    cmd: &Confirmation,
) -> DeskResult<Ticket> {
    let ticket = load(app, caller, id).await?;
    let by = requester_or_supervisor(&caller.actor, &ticket).ok_or(DeskError::Forbidden)?;
    let request = TransitionRequest::Confirm {
        solved: cmd.solved,
        reason: cmd.comment.clone(),
    };
    let answer = if cmd.solved { "yes" } else { "no" };
    let after = lifecycle::apply(
        app,
        ticket.id,
        None,
        Some(caller.user_id()),
        by,
        &request,
        |_| {
            let mut e = Entry::new(EventKind::Confirmation, true)
                .body_opt(cmd.comment.as_ref().map(|c| c.to_string()));
            e.new_value = Some(answer.into());
            vec![e]
        },
    )
    .await?;
    // The survey's invitation with its link goes out now; if it cannot, the periodic survey
    // job sends it (it sends every invitation still due).
    if after.status == Status::Survey
        && let Err(e) = crate::desk::reports::surveys::send(app, &after, "invite").await
    {
        tracing::warn!(ticket.id = after.id.get(), error = %e, "survey invitation left to the survey job");
    }
    Ok(after)
}

/// Records the satisfaction rating in survey and moves the ticket to review. A supervisor
/// rating for the requester must say so: the comment is that reason.
pub async fn rate_ticket(
    app: &App,
    caller: &Caller,
    id: TicketId,
    cmd: &Rating,
) -> DeskResult<Ticket> {
    rate(app, caller, id, cmd, false).await
}

/// [`rate_ticket`]; `link` says the requester answered through the signed survey link.
pub(crate) async fn rate(
    app: &App,
    caller: &Caller,
    id: TicketId,
    cmd: &Rating,
    link: bool,
) -> DeskResult<Ticket> {
    let ticket = load(app, caller, id).await?;
    let by = requester_or_supervisor(&caller.actor, &ticket).ok_or(DeskError::Forbidden)?;
    let request = if by == ActorKind::Requester {
        TransitionRequest::SurveySubmitted
    } else {
        TransitionRequest::MoveTo {
            to: Status::Review,
            fields: TransitionFields {
                reason: cmd.comment.clone(),
                ..TransitionFields::default()
            },
        }
    };
    let rating = cmd.rating;
    let via = match (by, caller.origin) {
        (ActorKind::Requester, Origin::Api) => "api",
        (ActorKind::Requester, _) if link => "link",
        (ActorKind::Requester, _) => "portal",
        _ => "staff",
    };
    let language = crate::desk::reports::surveys::language_of(app, ticket.requester_id).await;
    // A poor rating opens a follow-up for the supervisors (SPEC C11).
    let poor = rating <= crate::desk::reports::surveys::POOR_RATING;
    let supervisors = if poor {
        super::escalate::supervisors_of(app, ticket.group_id).await?
    } else {
        Vec::new()
    };
    lifecycle::apply_effects(
        app,
        ticket.id,
        None,
        Some(caller.user_id()),
        by,
        &request,
        |t| {
            t.rating = Some(rating);
            t.rating_comment = cmd.comment.as_ref().map(|c| c.to_string());
            let mut e = Entry::new(EventKind::Survey, true)
                .body_opt(cmd.comment.as_ref().map(|c| c.to_string()));
            e.new_value = Some(rating.to_string());
            let notifications = supervisors
                .iter()
                .map(|s| {
                    let mut n = Notice::about(*s, "survey.poor_rating", t);
                    n.params.insert("rating".into(), rating.to_string());
                    n.body = cmd.comment.as_ref().map(|c| c.to_string());
                    n
                })
                .collect();
            Effects {
                events: vec![e],
                notifications,
                survey: Some(NewSurveyAnswer {
                    via,
                    answered_by: Some(caller.user_id()),
                    overall: rating,
                    response_time: cmd.response_time,
                    ability: cmd.ability,
                    communication: cmd.communication,
                    comment: cmd.comment.as_ref().map(|c| c.to_string()),
                    language: language.clone(),
                    follow_up: poor,
                }),
                ..Effects::default()
            }
        },
    )
    .await
}

/// Moves a ticket that was dealt with outside (a monitoring alert resolved, an automation
/// reported success) along the service model's own path to validation (`new → analysis →
/// solution → validation`), with `resolution_code` and as the resolution `resolution` or,
/// without one, the code's name in the requester's language (what they read when asked to
/// confirm), so the requester confirms as for any solution. A ticket past solution (already
/// in validation, on hold, closed…) or a step the model refuses leaves it where it is:
/// `false` then.
pub async fn walk_to_validation(
    app: &App,
    caller: &Caller,
    t: &Ticket,
    resolution_code: &str,
    resolution: Option<&str>,
) -> DeskResult<bool> {
    let resolution = match resolution {
        Some(r) => r.to_owned(),
        None => code_name(app, t, resolution_code).await?,
    };
    let path: &[Status] = match t.status {
        Status::New => &[Status::Analysis, Status::Solution, Status::Validation],
        Status::Analysis => &[Status::Solution, Status::Validation],
        Status::Solution => &[Status::Validation],
        _ => return Ok(false),
    };
    for to in path {
        let fields = if *to == Status::Validation {
            TransitionFields {
                resolution_code: Some(Text::parse("resolution_code", resolution_code, 100)?),
                resolution: Some(Text::parse("resolution", &resolution, 1000)?),
                ..TransitionFields::default()
            }
        } else {
            TransitionFields::default()
        };
        match move_ticket(app, caller, t.id, None, *to, fields).await {
            Ok(_) => {}
            Err(DeskError::Refused { code, .. }) => {
                tracing::info!(
                    ticket = t.id.get(),
                    code,
                    "left as it is on the way to validation"
                );
                return Ok(false);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// A resolution code's name in the requester's language (the code itself if it is gone).
async fn code_name(app: &App, t: &Ticket, code: &str) -> DeskResult<String> {
    let language = app.store.users().get(t.requester_id).await?.language;
    let codes = app.store.resolution_codes().list().await?;
    Ok(codes.into_iter().find(|c| c.code == code).map_or_else(
        || code.to_owned(),
        |c| match language {
            ventanilla_domain::Language::Es => c.name_es,
            ventanilla_domain::Language::En => c.name_en,
        },
    ))
}
