//! A small builder for SQL whose shape depends on filters: it numbers `$n` placeholders and
//! collects the values, so one text serves both databases and every value is bound.

#[derive(Debug, Clone)]
pub(crate) enum Param {
    I64(i64),
    OptI64(Option<i64>),
    Text(String),
    Bool(bool),
}

#[derive(Debug, Default)]
pub(crate) struct SqlBuilder {
    sql: String,
    params: Vec<Param>,
}

impl SqlBuilder {
    pub fn new(head: &str) -> Self {
        Self {
            sql: head.to_owned(),
            params: Vec::new(),
        }
    }

    /// Appends raw SQL (never user input).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends the next placeholder and records its value.
    pub fn bind(&mut self, p: Param) -> &mut Self {
        self.params.push(p);
        self.sql.push('$');
        self.sql.push_str(&self.params.len().to_string());
        self
    }

    pub fn finish(self) -> (String, Vec<Param>) {
        (self.sql, self.params)
    }
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern
/// (used with `ESCAPE '\'`), then wraps it for a substring match.
pub(crate) fn like_contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// `head` followed by `rows` groups of `cols` placeholders (and `extra` literals), in the
/// style `dialect::bulk_placeholders_numbered` names for the backend (multi-row INSERTs).
pub(crate) fn values(head: &str, cols: usize, rows: usize, extra: &str, numbered: bool) -> String {
    let mut sql = String::with_capacity(head.len() + rows * cols * 6);
    sql.push_str(head);
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            n += 1;
            if c > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push('$');
                sql.push_str(&n.to_string());
            } else {
                sql.push('?');
            }
        }
        sql.push_str(extra);
        sql.push(')');
    }
    sql
}

/// Marks SQL assembled in this crate as safe for sqlx. Every such text is built only from
/// constants and [`SqlBuilder`] placeholders; user input is always bound, never formatted in.
pub(crate) fn trusted(sql: &str) -> sqlx::AssertSqlSafe<&str> {
    sqlx::AssertSqlSafe(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_across_rows() {
        assert_eq!(
            values("V ", 2, 2, ", 1", true),
            "V ($1, $2, 1), ($3, $4, 1)"
        );
        assert_eq!(values("V ", 1, 1, "", true), "V ($1)");
        assert_eq!(values("V ", 2, 2, "", false), "V (?, ?), (?, ?)");
    }

    #[test]
    fn numbers_placeholders_in_order() {
        let mut b = SqlBuilder::new("SELECT 1 WHERE a = ");
        b.bind(Param::I64(1))
            .push(" AND b = ")
            .bind(Param::Bool(true));
        let (sql, params) = b.finish();
        assert_eq!(sql, "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(params.len(), 2);
    }

    #[test]
    fn like_escapes_wildcards() {
        assert_eq!(like_contains("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }
}
