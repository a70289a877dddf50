//! Running the HTTP server: bind, serve with client addresses, stop gracefully on SIGTERM or
//! Ctrl-C (in-flight requests finish, then the database pools close).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::App;

pub async fn serve(app: Arc<App>, listener: TcpListener) -> anyhow::Result<()> {
    let router = crate::router(app.clone());
    let addr = listener.local_addr()?;
    tracing::info!(%addr, database = app.store.backend_name(), "ventanilla listening");
    // The job runner shares the process unless this node is web-only (`jobs.enabled`).
    let jobs = app
        .config
        .jobs
        .enabled
        .then(|| tokio::spawn(crate::jobs::run(app.clone())));
    // Outbound mail goes with the jobs: a web-only node sends none.
    let mail = app
        .config
        .jobs
        .enabled
        .then(|| tokio::spawn(crate::mail::run(app.clone())));
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("shutting down");
    for j in [jobs, mail].into_iter().flatten() {
        j.abort();
    }
    app.store.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
