//! CSV for reports and lists: UTF-8 with a byte-order mark (so Excel reads the accents),
//! `,` or `;` (Spanish Excel, whose decimal mark is the comma: numbers then use a comma
//! too), every text cell defused against formula injection (`domain::report::csv_cell`).

use ventanilla_domain::ValidationError;
use ventanilla_domain::report::{BOM, CsvOptions, csv_line};

use super::kpis::{Cell, KpiReport};

/// The `sep` query parameter: `comma` (default) or `semicolon`.
pub fn options(sep: Option<&str>) -> Result<CsvOptions, ValidationError> {
    match sep.map(str::trim) {
        None | Some("") | Some("comma") | Some(",") => Ok(CsvOptions { separator: ',' }),
        Some("semicolon") | Some(";") => Ok(CsvOptions { separator: ';' }),
        Some(_) => Err(ValidationError::new("sep", "must be comma or semicolon")),
    }
}

/// A number as a spreadsheet in the separator's locale reads it.
pub fn number(v: f64, opts: CsvOptions) -> String {
    let s = format!("{}", (v * 1_000_000.0).round() / 1_000_000.0);
    if opts.separator == ';' {
        s.replace('.', ",")
    } else {
        s
    }
}

fn cell(c: &Cell, opts: CsvOptions) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Num(Some(v)) => number(*v, opts),
        Cell::Num(None) => String::new(),
    }
}

/// The KPI report as a CSV document: the byte-order mark, a header of the JSON field names,
/// one line of values.
pub fn kpi_document(r: &KpiReport, opts: CsvOptions) -> String {
    let cells = r.cells();
    let head: Vec<&str> = cells.iter().map(|(n, _)| *n).collect();
    let row: Vec<String> = cells.iter().map(|(_, c)| cell(c, opts)).collect();
    let mut out = String::from(BOM);
    out.push_str(&csv_line(&head, opts));
    // Numbers are the application's own: written as they are (a negative number is not a
    // formula), so only the text cells go through the defusing writer.
    let mut line = String::new();
    for (i, (c, v)) in cells.iter().zip(&row).enumerate() {
        if i > 0 {
            line.push(opts.separator);
        }
        match c.1 {
            Cell::Text(_) => line.push_str(&ventanilla_domain::report::csv_cell(v, opts)),
            _ if v.contains(opts.separator) => line.push_str(&format!("\"{v}\"")),
            _ => line.push_str(v),
        }
    }
    line.push_str("\r\n");
    out.push_str(&line);
    out
}
