//! The load driver: closed-loop clients (one thread and one keep-alive connection each) run
//! one scenario against 127.0.0.1 until its time or request budget is spent, recording every
//! latency exactly (a sorted vector, no sampling), so p50/p99/max are the true order
//! statistics of the run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use serde_json::json;

use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// `/healthz`: the ceiling this machine, HTTP stack and client allow.
    Healthz,
    /// A requester registers a ticket.
    CreateTicket,
    /// An agent opens a ticket with a 20-entry timeline: the ticket and its timeline.
    GetTicket,
    /// An agent's queue page: open tickets of their group or assigned to them, most urgent
    /// and oldest first.
    AgentQueue,
    /// The same queue ordered by SLA due date (only where the server supports it).
    AgentQueueSla,
    /// A requester's "my tickets", newest first.
    MyTickets,
    /// An agent adds a public reply with time spent.
    AddReply,
    /// An agent moves a ticket between analysis and solution.
    Transition,
    /// An agent's day: mostly queue and ticket reads, some replies and transitions, and
    /// requesters creating tickets.
    Mixed,
    /// An administrator's every open ticket, newest first (issue 20's reported case).
    AdminOpenNewest,
    /// A supervisor's breached tickets: open, SLA breached, soonest due first.
    SupervisorBreached,
    /// A supervisor's unassigned open tickets, newest or most urgent first.
    SupervisorUnassigned,
    /// A supervisor's open tickets of one organisation, most urgent or newest first.
    SupervisorOrganisation,
    /// The console's queue page as a browser loads it (HTML, session cookie): a supervisor's
    /// "open" or "unassigned" tab, with its tab counts.
    ConsoleQueue,
    /// The console's ticket page (HTML, session cookie) of a ticket with a 20-entry timeline.
    ConsoleTicket,
    /// Reports (issue 14): a supervisor's `GET /api/v1/reports/kpis` over a random 30-day
    /// or one-year window, half of them for one organisation.
    DashboardKpis,
    /// Reports: the supervisor's dashboard page (HTML: KPIs, daily trend, breakdowns,
    /// surveys, follow-ups) over a random 30-day window.
    DashboardPage,
    /// Search (issue 12): an agent's `GET /api/v1/search` over tickets and articles, with one
    /// or two words of a ticket subject, half of them typed without accents.
    SearchAgent,
    /// Search: a requester's, whose results are only their own tickets and published FAQs.
    SearchRequester,
}

impl Scenario {
    pub const ALL: &'static [Scenario] = &[
        Scenario::Healthz,
        Scenario::CreateTicket,
        Scenario::GetTicket,
        Scenario::AgentQueue,
        Scenario::AgentQueueSla,
        Scenario::MyTickets,
        Scenario::AddReply,
        Scenario::Transition,
        Scenario::Mixed,
        Scenario::AdminOpenNewest,
        Scenario::SupervisorBreached,
        Scenario::SupervisorUnassigned,
        Scenario::SupervisorOrganisation,
        Scenario::ConsoleQueue,
        Scenario::ConsoleTicket,
        Scenario::DashboardKpis,
        Scenario::DashboardPage,
        Scenario::SearchAgent,
        Scenario::SearchRequester,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Healthz => "healthz",
            Scenario::CreateTicket => "create_ticket",
            Scenario::GetTicket => "get_ticket",
            Scenario::AgentQueue => "agent_queue",
            Scenario::AgentQueueSla => "agent_queue_sla",
            Scenario::MyTickets => "my_tickets",
            Scenario::AddReply => "add_reply",
            Scenario::Transition => "transition",
            Scenario::Mixed => "mixed",
            Scenario::AdminOpenNewest => "admin_open_newest",
            Scenario::SupervisorBreached => "supervisor_breached",
            Scenario::SupervisorUnassigned => "supervisor_unassigned",
            Scenario::SupervisorOrganisation => "supervisor_organisation",
            Scenario::ConsoleQueue => "console_queue",
            Scenario::ConsoleTicket => "console_ticket",
            Scenario::DashboardKpis => "dashboard_kpis",
            Scenario::DashboardPage => "dashboard_page",
            Scenario::SearchAgent => "search_agent",
            Scenario::SearchRequester => "search_requester",
        }
    }

    /// Scenarios that act as the administrator, the supervisor or their console session.
    pub fn needs_overseers(self) -> bool {
        matches!(
            self,
            Scenario::AdminOpenNewest
                | Scenario::SupervisorBreached
                | Scenario::SupervisorUnassigned
                | Scenario::SupervisorOrganisation
                | Scenario::ConsoleQueue
                | Scenario::ConsoleTicket
                | Scenario::DashboardKpis
                | Scenario::DashboardPage
        )
    }

    /// Scenarios that read the knowledge base: the run loads the articles first.
    pub fn searches(self) -> bool {
        matches!(self, Scenario::SearchAgent | Scenario::SearchRequester)
    }

    pub fn parse(s: &str) -> Option<Scenario> {
        Scenario::ALL.iter().copied().find(|x| x.name() == s)
    }
}

