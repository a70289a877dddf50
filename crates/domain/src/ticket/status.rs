//! The vocabulary of the service model (SPEC C3, seed 002): ticket statuses, who is acting,
//! and the named kinds of transition written to the history.

use super::names::named_enum;

named_enum! {
    /// Where a ticket stands in the service model. The main path is `new` → `analysis` `[1]`
    /// → `solution` `[2]` → `validation` `[3]` → `survey` `[5]` → `review` `[6]` → `closed`;
    /// step `[4]` "no solution" is not a status but the transition from validation back to
    /// analysis.
    /// `pending` and `cancelled` sit beside the main path.
    #[derive(PartialOrd, Ord)]
    pub enum Status in "status" {
        /// Registered, nobody has taken it yet.
        New => "new",
        /// `[1]` Understand the incident and restore service; diagnose, escalate, recategorise.
        Analysis => "analysis",
        /// `[2]` Implement and document the solution.
        Solution => "solution",
        /// `[3]` The requester is asked whether service is back to normal; agents are locked out.
        Validation => "validation",
        /// `[5]` The requester rates the service.
        Survey => "survey",
        /// `[6]` The owner checks the record is complete and closes it.
        Review => "review",
        /// Done. Terminal.
        Closed => "closed",
        /// Waiting for the requester or a third party; pauses the SLA clock.
        Pending => "pending",
        /// Duplicate or withdrawn. Terminal.
        Cancelled => "cancelled",
    }
}

impl Status {
    /// Closed and cancelled tickets never change status again.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Closed | Status::Cancelled)
    }

    /// Everything not terminal. A ticket in survey or review is still open: the desk has not
    /// finished with it, even though the requester already has their service back.
    pub fn is_open(self) -> bool {
        !self.is_terminal()
    }

    /// The step number of seed 002 (`[1]` … `[6]`) for statuses on the main path. Step 4
    /// ("no solution") is a transition, see [`TransitionKind::NoSolution`].
    pub fn step(self) -> Option<u8> {
        match self {
            Status::Analysis => Some(1),
            Status::Solution => Some(2),
            Status::Validation => Some(3),
            Status::Survey => Some(5),
            Status::Review => Some(6),
            Status::New | Status::Closed | Status::Pending | Status::Cancelled => None,
        }
    }
}

/// Whether agents may add actions (replies, notes, time) or change fields (category,
/// priority, assignment) in this status.
///
/// False while the requester validates the solution (seed 002 step `[3]`: "el asesor no podrá
/// ingresar acciones adicionales o realizar algún cambio en el caso") and once the ticket is
/// terminal. True elsewhere, including survey and review: review is exactly where the owner
/// completes the record before closing it.
pub fn agent_may_modify(status: Status) -> bool {
    !matches!(
        status,
        Status::Validation | Status::Closed | Status::Cancelled
    )
}

named_enum! {
    /// Who asks for a transition, as the application classifies the caller for this ticket.
    ///
    /// The app maps: the ticket's own requester (or their organisation manager) →
    /// `requester`; an agent → `agent`; an agent holding the `tickets.close` permission (the
    /// supervisor or the ticket's owner) → `supervisor`; jobs, timeouts and mail ingestion →
    /// `system`. Anyone else is refused before the state machine is asked. A supervisor can
    /// do everything an agent can, plus close tickets and answer for the requester.
    pub enum ActorKind in "actor" {
        Requester => "requester",
        Agent => "agent",
        Supervisor => "supervisor",
        System => "system",
    }
}

impl ActorKind {
    /// Agents and supervisors: the people who work tickets.
    pub fn is_staff(self) -> bool {
        matches!(self, ActorKind::Agent | ActorKind::Supervisor)
    }
}

named_enum! {
    /// What a transition meant, stored with each history entry so the timeline, the
    /// notifications and the reports (reopen rate, survey timeouts) need not re-derive it
    /// from the pair of statuses.
    pub enum TransitionKind in "transition" {
        /// new → analysis: an agent takes the ticket.
        Taken => "taken",
        /// analysis → solution.
        SolutionStarted => "solution_started",
        /// solution → validation: the resolution is documented and offered to the requester.
        Resolved => "resolved",
        /// solution → analysis: the agent goes back to diagnosis.
        BackToAnalysis => "back_to_analysis",
        /// validation → survey: service confirmed back to normal.
        Confirmed => "confirmed",
        /// validation → analysis: step `[4]` "no solution"; counted as a reopening.
        NoSolution => "no_solution",
        /// survey → review: the rating arrived.
        SurveySubmitted => "survey_submitted",
        /// survey → review: nobody answered within the configured time.
        SurveyTimedOut => "survey_timed_out",
        /// review → analysis: the owner found the record incomplete.
        ReviewReopened => "review_reopened",
        /// review → closed.
        Closed => "closed",
        /// → pending.
        PutOnHold => "put_on_hold",
        /// pending → the status it was put on hold from.
        Resumed => "resumed",
        /// → cancelled by the desk (duplicate, not a real request).
        Cancelled => "cancelled",
        /// → cancelled by the requester.
        Withdrawn => "withdrawn",
        /// → validation or closed together with the parent ticket (a major incident).
        FollowedParent => "followed_parent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_and_open() {
        let terminal: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(terminal, [Status::Closed, Status::Cancelled]);
        assert!(Status::ALL.iter().all(|s| s.is_open() != s.is_terminal()));
        assert!(Status::Review.is_open() && Status::Pending.is_open());
    }

    #[test]
    fn names_are_stable() {
        let names: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "new",
                "analysis",
                "solution",
                "validation",
                "survey",
                "review",
                "closed",
                "pending",
                "cancelled"
            ]
        );
        assert_eq!("Pending".parse::<Status>(), Ok(Status::Pending));
        assert_eq!("resolved".parse::<Status>().unwrap_err().field, "status");
        assert_eq!(
            "no_solution".parse::<TransitionKind>(),
            Ok(TransitionKind::NoSolution)
        );
        assert_eq!(ActorKind::Supervisor.to_string(), "supervisor");
    }

    #[test]
    fn steps_follow_seed_002() {
        let steps: Vec<Option<u8>> = Status::ALL.iter().map(|s| s.step()).collect();
        assert_eq!(
            steps,
            [
                None,
                Some(1),
                Some(2),
                Some(3),
                Some(5),
                Some(6),
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn agents_are_locked_out_of_validation_and_terminal_tickets() {
        for s in Status::ALL {
            let expected = !matches!(s, Status::Validation | Status::Closed | Status::Cancelled);
            assert_eq!(agent_may_modify(*s), expected, "{s}");
        }
    }

    #[test]
    fn staff() {
        assert!(ActorKind::Agent.is_staff() && ActorKind::Supervisor.is_staff());
        assert!(!ActorKind::Requester.is_staff() && !ActorKind::System.is_staff());
    }
}
