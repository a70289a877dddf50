//! What a ticket is (incident or service request), its human-readable number, and the
//! channel it arrived through (SPEC C1).

use super::names::named_enum;

named_enum! {
    /// Every ticket is an incident (interruption or degradation of a service) or a service
    /// request (something new). The desk may reclassify one into the other; the number
    /// keeps its original prefix so references in old mail still resolve.
    #[derive(PartialOrd, Ord)]
    pub enum TicketKind in "kind" {
        Incident => "incident",
        ServiceRequest => "service_request",
    }
}

impl TicketKind {
    /// The prefix of the human-readable number: `INC` or `REQ`.
    pub fn prefix(self) -> &'static str {
        match self {
            TicketKind::Incident => "INC",
            TicketKind::ServiceRequest => "REQ",
        }
    }

    fn from_prefix(prefix: &str) -> Option<Self> {
        TicketKind::ALL
            .iter()
            .copied()
            .find(|k| k.prefix().eq_ignore_ascii_case(prefix))
    }
}

/// The minimum number of digits in a ticket number; larger sequences simply grow wider.
pub const NUMBER_MIN_DIGITS: usize = 6;

/// Formats a ticket number: `INC-000123`, `REQ-000045`, `INC-1234567`.
///
/// `seq` is the per-kind sequence the store hands out, starting at 1. Negative values never
/// occur; they would format with a minus sign that [`parse_number`] refuses.
pub fn format_number(kind: TicketKind, seq: i64) -> String {
    format!(
        "{}-{:0width$}",
        kind.prefix(),
        seq,
        width = NUMBER_MIN_DIGITS
    )
}

/// Parses a ticket number written by [`format_number`].
///
/// Lenient where people are: surrounding blanks are ignored, the prefix is case-insensitive
/// and fewer than six digits are accepted (`inc-123` is `INC-000123`), because numbers are
/// typed into search boxes and mail subjects by hand. The hyphen and only ASCII digits after
/// it are required, so words like `INCIDENT-5` or `INC-12a` are not mistaken for numbers.
pub fn parse_number(raw: &str) -> Option<(TicketKind, i64)> {
    let (prefix, digits) = raw.trim().split_once('-')?;
    let kind = TicketKind::from_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `parse` refuses values beyond i64::MAX, which no sequence reaches.
    let seq = digits.parse::<i64>().ok()?;
    Some((kind, seq))
}

named_enum! {
    /// How a ticket arrived (SPEC C1, C8). `event` is a monitoring system (Alertmanager or
    /// the generic event endpoint); `api` is a script or another tool.
    pub enum Channel in "channel" {
        Portal => "portal",
        Email => "email",
        Phone => "phone",
        Chat => "chat",
        Api => "api",
        Event => "event",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn de<'a, T: Deserialize<'a>>(s: &'a str) -> Result<T, DeError> {
        let d: StrDeserializer<'a, DeError> = s.into_deserializer();
        T::deserialize(d)
    }

    #[test]
    fn formats_with_at_least_six_digits() {
        assert_eq!(format_number(TicketKind::Incident, 123), "INC-000123");
        assert_eq!(format_number(TicketKind::ServiceRequest, 45), "REQ-000045");
        assert_eq!(format_number(TicketKind::Incident, 999_999), "INC-999999");
        assert_eq!(
            format_number(TicketKind::Incident, 1_234_567),
            "INC-1234567"
        );
    }

    #[test]
    fn parses_numbers_leniently_but_not_words() {
        assert_eq!(
            parse_number("INC-000123"),
            Some((TicketKind::Incident, 123))
        );
        assert_eq!(
            parse_number(" req-45 "),
            Some((TicketKind::ServiceRequest, 45))
        );
        assert_eq!(
            parse_number("INC-1234567"),
            Some((TicketKind::Incident, 1_234_567))
        );
        for bad in [
            "",
            "INC",
            "INC-",
            "INC000123",
            "INCIDENT-5",
            "INC-12a",
            "INC--5",
            "INC-+5",
            "CHG-000001",
            "INC-99999999999999999999",
            "INC-٣",
        ] {
            assert_eq!(parse_number(bad), None, "{bad:?} parsed");
        }
    }

    #[test]
    fn kinds_and_channels_have_stable_names() {
        assert_eq!(TicketKind::ServiceRequest.as_str(), "service_request");
        assert_eq!("Incident".parse::<TicketKind>(), Ok(TicketKind::Incident));
        assert!("problem".parse::<TicketKind>().is_err());
        let names: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names, ["portal", "email", "phone", "chat", "api", "event"]);
        let err = "fax".parse::<Channel>().unwrap_err();
        assert_eq!(err.field, "channel");
        assert!(err.message.contains("portal, email"));
    }

    #[test]
    fn serde_names_match_as_str() {
        for k in TicketKind::ALL {
            assert_eq!(de::<TicketKind>(k.as_str()), Ok(*k));
        }
        for c in Channel::ALL {
            assert_eq!(de::<Channel>(c.as_str()), Ok(*c));
            assert_eq!(c.to_string(), c.as_str());
        }
        assert!(
            de::<Channel>("Portal").is_err(),
            "serde is exact, only FromStr is lenient"
        );
    }

    proptest! {
        #[test]
        fn numbers_round_trip(seq in 0..=i64::MAX, service in any::<bool>()) {
            let kind = if service { TicketKind::ServiceRequest } else { TicketKind::Incident };
            let n = format_number(kind, seq);
            prop_assert!(n.len() >= 4 + NUMBER_MIN_DIGITS);
            prop_assert_eq!(parse_number(&n), Some((kind, seq)));
        }

        #[test]
        fn parse_never_panics(s in ".{0,30}") {
            let _ = parse_number(&s);
        }
    }
}
