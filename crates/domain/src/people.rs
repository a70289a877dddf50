//! Values that describe people and support groups: email, language, time zone, tier.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::ValidationError;

/// A syntactically valid email address, stored lower-cased so look-ups are exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let t = raw.trim();
        if t.len() > 254 {
            return Err(ValidationError::new(
                "email",
                "must be at most 254 characters",
            ));
        }
        // `email_address` follows RFC 5322 addr-spec; display-name forms are refused because
        // an account's address is a bare mailbox.
        let parsed = email_address::EmailAddress::parse_with_options(
            t,
            email_address::Options::default().without_display_text(),
        )
        .map_err(|_| ValidationError::new("email", "is not a valid email address"))?;
        if !parsed.domain().contains('.') && parsed.domain() != "localhost" {
            return Err(ValidationError::new(
                "email",
                "is not a valid email address",
            ));
        }
        Ok(Self(t.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The interface and notification languages Ventanilla ships (SPEC C16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Es,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Es, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
    }
}

impl FromStr for Language {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "es" => Ok(Language::Es),
            "en" => Ok(Language::En),
            _ => Err(ValidationError::new("language", "must be \"es\" or \"en\"")),
        }
    }
}

/// An IANA time zone name that the bundled time-zone database knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let t = raw.trim();
        jiff::tz::TimeZone::get(t)
            .map_err(|_| ValidationError::new("time_zone", "is not a known IANA time zone"))?;
        Ok(Self(t.to_owned()))
    }

    pub fn utc() -> Self {
        Self("UTC".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The zone itself; falls back to UTC for a name that was valid when stored but is no
    /// longer in the database (zones are only ever added, so this is a guard, not a path).
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// Support tiers (SPEC C5): first line, second line, third line or external supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tier {
    L1,
    L2,
    L3,
}

impl Tier {
    pub fn code(self) -> &'static str {
        match self {
            Tier::L1 => "L1",
            Tier::L2 => "L2",
            Tier::L3 => "L3",
        }
    }

    /// The tier a functional escalation moves to, if any.
    pub fn next(self) -> Option<Tier> {
        match self {
            Tier::L1 => Some(Tier::L2),
            Tier::L2 => Some(Tier::L3),
            Tier::L3 => None,
        }
    }
}

impl FromStr for Tier {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "L1" => Ok(Tier::L1),
            "L2" => Ok(Tier::L2),
            "L3" => Ok(Tier::L3),
            _ => Err(ValidationError::new("tier", "must be L1, L2 or L3")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ana.Perez@Example.COM ").unwrap().as_str(),
            "ana.perez@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.com",
            "a b@x.com",
            "Ana <ana@x.com>",
            "ana@nodot",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
        assert!(Email::parse("admin@localhost").is_ok());
    }

    #[test]
    fn languages_and_tiers() {
        assert_eq!("ES".parse::<Language>(), Ok(Language::Es));
        assert!("fr".parse::<Language>().is_err());
        assert_eq!("l2".parse::<Tier>(), Ok(Tier::L2));
        assert_eq!(Tier::L1.next(), Some(Tier::L2));
        assert_eq!(Tier::L3.next(), None);
    }

    #[test]
    fn time_zones() {
        assert!(TimeZoneName::parse("Europe/Madrid").is_ok());
        assert!(TimeZoneName::parse("America/Bogota").is_ok());
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
    }
}
