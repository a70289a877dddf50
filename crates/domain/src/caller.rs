//! Who performs an operation and through which door: the actor and its origin. Every use
//! case takes a [`Caller`]; the origin goes into the audit row and the history, so a change
//! made by mail, a monitoring event or a rule can be told from one made in the console.

use crate::access::{Actor, Permission};
use crate::ids::UserId;

/// The surface an operation came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A page of the portal, console or administration.
    Web,
    /// The REST API (a token or a session with the CSRF header).
    Api,
    /// The command line (`ventanilla user add`, `token create`, `demo`).
    Cli,
    /// A background job acting on its own (SLA actions, survey timeout, cascades).
    System,
    /// An inbound e-mail.
    Mail,
    /// A monitoring event (Alertmanager, generic events).
    Event,
    /// An automation rule.
    Rule,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Web => "web",
            Origin::Api => "api",
            Origin::Cli => "cli",
            Origin::System => "system",
            Origin::Mail => "mail",
            Origin::Event => "event",
            Origin::Rule => "rule",
        }
    }
}

/// The person (or machine account) performing a use case, and how they reached it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub origin: Origin,
    /// The client address, for the audit log (none for jobs and the CLI).
    pub ip: Option<String>,
}

impl Caller {
    pub fn new(actor: Actor, origin: Origin) -> Self {
        Self {
            actor,
            origin,
            ip: None,
        }
    }

    pub fn user_id(&self) -> UserId {
        self.actor.user_id
    }

    /// Whether the caller's role grants `p`.
    pub fn can(&self, p: Permission) -> bool {
        self.actor.can(p)
    }
}
