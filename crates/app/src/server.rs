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
    let mail = start_mail(&app).await?;
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("shutting down");
    if let Some(j) = jobs {
        j.abort();
    }
    for m in mail {
        m.abort();
    }
    app.store.close().await;
    Ok(())
}

/// Starts mail beside the web server: the SMTP intake listener when
/// `mail.intake.smtp.enabled`; on nodes that run jobs, the IMAP pollers (several nodes
/// polling one mailbox would only find each other's mails already stored) and the outbox
/// sender (a web-only node sends no mail).
pub async fn start_mail(app: &Arc<App>) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let mut tasks = Vec::new();
    let smtp = &app.config.mail.intake.smtp;
    if smtp.enabled {
        let listener = TcpListener::bind(smtp.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen for SMTP on {}: {e}", smtp.listen))?;
        tasks.push(tokio::spawn(crate::mail::intake::smtp::serve(
            app.clone(),
            listener,
        )));
    }
    if app.config.jobs.enabled {
        tasks.extend(crate::mail::intake::imap::spawn_all(app));
        tasks.push(tokio::spawn(crate::mail::run(app.clone())));
    }
    Ok(tasks)
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
