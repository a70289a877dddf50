//! Dispatch macros: the same SQL body, expanded once per backend with a concrete pool or
//! transaction type, so repositories are written once and checked by the compiler for both.

/// Binds `$db` to the pool that serves reads (SQLite's reader pool, or PostgreSQL's pool).
macro_rules! on_reader {
    ($store:expr, |$db:ident| $body:expr) => {
        match $store.backend() {
            $crate::Backend::Sqlite(s) => {
                let $db = &s.reader;
                $body
            }
            $crate::Backend::Postgres(p) => {
                let $db = p;
                $body
            }
        }
    };
}

/// Binds `$db` to the pool that serves single-statement writes.
macro_rules! on_writer {
    ($store:expr, |$db:ident| $body:expr) => {
        match $store.backend() {
            $crate::Backend::Sqlite(s) => {
                let $db = &s.writer;
                $body
            }
            $crate::Backend::Postgres(p) => {
                let $db = p;
                $body
            }
        }
    };
}

/// Runs `$body` in a write transaction bound to `$tx` (use `&mut *$tx` as the executor) and
/// commits it. An early return through `?` drops the transaction, which rolls it back.
/// On SQLite the transaction starts with `BEGIN IMMEDIATE`, so it takes the write lock at
/// once instead of failing with SQLITE_BUSY when it first writes.
macro_rules! in_transaction {
    ($store:expr, |$tx:ident| $body:expr) => {
        match $store.backend() {
            $crate::Backend::Sqlite(s) => {
                let mut $tx = s.writer.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::Backend::Postgres(p) => {
                let mut $tx = p.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

/// Binds every value of a `Vec<sql::Param>` to a query, in order.
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut q = $query;
        for p in $params {
            q = match p {
                $crate::sql::Param::I64(v) => q.bind(v),
                $crate::sql::Param::OptI64(v) => q.bind(v),
                $crate::sql::Param::Text(v) => q.bind(v),
                $crate::sql::Param::Bool(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Writes an audit entry on `$exec` (a transaction), so an administrative change and its
/// audit record commit or roll back together.
macro_rules! insert_audit {
    ($exec:expr, $entry:expr, $target_id:expr) => {{
        let e: &$crate::audit::NewAudit = $entry;
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, ip, detail,
                before_state, after_state)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($crate::time::to_db(e.at))
        .bind(e.actor.map(ventanilla_domain::UserId::get))
        .bind(e.action.as_str())
        .bind(e.target_type)
        .bind($target_id)
        .bind(e.ip.as_deref())
        .bind(e.detail.to_string())
        .bind(e.before_state())
        .bind(e.after_state())
        .execute($exec)
        .await?;
    }};
}
