//! `bench sla` (issue 5): due-instant computations per second on business calendars, and the
//! time the SLA scan takes to find the due tickets among a million open ones — through the
//! store's own scan query, whose index (`tickets_sla_check_idx`) means it reads only due rows.

use std::time::Instant;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use sqlx::Connection as _;
use ventanilla_domain::Clock as _;
use ventanilla_domain::sla::{Calendar, CalendarSpec, Stopwatch};
use ventanilla_store::{Store, StoreOptions};

/// Instants spread over a year; targets from 30 minutes to a week of business time.
const TARGETS_MIN: [i64; 6] = [30, 60, 240, 480, 1440, 2400];

pub struct DueRate {
    pub calendar: &'static str,
    pub computations: u64,
    pub per_second: f64,
}

/// Starts a stopwatch and asks its due instant `n` times on `cal`.
pub fn due_rate(name: &'static str, cal: &Calendar, n: u64) -> DueRate {
    let base = Timestamp::from_second(1_767_225_600).unwrap_or(Timestamp::UNIX_EPOCH); // 2026-01-01
    let started = Instant::now();
    let mut found = 0u64;
    for i in 0..n {
        let offset = i64::try_from(i.wrapping_mul(7919) % 31_536_000).unwrap_or(0);
        let at = base
            .saturating_add(SignedDuration::from_secs(offset))
            .unwrap_or(base);
        let idx = usize::try_from(i % 6).unwrap_or(0);
        let target = SignedDuration::from_mins(TARGETS_MIN[idx]);
        let mut w = Stopwatch::new();
        w.start(at, cal);
        if w.due_at(target, cal).is_some() {
            found += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    DueRate {
        calendar: name,
        computations: found,
        per_second: found as f64 / secs.max(1e-9),
    }
}

pub fn office_calendar() -> anyhow::Result<Calendar> {
    let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
        "time_zone": "Europe/Madrid",
        "weekly": { "mon": [["09:00", "14:00"], ["15:00", "18:00"]], "tue": [["09:00", "14:00"], ["15:00", "18:00"]],
                    "wed": [["09:00", "14:00"], ["15:00", "18:00"]], "thu": [["09:00", "14:00"], ["15:00", "18:00"]],
                    "fri": [["09:00", "15:00"]] },
        "holidays": [{ "date": "2026-01-01", "yearly": true }, { "date": "2026-01-06", "yearly": true },
                     { "date": "2026-05-01", "yearly": true }, { "date": "2026-08-15", "yearly": true },
                     { "date": "2026-10-12", "yearly": true }, { "date": "2026-12-08", "yearly": true },
                     { "date": "2026-12-25", "yearly": true }]
    }))?;
    Ok(Calendar::new(spec)?)
}

pub struct ScanResult {
    pub tickets: u64,
    pub due: usize,
    pub load_secs: f64,
    pub scan_ms_p50: f64,
    pub scan_ms_max: f64,
    pub plan: String,
}

