//! Issue 13's measurements, in process over a fresh database: an Alertmanager storm (one
//! call with 1,000 alerts, then the same group again), registration throughput with 100
//! active rules against none, and the classifier's training time on 100,000 closed
//! tickets' texts and its suggestion latency.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use ventanilla_app::App;
use ventanilla_app::config::Config;
use ventanilla_app::desk::classifier;
use ventanilla_app::desk::events::{self, CreateIntegration, Format};
use ventanilla_app::desk::rules::{self, Action, Conditions, RuleInput};
use ventanilla_app::desk::tickets::{CreateTicket, FactsInput, register_ticket};
use ventanilla_domain::ticket::Channel;
use ventanilla_domain::{Caller, Origin, SystemClock};
use ventanilla_store::Store;
use ventanilla_store::classifier::Sample;

use crate::rng::Rng;
use crate::vocab::SUBJECTS;

async fn admin(store: &Store, email: &str, role: &str) -> anyhow::Result<Caller> {
    let role = store.roles().by_name(role).await?;
    let new = ventanilla_domain::directory::NewUser {
        email: ventanilla_domain::Email::parse(email)?,
        name: ventanilla_domain::Text::parse("name", email, 200)?,
        phone: None,
        organisation_id: None,
        department_id: None,
        language: ventanilla_domain::Language::Es,
        time_zone: ventanilla_domain::TimeZoneName::parse("Europe/Madrid")?,
        role_id: role.id,
        organisation_manager: false,
        password_hash: None,
    };
    let now = jiff::Timestamp::from_second(1_800_000_000)?;
    let entry = ventanilla_store::audit::NewAudit::new(now, None, "user.create", None);
    let user = store.users().create(&new, &entry).await?;
    let actor = store.users().actor(user.id).await?.context("actor")?;
    Ok(Caller::new(actor, Origin::Cli))
}

fn storm_body(alerts: usize) -> Vec<u8> {
    let list: Vec<serde_json::Value> = (0..alerts)
        .map(|i| {
            serde_json::json!({
                "status": "firing",
                "labels": {"alertname": "NodeDown", "instance": format!("node-{i:04}"), "severity": "critical"},
                "annotations": {"summary": format!("node-{i:04} is down")},
                "startsAt": "2026-11-30T03:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.local/graph",
                "fingerprint": format!("{i:016x}"),
            })
        })
        .collect();
    serde_json::json!({
        "version": "4", "groupKey": "{}:{alertname=\"NodeDown\"}", "truncatedAlerts": 0,
        "status": "firing", "receiver": "ventanilla", "groupLabels": {"alertname": "NodeDown"},
        "commonLabels": {"alertname": "NodeDown"}, "commonAnnotations": {},
        "externalURL": "http://alertmanager.local", "alerts": list,
    })
    .to_string()
    .into_bytes()
}