/// An agent's credentials and the tickets they work on.
#[derive(Debug, Clone)]
pub struct AgentCtx {
    pub token: String,
    /// Their first group's id (fresh database: groups are numbered in file order).
    pub group_id: u64,
    /// Tickets with a 20-entry timeline assigned to them.
    pub long_tickets: Vec<u64>,
    /// Open tickets assigned to them, in analysis (replies and transitions go here).
    pub workable: Vec<u64>,
}

/// The desk-wide views: an administrator's and a supervisor's API tokens, the supervisor's
/// console session, the organisations' ids and tickets to open in the console.
#[derive(Debug, Clone)]
pub struct Overseers {
    pub admin_token: String,
    pub supervisor_token: String,
    /// The `Cookie` header value of the supervisor's signed-in session.
    pub session_cookie: String,
    /// Organisation ids are 1..=organisations on a fresh database.
    pub organisations: u64,
    pub console_tickets: Vec<u64>,
}

/// Who the clients act as.
#[derive(Debug)]
pub struct Ctx {
    pub base: String,
    pub agents: Vec<AgentCtx>,
    pub requesters: Vec<String>,
    /// Absent when measuring a server given with `--target`.
    pub overseers: Option<Overseers>,
    pub sla_sort: bool,
    /// Workable tickets now in solution: transitions alternate analysis and solution, and
    /// this survives from one run to the next (clients own disjoint tickets within a run).
    pub in_solution: std::sync::Mutex<std::collections::HashSet<u64>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub duration: Duration,
    pub max_requests: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub scenario: &'static str,
    pub concurrency: usize,
    pub operations: u64,
    pub errors: u64,
    pub seconds: f64,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The first error seen, to explain a non-zero error count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

pub fn agent() -> ureq::Agent {
    agent_with_timeout(Duration::from_secs(30))
}

/// An agent that reads every status as an answer and gives up after `timeout`.
pub fn agent_with_timeout(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// Sends one request; `Ok(body)` on 2xx, the status and body otherwise.
pub fn call(
    a: &ureq::Agent,
    method: &str,
    url: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Result<String, String> {
    let auth = format!("Bearer {token}");
    let resp = match (method, body) {
        ("GET", _) => a.get(url).header("Authorization", &auth).call(),
        (_, Some(b)) => a.post(url).header("Authorization", &auth).send_json(b),
        (_, None) => a.post(url).header("Authorization", &auth).send_empty(),
    };
    let mut resp = resp.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    if (200..300).contains(&status) {
        Ok(text)
    } else {
        Err(format!(
            "{method} {url}: {status} {}",
            text.chars().take(200).collect::<String>()
        ))
    }
}

/// A console page (HTML) with a session cookie; `Ok` on 200 with an HTML body.
fn page(a: &ureq::Agent, url: &str, cookie: &str) -> Result<(), String> {
    let mut resp = a
        .get(url)
        .header("Cookie", cookie)
        .call()
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    if status == 200 && text.contains("<html") {
        Ok(())
    } else {
        Err(format!(
            "GET {url}: {status} {}",
            text.chars().take(200).collect::<String>()
        ))
    }
}

/// Signs in through the login form and returns the session's `Cookie` header value.
pub fn sign_in(base: &str, email: &str, password: &str) -> anyhow::Result<String> {
    // Not following the redirect: the session cookie is set on the login response itself.
    let a: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let resp = a
        .post(format!("{base}/login"))
        .send_form([
            ("email", email),
            ("password", password),
            ("next", "/console"),
        ])
        .map_err(|e| anyhow::anyhow!("sign in: {e}"))?;
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect();
    if cookies.is_empty() {
        anyhow::bail!("sign in as {email}: {} and no cookie", resp.status());
    }
    Ok(cookies.join("; "))
}

/// Ids of open tickets assigned to the agent, in analysis: the ones replies and transitions
/// may touch.
pub fn workable(base: &str, token: &str, want: usize) -> anyhow::Result<Vec<u64>> {
    let a = agent();
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    while ids.len() < want {
        let mut url =
            format!("{base}/api/v1/tickets?assignee=me&status=analysis&sort=oldest&limit=200");
        if let Some(c) = &after {
            url.push_str(&format!("&after={c}"));
        }
        let page: serde_json::Value =
            serde_json::from_str(&call(&a, "GET", &url, token, None).map_err(anyhow::Error::msg)?)?;
        for t in page["items"].as_array().context("items")? {
            ids.extend(t["id"].as_u64());
        }
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    ids.truncate(want);
    Ok(ids)
}

/// Whether the server sorts ticket lists by SLA due date.
pub fn supports_sla_sort(base: &str, token: &str) -> bool {
    call(
        &agent(),
        "GET",
        &format!("{base}/api/v1/tickets?sort=due&limit=1"),
        token,
        None,
    )
    .is_ok()
}

struct Client {
    http: ureq::Agent,
    rng: Rng,
    id: usize,
    /// Clients sharing an agent take disjoint workable tickets: every `slots`-th from `slot`.
    slot: usize,
    slots: usize,
}

impl Client {
    fn op(&mut self, ctx: &Ctx, s: Scenario) -> Result<(), String> {
        let base = &ctx.base;
        let ag = &ctx.agents[self.id % ctx.agents.len()];
        let requester = &ctx.requesters[self.id % ctx.requesters.len()];
        match s {
            Scenario::Healthz => {
                let mut r = self
                    .http
                    .get(format!("{base}/healthz"))
                    .call()
                    .map_err(|e| e.to_string())?;
                r.body_mut().read_to_string().map_err(|e| e.to_string())?;
                Ok(())
            }
            Scenario::CreateTicket => {
                let n = self.rng.range(1, 999);
                let body = json!({
                    "kind": if self.rng.chance(0.7) { "incident" } else { "service_request" },
                    "subject": format!("La impresora de la planta {n} no imprime"),
                    "description": "Desde esta mañana no imprime; ya he reiniciado el equipo.",
                    "impact": *self.rng.pick(&["low", "medium", "high"]),
                    "urgency": *self.rng.pick(&["low", "medium", "high"]),
                });
                call(
                    &self.http,
                    "POST",
                    &format!("{base}/api/v1/tickets"),
                    requester,
                    Some(body),
                )
                .map(|_| ())
            }
            Scenario::GetTicket => {
                let id = *self.rng.pick(&ag.long_tickets);
                call(
                    &self.http,
                    "GET",
                    &format!("{base}/api/v1/tickets/{id}"),
                    &ag.token,
                    None,
                )?;
                call(
                    &self.http,
                    "GET",
                    &format!("{base}/api/v1/tickets/{id}/actions"),
                    &ag.token,
                    None,
                )
                .map(|_| ())
            }
            Scenario::AgentQueue | Scenario::AgentQueueSla => {
                let sort = if s == Scenario::AgentQueueSla {
                    "due"
                } else {
                    "priority"
                };
                let url = if self.rng.chance(0.5) {
                    format!(
                        "{base}/api/v1/tickets?group_id={}&status=open&sort={sort}&limit=25",
                        ag.group_id
                    )
                } else {
                    format!("{base}/api/v1/tickets?assignee=me&status=open&sort={sort}&limit=25")
                };
                call(&self.http, "GET", &url, &ag.token, None).map(|_| ())
            }
            Scenario::MyTickets => call(
                &self.http,
                "GET",
                &format!("{base}/api/v1/tickets?limit=25"),
                requester,
                None,
            )
            .map(|_| ()),
            Scenario::AddReply => {
                let id = *self.rng.pick(&ag.workable);
                let body = json!({"kind": "reply", "body": "Estamos revisándolo; le informamos en breve.", "minutes": 5});
                call(
                    &self.http,
                    "POST",
                    &format!("{base}/api/v1/tickets/{id}/actions"),
                    &ag.token,
                    Some(body),
                )
                .map(|_| ())
            }
            Scenario::Transition => {
                let mine = ag.workable.len() / self.slots;
                let id = if mine == 0 {
                    *self.rng.pick(&ag.workable)
                } else {
                    ag.workable[self.slot + self.slots * self.rng.below(mine as u64) as usize]
                };
                let was_solution = ctx
                    .in_solution
                    .lock()
                    .map(|s| s.contains(&id))
                    .unwrap_or(false);
                let to = if was_solution { "analysis" } else { "solution" };
                call(
                    &self.http,
                    "POST",
                    &format!("{base}/api/v1/tickets/{id}/transitions"),
                    &ag.token,
                    Some(json!({"to": to})),
                )?;
                if let Ok(mut s) = ctx.in_solution.lock() {
                    if was_solution {
                        s.remove(&id);
                    } else {
                        s.insert(id);
                    }
                }
                Ok(())
            }
            Scenario::AdminOpenNewest
            | Scenario::SupervisorBreached
            | Scenario::SupervisorUnassigned
            | Scenario::SupervisorOrganisation
            | Scenario::ConsoleQueue
            | Scenario::ConsoleTicket
            | Scenario::DashboardKpis
            | Scenario::DashboardPage => {
                let o = ctx
                    .overseers
                    .as_ref()
                    .ok_or("no administrator or supervisor in target mode")?;
                let sort = if self.rng.chance(0.5) {
                    "newest"
                } else {
                    "priority"
                };
                let api = |q: String, token: &str, http: &ureq::Agent| {
                    call(
                        http,
                        "GET",
                        &format!("{base}/api/v1/tickets?{q}"),
                        token,
                        None,
                    )
                    .map(|_| ())
                };
                match s {
                    Scenario::AdminOpenNewest => api(
                        "status=open&sort=newest&limit=50".into(),
                        &o.admin_token,
                        &self.http,
                    ),
                    Scenario::SupervisorBreached => api(
                        "status=open&sla=breached&sort=due&limit=50".into(),
                        &o.supervisor_token,
                        &self.http,
                    ),
                    Scenario::SupervisorUnassigned => api(
                        format!("status=open&assignee=none&sort={sort}&limit=50"),
                        &o.supervisor_token,
                        &self.http,
                    ),
                    Scenario::SupervisorOrganisation => {
                        let org = 1 + self.rng.below(o.organisations.max(1));
                        api(
                            format!("organisation_id={org}&status=open&sort={sort}&limit=50"),
                            &o.supervisor_token,
                            &self.http,
                        )
                    }
                    Scenario::DashboardKpis | Scenario::DashboardPage => {
                        // The generated history covers the three years to 2026-09-21.
                        let days = if s == Scenario::DashboardKpis && self.rng.chance(0.5) {
                            365
                        } else {
                            30
                        };
                        let end = jiff::civil::date(2026, 9, 21)
                            .checked_sub(jiff::Span::new().days(self.rng.below(700) as i64))
                            .map_err(|e| e.to_string())?;
                        let start = end
                            .checked_sub(jiff::Span::new().days(days - 1))
                            .map_err(|e| e.to_string())?;
                        if s == Scenario::DashboardPage {
                            page(
                                &self.http,
                                &format!("{base}/reports?from={start}&to={end}"),
                                &o.session_cookie,
                            )
                        } else {
                            let org = if self.rng.chance(0.5) {
                                format!(
                                    "&organisation_id={}",
                                    1 + self.rng.below(o.organisations.max(1))
                                )
                            } else {
                                String::new()
                            };
                            call(
                                &self.http,
                                "GET",
                                &format!("{base}/api/v1/reports/kpis?from={start}&to={end}{org}"),
                                &o.supervisor_token,
                                None,
                            )
                            .map(|_| ())
                        }
                    }
                    Scenario::ConsoleQueue => {
                        let view = if self.rng.chance(0.5) {
                            "open"
                        } else {
                            "unassigned"
                        };
                        page(
                            &self.http,
                            &format!("{base}/console?view={view}"),
                            &o.session_cookie,
                        )
                    }
                    _ => {
                        let id = *self.rng.pick(&o.console_tickets);
                        page(
                            &self.http,
                            &format!("{base}/console/tickets/{id}"),
                            &o.session_cookie,
                        )
                    }
                }
            }
            Scenario::SearchAgent | Scenario::SearchRequester => {
                let token = if s == Scenario::SearchAgent {
                    &ag.token
                } else {
                    requester
                };
                let q = search_words(&mut self.rng);
                call(
                    &self.http,
                    "GET",
                    &format!("{base}/api/v1/search?q={}&limit=20", url_encode(&q)),
                    token,
                    None,
                )
                .map(|_| ())
            }
            Scenario::Mixed => {
                let pick = *self.rng.weighted(&[
                    (Scenario::AgentQueue, 35),
                    (Scenario::GetTicket, 30),
                    (Scenario::MyTickets, 10),
                    (Scenario::AddReply, 12),
                    (Scenario::Transition, 5),
                    (Scenario::CreateTicket, 8),
                ]);
                self.op(ctx, pick)
            }
        }
    }
}

/// Runs `scenario` with `concurrency` clients within `bounds`.
pub fn run(
    ctx: &Arc<Ctx>,
    scenario: Scenario,
    concurrency: usize,
    bounds: Bounds,
    seed: u64,
) -> Outcome {
    let issued = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + bounds.duration;
    let handles: Vec<_> = (0..concurrency)
        .map(|id| {
            let ctx = Arc::clone(ctx);
            let issued = Arc::clone(&issued);
            std::thread::spawn(move || {
                let mut c = Client {
                    http: agent(),
                    rng: Rng::new(seed ^ (id as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
                    id,
                    slot: id / ctx.agents.len().max(1),
                    slots: concurrency.div_ceil(ctx.agents.len().max(1)),
                };
                let mut lat = Vec::with_capacity(4096);
                let mut errors = 0u64;
                let mut first_error = None;
                while Instant::now() < deadline
                    && issued.fetch_add(1, Ordering::Relaxed) < bounds.max_requests
                {
                    let t = Instant::now();
                    let r = c.op(&ctx, scenario);
                    lat.push(t.elapsed().as_micros() as u64);
                    if let Err(e) = r {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
                (lat, errors, first_error)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for h in handles {
        if let Ok((lat, e, fe)) = h.join() {
            all.extend(lat);
            errors += e;
            if first_error.is_none() {
                first_error = fe;
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let q = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i] as f64 / 1000.0
    };
    Outcome {
        scenario: scenario.name(),
        concurrency,
        operations: all.len() as u64,
        errors,
        seconds,
        throughput: all.len() as f64 / seconds.max(1e-9),
        p50_ms: q(0.50),
        p99_ms: q(0.99),
        max_ms: all.last().map_or(0.0, |m| *m as f64 / 1000.0),
        first_error,
    }
}

/// One or two words of a generated ticket subject, as a person types them into a search box:
/// half the time without accents (the index folds them).
fn search_words(rng: &mut Rng) -> String {
    let template = rng_subject(rng);
    let subject = crate::generate::fill(rng, template);
    let words: Vec<&str> = subject
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 3)
        .collect();
    if words.is_empty() {
        return "impresora".to_owned();
    }
    let take = if words.len() > 1 && rng.chance(0.3) {
        2
    } else {
        1
    };
    let start = rng.below((words.len() + 1 - take) as u64) as usize;
    let q = words[start..start + take].join(" ").to_lowercase();
    if rng.chance(0.5) {
        q.chars()
            .map(|c| match c {
                'á' => 'a',
                'é' => 'e',
                'í' => 'i',
                'ó' => 'o',
                'ú' | 'ü' => 'u',
                'ñ' => 'n',
                c => c,
            })
            .collect()
    } else {
        q
    }
}

fn rng_subject(rng: &mut Rng) -> &'static str {
    let (_, es, en) = *rng.pick(crate::vocab::SUBJECTS);
    if rng.chance(0.7) {
        rng.pick::<&str>(es)
    } else {
        rng.pick::<&str>(en)
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
