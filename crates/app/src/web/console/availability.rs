//! Routing in the console (issue 17): the header's availability switch (one click from any
//! page) and the team page where supervisors see who is available and how loaded.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::routing::Availability;
use ventanilla_store::routing::TeamMember;

use crate::AppState;
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::form::CsrfForm;
use crate::web::kit::page::{Ctx, Viewer, render};

/// The choices the header offers, in order (codes; `availability-<code>` in Fluent).
pub const CHOICES: &[&str] = &["available", "busy", "away", "off_shift"];

#[derive(Deserialize)]
pub struct AvailabilityForm {
    availability: String,
    #[serde(default)]
    back: String,
}

/// Sets the viewer's availability and goes back to the page they were on.
pub async fn set(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<AvailabilityForm>,
) -> WebResult<Response> {
    let a: Availability = form.availability.parse().map_err(WebError::from)?;
    crate::desk::routing::set_my_availability(&state, &viewer.caller(), a).await?;
    Ok(Redirect::to(&crate::web::kit::signin::safe_next(&form.back)).into_response())
}

#[derive(Template)]
#[template(path = "console/team.html")]
struct TeamPage {
    c: Ctx,
    members: Vec<TeamMember>,
    groups: Vec<(i64, String)>,
}

impl TeamPage {
    fn group_name(&self, id: i64) -> &str {
        self.groups
            .iter()
            .find(|(g, _)| *g == id)
            .map(|(_, n)| n.as_str())
            .unwrap_or_default()
    }
}

/// Who is available, by group (supervisors: every group; group supervisors: theirs).
pub async fn team(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let members = crate::desk::routing::team(&state, &viewer.caller()).await?;
    let groups = state.store.routing().group_names().await?;
    let c = viewer.ctx("team-title");
    render(&TeamPage { c, members, groups })
}
