//! `/reports/charging`: a month's charges per organisation (seed 003, financial management;
//! issue 14 item 6) with the invoicing CSV, and the cost rates — the default, per group and
//! per agent — which those who change the desk's configuration edit here. Amounts are typed
//! and shown in the desk's currency with two decimals; they are kept in cents.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::Permission;
use ventanilla_domain::directory::PageRequest;
use ventanilla_store::groups::GroupFilter;

use crate::AppState;
use crate::desk::DeskError;
use crate::desk::reports::charging::{Charges, Rates, charges, put_rates, rates};
use crate::extract::Query;
use crate::web::kit::ctx::Ctx;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::{CsrfForm, FieldErrors};
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::{Viewer, render, render_as};

/// Groups and agents offered a rate of their own.
const MAX_ROWS: u32 = 500;

#[derive(Debug, Default, Deserialize)]
pub struct MonthForm {
    #[serde(default)]
    pub month: String,
}

/// One rate line of the form: who, and the amount as typed (empty: inherits).
pub struct RateRow {
    pub field: String,
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "reports/charging.html")]
struct ChargingPage {
    c: Ctx,
    month: String,
    charges: Option<Charges>,
    csv: String,
    can_edit: bool,
    default_rate: String,
    groups: Vec<RateRow>,
    agents: Vec<RateRow>,
    errors: FieldErrors,
    /// The month's own trouble, apart from the rates form's.
    month_error: String,
}

/// Cents as the reader writes money: `1234.50` or `1234,50`. (By reference: templates
/// pass their values so.)
pub fn money(lang: &Lang, cents: &i64) -> String {
    let (lang, cents) = (*lang, *cents);
    let s = format!("{}.{:02}", cents / 100, (cents % 100).abs());
    if lang.decimal_comma() {
        s.replace('.', ",")
    } else {
        s
    }
}

/// Minutes as hours with two decimals in the reader's style.
pub fn hours(lang: &Lang, minutes: &i64) -> String {
    let s = format!("{:.2}", *minutes as f64 / 60.0);
    if lang.decimal_comma() {
        s.replace('.', ",")
    } else {
        s
    }
}

/// An amount typed by a person (`45`, `45.5`, `45,50`) in cents; `None` when it is not
/// one, or has more than two decimals, or is out of range.
pub fn parse_money(text: &str) -> Option<i64> {
    let t = text.trim().replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 7
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(whole * 100 + frac)
}

/// The month shown: the one asked for, else the current one in the desk's zone.
fn month_of(state: &AppState, asked: &str) -> String {
    let asked = asked.trim();
    if asked.is_empty() {
        let tz = state.store.report_zone().clone();
        state.now().to_zoned(tz).strftime("%Y-%m").to_string()
    } else {
        asked.to_owned()
    }
}

