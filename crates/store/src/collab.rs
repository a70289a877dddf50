//! Collaboration on a ticket (issue 17): watchers (agents who follow it), CC requesters
//! (other people kept informed of its public replies), and what merging a duplicate moves
//! (its replies and notes copied, its attachments, watchers and requester moved).

use jiff::Timestamp;
use serde::Serialize;
use ventanilla_domain::{TicketId, UserId};

use crate::time::to_db;
use crate::{Result, Store};

/// A person on a ticket's watcher or CC list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Listed {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub user_id: UserId,
    pub name: String,
    pub email: String,
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Watchers,
    Cc,
}

impl List {
    fn table(self) -> &'static str {
        match self {
            List::Watchers => "ticket_watchers",
            List::Cc => "ticket_cc",
        }
    }
}

/// What a ticket page shows of agent work, read in one statement (the page's statement
/// budget is fixed): watchers, people in copy, the ticket it was merged into, those merged
/// into it (id, number), the minutes logged by person (`None`: the system) and kind of
/// entry, and the viewer's canned responses and the active macros to pick from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Panel {
    pub canned: Vec<crate::canned::Pick>,
    pub macros: Vec<crate::canned::Pick>,
    pub watchers: Vec<Listed>,
    pub cc: Vec<Listed>,
    pub merged_into: Option<(i64, String)>,
    pub merged_from: Vec<(i64, String)>,
    pub minutes: Vec<(Option<UserId>, String, i64)>,
}

pub struct Collab<'a>(&'a Store);

impl Store {
    pub fn collab(&self) -> Collab<'_> {
        Collab(self)
    }
}

