//! `Store::backup_to` under write load and `backup::restore_from` (issue 18, campaign 6):
//! every ticket acknowledged before the backup started is in the restored database.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;
use ventanilla_domain::TicketId;
use ventanilla_store::{Store, StoreOptions};
use ventanilla_testkit::{Caller, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_every_acknowledged_ticket() {
    let t = TestApp::new().await;
    if t.db.is_postgres() {
        // PostgreSQL is backed up with pg_dump; the command says so instead of copying.
        let dir = tempfile::tempdir().unwrap();
        let e = t
            .app
            .store
            .backup_to(&dir.path().join("b.db"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("pg_dump"), "{e}");
        return;
    }
    let (_, Caller::Bearer(token)) = t.token_for("req@x.test", "requester").await else {
        unreachable!()
    };
    let started = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (router, client, token) = (t.router.clone(), t.client, token.clone());
        let (started, stop) = (started.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let body = serde_json::json!({ "kind": "incident", "subject": format!("load {w}-{n}"), "description": "x", "impact": "low", "urgency": "low" });
                let mut req = Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/tickets")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap();
                req.extensions_mut().insert(ConnectInfo(client));
                let res = router.clone().oneshot(req).await.unwrap();
                assert_eq!(res.status(), StatusCode::CREATED);
                let bytes = res.into_body().collect().await.unwrap().to_bytes();
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                // Acknowledged (the 201 is in hand) before or after the backup began?
                acked.push((v["id"].as_i64().unwrap(), !started.load(Ordering::SeqCst)));
            }
            acked
        }));
    }
    // Let the load run, back up in the middle of it, let it run on.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    started.store(true, Ordering::SeqCst);
    t.app.store.backup_to(&backup).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::SeqCst);
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    let before: Vec<i64> = acked
        .iter()
        .filter(|(_, b)| *b)
        .map(|(id, _)| *id)
        .collect();
    assert!(
        before.len() >= 10,
        "load before the backup: {}",
        before.len()
    );
    assert!(
        acked.len() > before.len(),
        "load went on during and after the backup"
    );
    // A second backup to the same file is refused, not overwritten.
    assert!(t.app.store.backup_to(&backup).await.is_err());

    let url = format!(
        "sqlite://{}",
        dir.path().join("restored/ventanilla.db").display()
    );
    ventanilla_store::backup::restore_from(&backup, &url)
        .await
        .unwrap();
    let restored = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap();
    restored.migrate().await.unwrap();
    for id in &before {
        restored
            .tickets()
            .get(TicketId(*id))
            .await
            .unwrap_or_else(|e| panic!("ticket {id} acknowledged before the backup: {e}"));
    }
    println!(
        "backup under load: {} tickets acknowledged before it began, {} in all, 0 lost",
        before.len(),
        acked.len()
    );
    // A damaged file is refused before anything is replaced.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(
        ventanilla_store::backup::restore_from(&junk, &url)
            .await
            .is_err()
    );
    restored.tickets().get(TicketId(before[0])).await.unwrap();
}
