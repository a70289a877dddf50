//! Text files as editors write them: the one place every file input (the JSON Lines import,
//! `.ics` holiday calendars, the configuration and secret files) goes through, so a leading
//! UTF-8 byte-order mark (Notepad, Excel's "CSV UTF-8") and CRLF line ends (Windows) are
//! accepted everywhere, and an error names the line and column an editor shows.

use std::fmt;

/// The UTF-8 byte-order mark, as a character.
pub const BOM: char = '\u{FEFF}';

/// `text` without a leading byte-order mark.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// One line as read from a stream (with or without its end): the byte-order mark removed if
/// it is line 1, the line end (`\n`, `\r\n`, or a stray final `\r`) removed.
pub fn clean_line(line_no: u64, raw: &str) -> &str {
    let raw = if line_no == 1 { without_bom(raw) } else { raw };
    let raw = raw.strip_suffix('\n').unwrap_or(raw);
    raw.strip_suffix('\r').unwrap_or(raw)
}

/// The lines of a whole text, numbered from 1, each cleaned by [`clean_line`]. A final
/// line end does not start another (empty) line.
pub fn lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    text.split_inclusive('\n')
        .zip(1u64..)
        .map(|(raw, n)| (n, clean_line(n, raw)))
}

/// `text` with the byte-order mark removed and every line ending in `end` (`"\r\n"` for
/// formats that require CRLF, like iCalendar; `"\n"` otherwise).
pub fn normalised(text: &str, end: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    for (_, line) in lines(text) {
        out.push_str(line);
        out.push_str(end);
    }
    out
}

/// A place in a text file: line and column from 1, the column in characters (as editors
/// count them; the byte-order mark is not one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// The column (from 1, in characters) of the byte offset `byte` of a cleaned `line`; an
/// offset inside a character or past the end counts up to it.
pub fn column(line: &str, byte: usize) -> u64 {
    line[..floor_boundary(line, byte.min(line.len()))]
        .chars()
        .count() as u64
        + 1
}

/// The column of a JSON field in a cleaned line: where `"key"` first appears (the last
/// segment of a dotted path such as `events.minutes`), else where the value starts.
pub fn column_of_key(line: &str, field: &str) -> u64 {
    let key = field.rsplit('.').next().unwrap_or(field);
    let quoted = format!("\"{key}\"");
    match line.find(&quoted) {
        Some(b) => column(line, b),
        None => column(line, line.len() - line.trim_start().len()),
    }
}

/// The position of byte offset `byte` of `without_bom(text)` (what a parser was given).
pub fn position(text: &str, byte: usize) -> Position {
    let text = without_bom(text);
    let before = &text[..floor_boundary(text, byte.min(text.len()))];
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() as u64 + 1,
        column: before[start..].trim_end_matches('\r').chars().count() as u64 + 1,
    }
}

fn floor_boundary(s: &str, mut b: usize) -> usize {
    while !s.is_char_boundary(b) {
        b -= 1;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_accept_bom_and_any_line_end() {
        for text in [
            "a\nbb\n",
            "\u{FEFF}a\nbb\n",
            "a\r\nbb\r\n",
            "\u{FEFF}a\r\nbb\r\n",
            "a\nbb",
        ] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                vec![(1, "a"), (2, "bb")],
                "{text:?}"
            );
            assert_eq!(normalised(text, "\r\n"), "a\r\nbb\r\n");
        }
        assert_eq!(
            clean_line(2, "\u{FEFF}x\r\n"),
            "\u{FEFF}x",
            "only a leading mark"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(
            column("{\"año\": x}", 9),
            9,
            "x is the 9th character, the 10th byte"
        );
        assert_eq!(column("abc", 0), 1);
        assert_eq!(
            column_of_key("{\"a\":1, \"minutes\": 9}", "events.minutes"),
            9
        );
        assert_eq!(
            position("\u{FEFF}ab\r\ncñd", "ab\r\ncñ".len()),
            Position { line: 2, column: 3 }
        );
    }
}
