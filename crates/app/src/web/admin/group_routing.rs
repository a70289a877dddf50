//! A group's routing in the administration (issue 17): its auto-assignment mode, the time
//! before a ticket nobody picked up goes to the next agent, the cap of open tickets per
//! agent and the shift calendar, on a page of its own reached from the group's page. The
//! save goes through `desk::routing::set_group_routing`; a refusal comes back beside its
//! field with what was typed kept.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ventanilla_domain::directory::SupportGroup;
use ventanilla_domain::{GroupId, Permission};

use super::edit::{Refused, id_field, submit};
use crate::AppState;
use crate::desk::routing::RoutingInput;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::page::{Ctx, Viewer, render};
use crate::web::kit::path::Path;

const FIELDS: &[&str] = &[
    "mode",
    "reoffer_after_minutes",
    "max_open",
    "shift_calendar_id",
];

/// The modes offered, in order (`routing-mode-<code>` in Fluent).
pub const MODES: &[&str] = &["off", "round_robin", "least_loaded", "skill_matched"];

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct RoutingForm {
    pub mode: String,
    pub reoffer_after_minutes: String,
    pub max_open: String,
    pub shift_calendar_id: String,
}

impl RoutingForm {
    pub fn is(&self, field: &str, value: &str) -> bool {
        let v = match field {
            "mode" => &self.mode,
            _ => &self.shift_calendar_id,
        };
        v == value
    }

    /// The input for the use case, or the fields typed wrong (numbers where numbers go).
    fn input(&self, viewer: &Viewer) -> Result<RoutingInput, Refused> {
        let mut errors = FieldErrors::default();
        let reoffer = id_field(
            viewer.lang,
            &mut errors,
            "reoffer_after_minutes",
            &self.reoffer_after_minutes,
        );
        let cap = id_field(viewer.lang, &mut errors, "max_open", &self.max_open);
        let shift = id_field(
            viewer.lang,
            &mut errors,
            "shift_calendar_id",
            &self.shift_calendar_id,
        );
        match (reoffer, cap, shift) {
            (Some(reoffer), Some(cap), Some(shift)) => Ok(RoutingInput {
                mode: self.mode.clone(),
                reoffer_after_minutes: reoffer,
                max_open: cap,
                shift_calendar_id: shift,
            }),
            _ => Err(Refused::Fields(errors)),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/group_routing.html")]
struct RoutingPage {
    c: Ctx,
    group: SupportGroup,
    form: RoutingForm,
    errors: FieldErrors,
    /// The business calendars a shift may follow (id, name).
    calendars: Vec<(String, String)>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    group: SupportGroup,
    form: RoutingForm,
) -> WebResult<RoutingPage> {
    let calendars = state
        .store
        .sla()
        .calendars()
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect();
    let mut c = viewer.ctx("routing-title");
    c.title = format!("{} · {}", c.title, group.name);
    Ok(RoutingPage {
        c,
        group,
        form,
        errors: FieldErrors::default(),
        calendars,
    })
}

fn text(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::GroupsManage)?;
    let group = state.store.groups().get(GroupId(id)).await?;
    let r = crate::desk::routing::group_routing(&state, &viewer.caller(), group.id).await?;
    let form = RoutingForm {
        mode: r.mode.as_str().to_owned(),
        reoffer_after_minutes: text(r.reoffer_after_minutes),
        max_open: text(r.max_open),
        shift_calendar_id: text(r.shift_calendar_id),
    };
    render(&page(&state, &viewer, group, form).await?)
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<RoutingForm>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::GroupsManage)?;
    let group = state.store.groups().get(GroupId(id)).await?;
    let save = async {
        let input = form.input(&viewer)?;
        let routing = input.command().map_err(crate::desk::DeskError::from)?;
        crate::desk::routing::set_group_routing(&state, &viewer.caller(), group.id, routing)
            .await?;
        Ok(format!("/admin/groups/{id}/routing"))
    };
    let shown = page(&state, &viewer, group.clone(), form.clone());
    submit(viewer.lang, FIELDS, save, shown, |p, errors| {
        p.errors = errors
    })
    .await
}
