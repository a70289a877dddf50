//! Capped counts of ticket lists: a queue shows "1000+" rather than recounting a large
//! table, and the console's tabs get all their counts from one statement. Each count runs
//! the list's own scope and filter (so a count never includes a ticket the caller could not
//! list) and stops reading after `cap + 1` rows.

use super::Tickets;
use super::read::{
    TicketFilter, TicketScope, push_checked_on_each, push_filter, push_filter_as, push_scope,
};
use crate::Result;
use crate::sql::{Param, SqlBuilder, trusted};

/// Appends one capped count: `SELECT count(*) FROM (SELECT 1 … LIMIT cap) capped`.
///
/// A scope that is an OR (my groups, or assigned to me, or mine; my organisation or mine)
/// is counted as a union of its arms, each read on its own index and capped: one statement
/// with the OR read every open ticket of the desk to count a supervisor's empty "my groups"
/// tab (0.3 s at 1 M tickets). Each arm capped at `cap` keeps the count exact below the cap
/// and at the cap above it.
///
/// The arms read by id (a group's followed tickets) or by one person (the requester's own)
/// are few: their filter's columns are demoted (`dialect::list_demote`), as the list does,
/// so the planner reads those tickets and checks each, rather than walking every open ticket of the desk by the
/// status index and probing the short list (6 ms for an empty "following" tab at 1 M).
fn push_capped(
    b: &mut SqlBuilder,
    kind: crate::BackendKind,
    scope: &TicketScope,
    f: &TicketFilter,
    cap: u32,
) {
    const FOLLOWED: &str = " AND t.id IN (SELECT f.ticket_id FROM ticket_followers f JOIN group_members m ON m.group_id = f.group_id WHERE f.open = TRUE AND m.user_id = ";
    // (condition, id, read by id or by one person)
    let mut arms: Vec<(&str, i64, bool)> = match scope {
        TicketScope::Groups(u) if f.followed_by == Some(*u) => {
            // The tickets my groups follow are in my scope by that arm alone: the others,
            // narrowed to followed tickets, add nothing.
            vec![(FOLLOWED, u.get(), true)]
        }
        TicketScope::Groups(u) => vec![
            (
                " AND t.group_id IN (SELECT group_id FROM group_members WHERE user_id = ",
                u.get(),
                false,
            ),
            (FOLLOWED, u.get(), true),
            (" AND t.assignee_id = ", u.get(), false),
            (" AND t.requester_id = ", u.get(), true),
        ],
        TicketScope::Organisation(u, o) => vec![
            (" AND t.organisation_id = ", o.get(), false),
            (" AND t.requester_id = ", u.get(), true),
        ],
        TicketScope::Own(_) | TicketScope::All => Vec::new(),
    };
    if f.without_followed {
        arms.retain(|(cond, _, _)| !cond.contains("ticket_followers"));
    }
    if arms.is_empty() {
        b.push("SELECT count(*) FROM (SELECT 1 FROM tickets t WHERE 1 = 1");
        push_scope(b, scope);
        push_filter(b, kind, f);
        b.push(" LIMIT ").bind(Param::I64(i64::from(cap)));
        b.push(") capped");
        return;
    }
    b.push("SELECT count(*) FROM (");
    let demote = crate::dialect::list_demote(kind);
    for (i, (cond, id, few)) in arms.iter().enumerate() {
        if i > 0 {
            b.push(" UNION ");
        }
        b.push("SELECT id FROM (SELECT t.id FROM tickets t WHERE 1 = 1");
        b.push(cond).bind(Param::I64(*id));
        if cond.ends_with("user_id = ") {
            b.push(")");
        }
        if *few {
            let rest = push_checked_on_each(b, demote, f);
            push_filter_as(b, kind, &rest, [demote; 4]);
        } else {
            push_filter(b, kind, f);
        }
        b.push(" LIMIT ").bind(Param::I64(i64::from(cap)));
        b.push(&format!(") a{i}"));
    }
    b.push(" LIMIT ").bind(Param::I64(i64::from(cap)));
    b.push(") capped");
}

/// The statement of one capped count and its values (also explained by the plan test).
pub(super) fn capped_query(
    kind: crate::BackendKind,
    scope: &TicketScope,
    f: &TicketFilter,
    cap: u32,
) -> (String, Vec<crate::sql::Param>) {
    let mut b = SqlBuilder::new("");
    push_capped(&mut b, kind, scope, f, cap);
    b.finish()
}

impl Tickets<'_> {
    /// How many tickets in `scope` match `f`, counting at most `cap` of them.
    pub async fn count_capped(
        &self,
        scope: &TicketScope,
        f: &TicketFilter,
        cap: u32,
    ) -> Result<i64> {
        let (sql, params) = capped_query(self.0.kind(), scope, f, cap);
        let n: i64 = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_scalar(trusted(&sql)), params)
                .fetch_one(db)
                .await?
        });
        Ok(n)
    }

    /// Several capped counts in one statement (a `UNION ALL` of capped subqueries, each
    /// tagged with its position), in the order of `lists`. Each count reads at most `cap`
    /// rows through the indexes its filter uses, so the cost does not grow with the table.
    pub async fn count_capped_each(
        &self,
        lists: &[(TicketScope, TicketFilter)],
        cap: u32,
    ) -> Result<Vec<i64>> {
        if lists.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = SqlBuilder::new("");
        for (i, (scope, f)) in lists.iter().enumerate() {
            if i > 0 {
                b.push(" UNION ALL ");
            }
            // The tag is cast so both databases return the same integer type.
            b.push(&format!("SELECT CAST({i} AS BIGINT) AS k, ("));
            push_capped(&mut b, self.0.kind(), scope, f, cap);
            b.push(") AS n");
        }
        let (sql, params) = b.finish();
        let rows: Vec<(i64, i64)> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        let mut out = vec![0; lists.len()];
        for (k, n) in rows {
            if let Some(slot) = usize::try_from(k).ok().and_then(|k| out.get_mut(k)) {
                *slot = n;
            }
        }
        Ok(out)
    }
}