/// Fills a fresh database with `n` open tickets whose next SLA check is spread over the next
/// year (one in a thousand already due), then times the store's scan for due rows.
pub async fn scan(url: &str, n: u64) -> anyhow::Result<ScanResult> {
    let store = Store::connect(url, &StoreOptions::default()).await?;
    store.migrate().await?;
    let now = ventanilla_domain::SystemClock.now();
    let now_us = now.as_microsecond();
    let load = Instant::now();
    let n_i = i64::try_from(n)?;
    let (plan, due_expected) = if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query("INSERT INTO users (email, name, language, time_zone, role_id, created_at, updated_at) VALUES ('bench@x.test', 'Bench', 'es', 'UTC', 1, $1, $1)")
            .bind(now_us)
            .execute(&mut c)
            .await?;
        sqlx::query(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $1)
             INSERT INTO tickets (number, kind, subject, description, requester_id, channel, impact, urgency, priority,
                 priority_rank, status, version, created_at, updated_at, status_changed_at, sla_next_check_at, sla_due_at, sla_state)
             SELECT 'INC-' || x, 'incident', 's', 'd', 1, 'portal', 'low', 'low', 'low', 4, 'analysis', 1, $2, $2, $2,
                 CASE WHEN x % 1000 = 0 THEN $2 - 3600000000 ELSE $2 + (x % 1000) * 31536000000 END, $2 + 86400000000, 'ok'
             FROM c",
        )
        .bind(n_i)
        .bind(now_us)
        .execute(&mut c)
        .await?;
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE sla_next_check_at <= $1 ORDER BY sla_next_check_at LIMIT $2",
        )
        .bind(now_us)
        .bind(10_000_i64)
        .fetch_all(&mut c)
        .await?;
        (
            plan.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; "),
            n / 1000,
        )
    } else {
        let mut c = sqlx::PgConnection::connect(url).await?;
        sqlx::query("INSERT INTO users (email, name, language, time_zone, role_id, created_at, updated_at) VALUES ('bench@x.test', 'Bench', 'es', 'UTC', 1, $1, $1)")
            .bind(now_us)
            .execute(&mut c)
            .await?;
        sqlx::query(
            "INSERT INTO tickets (number, kind, subject, description, requester_id, channel, impact, urgency, priority,
                 priority_rank, status, version, created_at, updated_at, status_changed_at, sla_next_check_at, sla_due_at, sla_state)
             SELECT 'INC-' || x, 'incident', 's', 'd', 1, 'portal', 'low', 'low', 'low', 4, 'analysis', 1, $2, $2, $2,
                 CASE WHEN x % 1000 = 0 THEN $2 - 3600000000 ELSE $2 + (x % 1000) * 31536000000 END, $2 + 86400000000, 'ok'
             FROM generate_series(1, $1) AS x",
        )
        .bind(n_i)
        .bind(now_us)
        .execute(&mut c)
        .await?;
        sqlx::query("ANALYZE tickets").execute(&mut c).await?;
        let plan: Vec<(String,)> = sqlx::query_as(
            "EXPLAIN SELECT id FROM tickets WHERE sla_next_check_at <= $1 ORDER BY sla_next_check_at LIMIT $2",
        )
        .bind(now_us)
        .bind(10_000_i64)
        .fetch_all(&mut c)
        .await?;
        (
            plan.into_iter()
                .map(|r| r.0.trim().to_owned())
                .collect::<Vec<_>>()
                .join("; "),
            n / 1000,
        )
    };
    let load_secs = load.elapsed().as_secs_f64();
    let mut times = Vec::new();
    let mut due = 0;
    for _ in 0..21 {
        let t = Instant::now();
        due = store.tickets().sla_due(now, 10_000).await?.len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    anyhow::ensure!(
        due as u64 == due_expected,
        "expected {due_expected} due tickets, found {due}"
    );
    times.sort_by(|a, b| a.total_cmp(b));
    store.close().await;
    Ok(ScanResult {
        tickets: n,
        due,
        load_secs,
        scan_ms_p50: times[times.len() / 2],
        scan_ms_max: times[times.len() - 1],
        plan,
    })
}

/// Runs both measurements and renders them as Markdown.
pub async fn report(url: &str, backend: &str, n: u64, computations: u64) -> anyhow::Result<String> {
    let office = office_calendar()?;
    let always = Calendar::always();
    let rates = [
        due_rate(
            "Mon–Fri office hours with a lunch break, Europe/Madrid, holidays",
            &office,
            computations,
        ),
        due_rate("24×7", &always, computations),
    ];
    let scan = scan(url, n).await.context("scan")?;
    let mut out =
        String::from("| calendar | due instants computed | per second |\n|---|---:|---:|\n");
    for r in &rates {
        out.push_str(&format!(
            "| {} | {} | {:.0} |\n",
            r.calendar, r.computations, r.per_second
        ));
    }
    out.push_str(&format!(
        "\n| backend | open tickets | due now | load (s) | scan p50 (ms) | scan max (ms) |\n|---|---:|---:|---:|---:|---:|\n| {backend} | {} | {} | {:.1} | {:.2} | {:.2} |\n\nQuery plan: `{}`\n",
        scan.tickets, scan.due, scan.load_secs, scan.scan_ms_p50, scan.scan_ms_max, scan.plan
    ));
    Ok(out)
}