async fn creates(app: &Arc<App>, caller: &Caller, n: usize, tag: &str) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..16 {
        let app = app.clone();
        let caller = caller.clone();
        let tag = tag.to_owned();
        tasks.push(tokio::spawn(async move {
            for i in (c..n).step_by(16) {
                let input = CreateTicket {
                    kind: "incident".into(),
                    subject: format!("{tag} {i}: el portátil no arranca"),
                    description: "Desde esta mañana la pantalla queda en negro".into(),
                    impact: "low".into(),
                    urgency: "medium".into(),
                    channel: None,
                    requester_id: None,
                    requester: None,
                    organisation_id: None,
                    category_id: None,
                    ci_ref: None,
                    group_id: None,
                    assignee_id: None,
                    priority: None,
                    priority_reason: None,
                    facts: FactsInput::default(),
                };
                let cmd = input.command(Channel::Api)?;
                register_ticket(&app, &caller, &cmd, None).await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// Runs every measurement and returns the Markdown table.
pub async fn report(
    url: &str,
    alerts: usize,
    creates_n: usize,
    train_n: usize,
) -> anyhow::Result<String> {
    let mut config = Config::default();
    config.database.url = url.to_owned();
    let store = Store::connect(url, &config.store_options()).await?;
    store.migrate().await?;
    let app = Arc::new(App::new(store.clone(), Arc::new(SystemClock), config));
    let admin = admin(&store, "admin@bench.test", "admin").await?;
    let requester = admin_requester(&store).await?;
    let mut rows = Vec::new();

    // Alert storm.
    let created = events::create_integration(
        &app,
        &admin,
        &CreateIntegration {
            kind: "alertmanager".into(),
            name: "storm".into(),
            settings: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let i = created.integration;
    let body = storm_body(alerts);
    for (label, pass) in [("first call", 1), ("same group again", 2)] {
        let started = Instant::now();
        let r = events::take_event(&app, &i, None, Format::Alertmanager, &body)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let secs = started.elapsed().as_secs_f64();
        let linked = store.events().count_linked(i.id).await?;
        rows.push(format!(
            "| alert storm, {label} ({alerts} alerts) | {:.0} events/s | {:.2} s | opened {}, repeated {}, incidents in all {linked} |",
            alerts as f64 / secs,
            secs,
            r.opened.len(),
            r.repeated
        ));
        if pass == 2 && linked != alerts as i64 {
            anyhow::bail!("expected one incident per fingerprint, found {linked}");
        }
    }

    // Registration with and without 100 active rules.
    let none = creates(&app, &requester, creates_n, "sin reglas").await?;
    for k in 0..100 {
        let input = RuleInput {
            name: format!("regla {k}"),
            position: k,
            active: true,
            on_create: true,
            on_update: true,
            stop: false,
            conditions: Conditions {
                keywords: Some(vec![format!("palabra{k}"), format!("frase clave {k}")]),
                channel: Some("portal".into()),
                ..Default::default()
            },
            actions: vec![
                Action::AddTag(format!("t{k}")),
                Action::SetImpact("high".into()),
            ],
        };
        rules::create_rule(&app, &admin, &input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let with = creates(&app, &requester, creates_n, "con reglas").await?;
    rows.push(format!(
        "| create, no rules ({creates_n} tickets, 16 clients) | {none:.0} tickets/s | | |"
    ));
    rows.push(format!(
        "| create, 100 active rules | {with:.0} tickets/s | | {:+.1} % |",
        (with / none - 1.0) * 100.0
    ));

    // Classifier: training on closed tickets' texts, and suggestion latency.
    let mut rng = Rng::new(13);
    let samples: Vec<Sample> = (0..train_n as i64)
        .map(|id| {
            let c = rng.below(SUBJECTS.len() as u64) as usize;
            let (code, es, en) = SUBJECTS[c];
            let pool = if rng.below(2) == 0 { es } else { en };
            let subject = pool[rng.below(pool.len() as u64) as usize]
                .replace("{dev}", "portátil")
                .replace("{n}", &rng.below(9).to_string())
                .replace("{app}", "SAP");
            let _ = code;
            Sample {
                id: id + 1,
                subject,
                description: "Desde esta mañana, por favor revisadlo".into(),
                category_id: Some(c as i64),
                group_id: Some((c % 6) as i64),
            }
        })
        .collect();
    let started = Instant::now();
    let p = classifier::prepare(&samples);
    let (models, cat_acc, grp_acc, _) = classifier::fit(&p);
    let train_secs = started.elapsed().as_secs_f64();
    rows.push(format!(
        "| classifier training ({train_n} closed tickets) | {train_secs:.2} s | held-out top-1 category {:.1} %, group {:.1} % | |",
        cat_acc * 100.0,
        grp_acc * 100.0
    ));
    let mut lat: Vec<f64> = Vec::with_capacity(10_000);
    for s in samples.iter().take(10_000) {
        let t = Instant::now();
        let f = classifier::features(&format!("{} {}", s.subject, s.description));
        let _ = models.category.predict(&f);
        let _ = models.group.predict(&f);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(f64::total_cmp);
    let q = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    rows.push(format!(
        "| suggestion latency (category + group, 10,000 texts) | p50 {:.3} ms | p99 {:.3} ms | |",
        q(0.5),
        q(0.99)
    ));

    let mut out = String::from("| issue 13 | rate / time | detail | vs. |\n|---|---|---|---|\n");
    for r in rows {
        out.push_str(&r);
        out.push('\n');
    }
    Ok(out)
}

async fn admin_requester(store: &Store) -> anyhow::Result<Caller> {
    admin(store, "requester@bench.test", "requester").await
}
