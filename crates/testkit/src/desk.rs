//! `Desk`: a service desk ready for a test, in the desk's own words — named people (a
//! requester, first- and second-line agents, a supervisor, an administrator), support
//! groups per tier, an optional business calendar — with a ticket builder that registers
//! through the same service as the API, `run_pending_jobs()`, and a check when the desk is
//! dropped that the test left no job unrun (unless it says so with `allow_pending_jobs`).
//!
//! ```ignore
//! let d = desk().with_l2("Sistemas").build().await;
//! let t = d.ticket().by(&d.requester).incident().in_group(d.l1).create().await;
//! d.run_pending_jobs().await;
//! ```

use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use ventanilla_app::config::Config;
use ventanilla_app::desk::tickets::CreateTicket;
use ventanilla_domain::directory::User;
use ventanilla_domain::ticket::{Channel, Impact, Priority, Ticket, TicketKind, Urgency};
use ventanilla_domain::{Clock as _, GroupId, Permission, UserId};
use ventanilla_store::{Store, StoreOptions};

use crate::http::{Caller, TestApp};

/// A person of the desk: the stored user and a bearer token to call the API as them.
/// Derefs to [`Caller`], so `&d.agent` is accepted wherever a request wants a caller.
#[derive(Debug, Clone)]
pub struct Person {
    pub user: User,
    pub caller: Caller,
}

impl Person {
    pub fn id(&self) -> UserId {
        self.user.id
    }
}

impl Deref for Person {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

/// How to build a [`Desk`]; start with [`desk()`].
#[must_use]
pub struct DeskBuilder {
    tweak: Box<dyn FnOnce(&mut Config)>,
    l2: Option<String>,
    calendar: Option<(String, Value)>,
}

/// A desk with its people and its L1 group ("Mesa"); see [`DeskBuilder`] for more.
pub fn desk() -> DeskBuilder {
    DeskBuilder {
        tweak: Box::new(|_| {}),
        l2: None,
        calendar: None,
    }
}

impl DeskBuilder {
    /// Changes the app's config before it starts (limits, visibility rules…).
    pub fn config(mut self, tweak: impl FnOnce(&mut Config) + 'static) -> Self {
        self.tweak = Box::new(tweak);
        self
    }

    /// Adds a second-line group named `name` whose one member is [`Desk::l2_agent`].
    pub fn with_l2(mut self, name: &str) -> Self {
        self.l2 = Some(name.to_owned());
        self
    }

    /// Adds a business calendar (`spec` as the API takes it) named `name`.
    pub fn with_calendar(mut self, name: &str, spec: Value) -> Self {
        self.calendar = Some((name.to_owned(), spec));
        self
    }

    /// Creates the people (through the store), the groups and the calendar (through the
    /// API, as the administrator, so reference caches see them as they would in use).
    ///
    /// # Panics
    /// When the API refuses a group or the calendar.
    pub async fn build(self) -> Desk {
        let t = TestApp::with_config(self.tweak).await;
        let admin = person(&t, "admin@x.test", "admin").await;
        let requester = person(&t, "req@x.test", "requester").await;
        let agent = person(&t, "agent@x.test", "agent").await;
        let supervisor = person(&t, "sup@x.test", "supervisor").await;
        let l1 = group(
            &t,
            &admin,
            json!({ "name": "Mesa", "tier": "L1", "members": [{ "user_id": agent.id() }, { "user_id": supervisor.id(), "supervisor": true }] }),
        )
        .await;
        let (l2_agent, l2) = match self.l2 {
            Some(name) => {
                let l2_agent = person(&t, "l2@x.test", "agent").await;
                let l2 = group(
                    &t,
                    &admin,
                    json!({ "name": name, "tier": "L2", "members": [{ "user_id": l2_agent.id() }] }),
                )
                .await;
                (Some(l2_agent), Some(l2))
            }
            None => (None, None),
        };
        let calendar = match self.calendar {
            Some((name, spec)) => {
                let res = t
                    .post(
                        "/api/v1/calendars",
                        json!({ "name": name, "calendar": spec }),
                        &admin,
                    )
                    .await;
                assert_eq!(res.status, http::StatusCode::CREATED, "{}", res.text);
                res.body["id"].as_i64()
            }
            None => None,
        };
        let d = Desk {
            t,
            admin,
            requester,
            agent,
            supervisor,
            l2_agent,
            l1,
            l2,
            calendar,
            pending_jobs_allowed: AtomicBool::new(false),
        };
        // Saving a calendar queues the re-measuring of open tickets (`sla.reapply`): the
        // desk is handed over settled, so a test's own jobs are the only ones it sees.
        d.run_pending_jobs().await;
        d
    }
}

async fn person(t: &TestApp, email: &str, role: &str) -> Person {
    let user = t.user(email, role).await;
    let token = ventanilla_app::api::issue_token(&t.state(), user.id, "test", None)
        .await
        .expect("token");
    Person {
        user,
        caller: Caller::Bearer(token.token),
    }
}

async fn group(t: &TestApp, admin: &Person, body: Value) -> GroupId {
    let res = t.post("/api/v1/groups", body, admin).await;
    assert_eq!(res.status, http::StatusCode::CREATED, "{}", res.text);
    GroupId(res.body["id"].as_i64().expect("group id"))
}

/// A service desk for one test. Derefs to its [`TestApp`] (`d.get(…)`, `d.clock`…).
pub struct Desk {
    pub t: TestApp,
    /// `admin@x.test`, role admin.
    pub admin: Person,
    /// `req@x.test`, role requester.
    pub requester: Person,
    /// `agent@x.test`, a first-line agent in [`Desk::l1`].
    pub agent: Person,
    /// `sup@x.test`, the supervisor of [`Desk::l1`].
    pub supervisor: Person,
    /// `l2@x.test`, the member of [`Desk::l2`] (with [`DeskBuilder::with_l2`]).
    pub l2_agent: Option<Person>,
    /// The service desk: group "Mesa", tier L1.
    pub l1: GroupId,
    pub l2: Option<GroupId>,
    /// The calendar's id (with [`DeskBuilder::with_calendar`]).
    pub calendar: Option<i64>,
    pending_jobs_allowed: AtomicBool,
}

impl Deref for Desk {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.t
    }
}

