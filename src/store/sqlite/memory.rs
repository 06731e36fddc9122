//! A database in this process's memory (`sqlite::memory:`, what `orgd sandbox` runs on): nothing on disk. SQLite's
//! `memdb` VFS shares a database whose name starts with `/` among every connection of the process — the sqlx
//! writer and readers and the rusqlite hot readers — with ordinary locking, so a reader waits out a write through
//! its busy timeout (a shared-cache `:memory:` database would answer `SQLITE_LOCKED` instead). Without WAL a
//! reader waits for as long as a write transaction is open, so the synchronous reads here run off the async
//! runtime's threads ([`off_the_runtime`]). One connection held here keeps the database alive while the pools open
//! and close theirs; it also takes and restores snapshots through SQLite's backup API, which copies pages and is
//! the fastest way back to a saved state.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use crate::domain::roles;
use crate::store::dump::{Dump, DumpOrg, DumpTeam, DumpUser};
use crate::store::models::UsageTotals;
use crate::store::rows::parse_time;
use crate::store::{StoreError, StoreResult};

/// The VFS that shares a named in-memory database within the process.
pub(super) const VFS: &str = "memdb";

/// The database URLs that mean "a new database in memory".
pub(super) fn is_memory_url(url: &str) -> bool {
    matches!(url, "sqlite::memory:" | "sqlite://:memory:" | "sqlite:memory")
}

/// A name no other database of this process has (two sandboxes in one test binary stay apart).
pub(super) fn fresh_name() -> String {
    format!("/orgd-{}", uuid::Uuid::new_v4().simple())
}

pub(super) struct MemoryDb {
    anchor: Mutex<Connection>,
    saved: Mutex<HashMap<String, Connection>>,
}

impl MemoryDb {
    pub(super) fn open(name: &str, busy_timeout: Duration) -> anyhow::Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let anchor = Connection::open_with_flags_and_vfs(name, flags, VFS)?;
        anchor.busy_timeout(busy_timeout)?;
        Ok(MemoryDb { anchor: Mutex::new(anchor), saved: Mutex::default() })
    }

    pub(super) fn save(&self, name: &str) -> StoreResult<()> {
        let mut copy = Connection::open_in_memory()?;
        off_the_runtime(|| copy_all(&self.anchor.lock().unwrap_or_else(|e| e.into_inner()), &mut copy))?;
        self.saved.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), copy);
        Ok(())
    }

    pub(super) fn restore(&self, name: &str) -> StoreResult<()> {
        let saved = self.saved.lock().unwrap_or_else(|e| e.into_inner());
        let copy = saved.get(name).ok_or_else(|| StoreError::NotFound(format!("no snapshot '{name}'")))?;
        off_the_runtime(|| copy_all(copy, &mut self.anchor.lock().unwrap_or_else(|e| e.into_inner())))
    }

    pub(super) fn dump(&self) -> StoreResult<Dump> {
        off_the_runtime(|| {
            let c = self.anchor.lock().unwrap_or_else(|e| e.into_inner());
            Ok(Dump { users: users(&c)?, orgs: orgs(&c)? })
        })
    }
}

