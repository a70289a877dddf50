//! The data generator: a seeded, realistic Spanish and English service desk written as the
//! import format (`docs/IMPORT.md`) — organisations, departments, users, agents in support
//! groups, tickets in every state with timelines — plus knowledge-article titles in a file of
//! their own and `meta.json`, which tells the load driver whom to sign in as.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::rng::Rng;
use crate::vocab::*;

/// The last instant of the generated history; fixed so a seed always gives the same file.
const END_US: i64 = 1_790_000_000_000_000; // 2026-09-21
const SPAN_US: i64 = 3 * 365 * 86_400_000_000;
/// Tickets whose timelines have exactly this many entries (the "get ticket" scenario).
pub const LONG_TIMELINE: usize = 20;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Meta {
    pub seed: u64,
    pub tickets: u64,
    pub users: u64,
    pub events: u64,
    /// Emails of agents (members of groups, with assigned tickets).
    pub agents: Vec<String>,
    /// Emails of requesters who have tickets.
    pub requesters: Vec<String>,
    /// 1-based positions of tickets with a `LONG_TIMELINE`-entry timeline (on a fresh
    /// database these are the ticket ids), with the index in `agents` of their assignee.
    pub long_timeline: Vec<(u64, usize)>,
    pub groups: u64,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line<'a> {
    Organisation {
        #[serde(rename = "ref")]
        key: String,
        name: &'a str,
        code: String,
    },
    Department {
        #[serde(rename = "ref")]
        key: String,
        organisation: String,
        name: &'a str,
    },
    User {
        #[serde(rename = "ref")]
        key: String,
        email: String,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        organisation: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        department: Option<String>,
        language: &'a str,
        time_zone: &'a str,
        role: &'a str,
    },
    Group {
        #[serde(rename = "ref")]
        key: String,
        name: &'a str,
        tier: &'a str,
        members: Vec<Member>,
    },
    Ticket(Box<Ticket<'a>>),
}

#[derive(Serialize)]
struct Member {
    user: String,
    supervisor: bool,
}

#[derive(Serialize)]
struct Ticket<'a> {
    kind: &'a str,
    subject: String,
    description: String,
    requester: String,
    channel: &'a str,
    category: &'a str,
    impact: &'a str,
    urgency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee: Option<String>,
    tier: &'a str,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rating: Option<i64>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_response_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_at: Option<String>,
    events: Vec<Event<'a>>,
}

#[derive(Serialize)]
struct Event<'a> {
    at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<String>,
    kind: &'a str,
    public: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    old: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minutes: Option<i64>,
}

