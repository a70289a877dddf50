//! Instants are stored as UTC microseconds since the Unix epoch (BIGINT on PostgreSQL,
//! INTEGER on SQLite): one representation, exact, sortable and cheap to index on both.

use jiff::Timestamp;

use crate::StoreError;

pub(crate) fn to_db(ts: Timestamp) -> i64 {
    ts.as_microsecond()
}

pub(crate) fn from_db(us: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(us)
        .map_err(|e| StoreError::Corrupt(format!("instant {us} out of range: {e}")))
}

pub(crate) fn opt_from_db(us: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    us.map(from_db).transpose()
}
