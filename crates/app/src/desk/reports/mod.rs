//! Reports (SPEC C14, issue 14): KPIs over the daily rollup, dashboards' series and
//! breakdowns, CSV, staffing by Erlang C. Reading reports needs `reports.read`; an agent
//! reads only their own line of the agent breakdown (`dashboard::agent_view`).

pub mod charging;
pub mod csv;
pub mod dashboard;
pub mod export;
pub mod kpis;
pub mod period;
pub mod schedules;
pub mod staffing;
pub mod surveys;

pub use kpis::{KpiReport, kpis};
pub use period::{Period, PeriodQuery};
