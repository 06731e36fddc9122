//! Values bound to a statement whose text is built or chosen at run time, in placeholder order: the audit log's
//! filtered pages (`audit.rs`) and the writes SQLite's writer runs on its connection's own thread
//! (`sqlite/quick.rs`). Each driver binds them its own way: sqlx as the types it binds elsewhere
//! (`shared/trips.rs`), rusqlite here, as sqlx stores them in SQLite, so that either driver reads back what the
//! other wrote.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(i64),
    /// An integer or null.
    OptInt(Option<i64>),
    Text(String),
    /// An audit entry's uuid (32 hex digits), bound as [`super::compact::EntryId`].
    Uuid(String),
    /// A JSON document (`jsonb` in PostgreSQL, its text in SQLite).
    Json(Value),
    /// A time (`timestamptz` in PostgreSQL, RFC 3339 text in SQLite).
    Time(DateTime<Utc>),
    /// A time stored as [`super::compact::Created`] (epoch milliseconds in SQLite).
    Created(DateTime<Utc>),
}

/// Binds `args` to `stmt` as sqlx would on SQLite. The text numbers its parameters `$1, $2, …` (as both backends'
/// statements are written): SQLite takes `$9` for a name and numbers names in order of first use, so each is
/// bound by the number in its name.
pub(crate) fn bind_raw(stmt: &mut rusqlite::Statement<'_>, args: &[Arg]) -> rusqlite::Result<()> {
    use rusqlite::types::{ToSqlOutput, Value as Raw};
    for index in 1..=stmt.parameter_count() {
        let name = stmt.parameter_name(index).unwrap_or_default();
        let arg = name
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| args.get(n.wrapping_sub(1)))
            .ok_or_else(|| rusqlite::Error::InvalidParameterName(name.to_owned()))?;
        let value = match arg {
            Arg::Int(i) => Raw::Integer(*i),
            Arg::OptInt(i) => i.map_or(Raw::Null, Raw::Integer),
            Arg::Text(s) => Raw::Text(s.clone()),
            Arg::Uuid(s) => {
                let id = uuid::Uuid::try_parse(s).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
                Raw::Blob(id.as_bytes().to_vec())
            }
            Arg::Json(v) => Raw::Text(v.to_string()),
            Arg::Time(t) => Raw::Text(super::rows::sqlite_time(*t)),
            Arg::Created(t) => Raw::Integer(t.timestamp_millis()),
        };
        stmt.raw_bind_parameter(index, ToSqlOutput::Owned(value))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_bound_by_the_number_in_their_name() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut st = conn.prepare("select $3, $1, $2, $3").unwrap();
        bind_raw(&mut st, &[Arg::Int(1), Arg::OptInt(None), Arg::Text("three".into())]).unwrap();
        let mut rows = st.raw_query();
        let r = rows.next().unwrap().unwrap();
        let row: (String, i64, Option<i64>, String) =
            (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap(), r.get(3).unwrap());
        assert_eq!(row, ("three".into(), 1, None, "three".into()));
        let mut short = conn.prepare("select $2").unwrap();
        assert!(bind_raw(&mut short, &[Arg::Int(1)]).is_err());
    }
}
