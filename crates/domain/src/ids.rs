//! Newtype identifiers, so a group id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(v)
            }
        }
    )*};
}

id_type!(
    /// A person: requester, agent, supervisor or administrator.
    UserId,
    /// A customer organisation (or the company itself for an internal desk).
    OrganisationId,
    /// A department inside an organisation.
    DepartmentId,
    /// A support group (L1 service desk, L2/L3 specialists, external suppliers).
    GroupId,
    /// A role: a named set of permissions with a data scope.
    RoleId,
    /// An API token.
    TokenId,
    /// An incident or service request.
    TicketId,
    /// A category in the classification tree.
    CategoryId,
    /// An entry in a ticket's timeline.
    EventId,
    /// A file attached to a ticket.
    AttachmentId,
    /// A knowledge-base article (FAQ, SOP or known error).
    ArticleId,
);
