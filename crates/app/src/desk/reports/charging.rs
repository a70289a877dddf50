//! Charging (seed 003, financial management: "cobro de servicio"; SPEC C14): cost rates per
//! agent or group (a default otherwise), and the time logged in a month × its rate per
//! organisation, with lines usable for invoicing. Amounts are in cents of the desk's
//! currency; the rate applied to a line is the agent's, else the group's, else the default.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use ventanilla_domain::{Caller, Permission, ValidationError};
use ventanilla_store::exports::LoggedTime;

use crate::App;
use crate::desk::{DeskResult, require};

const RATES_KEY: &str = "charging_rates";

/// Cost rates in cents per hour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rates {
    #[serde(default)]
    pub default_cents_per_hour: i64,
    /// Group id → cents per hour.
    #[serde(default)]
    pub groups: BTreeMap<String, i64>,
    /// Agent (user) id → cents per hour.
    #[serde(default)]
    pub agents: BTreeMap<String, i64>,
}

impl Rates {
    fn check(&self) -> Result<(), ValidationError> {
        let ok = |v: i64| (0..=100_000_000).contains(&v);
        let ids_ok = |m: &BTreeMap<String, i64>| {
            m.iter()
                .all(|(k, v)| k.parse::<i64>().is_ok_and(|i| i > 0) && ok(*v))
        };
        if !ok(self.default_cents_per_hour) || !ids_ok(&self.groups) || !ids_ok(&self.agents) {
            return Err(ValidationError::new(
                "rates",
                "rates are whole cents per hour from 0, keyed by positive ids",
            ));
        }
        Ok(())
    }

    /// The rate of a line: the agent's, else the group's, else the default.
    pub fn for_line(&self, agent: Option<i64>, group: Option<i64>) -> i64 {
        agent
            .and_then(|a| self.agents.get(&a.to_string()))
            .or_else(|| group.and_then(|g| self.groups.get(&g.to_string())))
            .copied()
            .unwrap_or(self.default_cents_per_hour)
    }
}

/// One invoicing line: an organisation, a group and an agent in the month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChargeLine {
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    pub organisation_code: Option<String>,
    pub group: Option<String>,
    pub agent: Option<String>,
    pub minutes: i64,
    pub cents_per_hour: i64,
    /// minutes × rate / 60, rounded to the cent.
    pub amount_cents: i64,
}

/// One organisation's month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChargeTotal {
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    pub minutes: i64,
    pub amount_cents: i64,
}

/// The month's charges.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Charges {
    /// `YYYY-MM`.
    pub month: String,
    pub lines: Vec<ChargeLine>,
    pub totals: Vec<ChargeTotal>,
}

/// The stored rates.
pub async fn rates(app: &App, caller: &Caller) -> DeskResult<Rates> {
    require(caller, Permission::ReportsRead)?;
    Ok(app
        .store
        .settings()
        .get(RATES_KEY)
        .await?
        .unwrap_or_default())
}

/// Saves the rates (`config.manage`).
pub async fn put_rates(app: &App, caller: &Caller, r: &Rates) -> DeskResult<Rates> {
    require(caller, Permission::ConfigManage)?;
    r.check()?;
    let audit = crate::desk::audit(app, caller, "reports.charging_rates");
    app.store.settings().put(RATES_KEY, r, &audit).await?;
    Ok(r.clone())
}

/// `YYYY-MM` → the first day of that month and of the next.
pub fn month_bounds(month: &str) -> Result<(Date, Date), ValidationError> {
    let bad = || ValidationError::new("month", "must be a month written YYYY-MM");
    let first: Date = format!("{}-01", month.trim()).parse().map_err(|_| bad())?;
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|_| bad())?;
    Ok((first, next))
}

fn amount(minutes: i64, cents_per_hour: i64) -> i64 {
    // Rounded half up, in whole cents.
    (minutes * cents_per_hour + 30) / 60
}

/// Time logged × rate per organisation in `month` (`reports.read`).
pub async fn charges(app: &App, caller: &Caller, month: &str) -> DeskResult<Charges> {
    require(caller, Permission::ReportsRead)?;
    let (first, next) = month_bounds(month)?;
    let tz = app.store.report_zone().clone();
    let at = |d: Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|_| ValidationError::new("month", "is out of range"))
    };
    let rates: Rates = app
        .store
        .settings()
        .get(RATES_KEY)
        .await?
        .unwrap_or_default();
    let rows: Vec<LoggedTime> = app
        .store
        .exports()
        .logged_time(at(first)?, at(next)?)
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut totals: Vec<ChargeTotal> = Vec::new();
    for r in rows {
        let rate = rates.for_line(r.agent_id, r.group_id);
        let line = ChargeLine {
            organisation_id: r.organisation_id,
            organisation: r.organisation,
            organisation_code: r.organisation_code,
            group: r.group_name,
            agent: r.agent,
            minutes: r.minutes,
            cents_per_hour: rate,
            amount_cents: amount(r.minutes, rate),
        };
        match totals.last_mut() {
            Some(t) if t.organisation_id == line.organisation_id => {
                t.minutes += line.minutes;
                t.amount_cents += line.amount_cents;
            }
            _ => totals.push(ChargeTotal {
                organisation_id: line.organisation_id,
                organisation: line.organisation.clone(),
                minutes: line.minutes,
                amount_cents: line.amount_cents,
            }),
        }
        lines.push(line);
    }
    Ok(Charges {
        month: first.strftime("%Y-%m").to_string(),
        lines,
        totals,
    })
}

/// The invoicing export: one line per organisation, group and agent, then the totals.
pub fn charges_csv(c: &Charges, opts: ventanilla_domain::report::CsvOptions) -> String {
    use ventanilla_domain::report::{BOM, csv_line};
    let money = |cents: i64| {
        let s = format!("{}.{:02}", cents / 100, (cents % 100).abs());
        if opts.separator == ';' {
            s.replace('.', ",")
        } else {
            s
        }
    };
    let mut out = String::from(BOM);
    out.push_str(&csv_line(
        &[
            "month",
            "organisation_code",
            "organisation",
            "group",
            "agent",
            "minutes",
            "hours",
            "rate_per_hour",
            "amount",
        ],
        opts,
    ));
    for l in &c.lines {
        out.push_str(&csv_line(
            &[
                c.month.clone(),
                l.organisation_code.clone().unwrap_or_default(),
                l.organisation.clone().unwrap_or_default(),
                l.group.clone().unwrap_or_default(),
                l.agent.clone().unwrap_or_default(),
                l.minutes.to_string(),
                super::csv::number(l.minutes as f64 / 60.0, opts),
                money(l.cents_per_hour),
                money(l.amount_cents),
            ],
            opts,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agents_rate_wins_then_the_groups_then_the_default() {
        let r = Rates {
            default_cents_per_hour: 3000,
            groups: [("2".to_owned(), 4500)].into(),
            agents: [("7".to_owned(), 6000)].into(),
        };
        assert_eq!(r.for_line(Some(7), Some(2)), 6000);
        assert_eq!(r.for_line(Some(8), Some(2)), 4500);
        assert_eq!(r.for_line(None, None), 3000);
        assert_eq!(amount(90, 4500), 6750);
        assert_eq!(amount(1, 100), 2, "1.67 cents round to 2");
        assert!(month_bounds("2026-13").is_err());
        assert_eq!(month_bounds("2026-12").unwrap().1.to_string(), "2027-01-01");
    }
}
