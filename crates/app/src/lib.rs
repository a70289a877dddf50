//! The Ventanilla application: configuration, authentication, the REST API, the web UI,
//! health and metrics endpoints, and the server lifecycle. Handlers are thin: parse, authorise, call
//! the domain and the store, map the result.

pub mod api;
pub mod auth;
pub mod config;
pub mod demo;
pub mod desk;
pub mod error;
pub mod extract;
pub mod http;
// Identity (issue 19).
pub mod identity;
pub mod jobs;
pub mod mail;
pub mod maintenance;
pub mod server;

pub mod web;

use std::sync::Arc;

use ventanilla_domain::Clock;
use ventanilla_store::Store;

pub use config::Config;
pub use error::{AppError, AppResult};

/// Everything a request handler may need. One per process; shared by `Arc`.
#[derive(Debug)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Config,
    pub metrics: http::metrics::Metrics,
    pub passwords: auth::password::Hasher,
    /// Cached priority matrix, SLA policies and default group (see `tickets::refdata`).
    pub refdata: desk::tickets::refdata::RefData,
    /// The group-commit queue registrations go through (see `tickets::intake`).
    pub intake: desk::tickets::intake::Intake,
    /// Cached classification and automation rules (see `desk::rules`).
    pub rules: desk::rules::RuleCache,
    /// Cached automation hooks by category (see `desk::hooks`).
    pub hooks: desk::hooks::HookCache,
    /// The suggestion model in force (see `desk::classifier`).
    pub classifier: desk::classifier::ModelCache,
    /// Outbound mail: templates and transport (see `mail`).
    pub mailer: mail::Mailer,
    /// Seals secrets stored in the database (`identity::sealing`); `None` without a key.
    pub sealer: Option<identity::sealing::Sealer>,
    /// The TLS client configuration of `https://` webhooks, built at the first one
    /// (`desk::webhooks::send`).
    pub(crate) webhook_tls: std::sync::OnceLock<Arc<tokio_rustls::rustls::ClientConfig>>,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: Config) -> Self {
        // Reports (issue 14): the rollup counts days in the desk's time zone.
        let store = store.with_report_zone(
            config
                .defaults
                .time_zone()
                .map_or(jiff::tz::TimeZone::UTC, |z| z.zone()),
        );
        let passwords = auth::password::Hasher::from_config(&config.auth);
        let refdata = desk::tickets::refdata::RefData::new(std::time::Duration::from_millis(
            config.tickets.reference_cache_ms,
        ));
        Self {
            intake: desk::tickets::intake::Intake::new(store.clone()),
            classifier: desk::classifier::ModelCache::new(std::time::Duration::from_millis(
                config.tickets.reference_cache_ms,
            )),
            rules: desk::rules::RuleCache::new(std::time::Duration::from_millis(
                config.tickets.reference_cache_ms,
            )),
            hooks: desk::hooks::HookCache::new(std::time::Duration::from_millis(
                config.tickets.reference_cache_ms,
            )),
            mailer: mail::Mailer::from_config(&config.mail),
            // The key was checked when the configuration was loaded.
            sealer: config
                .identity
                .sealing_key
                .as_deref()
                .and_then(|k| identity::sealing::Sealer::from_base64(k).ok()),
            refdata,
            store,
            clock,
            metrics: http::metrics::Metrics::new(),
            passwords,
            webhook_tls: std::sync::OnceLock::new(),
            config,
        }
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }
}

/// The axum state: a cheap handle to the one [`App`].
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// Builds the whole HTTP router: API, health, metrics, with the middleware stack.
pub fn router(app: Arc<App>) -> axum::Router {
    http::router::build(AppState(app))
}
