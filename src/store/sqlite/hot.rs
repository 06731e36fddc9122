//! The reads every request makes, on the calling thread. sqlx runs each SQLite statement on a worker thread of
//! the connection's own, so every statement costs two thread hand-offs and wake-ups; for the token, the
//! membership, and the teams and usage an organization shows, that was most of a request's time (see
//! bench/RESULTS.md). These statements run here through rusqlite on read connections of their own,
//! synchronously: each takes microseconds, less than the hand-offs it saves, and never waits on a lock (WAL
//! readers do not block on the writer). Writes stay on sqlx's single writer. The membership, teams and usage
//! reads go through the read model (`store/model/`) first, and run here only when it does not hold them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params_from_iter, Connection, OpenFlags};

use super::SqliteStore;
use crate::domain::ids::{OrgId, UserId};
use crate::store::backend::CallingThread;
use crate::store::models::{Org, OrgAccess, Team, TokenAuth, UsageTotals};
use crate::store::rows::{self, org, sqlite_time as sql_time, user};
use crate::store::{RequestReads, StoreError, StoreResult};

/// Splits id lists so that no statement exceeds SQLite's bound-parameter limit.
const CHUNK: usize = 900;
/// Rows past which a read runs off the runtime ([`HotReaders::run_long`]).
const LONG_READ_ROWS: usize = 1000;

#[async_trait]
impl RequestReads for SqliteStore {
    /// From the read model when it holds the token.
    async fn authenticate(&self, digest: &str) -> StoreResult<Option<TokenAuth>> {
        self.model.token(digest, |_| async { self.hot.authenticate(digest) }).await
    }

    /// From the read model (`store/model/`) when it holds the membership.
    async fn org_access(&self, org_id: OrgId, user_id: UserId) -> StoreResult<OrgAccess> {
        let (org_id, user_id) = (org_id.0, user_id.0);
        self.model.access(org_id, user_id, |_| async { self.hot.org_access(org_id, user_id) }).await
    }

