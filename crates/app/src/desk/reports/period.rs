//! The period and slice of a report: `from`/`to` desk-local dates (inclusive; the last 30
//! days by default), and optional group, organisation and category filters.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use ventanilla_domain::ValidationError;
use ventanilla_domain::report::day_number;
use ventanilla_store::reports::RollupFilter;

use crate::App;
use crate::desk::DeskResult;

/// The longest period one report covers.
const MAX_DAYS: i64 = 3 * 366;

/// Query parameters shared by every report.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD` in the desk's time zone (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, inclusive (default: today).
    pub to: Option<String>,
    pub group_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub category_id: Option<i64>,
}

/// A checked period and slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    pub filter: RollupFilter,
}

fn date(field: &str, raw: Option<&str>) -> Result<Option<Date>, ValidationError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<Date>()
            .map(Some)
            .map_err(|_| ValidationError::new(field, "must be a date written YYYY-MM-DD")),
    }
}

fn id(field: &str, v: Option<i64>) -> Result<Option<i64>, ValidationError> {
    match v {
        Some(n) if n <= 0 => Err(ValidationError::new(field, "must be a positive id")),
        other => Ok(other),
    }
}

fn day_of(d: Date) -> i32 {
    i32::from(d.year()) * 10_000 + i32::from(d.month()) * 100 + i32::from(d.day())
}

impl PeriodQuery {
    /// Checks the query against today's date in the desk's time zone.
    pub fn check(&self, app: &App) -> DeskResult<Period> {
        let tz = app.store.report_zone();
        let today = app.now().to_zoned(tz.clone()).date();
        let to = date("to", self.to.as_deref())?.unwrap_or(today);
        let from = match date("from", self.from.as_deref())? {
            Some(d) => d,
            None => to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to),
        };
        if from > to {
            return Err(ValidationError::new("from", "must not be after to").into());
        }
        let days = (to - from).get_days();
        if i64::from(days) > MAX_DAYS {
            return Err(
                ValidationError::new("from", "the period is longer than three years").into(),
            );
        }
        Ok(Period {
            from,
            to,
            filter: RollupFilter {
                from_day: day_of(from),
                to_day: day_of(to),
                group: id("group_id", self.group_id)?,
                organisation: id("organisation_id", self.organisation_id)?,
                category: id("category_id", self.category_id)?,
            },
        })
    }
}

impl Period {
    /// The instants `[start of from, start of the day after to)` in the desk's zone.
    pub fn instants(&self, app: &App) -> (Timestamp, Timestamp) {
        let tz = app.store.report_zone();
        let start = |d: Date| {
            d.to_zoned(tz.clone())
                .map(|z| z.timestamp())
                .unwrap_or(Timestamp::UNIX_EPOCH)
        };
        let next = self.to.tomorrow().unwrap_or(self.to);
        (start(self.from), start(next))
    }

    /// The day number of an instant in the desk's zone (for tests and series).
    pub fn day(app: &App, at: Timestamp) -> i32 {
        day_number(at, app.store.report_zone())
    }
}