/// Runs a blocking database call so that the runtime's other tasks (the writer that holds the lock it may wait
/// for among them) keep a thread; directly where the runtime has a single thread and cannot spare it.
pub(super) fn off_the_runtime<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Copies every page of `from` over `to` in one step (no page count stops it early); a busy destination (a write in progress on another
/// connection) is waited for.
fn copy_all(from: &Connection, to: &mut Connection) -> StoreResult<()> {
    let backup = Backup::new(from, to)?;
    Ok(backup.run_to_completion(i32::MAX, Duration::from_millis(1), None)?)
}

fn users(c: &Connection) -> rusqlite::Result<Vec<DumpUser>> {
    let mut st =
        c.prepare("select id, email, name, timezone_id, country_id, is_admin, tfa_enabled from users order by id")?;
    let mut users = st
        .query_map([], |r| {
            Ok(DumpUser {
                id: r.get(0)?,
                email: r.get(1)?,
                name: r.get(2)?,
                timezone_id: r.get(3)?,
                country_id: r.get(4)?,
                is_admin: r.get(5)?,
                tfa_enabled: r.get(6)?,
                tokens: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut st =
        c.prepare("select digest, scopes from tokens where user_id = ?1 and revoked_at is null order by id")?;
    for u in &mut users {
        let rows = st.query_map([u.id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (digest, scopes) = row?;
            u.tokens.push((digest, serde_json::from_str(&scopes).unwrap_or_default()));
        }
    }
    Ok(users)
}

fn orgs(c: &Connection) -> rusqlite::Result<Vec<DumpOrg>> {
    let mut st = c.prepare(
        "select o.id, o.name, coalesce(u.email, ''), o.plan, o.timezone_id, o.country_id from organizations o
         left join organization_members m on m.organization_id = o.id and m.users_role_id = ?1
         left join users u on u.id = m.user_id order by o.id",
    )?;
    let mut orgs = st
        .query_map([roles::OWNER], |r| {
            Ok(DumpOrg {
                id: r.get(0)?,
                name: r.get(1)?,
                owner_email: r.get(2)?,
                plan: r.get(3)?,
                timezone_id: r.get(4)?,
                country_id: r.get(5)?,
                members: Vec::new(),
                teams: Vec::new(),
                variables: Vec::new(),
                usage: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for o in &mut orgs {
        o.members = pairs(
            c,
            "select u.email, m.users_role_id from organization_members m join users u on u.id = m.user_id
             where m.organization_id = ?1 and m.users_role_id <> ?2 order by u.id",
            o.id,
        )?;
        o.teams = teams(c, o.id)?;
        o.variables = variables(c, o.id)?;
        o.usage = usage(c, o.id)?;
    }
    Ok(orgs)
}

/// `(text, integer)` rows of a statement about one organization (`?2` is the Owner's role id where used).
fn pairs(c: &Connection, sql: &str, id: i64) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut st = c.prepare_cached(sql)?;
    let params: Vec<i64> = if sql.contains("?2") { vec![id, roles::OWNER] } else { vec![id] };
    let rows = st.query_map(rusqlite::params_from_iter(params), |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

fn teams(c: &Connection, org_id: i64) -> rusqlite::Result<Vec<DumpTeam>> {
    let mut st = c.prepare_cached("select id, name from teams where organization_id = ?1 order by id")?;
    let teams = st.query_map([org_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for t in teams {
        let (id, name) = t?;
        let members = pairs(
            c,
            "select u.email, tm.users_role_id from team_members tm join users u on u.id = tm.user_id
             where tm.team_id = ?1 order by u.id",
            id,
        )?;
        out.push(DumpTeam { name, members });
    }
    Ok(out)
}

fn variables(c: &Connection, org_id: i64) -> rusqlite::Result<Vec<(String, i64, serde_json::Value)>> {
    let mut st =
        c.prepare_cached("select name, type_id, value from variables where organization_id = ?1 order by id")?;
    let rows = st.query_map([org_id], |r| {
        let text: String = r.get(2)?;
        let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        Ok((r.get(0)?, r.get(1)?, value))
    })?;
    rows.collect()
}

fn usage(c: &Connection, org_id: i64) -> rusqlite::Result<Vec<(chrono::DateTime<chrono::Utc>, UsageTotals)>> {
    let mut st = c.prepare_cached(
        "select at, operations, data_transfer, centicredits from usage_records where organization_id = ?1 order by at",
    )?;
    let rows = st.query_map([org_id], |r| {
        let at: String = r.get(0)?;
        let at = parse_time(&at).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, format!("bad time {at:?}").into())
        })?;
        Ok((at, UsageTotals { operations: r.get(1)?, data_transfer: r.get(2)?, centicredits: r.get(3)? }))
    })?;
    rows.collect()
}
