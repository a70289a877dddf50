//! Impact, urgency and priority (SPEC C2): the five priority levels, the editable
//! impact × urgency matrix that derives a priority, and an agent's override with its reason.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::names::named_enum;
use crate::text::Text;

named_enum! {
    /// How much of the business an incident touches (one person, a department, everyone).
    pub enum Impact in "impact" {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
}

named_enum! {
    /// How soon the business needs it back.
    pub enum Urgency in "urgency" {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
}

named_enum! {
    /// The five levels of seed 003, most urgent first.
    pub enum Priority in "priority" {
        /// Critical business operations stopped; needs immediate resolution.
        Critical => "critical",
        /// Significant business impact, but not immediate.
        High => "high",
        /// Limited impact; can be planned for the short term.
        Medium => "medium",
        /// Not urgent, small improvement requests; after higher priorities.
        Low => "low",
        /// Information or advice; no immediate action needed.
        Informational => "informational",
    }
}

/// Orders by severity: the more severe value is the *greater* one, so `max()` picks the most
/// urgent and `Priority::Critical > Priority::Low` reads as it sounds. `rank()` gives the
/// conventional "P1 … P5" number where 1 is the most urgent; sort by it for queues.
macro_rules! ordered_by_rank {
    ($name:ident { $($variant:ident => $rank:literal,)+ }) => {
        impl $name {
            /// 1 is the most severe, as in "P1".
            pub fn rank(self) -> u8 {
                match self {
                    $($name::$variant => $rank,)+
                }
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                other.rank().cmp(&self.rank())
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
    };
}

ordered_by_rank!(Impact { High => 1, Medium => 2, Low => 3, });
ordered_by_rank!(Urgency { High => 1, Medium => 2, Low => 3, });
ordered_by_rank!(Priority { Critical => 1, High => 2, Medium => 3, Low => 4, Informational => 5, });

/// One impact row of the matrix: the priority for each urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriorityRow {
    high: Priority,
    medium: Priority,
    low: Priority,
}

impl PriorityRow {
    fn get(&self, urgency: Urgency) -> Priority {
        match urgency {
            Urgency::High => self.high,
            Urgency::Medium => self.medium,
            Urgency::Low => self.low,
        }
    }

    fn slot(&mut self, urgency: Urgency) -> &mut Priority {
        match urgency {
            Urgency::High => &mut self.high,
            Urgency::Medium => &mut self.medium,
            Urgency::Low => &mut self.low,
        }
    }
}

/// The impact × urgency table that derives a ticket's priority. Administrators edit it, so
/// it is data, not code. Serialised with the impact as the outer key and the urgency as the
/// inner one: `{"high": {"high": "critical", "medium": "high", "low": "medium"}, …}`; all
/// nine cells are required so a stored matrix can never have a hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriorityMatrix {
    high: PriorityRow,
    medium: PriorityRow,
    low: PriorityRow,
}

impl Default for PriorityMatrix {
    /// The usual ITIL table: the two axes add up, one step per level.
    fn default() -> Self {
        use Priority::*;
        let row = |high, medium, low| PriorityRow { high, medium, low };
        Self {
            high: row(Critical, High, Medium),
            medium: row(High, Medium, Low),
            low: row(Medium, Low, Informational),
        }
    }
}

impl PriorityMatrix {
    /// The priority derived for this impact and urgency.
    pub fn get(&self, impact: Impact, urgency: Urgency) -> Priority {
        self.row(impact).get(urgency)
    }

    /// Changes one cell.
    pub fn set(&mut self, impact: Impact, urgency: Urgency, priority: Priority) {
        *self.row_mut(impact).slot(urgency) = priority;
    }

    /// All nine cells, impact-major, high first: for storing the table as rows and drawing it.
    pub fn cells(&self) -> impl Iterator<Item = (Impact, Urgency, Priority)> + '_ {
        Impact::ALL
            .iter()
            .flat_map(move |&i| Urgency::ALL.iter().map(move |&u| (i, u, self.get(i, u))))
    }

    /// Whether raising impact or urgency never lowers the priority. Not enforced (a desk may
    /// want an odd table) but the admin screen warns when it is false.
    pub fn is_monotonic(&self) -> bool {
        self.cells().all(|(i, u, p)| {
            self.cells()
                .filter(|&(i2, u2, _)| i2 >= i && u2 >= u)
                .all(|(_, _, p2)| p2 >= p)
        })
    }

    fn row(&self, impact: Impact) -> &PriorityRow {
        match impact {
            Impact::High => &self.high,
            Impact::Medium => &self.medium,
            Impact::Low => &self.low,
        }
    }

    fn row_mut(&mut self, impact: Impact) -> &mut PriorityRow {
        match impact {
            Impact::High => &mut self.high,
            Impact::Medium => &mut self.medium,
            Impact::Low => &mut self.low,
        }
    }
}

/// An agent's manual priority, which wins over the matrix; the reason is mandatory (SPEC C2)
/// and goes into the ticket's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorityOverride {
    pub priority: Priority,
    pub reason: Text,
}