fn ts(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'á' | 'Á' => Some('a'),
            'é' | 'É' => Some('e'),
            'í' | 'Í' => Some('i'),
            'ó' | 'Ó' => Some('o'),
            'ú' | 'Ú' | 'ü' => Some('u'),
            'ñ' | 'Ñ' => Some('n'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

pub fn fill(rng: &mut Rng, template: &str) -> String {
    let mut s = template.to_owned();
    if s.contains("{app}") {
        s = s.replace("{app}", rng.pick::<&str>(APPS));
    }
    if s.contains("{dev}") {
        s = s.replace("{dev}", rng.pick::<&str>(DEVICES));
    }
    if s.contains("{n}") {
        s = s.replace("{n}", &rng.range(1, 999).to_string());
    }
    s
}

/// How many users a data set of `tickets` tickets has: 10,000 for the full million.
pub fn users_for(tickets: u64) -> u64 {
    (tickets / 100).clamp(300, 10_000)
}

struct Person {
    key: String,
    email: String,
    spanish: bool,
}

/// Writes `data.jsonl`, `knowledge-titles.jsonl` and `meta.json` into `dir`.
pub fn generate(dir: &Path, tickets: u64, seed: u64) -> anyhow::Result<Meta> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("data.jsonl");
    let file = std::fs::File::create(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng::new(seed);
    let put = |out: &mut std::io::BufWriter<std::fs::File>, l: &Line| -> anyhow::Result<()> {
        serde_json::to_writer(&mut *out, l)?;
        out.write_all(b"\n")?;
        Ok(())
    };

    // Organisations and departments.
    let mut departments: Vec<(String, String)> = Vec::new(); // (org key, dept key)
    for (o, name) in COMPANIES.iter().enumerate() {
        let key = format!("o{o}");
        put(
            &mut out,
            &Line::Organisation {
                key: key.clone(),
                name,
                code: format!("ORG{o:03}"),
            },
        )?;
        for d in 0..4 {
            let dkey = format!("o{o}d{d}");
            let dname = DEPARTMENTS[(o * 5 + d * 3) % DEPARTMENTS.len()];
            put(
                &mut out,
                &Line::Department {
                    key: dkey.clone(),
                    organisation: key.clone(),
                    name: dname,
                },
            )?;
            departments.push((key.clone(), dkey));
        }
    }

    // Users: internal IT staff (agents, supervisors) and requesters of the organisations.
    let users = users_for(tickets);
    let agents_n = (users / 50).max(16);
    let supervisors_n = 4;
    let mut agents = Vec::new();
    let mut requesters = Vec::new();
    for u in 0..users {
        let staff = u < agents_n + supervisors_n;
        let spanish = rng.chance(0.75);
        let (first, last) = if spanish {
            (
                *rng.pick(FIRST_ES),
                format!("{} {}", rng.pick(LAST_ES), rng.pick(LAST_ES)),
            )
        } else {
            (*rng.pick(FIRST_EN), (*rng.pick(LAST_EN)).to_owned())
        };
        let key = format!("u{u}");
        let (org, dept, domain) = if staff {
            (None, None, "ti.ventanilla.example".to_owned())
        } else {
            let (o, d) = rng.pick(&departments).clone();
            let domain = format!("{o}.example");
            (Some(o), Some(d), domain)
        };
        let email = format!("{}.{}.{u}@{domain}", fold(first), fold(&last));
        let role = if u < agents_n {
            "agent"
        } else if staff {
            "supervisor"
        } else {
            "requester"
        };
        let tz = if spanish {
            *rng.pick(&[
                "Europe/Madrid",
                "Europe/Madrid",
                "Atlantic/Canary",
                "America/Mexico_City",
            ])
        } else {
            *rng.pick(&["Europe/London", "America/New_York"])
        };
        put(
            &mut out,
            &Line::User {
                key: key.clone(),
                email: email.clone(),
                name: format!("{first} {last}"),
                organisation: org,
                department: dept,
                language: if spanish { "es" } else { "en" },
                time_zone: tz,
                role,
            },
        )?;
        let p = Person {
            key,
            email,
            spanish,
        };
        if staff {
            agents.push(p);
        } else {
            requesters.push(p);
        }
    }
    let supervisors: Vec<Person> = agents.split_off(agents_n as usize);

    // Groups: every agent in one group (two for a third of them), a supervisor in each.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); GROUPS.len()];
    for a in 0..agents.len() {
        members[a % GROUPS.len()].push(a);
        if a % 3 == 0 {
            members[(a + 5) % GROUPS.len()].push(a);
        }
    }
    for (g, (name, tier)) in GROUPS.iter().enumerate() {
        let mut m: Vec<Member> = members[g]
            .iter()
            .map(|&a| Member {
                user: agents[a].key.clone(),
                supervisor: false,
            })
            .collect();
        m.push(Member {
            user: supervisors[g % supervisors.len()].key.clone(),
            supervisor: true,
        });
        put(
            &mut out,
            &Line::Group {
                key: format!("g{g}"),
                name,
                tier,
                members: m,
            },
        )?;
    }

    // Tickets, oldest first, so on a fresh database ticket ids follow time.
    let mut events_total = 0u64;
    let mut long = Vec::new();
    for i in 1..=tickets {
        let created =
            END_US - SPAN_US + (SPAN_US / tickets as i64) * i as i64 + rng.range(0, 600_000_000);
        let recent = i > tickets - tickets / 10;
        let requester = &requesters[rng.below(requesters.len() as u64) as usize];
        let t = ticket(&mut rng, created, recent, requester, &agents, &members)?;
        events_total += t.events.len() as u64;
        if t.events.len() == LONG_TIMELINE && long.len() < 20_000 {
            let a = t
                .assignee
                .as_deref()
                .and_then(|k| k[1..].parse::<usize>().ok());
            if let Some(a) = a {
                long.push((i, a));
            }
        }
        put(&mut out, &Line::Ticket(Box::new(t)))?;
    }
    out.flush()?;

    knowledge_titles(dir, &mut rng)?;
    let meta = Meta {
        seed,
        tickets,
        users,
        events: events_total,
        agents: agents.iter().map(|a| a.email.clone()).collect(),
        requesters: requesters
            .iter()
            .take(500)
            .map(|r| r.email.clone())
            .collect(),
        long_timeline: long,
        groups: GROUPS.len() as u64,
    };
    std::fs::write(dir.join("meta.json"), serde_json::to_vec_pretty(&meta)?)?;
    Ok(meta)
}

const STATUS_OLD: &[(&str, u32)] = &[
    ("closed", 920),
    ("cancelled", 50),
    ("review", 10),
    ("survey", 10),
    ("pending", 10),
];
const STATUS_RECENT: &[(&str, u32)] = &[
    ("new", 250),
    ("analysis", 300),
    ("solution", 100),
    ("pending", 100),
    ("validation", 80),
    ("survey", 50),
    ("review", 40),
    ("closed", 60),
    ("cancelled", 20),
];
const CHANNELS: &[(&str, u32)] = &[
    ("portal", 40),
    ("email", 30),
    ("phone", 15),
    ("chat", 8),
    ("api", 4),
    ("event", 3),
];
const LEVELS: &[(&str, u32)] = &[("low", 50), ("medium", 35), ("high", 15)];
/// The main path of the service model; a ticket's events walk it up to its status.
const PATH: &[&str] = &[
    "new",
    "analysis",
    "solution",
    "validation",
    "survey",
    "review",
    "closed",
];

fn ticket<'a>(
    rng: &mut Rng,
    created: i64,
    recent: bool,
    requester: &Person,
    agents: &[Person],
    members: &[Vec<usize>],
) -> anyhow::Result<Ticket<'a>> {
    let incident = rng.chance(0.7);
    let (category, es, en) = loop {
        let s = rng.pick(SUBJECTS);
        if incident != s.0.starts_with("service_request") {
            break s;
        }
    };
    let spanish = requester.spanish;
    let template = *rng.pick(if spanish { es } else { en });
    let subject = fill(rng, template);
    let descs = if spanish {
        DESCRIPTIONS_ES
    } else {
        DESCRIPTIONS_EN
    };
    let description = format!("{} {} {}", subject, rng.pick(descs), rng.pick(descs));
    let status: &str = rng.weighted::<&str>(if recent { STATUS_RECENT } else { STATUS_OLD });
    let g = if status == "new" {
        rng.below(2) as usize
    } else {
        rng.below(members.len() as u64) as usize
    };
    let group_members = &members[g];
    let agent = &agents[*rng.pick(group_members)];
    let tier = GROUPS[g].1;
    let mut t = Ticket {
        kind: if incident {
            "incident"
        } else {
            "service_request"
        },
        subject,
        description,
        requester: requester.key.clone(),
        channel: rng.weighted::<&str>(CHANNELS),
        category,
        impact: rng.weighted::<&str>(LEVELS),
        urgency: rng.weighted::<&str>(LEVELS),
        group: Some(format!("g{g}")),
        assignee: None,
        tier,
        status,
        resolution_code: None,
        resolution: None,
        rating: None,
        created_at: ts(created),
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        events: Vec::new(),
    };
    let mut clock = created;
    let me = Some(requester.key.clone());
    let ag = Some(agent.key.clone());
    let channel = t.channel.to_owned();
    t.events
        .push(event(clock, &me, "created", true, Some(channel), None));
    if status == "new" {
        return Ok(t);
    }
    t.assignee = Some(agent.key.clone());
    let long = rng.chance(0.05);
    let extra = if long { 0 } else { rng.below(4) as usize };
    let (target, via) = match status {
        "pending" => ("analysis", Some("pending")),
        "cancelled" => ("analysis", Some("cancelled")),
        s => (s, None),
    };
    let end = PATH.iter().position(|s| *s == target).unwrap_or(1);
    let at = advance(rng, &mut clock);
    t.events
        .push(change(at, &ag, "assignee_id", "", "assigned", false));
    let talk = Talk {
        me: &me,
        agent: &ag,
        replies: if spanish { REPLIES_ES } else { REPLIES_EN },
    };
    talk.conversation(rng, &mut t, 1 + extra, &mut clock);
    for w in PATH[..=end].windows(2) {
        let at = advance(rng, &mut clock);
        if w[1] == "validation" {
            t.resolution_code = Some("solved");
            t.resolution = Some(*rng.pick(RESOLUTIONS));
            t.resolved_at = Some(ts(at));
        }
        if w[1] == "review" {
            t.rating = Some(rng.range(2, 5));
        }
        if w[1] == "closed" {
            t.closed_at = Some(ts(at));
        }
        let actor = if matches!(w[1], "survey" | "review") {
            &me
        } else {
            &ag
        };
        t.events.push(change(at, actor, "status", w[0], w[1], true));
        if w[1] == "analysis" {
            talk.conversation(rng, &mut t, extra, &mut clock);
        }
    }
    if let Some(v) = via {
        let at = advance(rng, &mut clock);
        t.events.push(change(at, &ag, "status", target, v, true));
    }
    if long && t.events.len() < LONG_TIMELINE {
        let missing = LONG_TIMELINE - t.events.len();
        talk.conversation(rng, &mut t, missing, &mut clock);
    }
    Ok(t)
}

