//! `/notifications`: the caller's in-app notifications (escalations, SLA warnings and
//! breaches, major incidents), with the unread count the console header shows.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use ventanilla_domain::directory::PageRequest;
use ventanilla_store::notifications::Notification;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::web::kit::i18n::Lang;
use crate::web::kit::said;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only unread ones.
    #[serde(default)]
    pub unread: bool,
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A notification with its title in the caller's language (rendered from `kind` and
/// `params` when read; nothing stored is a sentence).
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    #[serde(flatten)]
    pub notification: Notification,
    /// E.g. "INC-000042 escalated to Network: printer down" (or in Spanish).
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationView>,
    /// How many are unread in all.
    pub unread: i64,
    pub next: Option<i64>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(ListQuery),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<NotificationList>> {
    let page = PageRequest::new(q.after, q.limit)?;
    let (mut items, unread) = state
        .store
        .notifications()
        .list(auth.user_id(), q.unread, q.after, i64::from(page.limit) + 1)
        .await?;
    let next = if items.len() > page.limit as usize {
        items.truncate(page.limit as usize);
        items.last().map(|n| n.id)
    } else {
        None
    };
    let me = state.store.users().get(auth.user_id()).await?;
    let lang = Lang(me.language);
    let tz = me.time_zone.zone();
    let items = items
        .into_iter()
        .map(|n| NotificationView {
            title: said::notice(lang, &tz, &n.kind, &n.params),
            notification: n,
        })
        .collect();
    Ok(Json(NotificationList {
        items,
        unread,
        next,
    }))
}

/// Marks one notification read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    state
        .store
        .notifications()
        .mark_read(auth.user_id(), id, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks every notification read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications",
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn read_all(State(state): State<AppState>, auth: Auth) -> AppResult<StatusCode> {
    state
        .store
        .notifications()
        .mark_all_read(auth.user_id(), state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's choices per notification kind and channel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    pub items: Vec<crate::desk::notify::PreferenceItem>,
}

/// The caller's notification preferences: every kind they can receive, each with its
/// in-app and e-mail choice (both on unless turned off).
#[utoipa::path(get, path = "/notifications/preferences", tag = "notifications",
    responses((status = 200, body = Preferences), (status = 401, body = ErrorBody)))]
pub async fn preferences(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Preferences>> {
    let items = crate::desk::notify::preferences(&state, &auth.caller()).await?;
    Ok(Json(Preferences { items }))
}

/// Changes the caller's preferences for the kinds given; the others keep theirs. Answers
/// the whole set as it is now.
#[utoipa::path(put, path = "/notifications/preferences", tag = "notifications", request_body = Preferences,
    responses((status = 200, body = Preferences), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn set_preferences(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<Preferences>,
) -> AppResult<Json<Preferences>> {
    let items = crate::desk::notify::set_preferences(&state, &auth.caller(), &body.items).await?;
    Ok(Json(Preferences { items }))
}
