//! CSV cells for spreadsheets: RFC 4180 quoting, a choice of separator (`;` for Spanish
//! Excel, where `,` is the decimal mark), and formula injection defused (OWASP "CSV
//! Injection": a cell starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed
//! with `'` so a spreadsheet shows it as text instead of running it). Numbers written by
//! the application itself (negative numbers included) are passed as numbers.

/// How to write the cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    pub separator: char,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self { separator: ',' }
    }
}

/// The UTF-8 byte order mark that tells Excel the file is UTF-8.
pub const BOM: &str = "\u{feff}";

/// One text cell, defused and quoted as needed.
pub fn csv_cell(value: &str, opts: CsvOptions) -> String {
    let risky = value
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    let text = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if text.contains(opts.separator)
        || text.contains('"')
        || text.contains('\n')
        || text.contains('\r')
    {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A whole line (ending in CRLF, as RFC 4180 says) from text cells.
pub fn csv_line<S: AsRef<str>>(cells: &[S], opts: CsvOptions) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(opts.separator);
        }
        out.push_str(&csv_cell(c.as_ref(), opts));
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_quotes_doubled() {
        let o = CsvOptions::default();
        assert_eq!(csv_cell("=1+2", o), "'=1+2");
        assert_eq!(csv_cell("@SUM(A1)", o), "'@SUM(A1)");
        assert_eq!(csv_cell("-2+3", o), "'-2+3");
        assert_eq!(csv_cell("+34 600", o), "'+34 600");
        assert_eq!(csv_cell("a,b", o), "\"a,b\"");
        assert_eq!(csv_cell("di \"hola\"", o), "\"di \"\"hola\"\"\"");
        assert_eq!(
            csv_cell("Rápido; sí", CsvOptions { separator: ';' }),
            "\"Rápido; sí\""
        );
        assert_eq!(csv_cell("línea\nnueva", o), "\"línea\nnueva\"");
        assert_eq!(csv_line(&["a", "=b"], o), "a,'=b\r\n");
    }
}