fn advance(rng: &mut Rng, clock: &mut i64) -> i64 {
    *clock += rng.range(60, 3 * 3600) * 1_000_000;
    *clock
}

fn event<'a>(
    at: i64,
    actor: &Option<String>,
    kind: &'a str,
    public: bool,
    body: Option<String>,
    minutes: Option<i64>,
) -> Event<'a> {
    Event {
        at: ts(at),
        actor: actor.clone(),
        kind,
        public,
        body,
        field: None,
        old: None,
        new: None,
        minutes,
    }
}

fn change<'a>(
    at: i64,
    actor: &Option<String>,
    field: &'a str,
    old: &'a str,
    new: &'a str,
    public: bool,
) -> Event<'a> {
    Event {
        at: ts(at),
        actor: actor.clone(),
        kind: if field == "status" {
            "transition"
        } else {
            "change"
        },
        public,
        body: None,
        field: Some(field),
        old: Some(old),
        new: Some(new),
        minutes: None,
    }
}

/// Who talks on a ticket: replies from the agent and the requester, internal notes with
/// time spent.
struct Talk<'p> {
    me: &'p Option<String>,
    agent: &'p Option<String>,
    replies: &'static [&'static str],
}

impl Talk<'_> {
    fn conversation<'a>(&self, rng: &mut Rng, t: &mut Ticket<'a>, n: usize, clock: &mut i64) {
        for k in 0..n {
            let at = advance(rng, clock);
            let ev = match k % 3 {
                0 => event(
                    at,
                    self.agent,
                    "reply",
                    true,
                    Some((*rng.pick(self.replies)).to_owned()),
                    Some(rng.range(5, 30)),
                ),
                1 => event(
                    at,
                    self.me,
                    "reply",
                    true,
                    Some((*rng.pick(self.replies)).to_owned()),
                    None,
                ),
                _ => {
                    let note = *rng.pick(NOTES);
                    let body = fill(rng, note);
                    event(
                        at,
                        self.agent,
                        "note",
                        false,
                        Some(body),
                        Some(rng.range(5, 90)),
                    )
                }
            };
            if t.first_response_at.is_none() && ev.kind == "reply" && ev.actor == *self.agent {
                t.first_response_at = Some(ev.at.clone());
            }
            t.events.push(ev);
        }
    }
}

/// Titles for the knowledge base to come (there is no knowledge table yet): one JSON object
/// per line with the language and the category.
fn knowledge_titles(dir: &Path, rng: &mut Rng) -> anyhow::Result<()> {
    let file = std::fs::File::create(dir.join("knowledge-titles.jsonl"))?;
    let mut out = std::io::BufWriter::new(file);
    for k in 0..10_000u32 {
        let spanish = rng.chance(0.7);
        let topic = *rng.pick(if spanish { KB_TOPICS_ES } else { KB_TOPICS_EN });
        let category = rng.pick(SUBJECTS).0;
        let line = serde_json::json!({
            "ref": format!("kb{k}"),
            "language": if spanish { "es" } else { "en" },
            "category": category,
            "title": fill(rng, topic),
        });
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