impl Collab<'_> {
    /// The people on a ticket's list, by name.
    pub async fn list(&self, ticket: TicketId, list: List) -> Result<Vec<Listed>> {
        let sql = format!(
            "SELECT l.user_id, u.name, u.email FROM {} l JOIN users u ON u.id = l.user_id
             WHERE l.ticket_id = $1 ORDER BY u.name, u.id",
            list.table()
        );
        let rows: Vec<(i64, String, String)> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(ticket.get())
                .fetch_all(db)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(u, name, email)| Listed {
                user_id: UserId(u),
                name,
                email,
            })
            .collect())
    }

    /// A ticket's agent-work facts for its page, as `viewer` sees them (see [`Panel`]).
    pub async fn panel(&self, ticket: TicketId, viewer: UserId) -> Result<Panel> {
        let rows: Vec<(String, i64, String, String, i64)> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT 'w' AS k, l.user_id AS a, u.name AS b, u.email AS c, CAST(0 AS BIGINT) AS n
                 FROM ticket_watchers l JOIN users u ON u.id = l.user_id WHERE l.ticket_id = $1
                 UNION ALL
                 SELECT 'c', l.user_id, u.name, u.email, CAST(0 AS BIGINT)
                 FROM ticket_cc l JOIN users u ON u.id = l.user_id WHERE l.ticket_id = $1
                 UNION ALL
                 SELECT 'i', m.into_id, t.number, '', CAST(0 AS BIGINT)
                 FROM ticket_merges m JOIN tickets t ON t.id = m.into_id WHERE m.from_id = $1
                 UNION ALL
                 SELECT 'f', m.from_id, t.number, '', CAST(0 AS BIGINT)
                 FROM ticket_merges m JOIN tickets t ON t.id = m.from_id WHERE m.into_id = $1
                 UNION ALL
                 SELECT 't', COALESCE(e.actor_id, 0), e.kind, '', CAST(SUM(e.minutes) AS BIGINT)
                 FROM ticket_events e WHERE e.ticket_id = $1 AND e.minutes IS NOT NULL
                 GROUP BY e.actor_id, e.kind
                 UNION ALL
                 SELECT * FROM (SELECT 'p' AS k, id, title, language,
                     CAST(CASE WHEN owner_id IS NULL THEN 1 ELSE 0 END AS BIGINT)
                     FROM canned_responses WHERE owner_id = $2 OR owner_id IS NULL
                     ORDER BY title, id LIMIT 500) p
                 UNION ALL
                 SELECT * FROM (SELECT 'm' AS k, id, name, '', CAST(0 AS BIGINT) FROM macros
                     WHERE active = TRUE ORDER BY lower(name), id LIMIT 500) m
                 ORDER BY 1, 3, 2",
            )
            .bind(ticket.get())
            .bind(viewer.get())
            .fetch_all(db)
            .await?
        });
        let mut p = Panel::default();
        for (k, a, b, c, n) in rows {
            match k.as_str() {
                "w" | "c" => {
                    let l = Listed {
                        user_id: UserId(a),
                        name: b,
                        email: c,
                    };
                    if k == "w" {
                        p.watchers.push(l);
                    } else {
                        p.cc.push(l);
                    }
                }
                "p" | "m" => {
                    let pick = crate::canned::Pick {
                        id: a,
                        title: b,
                        language: (k == "p").then(|| c.parse()).transpose()?,
                        shared: n == 1 || k == "m",
                    };
                    if k == "p" {
                        p.canned.push(pick);
                    } else {
                        p.macros.push(pick);
                    }
                }
                "i" => p.merged_into = Some((a, b)),
                "f" => p.merged_from.push((a, b)),
                _ => p.minutes.push(((a != 0).then_some(UserId(a)), b, n)),
            }
        }
        Ok(p)
    }

    /// Adds someone to a list (again is nothing new); `false` when they were on it already.
    pub async fn add(
        &self,
        ticket: TicketId,
        list: List,
        user: UserId,
        now: Timestamp,
    ) -> Result<bool> {
        let sql = format!(
            "INSERT INTO {} (ticket_id, user_id, since) VALUES ($1, $2, $3)
             ON CONFLICT (ticket_id, user_id) DO NOTHING",
            list.table()
        );
        let n = on_writer!(self.0, |db| {
            sqlx::query(crate::sql::trusted(&sql))
                .bind(ticket.get())
                .bind(user.get())
                .bind(to_db(now))
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Removes someone from a list; `false` when they were not on it.
    pub async fn remove(&self, ticket: TicketId, list: List, user: UserId) -> Result<bool> {
        let sql = format!(
            "DELETE FROM {} WHERE ticket_id = $1 AND user_id = $2",
            list.table()
        );
        let n = on_writer!(self.0, |db| {
            sqlx::query(crate::sql::trusted(&sql))
                .bind(ticket.get())
                .bind(user.get())
                .execute(db)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Active staff (roles that work tickets) named by `handles`: a whole address, or an
    /// address's local part (`ana` for `ana@x.test`; every agent with that local part).
    pub async fn staff_by_handles(&self, handles: &[String]) -> Result<Vec<(UserId, String)>> {
        if handles.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = crate::sql::SqlBuilder::new(
            "SELECT u.id, u.email FROM users u JOIN roles r ON r.id = u.role_id
             WHERE u.active = TRUE AND (' ' || r.permissions || ' ') LIKE '% tickets.work %' AND (",
        );
        for (i, h) in handles.iter().enumerate() {
            if i > 0 {
                b.push(" OR ");
            }
            if h.contains('@') {
                b.push("u.email = ");
                b.bind(crate::sql::Param::Text(h.clone()));
            } else {
                let mut pattern = String::with_capacity(h.len() + 2);
                for c in h.chars() {
                    if matches!(c, '%' | '_' | '\\') {
                        pattern.push('\\');
                    }
                    pattern.push(c);
                }
                pattern.push_str("@%");
                b.push("u.email LIKE ");
                b.bind(crate::sql::Param::Text(pattern));
                b.push(" ESCAPE '\\'");
            }
        }
        b.push(") ORDER BY u.id LIMIT 50");
        let (sql, params) = b.finish();
        let rows: Vec<(i64, String)> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(crate::sql::trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        Ok(rows.into_iter().map(|(u, e)| (UserId(u), e)).collect())
    }

    /// The ticket a duplicate was merged into, if it was.
    pub async fn merged_into(&self, from: TicketId) -> Result<Option<TicketId>> {
        let id: Option<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar("SELECT into_id FROM ticket_merges WHERE from_id = $1")
                .bind(from.get())
                .fetch_optional(db)
                .await?
        });
        Ok(id.map(TicketId))
    }

    /// The duplicates merged into a ticket, oldest first.
    pub async fn merged_from(&self, into: TicketId) -> Result<Vec<TicketId>> {
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT from_id FROM ticket_merges WHERE into_id = $1 ORDER BY at, from_id",
            )
            .bind(into.get())
            .fetch_all(db)
            .await?
        });
        Ok(ids.into_iter().map(TicketId).collect())
    }

    /// Moves a duplicate's content into another ticket, in one transaction: its replies and
    /// notes are copied onto the other's timeline (each marked with the duplicate's number;
    /// the duplicate keeps its own), its attachments move, its watchers and CC list join
    /// the other's, its requester (if another person) is CC'd, and the merge is recorded.
    /// A duplicate merged before is refused (`Conflict`).
    pub async fn merge(
        &self,
        from: TicketId,
        into: TicketId,
        from_number: &str,
        actor: Option<UserId>,
        now: Timestamp,
    ) -> Result<()> {
        let at = to_db(now);
        let mark = serde_json::json!({ "merged_from": from_number }).to_string();
        in_transaction!(self.0, |tx| {
            sqlx::query("INSERT INTO ticket_merges (from_id, into_id, actor_id, at) VALUES ($1, $2, $3, $4)")
                .bind(from.get())
                .bind(into.get())
                .bind(actor.map(UserId::get))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, public, body, field,
                     old_value, new_value, minutes, code, data)
                 SELECT $2, at, actor_id, kind, public, body, NULL, NULL, NULL, NULL, NULL, $3
                 FROM ticket_events WHERE ticket_id = $1 AND kind IN ('reply', 'note')
                 ORDER BY id",
            )
            .bind(from.get())
            .bind(into.get())
            .bind(mark.as_str())
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE attachments SET ticket_id = $2 WHERE ticket_id = $1")
                .bind(from.get())
                .bind(into.get())
                .execute(&mut *tx)
                .await?;
            for table in ["ticket_watchers", "ticket_cc"] {
                let sql = format!(
                    "INSERT INTO {table} (ticket_id, user_id, since)
                     SELECT $2, user_id, $3 FROM {table} WHERE ticket_id = $1
                     ON CONFLICT (ticket_id, user_id) DO NOTHING"
                );
                sqlx::query(crate::sql::trusted(&sql))
                    .bind(from.get())
                    .bind(into.get())
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO ticket_cc (ticket_id, user_id, since)
                 SELECT $2, f.requester_id, $3 FROM tickets f, tickets i
                 WHERE f.id = $1 AND i.id = $2 AND f.requester_id <> i.requester_id
                 ON CONFLICT (ticket_id, user_id) DO NOTHING",
            )
            .bind(from.get())
            .bind(into.get())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}
