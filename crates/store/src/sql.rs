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

/// Marks SQL assembled in this crate as safe for sqlx. Every such text is built only from
/// constants and [`SqlBuilder`] placeholders; user input is always bound, never formatted in.
pub(crate) fn trusted(sql: &str) -> sqlx::AssertSqlSafe<&str> {
    sqlx::AssertSqlSafe(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

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
