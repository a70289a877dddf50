//! Reports (SPEC C14): the daily rollup a ticket contributes to, the KPI formulas over its
//! sums, staffing by Erlang C, and CSV cells safe to open in a spreadsheet.
//!
//! The rollup is *state-based*: a ticket's contribution is a pure function of the ticket
//! (and the minutes logged on it), so the store keeps the rollup current by adding
//! `contribution(after) − contribution(before)` in the transaction of every change, and a
//! rebuild from the tickets gives exactly the same sums (`docs/REPORTS.md`).

mod csv;
mod erlang;
mod kpi;
mod rollup;
mod schedule;

pub use csv::{BOM, CsvOptions, csv_cell, csv_line};
pub use erlang::{Staffing, agents_needed, erlang_c, service_level};
pub use kpi::{Kpis, kpis};
pub use rollup::{
    ANY, BACKLOG_DAY, Contribution, Dims, MEASURES, Measure, Measures, NONE, RollupKey,
    contribution, day_number, delta, expand,
};
pub use schedule::{Cadence, SEND_HOUR};