impl Desk {
    /// A ticket to register; see [`TicketBuilder`].
    pub fn ticket(&self) -> TicketBuilder<'_> {
        TicketBuilder {
            desk: self,
            requester: None,
            registrar: None,
            kind: TicketKind::Incident,
            subject: "No puedo imprimir".into(),
            description: "La impresora del 2º piso no responde".into(),
            impact: Impact::Medium,
            urgency: Urgency::Medium,
            channel: None,
            group: None,
            assignee: None,
            category: None,
            priority: None,
            key: None,
        }
    }

    /// Enqueues this period's periodic ticks and runs every due job, as the runner would
    /// at the clock's current instant. Returns how many jobs ran.
    ///
    /// # Panics
    /// When the store fails (a job that fails is retried later, as in production).
    pub async fn run_pending_jobs(&self) -> usize {
        let app = &self.t.app;
        ventanilla_app::jobs::schedule_ticks(app, app.now())
            .await
            .expect("schedule periodic jobs");
        ventanilla_app::jobs::run_pending(app, "test")
            .await
            .expect("run jobs")
    }

    /// Another person of the desk with the built-in `role` (not in any group).
    pub async fn person(&self, email: &str, role: &str) -> Person {
        person(&self.t, email, role).await
    }

    /// Says this test leaves jobs unrun on purpose, so dropping the desk does not fail.
    pub fn allow_pending_jobs(&self) {
        self.pending_jobs_allowed.store(true, Ordering::Relaxed);
    }
}

