//! The audit log as administrators read it (API and the `/admin/audit` page): the filter
//! from query parameters, and the CSV export of a filtered log.

use jiff::Timestamp;
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::{Actor, Permission, UserId, ValidationError};
use ventanilla_store::audit::{AuditEntry, AuditFilter};

use crate::AppState;
use crate::error::AppError;

/// The most rows one export holds; narrow the dates for more.
pub const EXPORT_MAX_ROWS: usize = 100_000;

/// An instant from a query: RFC 3339 (`2026-05-01T08:00:00Z`) or a date (`2026-05-01`,
/// midnight UTC).
pub fn parse_instant(field: &str, s: &str) -> Result<Timestamp, AppError> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>()
        && let Ok(z) = d.to_zoned(jiff::tz::TimeZone::UTC)
    {
        return Ok(z.timestamp());
    }
    Err(ValidationError::new(field, "must be an RFC 3339 instant or a date (YYYY-MM-DD)").into())
}

/// Builds the store filter from the contract's parameters; `kind` and the older `action`
/// mean the same. Empty strings are no filter.
pub fn filter_of(
    kind: Option<&str>,
    actor_id: Option<i64>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<AuditFilter, AppError> {
    Ok(AuditFilter {
        actor: actor_id.map(UserId),
        action: nonempty(kind).map(str::to_owned),
        from: nonempty(from)
            .map(|s| parse_instant("from", s))
            .transpose()?,
        to: nonempty(to).map(|s| parse_instant("to", s)).transpose()?,
    })
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// One field, quoted when needed; a leading `=`, `+`, `-` or `@` is defused so a
/// spreadsheet never runs it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn json_cell(v: Option<&serde_json::Value>) -> String {
    v.map(|v| csv_field(&v.to_string())).unwrap_or_default()
}

/// The filtered log as CSV (newest first), for `audit.read`.
pub async fn export_csv(
    state: &AppState,
    actor: &Actor,
    f: &AuditFilter,
) -> Result<String, AppError> {
    if !actor.can(Permission::AuditRead) {
        return Err(AppError::Forbidden);
    }
    let mut out = String::from("id,at,actor_id,kind,target,ip,before,after,detail\r\n");
    let mut after = None;
    let mut rows = 0usize;
    loop {
        let page = state
            .store
            .audit()
            .list(
                f,
                PageRequest {
                    after,
                    limit: PageRequest::MAX_LIMIT,
                },
            )
            .await?;
        for e in &page.items {
            push_row(&mut out, e);
            rows += 1;
        }
        match page.next {
            Some(n) if rows < EXPORT_MAX_ROWS => after = Some(n),
            _ => break,
        }
    }
    Ok(out)
}

fn push_row(out: &mut String, e: &AuditEntry) {
    let cells = [
        e.id.to_string(),
        e.at.to_string(),
        e.actor_id.map(|a| a.to_string()).unwrap_or_default(),
        csv_field(&e.kind),
        e.target.as_deref().map(csv_field).unwrap_or_default(),
        e.ip.as_deref().map(csv_field).unwrap_or_default(),
        json_cell(e.before.as_ref()),
        json_cell(e.after.as_ref()),
        csv_field(&e.detail.to_string()),
    ];
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("-1,2"), "\"'-1,2\"");
    }

    #[test]
    fn instants_and_dates() {
        assert_eq!(
            parse_instant("from", "2026-05-01").unwrap().to_string(),
            "2026-05-01T00:00:00Z"
        );
        assert!(parse_instant("from", "2026-05-01T08:00:00Z").is_ok());
        assert!(parse_instant("from", "yesterday").is_err());
    }
}
