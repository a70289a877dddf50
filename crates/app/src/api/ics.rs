//! Reading holidays out of an iCalendar file (RFC 5545) with the `icalendar` parser: every
//! event's start date (and the days up to its end, for multi-day events) is a holiday;
//! `RRULE:FREQ=YEARLY` makes it repeat every year.

use icalendar::{CalendarComponent, Component};
use jiff::civil::Date;
use ventanilla_domain::ValidationError;
use ventanilla_domain::sla::Holiday;

use crate::error::AppResult;

fn date_of(value: &str) -> Option<Date> {
    let digits: String = value.chars().take(8).collect();
    if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let y: i16 = digits[..4].parse().ok()?;
    let m: i8 = digits[4..6].parse().ok()?;
    let d: i8 = digits[6..8].parse().ok()?;
    Date::new(y, m, d).ok()
}

pub fn holidays(ics: &str) -> AppResult<Vec<Holiday>> {
    let cal: icalendar::Calendar = ics.parse().map_err(|e: String| {
        ValidationError::new(
            "body",
            format!("not an iCalendar file: {}", e.lines().next().unwrap_or("")),
        )
    })?;
    let mut out = Vec::new();
    for c in &cal.components {
        let CalendarComponent::Event(e) = c else {
            continue;
        };
        let Some(start) = e.property_value("DTSTART").and_then(date_of) else {
            return Err(ValidationError::new("body", "an event has no readable DTSTART").into());
        };
        let yearly = e
            .property_value("RRULE")
            .is_some_and(|r| r.to_ascii_uppercase().contains("FREQ=YEARLY"));
        // DTEND of an all-day event is exclusive; at most a month of days per event.
        let end = e
            .property_value("DTEND")
            .and_then(date_of)
            .filter(|d| *d > start);
        let mut day = start;
        loop {
            out.push(Holiday { date: day, yearly });
            match day.tomorrow() {
                Ok(next)
                    if end.is_some_and(|e| next < e)
                        && out.len() < 10_000
                        && (next - start).get_days() < 31 =>
                {
                    day = next
                }
                _ => break,
            }
        }
    }
    if out.is_empty() {
        return Err(ValidationError::new("body", "the file has no events").into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//ES\r\n\
BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261225\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Navidad\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260402\r\nDTEND;VALUE=DATE:20260404\r\nSUMMARY:Semana Santa\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn reads_yearly_and_multi_day_holidays() {
        let h = holidays(ICS).unwrap();
        let dates: Vec<String> = h
            .iter()
            .map(|h| format!("{} {}", h.date, h.yearly))
            .collect();
        assert_eq!(
            dates,
            vec!["2026-12-25 true", "2026-04-02 false", "2026-04-03 false"]
        );
    }

    #[test]
    fn refuses_garbage() {
        assert!(holidays("hello").is_err());
        assert!(holidays("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").is_err());
    }
}
