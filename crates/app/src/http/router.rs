//! The whole HTTP surface in one place: API routes, the web pages, health, metrics, OpenAPI,
//! and the middleware stack (request ids, tracing, panics, timeouts, body limits, headers,
//! compression).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::{health, metrics};
use crate::AppState;
use crate::error::AppError;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The policy of every response that does not set its own (attachments do).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// [`CONTENT_SECURITY_POLICY`] for this desk: with single sign-on configured, forms may also
/// lead to the provider's origin, since signing out of a single sign-on session posts the
/// sign-out form, whose answer redirects to the provider's end-session endpoint (browsers
/// hold a form's redirects to `form-action` too).
pub fn content_security_policy(config: &crate::config::Config) -> String {
    let provider = config
        .identity
        .oidc
        .as_ref()
        .and_then(|o| openidconnect::url::Url::parse(&o.issuer).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null");
    match provider {
        Some(origin) => CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origin}"),
        ),
        None => CONTENT_SECURITY_POLICY.to_owned(),
    }
}

/// Browser features no page of ours uses.
pub const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()";

pub fn build(state: AppState) -> Router {
    let (api, openapi) = crate::api::router();
    let openapi_json: Arc<String> = Arc::new(openapi.to_json().unwrap_or_else(|_| "{}".into()));

    let timeout = Duration::from_secs(state.config.server.request_timeout_secs);
    let body_limit = state.config.server.body_limit_bytes;
    // Only when the public address is https: a plain-http desk must stay reachable.
    let hsts = state
        .config
        .secure_cookies()
        .then(|| HeaderValue::from_static("max-age=31536000"));
    let csp = HeaderValue::from_str(&content_security_policy(&state.config))
        .unwrap_or_else(|_| HeaderValue::from_static(CONTENT_SECURITY_POLICY));

    Router::new()
        .nest("/api/v1", api)
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = openapi_json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], doc.as_str().to_owned()) }
            }),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::endpoint))
        .merge(crate::web::router(&state))
        .fallback(not_found)
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", request.id = %id, http.method = %req.method(), http.path = %req.uri().path())
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(|_| AppError::internal(anyhow::anyhow!("handler panicked")).into_response()))
                .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
                .layer(DefaultBodyLimit::max(body_limit))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                // Pages load only our own script, styles and images (no inline script or
                // handler exists in the templates; a test keeps it so), post forms only
                // here and cannot be framed. Downloads keep their stricter own policy.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    csp,
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("permissions-policy"),
                    HeaderValue::from_static(PERMISSIONS_POLICY),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::STRICT_TRANSPORT_SECURITY,
                    move |_: &Response| hsts.clone(),
                )),
        )
        // Outermost, so even the timeout's and the method router's bare answers get the
        // JSON error shape under `/api/`.
        .layer(axum::middleware::from_fn(super::api_errors::shape))
        // Outermost: pages, fragments, JSON and assets go brotli or gzip when the client
        // asks (Accept-Encoding); tiny bodies and images are left as they are.
        .layer(CompressionLayer::new().br(true).gzip(true))
        .with_state(state)
}

/// Unknown paths: JSON under `/api`, an HTML page everywhere else.
async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        AppError::NotFound.into_response()
    } else {
        let lang = crate::web::kit::ctx::guess_lang(&headers);
        crate::web::kit::error::error_page(lang, &AppError::NotFound)
    }
}
