//! The models read from rusqlite rows as sqlx reads them, and times as sqlx writes them in SQLite: for the reads on
//! every request's path (`sqlite/hot.rs`) and the rows the writer's quick batches return (`shared/trips.rs`).

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::Row;

use super::models::{Org, Team, User};

/// A time as sqlx binds it in SQLite, so that comparisons with the stored text agree.
pub(crate) fn sqlite_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// A team's `id, name, organization_id, operations_limit, transfer_limit`.
pub(crate) fn team(r: &Row) -> rusqlite::Result<Team> {
    Ok(Team {
        id: r.get(0)?,
        name: r.get(1)?,
        organization_id: r.get(2)?,
        operations_limit: r.get(3)?,
        transfer_limit: r.get(4)?,
    })
}

pub(crate) fn user(r: &Row, at: usize) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(at)?,
        email: r.get(at + 1)?,
        name: r.get(at + 2)?,
        language: r.get(at + 3)?,
        timezone_id: r.get(at + 4)?,
        country_id: r.get(at + 5)?,
        is_admin: r.get(at + 6)?,
        tfa_enabled: r.get(at + 7)?,
        created_at: time(r, at + 8)?,
    })
}

pub(crate) fn org(r: &Row) -> rusqlite::Result<Org> {
    Ok(Org {
        id: r.get(0)?,
        name: r.get(1)?,
        country_id: r.get(2)?,
        timezone_id: r.get(3)?,
        zone: r.get(4)?,
        plan: r.get(5)?,
        external_id: r.get(6)?,
        tfa_enforced: r.get(7)?,
        created_at: time(r, 8)?,
    })
}

/// A timestamp as sqlx writes it (RFC 3339), or as SQLite's own functions do (`YYYY-MM-DD HH:MM:SS[.f]`, UTC).
pub(crate) fn time(r: &Row, at: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = r.get(at)?;
    parse_time(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(at, rusqlite::types::Type::Text, format!("bad time {text:?}").into())
    })
}

pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%F %T%.f", "%FT%T%.f"].iter().find_map(|f| NaiveDateTime::parse_from_str(text, f).ok()).map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_sqlx_writes_them() {
        let t = DateTime::parse_from_rfc3339("2026-12-04T12:34:56.789+00:00").unwrap().with_timezone(&Utc);
        assert_eq!(parse_time(&sqlite_time(t)), Some(t));
        assert_eq!(sqlite_time(t), "2026-12-04T12:34:56.789+00:00");
        assert_eq!(parse_time("2026-12-04 12:34:56"), Some(t - chrono::Duration::milliseconds(789)));
    }
}
