//! Keeping the search index in step: the terms of a ticket are recomputed from its stored
//! text (subject, description, resolution, number, requester's address, and the words of
//! every timeline entry, public or internal) inside the transaction of each write that can
//! change them, and a rebuild walks every ticket and article in short batches.

use ventanilla_domain::search::{Terms, index_terms};

/// A ticket's terms: subject, public text, internal text.
#[derive(Debug, Clone)]
pub(crate) struct TicketDoc {
    pub id: i64,
    pub subj: Terms,
    pub public: Terms,
    pub internal: Terms,
}

#[derive(sqlx::FromRow)]
pub(crate) struct TicketTextRow {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub description: String,
    pub resolution: Option<String>,
    pub email: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EntryTextRow {
    pub ticket_id: i64,
    pub public: bool,
    pub body: String,
}

/// The terms of each ticket, from its row and its timeline's words.
pub(crate) fn ticket_docs(rows: Vec<TicketTextRow>, entries: Vec<EntryTextRow>) -> Vec<TicketDoc> {
    let mut docs: Vec<(TicketDoc, String, String)> = rows
        .into_iter()
        .map(|r| {
            let mut public = format!("{}\n{}\n{}\n", r.number, r.email, r.description);
            if let Some(res) = &r.resolution {
                public.push_str(res);
                public.push('\n');
            }
            let doc = TicketDoc {
                id: r.id,
                subj: index_terms(&r.subject),
                public: Terms::default(),
                internal: Terms::default(),
            };
            (doc, public, String::new())
        })
        .collect();
    docs.sort_by_key(|(d, _, _)| d.id);
    for e in entries {
        if let Ok(i) = docs.binary_search_by_key(&e.ticket_id, |(d, _, _)| d.id) {
            let (_, public, internal) = &mut docs[i];
            let target = if e.public { public } else { internal };
            target.push_str(&e.body);
            target.push('\n');
        }
    }
    docs.into_iter()
        .map(|(mut d, public, internal)| {
            d.public = index_terms(&public);
            d.internal = index_terms(&internal);
            d
        })
        .collect()
}

/// `(p, p, …)`: an IN list of `n` placeholders in the backend's bulk style.
pub(crate) fn in_list(n: usize, numbered: bool) -> String {
    let mut s = String::with_capacity(n * 4 + 2);
    s.push('(');
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        if numbered {
            s.push('$');
            s.push_str(&(i + 1).to_string());
        } else {
            s.push('?');
        }
    }
    s.push(')');
    s
}

/// Recomputes and writes the index rows of the tickets `$ids` on a transaction. `$fresh`:
/// the tickets were just created, so there is no old row to replace.
macro_rules! reindex_tickets {
    ($tx:expr, $kind:expr, $ids:expr, $fresh:expr) => {{
        let ids: &[i64] = $ids;
        let kind: $crate::BackendKind = $kind;
        if !ids.is_empty() {
            let numbered = $crate::dialect::bulk_placeholders_numbered(kind);
            let list = $crate::search::index::in_list(ids.len(), numbered);
            let sql = format!(
                "SELECT t.id, t.number, t.subject, t.description, t.resolution, u.email
                 FROM tickets t JOIN users u ON u.id = t.requester_id WHERE t.id IN {list}{}",
                if $fresh {
                    ""
                } else {
                    $crate::dialect::reindex_lock(kind)
                }
            );
            let mut q = sqlx::query_as(crate::sql::trusted(&sql));
            for id in ids {
                q = q.bind(*id);
            }
            let rows: Vec<$crate::search::index::TicketTextRow> = q.fetch_all(&mut *$tx).await?;
            let sql = format!(
                "SELECT ticket_id, public, body FROM ticket_events
                 WHERE ticket_id IN {list} AND body IS NOT NULL ORDER BY id"
            );
            let mut q = sqlx::query_as(crate::sql::trusted(&sql));
            for id in ids {
                q = q.bind(*id);
            }
            let entries: Vec<$crate::search::index::EntryTextRow> = q.fetch_all(&mut *$tx).await?;
            let docs = $crate::search::index::ticket_docs(rows, entries);
            $crate::search::index::write_ticket_docs!($tx, kind, &docs, $fresh);
        }
    }};
}
pub(crate) use reindex_tickets;

/// Writes index rows (replacing any) on a transaction.
macro_rules! write_ticket_docs {
    ($tx:expr, $kind:expr, $docs:expr, $fresh:expr) => {{
        let docs: &[$crate::search::index::TicketDoc] = $docs;
        let kind: $crate::BackendKind = $kind;
        let numbered = $crate::dialect::bulk_placeholders_numbered(kind);
        for chunk in docs.chunks(200) {
            if let (false, Some(del)) = ($fresh, $crate::dialect::ticket_index_delete(kind)) {
                let sql = format!(
                    "{del}{}",
                    $crate::search::index::in_list(chunk.len(), numbered)
                );
                let mut q = sqlx::query(crate::sql::trusted(&sql));
                for d in chunk {
                    q = q.bind(d.id);
                }
                q.execute(&mut *$tx).await?;
            }
            let (head, tail) = $crate::dialect::ticket_index_insert(kind);
            let sql = format!(
                "{}{tail}",
                crate::sql::values(head, 4, chunk.len(), "", numbered)
            );
            let mut q = sqlx::query(crate::sql::trusted(&sql));
            for d in chunk {
                q = q
                    .bind(d.id)
                    .bind(d.subj.as_str().to_owned())
                    .bind(d.public.as_str().to_owned())
                    .bind(d.internal.as_str().to_owned());
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use write_ticket_docs;

/// Writes an article's index row (replacing any) on a transaction.
macro_rules! index_article {
    ($tx:expr, $kind:expr, $id:expr, $fields:expr) => {{
        let kind: $crate::BackendKind = $kind;
        let fields: &ventanilla_domain::kb::ArticleFields = $fields;
        let (title, body) = fields.search_terms();
        if let Some(del) = $crate::dialect::article_index_delete(kind) {
            sqlx::query(del).bind($id).execute(&mut *$tx).await?;
        }
        sqlx::query($crate::dialect::article_index_insert(kind))
            .bind($id)
            .bind(title.as_str().to_owned())
            .bind(body.as_str().to_owned())
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use index_article;
