//! The dispatcher: the timeline is the desk's change feed. Each pass reads the entries
//! after the cursor, turns each into a ticket event (`ticket.<kind>`: `ticket.created`,
//! `ticket.transition`, `ticket.change`, `ticket.note`…) and writes a delivery per
//! subscribed webhook, moving the cursor in the same transaction.

use std::collections::HashMap;

use ventanilla_domain::TicketId;
use ventanilla_store::webhooks::{FeedEntry, NewDelivery};

use crate::App;

/// Timeline entries read per pass.
const BATCH: i64 = 500;

/// Whether a webhook subscribed to `event` (`ticket.*` takes every ticket event).
pub fn subscribed(events: &[String], event: &str) -> bool {
    events
        .iter()
        .any(|e| e == event || e == "*" || (e == "ticket.*" && event.starts_with("ticket.")))
}

fn payload(e: &FeedEntry, number: &str, event: &str) -> serde_json::Value {
    let params: serde_json::Value = e
        .data
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    serde_json::json!({
        "event": event,
        "ticket": { "id": e.ticket_id, "number": number },
        "entry": {
            "id": e.id, "kind": e.kind, "public": e.public, "code": e.code, "params": params,
            "field": e.field, "old_value": e.old_value, "new_value": e.new_value,
            "at": jiff::Timestamp::from_microsecond(e.at).map(|t| t.to_string()).unwrap_or_default(),
        },
    })
}

/// Dispatches until the feed is drained; returns how many deliveries were written.
pub async fn dispatch(app: &App) -> anyhow::Result<usize> {
    let mut written = 0;
    loop {
        let hooks: Vec<_> = app
            .store
            .webhooks()
            .list()
            .await?
            .into_iter()
            .filter(|h| h.active)
            .collect();
        let from = app.store.webhooks().cursor().await?;
        if hooks.is_empty() {
            // Nobody listens: the cursor moves past every entry in one step, as reading them
            // all would (a hook added later gets what happens from then on). Reading them
            // batch by batch after an import of millions of entries took minutes of CPU.
            let latest = app.store.webhooks().latest_event().await?;
            if latest > from {
                app.store
                    .webhooks()
                    .dispatch(
                        from,
                        latest,
                        &[],
                        app.config.webhooks.max_attempts,
                        app.now(),
                    )
                    .await?;
            }
            return Ok(written);
        }
        let feed = app.store.webhooks().feed(from, BATCH).await?;
        let Some(last) = feed.last().map(|e| e.id) else {
            return Ok(written);
        };
        let mut numbers: HashMap<i64, String> = HashMap::new();
        let mut out = Vec::new();
        for e in &feed {
            let event = format!("ticket.{}", e.kind);
            let targets: Vec<i64> = hooks
                .iter()
                .filter(|h| subscribed(&h.events, &event))
                .map(|h| h.id)
                .collect();
            if targets.is_empty() {
                continue;
            }
            let number = match numbers.entry(e.ticket_id) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let t = app.store.tickets().get(TicketId(e.ticket_id)).await?;
                    v.insert(t.number)
                }
            };
            let body = payload(e, number, &event);
            for w in targets {
                out.push(NewDelivery {
                    webhook_id: w,
                    ticket_id: Some(TicketId(e.ticket_id)),
                    event: event.clone(),
                    payload: body.clone(),
                });
            }
        }
        let done = app
            .store
            .webhooks()
            .dispatch(
                from,
                last,
                &out,
                app.config.webhooks.max_attempts,
                app.now(),
            )
            .await?;
        if !done {
            // Another node moved the cursor: its pass wrote these deliveries.
            return Ok(written);
        }
        written += out.len();
        if feed.len() < BATCH as usize {
            return Ok(written);
        }
    }
}