impl Drop for Desk {
    /// Fails the test when a job is due and unrun, waiting for a retry after failing, or
    /// dead: work the test caused and never looked at.
    fn drop(&mut self) {
        if std::thread::panicking() || self.pending_jobs_allowed.load(Ordering::Relaxed) {
            return;
        }
        let url = self.t.db.url.clone();
        let now = self.t.clock.now();
        // The test's runtime is blocked in this drop, and the app's pools belong to it: a
        // short-lived thread with its own runtime and its own connection reads the jobs.
        let left = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let store = Store::connect(&url, &StoreOptions::default())
                    .await
                    .expect("reconnect to the test database");
                let jobs = store.jobs().list(None, None, 1000).await.expect("jobs");
                store.close().await;
                jobs.into_iter()
                    .filter(|j| match j.status.as_str() {
                        "queued" => j.run_at <= now || j.attempts > 0,
                        "dead" => true,
                        _ => false,
                    })
                    .map(|j| {
                        format!(
                            "{} #{} ({}, {} attempts{})",
                            j.kind,
                            j.id,
                            j.status,
                            j.attempts,
                            j.last_error.map(|e| format!(": {e}")).unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
        .join()
        .expect("job check");
        assert!(
            left.is_empty(),
            "jobs left unrun or failed at the end of the test (run `run_pending_jobs()` or \
             say `allow_pending_jobs()`): {left:?}"
        );
    }
}

/// A ticket to register through `desk::tickets::register_ticket`, the use case the API and
/// the portal use: the same checks, matrix, SLA and group-commit queue.
#[must_use]
pub struct TicketBuilder<'d> {
    desk: &'d Desk,
    requester: Option<&'d Person>,
    registrar: Option<&'d Person>,
    kind: TicketKind,
    subject: String,
    description: String,
    impact: Impact,
    urgency: Urgency,
    channel: Option<Channel>,
    group: Option<GroupId>,
    assignee: Option<UserId>,
    category: Option<String>,
    priority: Option<(Priority, String)>,
    key: Option<String>,
}

impl<'d> TicketBuilder<'d> {
    /// The requester (default: the desk's requester).
    pub fn by(mut self, requester: &'d Person) -> Self {
        self.requester = Some(requester);
        self
    }

    /// Who registers it, when not the requester (staff registering for someone). Without
    /// it, the requester registers it themself unless a staff-only field is set (group,
    /// assignee, priority) and they may not set it: then the administrator does.
    pub fn registered_by(mut self, staff: &'d Person) -> Self {
        self.registrar = Some(staff);
        self
    }

    pub fn incident(mut self) -> Self {
        self.kind = TicketKind::Incident;
        self
    }

    pub fn service_request(mut self) -> Self {
        self.kind = TicketKind::ServiceRequest;
        self
    }

    pub fn subject(mut self, subject: &str) -> Self {
        self.subject = subject.to_owned();
        self
    }

    pub fn description(mut self, description: &str) -> Self {
        self.description = description.to_owned();
        self
    }

    pub fn impact(mut self, impact: Impact) -> Self {
        self.impact = impact;
        self
    }

    pub fn urgency(mut self, urgency: Urgency) -> Self {
        self.urgency = urgency;
        self
    }

    /// The channel (default: how the registrar signed in, `api` for these tokens).
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = Some(channel);
        self
    }

    pub fn in_group(mut self, group: GroupId) -> Self {
        self.group = Some(group);
        self
    }

    pub fn assigned_to(mut self, agent: &Person) -> Self {
        self.assignee = Some(agent.id());
        self
    }

    /// A category by its code (`hardware`, `network`…).
    pub fn category(mut self, code: &str) -> Self {
        self.category = Some(code.to_owned());
        self
    }

    /// A priority other than the matrix's, with the reason an override needs.
    pub fn priority(mut self, priority: Priority, reason: &str) -> Self {
        self.priority = Some((priority, reason.to_owned()));
        self
    }

    /// An idempotency key, as the `Idempotency-Key` header gives.
    pub fn idempotency_key(mut self, key: &str) -> Self {
        self.key = Some(key.to_owned());
        self
    }

    /// Registers the ticket and returns it.
    ///
    /// # Panics
    /// When the service refuses it (the error says why).
    pub async fn create(self) -> Ticket {
        self.try_create()
            .await
            .unwrap_or_else(|e| panic!("ticket refused: {e:?}"))
            .0
    }

    /// Registers the ticket, returning the service's answer (and whether it is new).
    pub async fn try_create(self) -> Result<(Ticket, bool), ventanilla_app::AppError> {
        let d = self.desk;
        let requester = self.requester.unwrap_or(&d.requester);
        let store = &d.t.app.store;
        let actor_of = async |p: &Person| {
            store
                .users()
                .actor(p.id())
                .await
                .expect("read actor")
                .expect("active user")
        };
        let wants_staff =
            self.group.is_some() || self.assignee.is_some() || self.priority.is_some();
        let registrar = match self.registrar {
            Some(r) => r,
            None if wants_staff && !actor_of(requester).await.can(Permission::TicketsWork) => {
                &d.admin
            }
            None => requester,
        };
        let category_id = match &self.category {
            Some(code) => Some(
                store
                    .categories()
                    .list()
                    .await
                    .expect("categories")
                    .into_iter()
                    .find(|c| c.code == *code)
                    .unwrap_or_else(|| panic!("no category {code:?}"))
                    .id
                    .get(),
            ),
            None => None,
        };
        let (priority, priority_reason) = match self.priority {
            Some((p, reason)) => (Some(p.as_str().to_owned()), Some(reason)),
            None => (None, None),
        };
        let req = CreateTicket {
            kind: self.kind.as_str().to_owned(),
            subject: self.subject,
            description: self.description,
            impact: self.impact.as_str().to_owned(),
            urgency: self.urgency.as_str().to_owned(),
            channel: self.channel.map(|c| c.as_str().to_owned()),
            requester_id: (registrar.id() != requester.id()).then(|| requester.id().get()),
            requester: None,
            organisation_id: None,
            category_id,
            ci_ref: None,
            group_id: self.group.map(GroupId::get),
            assignee_id: self.assignee.map(UserId::get),
            priority,
            priority_reason,
            facts: Default::default(),
        };
        let caller = ventanilla_domain::Caller::new(
            actor_of(registrar).await,
            ventanilla_domain::Origin::Api,
        );
        // The one call into the registration use case.
        let cmd = req
            .command(ventanilla_domain::ticket::Channel::Api)
            .map_err(ventanilla_app::AppError::from)?;
        Ok(ventanilla_app::desk::tickets::register_ticket(
            &d.t.state(),
            &caller,
            &cmd,
            self.key.as_deref(),
        )
        .await?)
    }
}
