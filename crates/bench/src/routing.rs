//! Issue 17's measurement, in process over a fresh database: registration throughput into a
//! group of 8 agents with auto-assignment off, round-robin and least-loaded (16 concurrent
//! clients through the use case and its group commit). Runs alternate (off, on, off, on…)
//! so drift in the machine's load falls on both sides; the table gives each mode's median.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use ventanilla_app::App;
use ventanilla_app::config::Config;
use ventanilla_app::desk::tickets::{CreateTicket, FactsInput, register_ticket};
use ventanilla_domain::directory::NewGroup;
use ventanilla_domain::routing::RoutingMode;
use ventanilla_domain::ticket::Channel;
use ventanilla_domain::{Caller, Clock as _, GroupId, Origin, SystemClock, Text, Tier};
use ventanilla_store::Store;
use ventanilla_store::audit::NewAudit;
use ventanilla_store::routing::GroupRouting;

const CLIENTS: usize = 16;

async fn person(store: &Store, email: &str, role: &str) -> anyhow::Result<Caller> {
    let role = store.roles().by_name(role).await?;
    let new = ventanilla_domain::directory::NewUser {
        email: ventanilla_domain::Email::parse(email)?,
        name: Text::parse("name", email, 200)?,
        phone: None,
        organisation_id: None,
        department_id: None,
        language: ventanilla_domain::Language::Es,
        time_zone: ventanilla_domain::TimeZoneName::parse("Europe/Madrid")?,
        role_id: role.id,
        organisation_manager: false,
        password_hash: None,
    };
    let entry = NewAudit::new(SystemClock.now(), None, "user.create", None);
    let user = store.users().create(&new, &entry).await?;
    let actor = store.users().actor(user.id).await?.context("actor")?;
    Ok(Caller::new(actor, Origin::Cli))
}

/// Registers `n` tickets into `group` from 16 clients; tickets per second.
async fn creates(
    app: &Arc<App>,
    staff: &Caller,
    requester: i64,
    group: GroupId,
    n: usize,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let app = app.clone();
        let staff = staff.clone();
        tasks.push(tokio::spawn(async move {
            for i in (c..n).step_by(CLIENTS) {
                let input = CreateTicket {
                    kind: "incident".into(),
                    subject: format!("{i}: no llega el correo"),
                    description: "Desde esta mañana no llegan correos externos".into(),
                    impact: "low".into(),
                    urgency: "medium".into(),
                    channel: Some("phone".into()),
                    requester_id: Some(requester),
                    requester: None,
                    organisation_id: None,
                    category_id: None,
                    ci_ref: None,
                    group_id: Some(group.get()),
                    assignee_id: None,
                    priority: None,
                    priority_reason: None,
                    facts: FactsInput::default(),
                };
                let cmd = input.command(Channel::Phone)?;
                register_ticket(&app, &staff, &cmd, None)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Runs the measurement and returns the Markdown table.
pub async fn report(url: &str, backend: &str, n: usize, rounds: usize) -> anyhow::Result<String> {
    let mut config = Config::default();
    config.database.url = url.to_owned();
    let store = Store::connect(url, &config.store_options()).await?;
    store.migrate().await?;
    let app = Arc::new(App::new(store.clone(), Arc::new(SystemClock), config));
    let admin = person(&store, "admin@bench.test", "admin").await?;
    let requester = person(&store, "requester@bench.test", "requester").await?;
    let audit = || NewAudit::new(SystemClock.now(), None, "bench", None);
    // Each run gets a fresh group of 8 agents, so every run starts with empty queues (an
    // agent's load counts their open tickets in any group) and ends with n / 8 each.
    let mut groups = 0;
    let mut fresh_group = async || -> anyhow::Result<GroupId> {
        groups += 1;
        let group = store
            .groups()
            .create(
                &NewGroup {
                    name: Text::parse("name", &format!("Turnos {groups}"), 100)?,
                    tier: Tier::L1,
                    description: None,
                    email: None,
                },
                &audit(),
            )
            .await?
            .id;
        for i in 0..8 {
            let a = person(&store, &format!("agent{groups}-{i}@bench.test"), "agent").await?;
            store
                .groups()
                .put_member(group, a.user_id(), false, &audit())
                .await?;
        }
        Ok(group)
    };
    let group = fresh_group().await?;
    let modes = [
        RoutingMode::Off,
        RoutingMode::RoundRobin,
        RoutingMode::LeastLoaded,
    ];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); modes.len()];
    // A warm-up run so the first measured mode does not pay for cold caches.
    creates(&app, &admin, requester.user_id().get(), group, n / 4).await?;
    for _ in 0..rounds {
        for (k, mode) in modes.iter().enumerate() {
            let routing = GroupRouting {
                mode: *mode,
                reoffer_after_minutes: None,
                max_open: None,
                shift_calendar_id: None,
            };
            let group = fresh_group().await?;
            store.routing().set_group(group, &routing, &audit()).await?;
            rates[k].push(creates(&app, &admin, requester.user_id().get(), group, n).await?);
        }
    }
    let off = median(rates[0].clone());
    let mut rows = vec![
        format!(
            "| create into a group of 8, {backend}, {CLIENTS} clients, median of {rounds} × {n} | tickets/s | vs off |"
        ),
        "|---|---|---|".to_owned(),
    ];
    for (k, mode) in modes.iter().enumerate() {
        let m = median(rates[k].clone());
        rows.push(format!(
            "| auto-assignment {} | {m:.0} | {:+.1} % |",
            mode.as_str(),
            (m / off - 1.0) * 100.0
        ));
    }
    Ok(rows.join("\n") + "\n")
}