    async fn teams_of(&self, org_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Team>>> {
        self.model.teams(org_ids, |_| async { self.hot.teams_of(org_ids) }).await
    }

    async fn usage_totals(
        &self,
        org_ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<HashMap<i64, UsageTotals>> {
        self.model.usage(org_ids, (from, to), |_| async { self.hot.usage_totals(org_ids, from, to) }).await
    }
}

/// The list's order and page after a change (`shared/order.rs`): a user's order is up to `MAX_ORDER_IDS` rows and
/// a page up to 10 000, which sqlx hands over from its thread one at a time.
impl CallingThread for HotReaders {
    fn order_rows(&self, sql: &str, user_id: i64, limit: i64) -> StoreResult<Vec<(i64, i64)>> {
        self.run_long(|c| {
            let mut st = c.prepare_cached(sql)?;
            let rows = st.query_map([user_id, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    fn orgs(&self, sql: &str, ids: &[i64]) -> StoreResult<Vec<Org>> {
        let json = serde_json::to_string(ids).map_err(anyhow::Error::from)?;
        let read = |c: &Connection| {
            let mut st = c.prepare_cached(sql)?;
            let rows = st.query_map([&json], org)?;
            rows.collect()
        };
        // A page of the usual size costs less here than a hand-off off the runtime (and a thread that would need a
        // connection of its own); the largest pages (`pg[limit]` up to 10 000) go off it.
        match ids.len() <= LONG_READ_ROWS {
            true => self.run(read),
            false => self.run_long(read),
        }
    }
}

/// Connections for the hot reads: as many as threads run requests at once (a call never yields, so at most one
/// per thread is out; a long read's `block_in_place` lets the runtime start another thread, which may open one
/// more).
pub(super) struct HotReaders {
    idle: Mutex<Vec<Connection>>,
    path: PathBuf,
    /// The VFS of an in-memory database (`memory.rs`); `None` for a file.
    vfs: Option<&'static str>,
    busy_timeout: Duration,
}

impl HotReaders {
    pub(super) fn new(path: PathBuf, vfs: Option<&'static str>, busy_timeout: Duration) -> Self {
        HotReaders { idle: Mutex::new(Vec::new()), path, vfs, busy_timeout }
    }

    pub(super) fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match self.vfs {
            Some(vfs) => Connection::open_with_flags_and_vfs(&self.path, flags, vfs)?,
            None => Connection::open_with_flags(&self.path, flags)?,
        };
        conn.busy_timeout(self.busy_timeout)?;
        conn.pragma_update(None, "query_only", true)?;
        conn.pragma_update(None, "cache_size", super::cache::HOT)?;
        Ok(conn)
    }

    /// Runs `f` on an idle connection (or a new one) and puts it back.
    fn run<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        self.run_on(false, f)
    }

    /// [`HotReaders::run`] for a read of up to millions of rows (a user's whole order): off the runtime, so that
    /// the requests on this thread are not held for it (one hand-off for the whole read, not one per row).
    fn run_long<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        self.run_on(true, f)
    }

    fn run_on<T>(&self, long: bool, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = match (self.vfs, long) {
            (None, false) => f(&conn),
            // In memory there is no WAL: a read waits while a write transaction holds its lock (`memory.rs`), so
            // it must not hold the runtime's thread the writer needs to finish.
            _ => super::memory::off_the_runtime(|| f(&conn)),
        }
        .map_err(StoreError::from);
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
        out
    }

    pub(super) fn close(&self) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The live token with that digest and its user.
    pub(super) fn authenticate(&self, digest: &str) -> StoreResult<Option<TokenAuth>> {
        let row = self.run(|c| {
            let mut st = c.prepare_cached(
                "select t.id, t.scopes, u.id, u.email, u.name, u.language, u.timezone_id, u.country_id, u.is_admin,
                    u.tfa_enabled, u.created_at, t.session_id
                 from tokens t join users u on u.id = t.user_id where t.digest = ?1 and t.revoked_at is null",
            )?;
            let mut rows = st.query([digest])?;
            rows.next()?
                .map(|r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, user(r, 2)?, r.get::<_, Option<i64>>(11)?)))
                .transpose()
        })?;
        row.map(|(token_id, scopes, user, session_id)| {
            let scopes: Vec<String> = serde_json::from_str(&scopes).map_err(anyhow::Error::from)?;
            Ok(TokenAuth { token_id, user, scopes: scopes.into(), session_id })
        })
        .transpose()
    }

    /// The user's organization order version (`store/shared/order.rs`); 0 without a row.
    pub(super) fn order_version(&self, user_id: i64) -> StoreResult<i64> {
        self.run(|c| {
            let mut st = c.prepare_cached("select version from organization_order_versions where user_id = ?1")?;
            let mut rows = st.query([user_id])?;
            Ok(rows.next()?.map(|r| r.get::<_, i64>(0)).transpose()?.unwrap_or(0))
        })
    }

    /// Whether the organization exists and what role `user_id` holds in it.
    pub(super) fn org_access(&self, org_id: i64, user_id: i64) -> StoreResult<OrgAccess> {
        self.run(|c| {
            let mut st = c.prepare_cached(
                "select o.id, o.name, o.country_id, o.timezone_id, o.zone, o.plan, o.external_id, o.tfa_enforced,
                    o.created_at, m.users_role_id
                 from organizations o
                 left join organization_members m on m.organization_id = o.id and m.user_id = ?2
                 where o.id = ?1",
            )?;
            let mut rows = st.query([org_id, user_id])?;
            let Some(r) = rows.next()? else { return Ok(OrgAccess::NoSuchOrg) };
            Ok(match r.get::<_, Option<i64>>(9)? {
                None => OrgAccess::Stranger,
                Some(users_role_id) => OrgAccess::Member { org: org(r)?, users_role_id },
            })
        })
    }

    /// Teams of the given organizations, by organization id, each list ordered by team name.
    pub(super) fn teams_of(&self, org_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Team>>> {
        let mut out: HashMap<i64, Vec<Team>> = HashMap::new();
        for chunk in org_ids.chunks(CHUNK) {
            let sql = format!(
                "select id, name, organization_id, operations_limit, transfer_limit from teams
                 where organization_id in ({}) order by name, id",
                placeholders(chunk.len(), 1)
            );
            let teams = self.run(|c| {
                let mut st = c.prepare_cached(&sql)?;
                let rows = st.query_map(params_from_iter(chunk), rows::team)?;
                rows.collect::<rusqlite::Result<Vec<Team>>>()
            })?;
            for t in teams {
                out.entry(t.organization_id).or_default().push(t);
            }
        }
        Ok(out)
    }

    /// Usage of the given organizations in `[from, to)`, summed per organization.
    pub(super) fn usage_totals(
        &self,
        org_ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<HashMap<i64, UsageTotals>> {
        let mut out = HashMap::new();
        for chunk in org_ids.chunks(CHUNK) {
            let sql = format!(
                "select organization_id, sum(operations), sum(data_transfer), sum(centicredits) from usage_records
                 where at >= ?1 and at < ?2 and organization_id in ({}) group by organization_id",
                placeholders(chunk.len(), 3)
            );
            let (from, to) = (sql_time(from), sql_time(to));
            let sums = self.run(|c| {
                let mut st = c.prepare_cached(&sql)?;
                let params: Vec<rusqlite::types::Value> =
                    [from.into(), to.into()].into_iter().chain(chunk.iter().map(|id| (*id).into())).collect();
                let rows = st.query_map(params_from_iter(params), |r| {
                    let totals =
                        UsageTotals { operations: r.get(1)?, data_transfer: r.get(2)?, centicredits: r.get(3)? };
                    Ok((r.get::<_, i64>(0)?, totals))
                })?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            })?;
            out.extend(sums);
        }
        Ok(out)
    }
}

/// `?first, ?first+1, …` for `n` parameters.
fn placeholders(n: usize, first: usize) -> String {
    (first..first + n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_from_the_first() {
        assert_eq!(placeholders(3, 3), "?3, ?4, ?5");
    }
}
