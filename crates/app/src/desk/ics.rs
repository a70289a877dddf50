//! Reading holidays out of an iCalendar file (RFC 5545) with the `icalendar` parser: every
//! event's start date (and the days up to its end, for multi-day events) is a holiday;
//! `RRULE:FREQ=YEARLY` makes it repeat every year. The file is read as editors write it
//! (`domain::textfile`: a byte-order mark, LF or CRLF), and a refusal names the line and
//! column.

use icalendar::{CalendarComponent, Component};
use jiff::civil::Date;
use ventanilla_domain::ValidationError;
use ventanilla_domain::sla::Holiday;
use ventanilla_domain::textfile::{self, Position};

use crate::desk::DeskResult;

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

/// Where the parser stopped, from its report (`0: at line N, in …:\n<line>\n<caret>`): the
/// caret's offset is a byte offset in the line, turned into an editor's column.
fn parser_position(report: &str) -> Option<Position> {
    let (_, rest) = report.split_once("at line ")?;
    let (number, rest) = rest.split_once(',')?;
    let line: u64 = number.trim().parse().ok()?;
    let mut shown = rest.split_once(":\n")?.1.lines();
    let text = shown.next()?;
    let caret = shown.next()?.find('^')?;
    Some(Position {
        line,
        column: textfile::column(text, caret),
    })
}

/// Where the `n`-th event (from 0) gives its start: its `DTSTART` line at the value, or its
/// `BEGIN:VEVENT` line when it has none.
fn event_position(text: &str, n: usize) -> Option<Position> {
    let mut seen = 0usize;
    let mut begin = None;
    for (line, l) in textfile::lines(text) {
        let upper = l.to_ascii_uppercase();
        if upper == "BEGIN:VEVENT" {
            if seen == n {
                begin = Some(Position { line, column: 1 });
            }
            seen += 1;
        } else if begin.is_some() && upper.starts_with("DTSTART") {
            let value = l.find(':').map_or(0, |i| i + 1);
            return Some(Position {
                line,
                column: textfile::column(l, value),
            });
        } else if begin.is_some() && upper == "END:VEVENT" {
            return begin;
        }
    }
    begin
}

fn at(p: Option<Position>) -> String {
    p.map_or(String::new(), |p| format!(" ({p})"))
}

pub fn holidays(ics: &str) -> DeskResult<Vec<Holiday>> {
    // iCalendar's own line end is CRLF; editors also save LF, and often a byte-order mark.
    let text = textfile::normalised(ics, "\r\n");
    let cal: icalendar::Calendar = text.parse().map_err(|e: String| {
        ValidationError::new(
            "body",
            format!("not an iCalendar file{}", at(parser_position(&e))),
        )
    })?;
    let mut out = Vec::new();
    let mut events = 0usize;
    for c in &cal.components {
        let CalendarComponent::Event(e) = c else {
            continue;
        };
        events += 1;
        let Some(start) = e.property_value("DTSTART").and_then(date_of) else {
            let p = event_position(&text, events - 1);
            return Err(ValidationError::new(
                "body",
                format!("an event has no readable DTSTART{}", at(p)),
            )
            .into());
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