/// The rate form's rows: every active group and every agent, with their own rate if set.
async fn rate_rows(
    state: &AppState,
    lang: Lang,
    r: &Rates,
    typed: Option<&BTreeMap<String, String>>,
) -> WebResult<(String, Vec<RateRow>, Vec<RateRow>)> {
    let value = |field: &str, stored: Option<&i64>| match typed {
        Some(t) => t.get(field).cloned().unwrap_or_default(),
        None => stored.map(|c| money(&lang, c)).unwrap_or_default(),
    };
    let groups = state
        .store
        .groups()
        .list(
            &GroupFilter {
                active: Some(true),
                ..GroupFilter::default()
            },
            PageRequest {
                after: None,
                limit: MAX_ROWS,
            },
        )
        .await
        .map_err(DeskError::from)?
        .items
        .into_iter()
        .map(|(g, _)| {
            let id = g.id.get().to_string();
            let field = format!("group-{id}");
            RateRow {
                value: value(&field, r.groups.get(&id)),
                field,
                label: g.name,
            }
        })
        .collect();
    let agents = state
        .store
        .users()
        .active_with_permission(Permission::TicketsWork.name(), i64::from(MAX_ROWS))
        .await
        .map_err(DeskError::from)?
        .into_iter()
        .map(|u| {
            let id = u.id.get().to_string();
            let field = format!("agent-{id}");
            RateRow {
                value: value(&field, r.agents.get(&id)),
                field,
                label: u.name,
            }
        })
        .collect();
    Ok((
        value("default", Some(&r.default_cents_per_hour)),
        groups,
        agents,
    ))
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    month: String,
    typed: Option<BTreeMap<String, String>>,
    errors: FieldErrors,
) -> WebResult<Response> {
    let caller = viewer.auth.caller();
    let stored = rates(state, &caller).await?;
    // A month that is not one is said beside the month field, not as an error page.
    let mut month_error = String::new();
    let found = match charges(state, &caller, &month).await {
        Ok(c) => Some(c),
        Err(DeskError::Invalid(_)) => {
            month_error = viewer.lang.t("charging-err-month");
            None
        }
        Err(e) => return Err(e.into()),
    };
    let can_edit = caller.can(Permission::ConfigManage);
    let (default_rate, groups, agents) =
        rate_rows(state, viewer.lang, &stored, typed.as_ref()).await?;
    let status = if errors.is_empty() && month_error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = ChargingPage {
        c: viewer.ctx("charging-title"),
        csv: format!("/api/v1/reports/charging.csv?month={}", urlencoding(&month)),
        month,
        charges: found,
        can_edit,
        default_rate,
        groups,
        agents,
        errors,
        month_error,
    };
    if status == StatusCode::OK {
        render(&p)
    } else {
        render_as(&p, status)
    }
}

/// Only the characters of `YYYY-MM` pass into the link as they are.
fn urlencoding(month: &str) -> String {
    month
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect()
}

/// The month's charges and the rates.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<MonthForm>,
) -> WebResult<Response> {
    let month = month_of(&state, &q.month);
    page(&state, &viewer, month, None, FieldErrors::default()).await
}

/// Saves the rates (`config.manage`); a field that is not an amount comes back beside it.
pub async fn save_rates(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed: BTreeMap<String, String> = form.into_iter().collect();
    let mut errors = FieldErrors::default();
    let mut r = Rates::default();
    for (field, text) in &typed {
        let (kind, id) = match field.split_once('-') {
            Some((k @ ("group" | "agent"), id)) if id.parse::<i64>().is_ok_and(|i| i > 0) => {
                (k, id)
            }
            _ if field == "default" => ("default", ""),
            _ => continue,
        };
        if text.trim().is_empty() {
            if kind == "default" {
                errors.add(field, viewer.lang.t("charging-err-required"));
            }
            continue;
        }
        let Some(cents) = parse_money(text) else {
            errors.add(field, viewer.lang.t("charging-err-rate"));
            continue;
        };
        match kind {
            "group" => {
                r.groups.insert(id.to_owned(), cents);
            }
            "agent" => {
                r.agents.insert(id.to_owned(), cents);
            }
            _ => r.default_cents_per_hour = cents,
        }
    }
    let month = month_of(&state, typed.get("month").map_or("", String::as_str));
    if errors.is_empty() {
        match put_rates(&state, &viewer.auth.caller(), &r).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/reports/charging?month={}&flash=charging-saved",
                    urlencoding(&month)
                ))
                .into_response());
            }
            Err(DeskError::Invalid(_)) => errors.add("default", viewer.lang.t("charging-err-rate")),
            Err(e) => return Err(e.into()),
        }
    }
    page(&state, &viewer, month, Some(typed), errors).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(parse_money("45"), Some(4500));
        assert_eq!(parse_money("45,5"), Some(4550));
        assert_eq!(parse_money(" 45.05 "), Some(4505));
        assert_eq!(parse_money(",5"), Some(50));
        assert_eq!(parse_money("0"), Some(0));
        for bad in ["", ".", "4,555", "-3", "1e3", "45 €", "12345678", "4.5.6"] {
            assert_eq!(parse_money(bad), None, "{bad:?}");
        }
        let es = Lang(ventanilla_domain::Language::Es);
        let en = Lang(ventanilla_domain::Language::En);
        assert_eq!(money(&es, &4505), "45,05");
        assert_eq!(money(&en, &4505), "45.05");
        assert_eq!(hours(&es, &90), "1,50");
    }
}