/// The priority a ticket works with: the override if there is one, else the matrix's.
pub fn effective_priority(
    matrix: &PriorityMatrix,
    impact: Impact,
    urgency: Urgency,
    manual: Option<&PriorityOverride>,
) -> Priority {
    manual.map_or_else(|| matrix.get(impact, urgency), |o| o.priority)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    #[test]
    fn default_matrix_is_exactly_the_specified_table() {
        use Impact as I;
        use Priority as P;
        use Urgency as U;
        let m = PriorityMatrix::default();
        let expected = [
            (I::High, U::High, P::Critical),
            (I::High, U::Medium, P::High),
            (I::Medium, U::High, P::High),
            (I::High, U::Low, P::Medium),
            (I::Medium, U::Medium, P::Medium),
            (I::Low, U::High, P::Medium),
            (I::Medium, U::Low, P::Low),
            (I::Low, U::Medium, P::Low),
            (I::Low, U::Low, P::Informational),
        ];
        for (i, u, p) in expected {
            assert_eq!(m.get(i, u), p, "{i} × {u}");
        }
        assert_eq!(m.cells().count(), 9);
        assert!(m.is_monotonic());
    }

    #[test]
    fn cells_can_be_edited() {
        let mut m = PriorityMatrix::default();
        m.set(Impact::Low, Urgency::High, Priority::Critical);
        assert_eq!(m.get(Impact::Low, Urgency::High), Priority::Critical);
        assert_eq!(
            m.get(Impact::High, Urgency::Low),
            Priority::Medium,
            "only one cell changed"
        );
        assert!(!m.is_monotonic(), "low×high now outranks medium×high");
        let changed = m
            .cells()
            .filter(|c| PriorityMatrix::default().get(c.0, c.1) != c.2);
        assert_eq!(changed.count(), 1);
    }

    #[test]
    fn severity_ordering_and_rank() {
        assert!(Priority::Critical > Priority::High);
        assert!(Priority::Low > Priority::Informational);
        assert_eq!(Priority::Critical.rank(), 1);
        assert_eq!(Priority::Informational.rank(), 5);
        let mut all = Priority::ALL.to_vec();
        all.sort();
        assert_eq!(all.first(), Some(&Priority::Informational));
        assert_eq!(all.iter().max(), Some(&Priority::Critical));
        assert!(Impact::High > Impact::Low && Urgency::Medium > Urgency::Low);
    }

    #[test]
    fn names_parse_and_deserialise() {
        assert_eq!(" HIGH ".parse::<Impact>(), Ok(Impact::High));
        assert_eq!("low".parse::<Urgency>(), Ok(Urgency::Low));
        assert_eq!(
            "Informational".parse::<Priority>(),
            Ok(Priority::Informational)
        );
        assert_eq!("urgent".parse::<Priority>().unwrap_err().field, "priority");
        assert_eq!("x".parse::<Urgency>().unwrap_err().field, "urgency");
        for p in Priority::ALL {
            let d: StrDeserializer<'_, DeError> = p.as_str().into_deserializer();
            assert_eq!(Priority::deserialize(d), Ok(*p));
        }
    }

    #[test]
    fn override_wins_over_matrix() {
        let m = PriorityMatrix::default();
        assert_eq!(
            effective_priority(&m, Impact::Low, Urgency::Low, None),
            Priority::Informational
        );
        let o = PriorityOverride {
            priority: Priority::High,
            reason: Text::parse("reason", "CEO's laptop", 100).unwrap(),
        };
        assert_eq!(
            effective_priority(&m, Impact::Low, Urgency::Low, Some(&o)),
            Priority::High
        );
    }
}
