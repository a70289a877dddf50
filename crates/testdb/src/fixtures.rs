//! Store-level fixtures: a user or a ticket to write with the repositories directly, with
//! the plain defaults tests do not care about (Spanish, UTC, medium impact and urgency), so
//! each test states only what it is about.

use ventanilla_domain::directory::{NewUser, User};
use ventanilla_domain::ticket::{
    Channel, Impact, KeyFacts, NewTicket, Priority, TicketKind, Urgency,
};
use ventanilla_domain::{Email, Language, RoleId, Text, TimeZoneName, UserId};
use ventanilla_store::Store;
use ventanilla_store::audit::NewAudit;
use ventanilla_store::tickets::Registration;

/// A user to create: named after `email`, Spanish, UTC, no organisation and no password.
/// Change fields with struct update syntax (`NewUser { language: …, ..new_user(…) }`).
///
/// # Panics
/// When `email` is not a valid address.
pub fn new_user(email: &str, role_id: RoleId) -> NewUser {
    NewUser {
        email: Email::parse(email).expect("valid email"),
        name: Text::parse("name", email, 200).expect("valid name"),
        phone: None,
        organisation_id: None,
        department_id: None,
        language: Language::Es,
        time_zone: TimeZoneName::utc(),
        role_id,
        organisation_manager: false,
        password_hash: None,
    }
}

/// Creates [`new_user`] with the built-in role named `role`, audited at `at`.
///
/// # Panics
/// When the role does not exist or the store refuses the user (a repeated email).
pub async fn user(store: &Store, email: &str, role: &str, at: jiff::Timestamp) -> User {
    let role = store.roles().by_name(role).await.expect("role exists");
    let audit = NewAudit::new(at, None, "test", None);
    store
        .users()
        .create(&new_user(email, role.id), &audit)
        .await
        .expect("create user")
}

/// A portal ticket of `requester` with medium impact and urgency at `priority`, no group,
/// no category and no SLA. Its subject has a `%` so searches test their escaping.
///
/// # Panics
/// Never: the texts are constants within their limits.
pub fn new_ticket(requester: UserId, kind: TicketKind, priority: Priority) -> NewTicket {
    NewTicket {
        kind,
        subject: Text::parse("subject", "Impresora 50% atascada", 200).expect("subject"),
        description: Text::parse("description", "No imprime", 200).expect("description"),
        requester_id: requester,
        organisation_id: None,
        channel: Channel::Portal,
        ci_ref: None,
        category_id: None,
        impact: Impact::Medium,
        urgency: Urgency::Medium,
        priority,
        priority_override_reason: None,
        group_id: None,
        assignee_id: None,
        tier: None,
        facts: KeyFacts::default(),
        sla: Default::default(),
    }
}

/// A registration of `new` by its requester, with an optional idempotency `key`.
pub fn registration(new: NewTicket, key: Option<&str>) -> Registration {
    Registration {
        actor: Some(new.requester_id),
        new,
        idempotency_key: key.map(str::to_owned),
        extra: Vec::new(),
        notices: Vec::new(),
    }
}
