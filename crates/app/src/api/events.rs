//! `/integrations` and `/events`: monitoring systems registered by administrators post
//! alerts with their integration token (Alertmanager's webhook body, version 4, or the
//! generic body). Handlers only authenticate and translate; `desk::events` does the work.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use ventanilla_store::events::Integration;

use crate::AppState;
use crate::auth::{Auth, AuthMethod};
use crate::desk::events::{
    self, CreateIntegration, CreatedIntegration, EventReport, Format, PayloadError,
};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::Json;

/// Creates an integration; its token is in the answer, once (administrators).
#[utoipa::path(post, path = "/integrations", tag = "events", request_body = CreateIntegration,
    responses((status = 201, body = CreatedIntegration), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_integration(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateIntegration>,
) -> AppResult<(StatusCode, Json<CreatedIntegration>)> {
    let created = events::create_integration(&state, &auth.caller(), &req).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Lists integrations, never their tokens (administrators).
#[utoipa::path(get, path = "/integrations", tag = "events",
    responses((status = 200, body = Vec<Integration>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_integrations(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<Integration>>> {
    Ok(Json(
        events::list_integrations(&state, &auth.caller()).await?,
    ))
}

/// One alert of Alertmanager's webhook body (documentation of the accepted shape).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerAlert {
    /// `firing` or `resolved`.
    pub status: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: Option<BTreeMap<String, String>>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    #[serde(rename = "generatorURL")]
    pub generator_url: Option<String>,
    pub fingerprint: String,
}

/// Alertmanager's webhook body, version 4.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerBody {
    /// Must be `4`.
    pub version: String,
    pub group_key: String,
    pub truncated_alerts: Option<i64>,
    pub status: Option<String>,
    pub receiver: Option<String>,
    pub group_labels: Option<BTreeMap<String, String>>,
    pub common_labels: Option<BTreeMap<String, String>>,
    pub common_annotations: Option<BTreeMap<String, String>>,
    #[serde(rename = "externalURL")]
    pub external_url: Option<String>,
    pub alerts: Vec<AlertmanagerAlert>,
}

/// A generic monitoring event.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct GenericEvent {
    /// Events with the same key are one alert: one incident.
    pub dedupe_key: String,
    /// `firing` or `resolved`.
    pub status: String,
    pub summary: String,
    pub description: Option<String>,
    /// A severity of `[events.severities]` (`critical`, `error`, `warning`, `info`).
    pub severity: Option<String>,
    /// The affected configuration item.
    pub ci: Option<String>,
    pub labels: Option<BTreeMap<String, String>>,
}

/// The integration behind the request's token, of the kind the route takes.
async fn integration(state: &AppState, auth: &Auth, kind: &str) -> AppResult<Integration> {
    let AuthMethod::Token(token) = &auth.method else {
        return Err(AppError::Refused {
            status: StatusCode::FORBIDDEN,
            code: "integration_token_required",
            message: "events are posted with an integration token".into(),
            field: None,
        });
    };
    match state.store.events().integration_by_token(*token).await? {
        Some(i) if i.kind == kind => Ok(i),
        Some(i) => Err(AppError::Refused {
            status: StatusCode::FORBIDDEN,
            code: "integration_kind",
            message: format!("this token belongs to a {} integration", i.kind),
            field: None,
        }),
        None => Err(AppError::Refused {
            status: StatusCode::FORBIDDEN,
            code: "integration_token_required",
            message: "events are posted with an integration token".into(),
            field: None,
        }),
    }
}

fn bad_payload(e: PayloadError) -> AppError {
    AppError::Refused {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_payload",
        message: format!("{} {}", e.field, e.message),
        field: Some(e.field),
    }
}

async fn take(
    state: AppState,
    auth: Auth,
    kind: &str,
    format: Format,
    body: Bytes,
) -> AppResult<Json<EventReport>> {
    let i = integration(&state, &auth, kind).await?;
    let report = events::take_event(&state, &i, auth.client.ip_string(), format, &body)
        .await
        .map_err(bad_payload)??;
    Ok(Json(report))
}

/// Takes Alertmanager's webhook body (version 4): one incident per fingerprint (or group
/// key), repeats annotate it, resolutions note and move it on as configured.
#[utoipa::path(post, path = "/events/alertmanager", tag = "events", request_body = AlertmanagerBody,
    responses((status = 200, body = EventReport), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn alertmanager(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> AppResult<Json<EventReport>> {
    take(state, auth, "alertmanager", Format::Alertmanager, body).await
}

/// Takes a generic event (or `{"events": [...]}`): one incident per dedupe key.
#[utoipa::path(post, path = "/events", tag = "events", request_body = GenericEvent,
    responses((status = 200, body = EventReport), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn generic(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> AppResult<Json<EventReport>> {
    take(state, auth, "generic", Format::Generic, body).await
}
