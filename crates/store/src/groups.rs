//! Support groups (L1/L2/L3 tiers) and their members.

use ventanilla_domain::directory::{
    GroupMember, GroupPatch, NewGroup, Page, PageRequest, SupportGroup,
};
use ventanilla_domain::{Email, GroupId, Text, UserId};

use crate::audit::NewAudit;
use crate::sql::{Param, SqlBuilder, like_contains};
use crate::time::{from_db, to_db};
use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    name: String,
    tier: String,
    description: Option<String>,
    email: Option<String>,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<GroupRow> for SupportGroup {
    type Error = StoreError;
    fn try_from(r: GroupRow) -> Result<Self> {
        Ok(SupportGroup {
            id: GroupId(r.id),
            name: r.name,
            tier: r.tier.parse()?,
            description: r.description,
            email: r.email,
            active: r.active,
            created_at: from_db(r.created_at)?,
            updated_at: from_db(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    group_id: i64,
    user_id: i64,
    name: String,
    email: String,
    supervisor: bool,
}

impl TryFrom<MemberRow> for GroupMember {
    type Error = StoreError;
    fn try_from(r: MemberRow) -> Result<Self> {
        Ok(GroupMember {
            user_id: UserId(r.user_id),
            name: r.name,
            email: Email::parse(&r.email)?,
            supervisor: r.supervisor,
        })
    }
}

const GROUP_COLUMNS: &str = "id, name, tier, description, email, active, created_at, updated_at";
const MEMBER_SELECT: &str = "SELECT m.group_id, m.user_id, u.name, u.email, m.supervisor
    FROM group_members m JOIN users u ON u.id = m.user_id";

#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub q: Option<String>,
    pub tier: Option<ventanilla_domain::Tier>,
    pub active: Option<bool>,
    /// Only groups this user belongs to.
    pub member: Option<UserId>,
}

pub struct Groups<'a>(&'a Store);

impl Store {
    pub fn groups(&self) -> Groups<'_> {
        Groups(self)
    }
}

impl Groups<'_> {
    pub async fn create(&self, new: &NewGroup, audit: &NewAudit) -> Result<SupportGroup> {
        let now = audit.at;
        let sql = format!(
            "INSERT INTO support_groups (name, tier, description, email, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING {GROUP_COLUMNS}"
        );
        let row: GroupRow = in_transaction!(self.0, |tx| {
            let row: GroupRow = sqlx::query_as(crate::sql::trusted(&sql))
                .bind(new.name.as_str())
                .bind(new.tier.code())
                .bind(new.description.as_ref().map(Text::as_str))
                .bind(new.email.as_ref().map(Email::as_str))
                .bind(to_db(now))
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit, Some(row.id));
            row
        });
        row.try_into()
    }

    pub async fn get(&self, id: GroupId) -> Result<SupportGroup> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM support_groups WHERE id = $1");
        let row: GroupRow = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id.get())
                .fetch_one(db)
                .await?
        });
        row.try_into()
    }

    /// Lists groups with their members: two queries whatever the page size.
    pub async fn list(
        &self,
        f: &GroupFilter,
        page: PageRequest,
    ) -> Result<Page<(SupportGroup, Vec<GroupMember>)>> {
        let mut b = SqlBuilder::new(&format!(
            "SELECT {GROUP_COLUMNS} FROM support_groups WHERE id > "
        ));
        b.bind(Param::I64(page.after.unwrap_or(0)));
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            b.push(" AND lower(name) LIKE ")
                .bind(Param::Text(like_contains(q)))
                .push(" ESCAPE '\\'");
        }
        if let Some(t) = f.tier {
            b.push(" AND tier = ").bind(Param::Text(t.code().into()));
        }
        if let Some(a) = f.active {
            b.push(" AND active = ").bind(Param::Bool(a));
        }
        if let Some(u) = f.member {
            b.push(" AND id IN (SELECT group_id FROM group_members WHERE user_id = ")
                .bind(Param::I64(u.get()))
                .push(")");
        }
        b.push(" ORDER BY id LIMIT ")
            .bind(Param::I64(i64::from(page.limit) + 1));
        let (sql, params) = b.finish();
        let rows: Vec<GroupRow> = on_reader!(self.0, |db| {
            bind_params!(sqlx::query_as(crate::sql::trusted(&sql)), params)
                .fetch_all(db)
                .await?
        });
        let groups = rows
            .into_iter()
            .map(SupportGroup::try_from)
            .collect::<Result<Vec<_>>>()?;
        let page = Page::from_rows(groups, page.limit, |g| g.id.get());
        let (Some(first), Some(last)) = (page.items.first(), page.items.last()) else {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        // Members of every group on the page in one range query, grouped in memory.
        let sql = format!(
            "{MEMBER_SELECT} WHERE m.group_id BETWEEN $1 AND $2 ORDER BY m.group_id, u.name"
        );
        let members: Vec<MemberRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(first.id.get())
                .bind(last.id.get())
                .fetch_all(db)
                .await?
        });
        let mut by_group: std::collections::HashMap<i64, Vec<GroupMember>> = Default::default();
        for m in members {
            let gid = m.group_id;
            by_group.entry(gid).or_default().push(m.try_into()?);
        }
        Ok(Page {
            next: page.next,
            items: page
                .items
                .into_iter()
                .map(|g| {
                    let members = by_group.remove(&g.id.get()).unwrap_or_default();
                    (g, members)
                })
                .collect(),
        })
    }

    pub async fn members(&self, id: GroupId) -> Result<Vec<GroupMember>> {
        let sql = format!("{MEMBER_SELECT} WHERE m.group_id = $1 ORDER BY u.name");
        let rows: Vec<MemberRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(id.get())
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(GroupMember::try_from).collect()
    }

    /// The members of the group a ticket is in now (none when it has no group): read before
    /// a change to know whom it may have to tell.
    pub async fn members_of_ticket(
        &self,
        ticket: ventanilla_domain::TicketId,
    ) -> Result<Vec<GroupMember>> {
        let sql = format!(
            "{MEMBER_SELECT} WHERE m.group_id = (SELECT group_id FROM tickets WHERE id = $1) ORDER BY u.name"
        );
        let rows: Vec<MemberRow> = on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(ticket.get())
                .fetch_all(db)
                .await?
        });
        rows.into_iter().map(GroupMember::try_from).collect()
    }

    /// The ids of the groups a user belongs to (an agent's `group` data scope).
    pub async fn ids_of_member(&self, user: UserId) -> Result<Vec<GroupId>> {
        let ids: Vec<i64> = on_reader!(self.0, |db| {
            sqlx::query_scalar(
                "SELECT group_id FROM group_members WHERE user_id = $1 ORDER BY group_id",
            )
            .bind(user.get())
            .fetch_all(db)
            .await?
        });
        Ok(ids.into_iter().map(GroupId).collect())
    }

    pub async fn update(
        &self,
        id: GroupId,
        p: &GroupPatch,
        audit: &NewAudit,
    ) -> Result<(SupportGroup, SupportGroup)> {
        let now = audit.at;
        let select = format!("SELECT {GROUP_COLUMNS} FROM support_groups WHERE id = $1");
        let update = format!(
            "UPDATE support_groups SET name = $2, tier = $3, description = $4, email = $5,
                active = $6, updated_at = $7 WHERE id = $1 RETURNING {GROUP_COLUMNS}"
        );
        let (before, after): (GroupRow, GroupRow) = in_transaction!(self.0, |tx| {
            let before: GroupRow = sqlx::query_as(crate::sql::trusted(&select))
                .bind(id.get())
                .fetch_one(&mut *tx)
                .await?;
            let description = match &p.description {
                Some(d) => d.as_ref().map(|t| t.to_string()),
                None => before.description.clone(),
            };
            let email = match &p.email {
                Some(e) => e.as_ref().map(|e| e.to_string()),
                None => before.email.clone(),
            };
            let after: GroupRow = sqlx::query_as(crate::sql::trusted(&update))
                .bind(id.get())
                .bind(
                    p.name
                        .as_ref()
                        .map_or(before.name.clone(), |n| n.to_string()),
                )
                .bind(p.tier.map_or(before.tier.clone(), |t| t.code().to_owned()))
                .bind(description)
                .bind(email)
                .bind(p.active.unwrap_or(before.active))
                .bind(to_db(now))
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit, Some(id.get()));
            (before, after)
        });
        Ok((before.try_into()?, after.try_into()?))
    }

    /// Adds a member, or updates the supervisor flag of an existing one.
    pub async fn put_member(
        &self,
        group: GroupId,
        user: UserId,
        supervisor: bool,
        audit: &NewAudit,
    ) -> Result<()> {
        in_transaction!(self.0, |tx| {
            sqlx::query(
                "INSERT INTO group_members (group_id, user_id, supervisor, added_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (group_id, user_id) DO UPDATE SET supervisor = excluded.supervisor",
            )
            .bind(group.get())
            .bind(user.get())
            .bind(supervisor)
            .bind(to_db(audit.at))
            .execute(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, audit, Some(group.get()));
        });
        Ok(())
    }

    pub async fn remove_member(
        &self,
        group: GroupId,
        user: UserId,
        audit: &NewAudit,
    ) -> Result<()> {
        in_transaction!(self.0, |tx| {
            let done =
                sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
                    .bind(group.get())
                    .bind(user.get())
                    .execute(&mut *tx)
                    .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            insert_audit!(&mut *tx, audit, Some(group.get()));
        });
        Ok(())
    }
}
