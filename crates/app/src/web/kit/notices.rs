//! The notifications page, one for both audiences: the console's (`/console/notifications`)
//! and the portal's (`/portal/notifications`), each linking tickets into its own pages. The
//! newest notifications (a burst of changes to one ticket is one entry, with how many more),
//! "mark all read", and the preferences per kind and channel (in-app, e-mail).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_store::notifications::Notification;

use super::error::WebResult;
use super::form::CsrfForm;
use super::page::{Ctx, Viewer, render};
use crate::AppState;
use crate::desk::notify::{self, PreferenceItem};

/// Notifications per page.
const PAGE: i64 = 50;

/// Which surface shows the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Portal,
    Console,
}

impl Surface {
    pub fn base(self) -> &'static str {
        match self {
            Surface::Portal => "/portal",
            Surface::Console => "/console",
        }
    }
}

#[derive(Template)]
#[template(path = "kit/notifications.html")]
struct NotificationsPage {
    c: Ctx,
    base: &'static str,
    items: Vec<Notification>,
    older: Option<i64>,
    prefs: Vec<PreferenceItem>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    before: Option<i64>,
}

/// The page: newest first, `before` an id for older ones.
pub async fn page(
    state: &AppState,
    viewer: Viewer,
    surface: Surface,
    q: ListQuery,
) -> WebResult<Response> {
    let (mut items, unread) = state
        .store
        .notifications()
        .list(viewer.auth.user_id(), false, q.before, PAGE + 1)
        .await?;
    let older = if items.len() > PAGE as usize {
        items.truncate(PAGE as usize);
        items.last().map(|n| n.id)
    } else {
        None
    };
    let prefs = notify::preferences(state, &viewer.caller()).await?;
    let mut c = viewer.ctx("notifications-title");
    c.unread = unread;
    render(&NotificationsPage {
        c,
        base: surface.base(),
        items,
        older,
        prefs,
    })
}

pub async fn portal_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    page(&state, viewer, Surface::Portal, q).await
}

pub async fn console_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    page(&state, viewer, Surface::Console, q).await
}

#[derive(Deserialize)]
pub struct Empty {}

async fn read_all(state: &AppState, viewer: &Viewer) -> WebResult<()> {
    state
        .store
        .notifications()
        .mark_all_read(viewer.auth.user_id(), state.now())
        .await?;
    Ok(())
}

pub async fn portal_read_all(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    read_all(&state, &viewer).await?;
    Ok(Redirect::to("/portal/notifications?flash=saved").into_response())
}

pub async fn console_read_all(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> WebResult<Response> {
    read_all(&state, &viewer).await?;
    Ok(Redirect::to("/console/notifications?flash=saved").into_response())
}

/// The preferences form: a checkbox `in_app.<kind>` and `email.<kind>` per kind; a box
/// left unticked is "off" (browsers send nothing for it).
async fn save_preferences(
    state: &AppState,
    viewer: &Viewer,
    form: &HashMap<String, String>,
) -> WebResult<()> {
    let caller = viewer.caller();
    let items: Vec<PreferenceItem> = notify::kinds_for(&caller)
        .into_iter()
        .map(|kind| PreferenceItem {
            kind: kind.to_owned(),
            in_app: form.contains_key(&format!("in_app.{kind}")),
            email: form.contains_key(&format!("email.{kind}")),
        })
        .collect();
    notify::set_preferences(state, &caller, &items).await?;
    Ok(())
}

pub async fn portal_preferences(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<HashMap<String, String>>,
) -> WebResult<Response> {
    save_preferences(&state, &viewer, &form).await?;
    Ok(Redirect::to("/portal/notifications?flash=preferences-saved#preferences").into_response())
}

pub async fn console_preferences(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<HashMap<String, String>>,
) -> WebResult<Response> {
    save_preferences(&state, &viewer, &form).await?;
    Ok(Redirect::to("/console/notifications?flash=preferences-saved#preferences").into_response())
}
